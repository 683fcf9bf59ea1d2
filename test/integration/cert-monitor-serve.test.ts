// The certificate monitor inside a real `opencapf serve` process: its timer sends the day's digest to a webhook
// once; after a restart of serve (a new process on the same data dir) the same rule and day is not sent again.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../helpers/cli.ts';
import { spawnServe } from '../helpers/serve-process.ts';
import { startWebhookReceiver } from '../helpers/webhook-receiver.ts';

test('serve sends the digest once a day, across a restart of serve', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'opencapf-monitor-serve-'));
  const hook = await startWebhookReceiver();
  try {
    // Every node identity is due under a rule starting 3650 days before expiry.
    const set = await cli(['--data-dir', dir, 'monitor', 'rule', 'set', 'default', '--days', '3650']);
    assert.equal(set.code, 0, set.stderr);
    const add = await cli([
      '--data-dir',
      dir,
      'monitor',
      'channel',
      'add',
      'hook',
      '--kind',
      'webhook',
      '--url',
      hook.url,
    ]);
    assert.equal(add.code, 0, add.stderr);

    const first = spawnServe({ dataDir: dir, logLevel: 'info' });
    try {
      await first.ready();
      await first.waitFor(/certificate monitor run finished/);
      assert.match(first.output(), /"channel":"hook","status":"sent"/);
      assert.equal(hook.received.length, 1);
      first.proc.kill('SIGTERM');
      assert.equal((await first.exited).code, 0, first.output());
    } finally {
      await first.kill();
    }

    const second = spawnServe({ dataDir: dir, logLevel: 'info' });
    try {
      await second.ready();
      await second.waitFor(/certificate monitor run finished/);
      assert.match(second.output(), /"channel":"hook","status":"skipped"/, second.output());
      assert.equal(hook.received.length, 1, 'the restarted serve did not send the same rule and day again');
      second.proc.kill('SIGTERM');
      await second.exited;
    } finally {
      await second.kill();
    }
    const log = await cli(['--data-dir', dir, 'monitor', 'deliveries', '--json']);
    const rows = JSON.parse(log.stdout) as { channel: string; status: string }[];
    assert.deepEqual(
      rows.map((r) => [r.channel, r.status]),
      [['hook', 'sent']],
    );
  } finally {
    await hook.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
