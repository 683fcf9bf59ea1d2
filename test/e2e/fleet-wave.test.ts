// Realistic phones in a wave (issue 20): the fleet runner with key-generation time, random arrival, a source
// address per phone and Cisco-style retries, against a real server whose session limit is far below the wave.
// Every phone must end with an LSC, and the phone's wait for CAPF must not run while it generates its key.
// Not timed: the assertions are about outcomes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import tls from 'node:tls';
import {
  createKeyPool,
  fleetDeviceNames,
  FLEET_MODELS,
  loopbackSourceAddress,
  renderFleetProgress,
  renderFleetSummary,
  runFleet,
  sampleDuration,
  type FleetProgress,
  type FleetPhone,
} from '../../src/emulator/index.ts';
import { CapfClientError, runCapfClient } from '../../src/capf/index.ts';
import { startTroubleshootingLab } from './troubleshooting-lab.ts';

test('a wave of 24 phones with key generation held, 4 sessions allowed: all 24 installed, no retry', async () => {
  const t = await startTroubleshootingLab({ overrides: { 'capf.maxSessions': 4 } });
  try {
    const phones: FleetPhone[] = fleetDeviceNames(24).map((deviceName, i) => ({
      deviceName,
      model: FLEET_MODELS[i % FLEET_MODELS.length]!,
      authString: null,
    }));
    const actor = { name: 'wave', source: 'test' };
    await t.lab.ctx.phones.addPhones(
      phones.map((p) => ({ deviceName: p.deviceName })),
      actor,
    );
    await t.lab.ctx.phones.schedule(
      phones.map((p) => p.deviceName),
      { operation: 'install', authMode: 'null-string' },
      actor,
    );
    const pool = createKeyPool(4);
    const seen: FleetProgress[] = [];
    let maxHeld = 0;
    const summary = await runFleet({
      phones,
      concurrency: phones.length,
      arrivalMs: 200,
      retries: 3,
      retryIntervalMs: 200,
      deps: (_p, i) =>
        t.deps({
          micKey: () => pool.take({ type: 'ec', curve: 'P-256' }),
          generateKey: (req) =>
            pool.take(req.type === 'rsa' ? { type: 'rsa', bits: req.bits } : { type: 'ec', curve: req.curve }),
          keygenMs: () => {
            maxHeld = Math.max(maxHeld, t.lab.server.capfServer!.stats().held);
            return sampleDuration({ loMs: 150, hiMs: 400 });
          },
          capfLocalAddress: loopbackSourceAddress(i),
        }),
      onProgress: (p) => seen.push(p),
    });
    console.log(renderFleetSummary(summary));
    assert.equal(summary.byOutcome.installed, 24, JSON.stringify(summary.failuresByReason));
    assert.equal(summary.installedFirstTry, 24, 'the admission queue, not a retry, took the phones over the limit');
    assert.equal(summary.retries, 0);
    assert.ok(maxHeld <= 4, `held sessions ${maxHeld} exceed capf.maxSessions 4`);
    const last = seen.at(-1)!;
    assert.deepEqual(
      { done: last.done, installed: last.installed, booting: last.booting, notArrived: last.notArrived },
      { done: 24, installed: 24, booting: 0, notArrived: 0 },
    );
    assert.match(renderFleetProgress(last), /24\/24 done · installed 24 · failed 0 · booting 0/);
    assert.match(renderFleetSummary(summary), /LSC installed, first try\s+24\s+100\.0 %/);
    for (const p of phones) assert.equal((await t.lab.ctx.phones.getPhone(p.deviceName)).status, 'Upgrade Success');
  } finally {
    await t.close();
  }
});

test('a phone that cannot reach CAPF retries as configured, then reports LSC: Connection failed', async () => {
  const t = await startTroubleshootingLab();
  try {
    const [name] = fleetDeviceNames(1);
    const actor = { name: 'wave', source: 'test' };
    await t.lab.ctx.phones.addPhones([{ deviceName: name! }], actor);
    await t.lab.ctx.phones.schedule([name!], { operation: 'install', authMode: 'null-string' }, actor);
    // A port nobody listens on: every try is refused.
    const closed = await new Promise<number>((resolve) => {
      const s = tls.createServer().listen(0, '127.0.0.1', () => {
        const port = (s.address() as { port: number }).port;
        s.close(() => resolve(port));
      });
    });
    const summary = await runFleet({
      phones: [{ deviceName: name!, model: '8845', authString: null }],
      concurrency: 1,
      retries: 2,
      retryIntervalMs: 50,
      deps: () => t.deps({ capfPortOverride: closed }),
    });
    assert.equal(summary.byOutcome['connection-failed'], 1);
    assert.equal(summary.retries, 2);
    assert.equal(summary.retriedPhones, 1);
    assert.match(renderFleetSummary(summary), /LSC: Connection failed\s+1\s+100\.0 %/);
  } finally {
    await t.close();
  }
});

test("the phone's CAPF timeout does not run during key generation, and does after it", async () => {
  const t = await startTroubleshootingLab();
  try {
    const [a, b] = fleetDeviceNames(2);
    const actor = { name: 'wave', source: 'test' };
    await t.lab.ctx.phones.addPhones([{ deviceName: a! }, { deviceName: b! }], actor);
    await t.lab.ctx.phones.schedule([a!, b!], { operation: 'install', authMode: 'null-string' }, actor);
    // Key generation 4× the timeout: the session still completes.
    const r = await runCapfClient({
      host: '127.0.0.1',
      port: t.lab.port,
      deviceName: a!,
      authMode: 'null-string',
      timeoutMs: 250,
      generateKey: async (req) => {
        await new Promise((res) => setTimeout(res, 1000));
        return t.lab.key(req);
      },
    });
    assert.equal(r.outcome, 'installed');
    // A server that stays silent (accepts, never answers) still times the phone out.
    const held: net.Socket[] = [];
    const silent = net.createServer((s) => held.push(s));
    await new Promise<void>((res) => silent.listen(0, '127.0.0.1', () => res()));
    try {
      await assert.rejects(
        runCapfClient({
          host: '127.0.0.1',
          port: (silent.address() as { port: number }).port,
          deviceName: b!,
          authMode: 'null-string',
          timeoutMs: 300,
        }),
        (e: unknown) => e instanceof CapfClientError && e.kind === 'timeout',
      );
    } finally {
      for (const s of held) s.destroy();
      silent.close();
    }
  } finally {
    await t.close();
  }
});
