// Background jobs run without the REST API (issue 16): with api.enabled=false, `serve` still checks for
// LSCs due for renewal and schedules them (the renewal timer used to start inside the API listener).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig } from '../../src/config/index.ts';
import { adjustableClock } from '../../src/shared/clock.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { openContext } from '../../src/app/context.ts';
import { startServices } from '../../src/app/serve.ts';

const DAY = 86_400_000;

test('renewals are scheduled with api.enabled=false', { timeout: 30_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'opencapf-jobs-'));
  const config = loadConfig({
    env: {},
    overrides: {
      dataDir: dir,
      host: '127.0.0.1',
      'cluster.publicHost': '127.0.0.1',
      'log.level': 'info',
      'api.enabled': false,
      'capf.port': 0,
      'tftp.port': 0,
      'http.port': 0,
      'https.port': 0,
      'tvs.port': 0,
      'renewal.enabled': true,
      'renewal.windowDays': 30,
    },
  });
  let onLine: (line: string) => void = () => {};
  const sink = new Writable({
    write(chunk, _enc, cb) {
      onLine(String(chunk));
      cb();
    },
  });
  const clock = adjustableClock();
  const ctx = await openContext(config, createLogger('info', sink), clock);
  try {
    const device = 'SEP00AA00BB00CC';
    await ctx.phones.addPhones([{ deviceName: device, model: 'Cisco 8845', description: '', profileName: null }], {
      name: 'test',
      source: 'test',
    });
    const t0 = clock.now().getTime();
    await ctx.store.phones.updatePhone(
      device,
      {
        lsc: {
          serialHex: 'AB01',
          issuerDn: 'CN=CAPF-test',
          notBefore: new Date(t0 - DAY).toISOString(),
          notAfter: new Date(t0 + 400 * DAY).toISOString(),
        },
      },
      new Date(t0).toISOString(),
    );
    // A year on, the LSC expires within renewal.windowDays.
    clock.advanceMs(380 * DAY);
    const scheduled = new Promise<string>((resolve) => {
      onLine = (line) => {
        if (/renewal job scheduled/.test(line)) resolve(line);
      };
    });
    const running = await startServices(ctx);
    try {
      assert.ok(!running.listeners.some((l) => l.name === 'api'), 'the API is not started');
      const line = JSON.parse(await scheduled) as { jobId: number };
      const job = await ctx.admin.bulk.get(line.jobId);
      assert.equal(job.kind, 'renewal');
      assert.equal(job.total, 1);
    } finally {
      await running.stop(0);
    }
  } finally {
    await ctx.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
