// /api/v1/monitor: rules and channels for every role to read, for administrators to change (audited); secrets only
// in bodies and never returned; a test message and a run over a real webhook receiver on 127.0.0.1; the delivery
// log; /metrics shows the expiry gauges.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { startApiLab, type ApiLab } from '../helpers/api-lab.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';

let lab: ApiLab;
let hook: WebhookReceiver;
const SECRET = 'api-test-secret-0123456789';
before(async () => {
  lab = await startApiLab({ 'monitor.retryBackoffMs': 1 });
  hook = await startWebhookReceiver();
});
after(async () => {
  await lab.close();
  await hook.close();
});

test('rules: read-only reads, only admin changes; bad input refused with the reason', async () => {
  const ro = lab.as(await lab.tokenFor('viewer', 'read-only'));
  const list = await ro('GET', '/api/v1/monitor/rules');
  assert.equal(list.statusCode, 200);
  assert.deepEqual(
    list.json().items.map((r: { name: string }) => r.name),
    ['default'],
  );
  const denied = await ro('POST', '/api/v1/monitor/rules', { name: 'x' });
  assert.equal(denied.statusCode, 403);
  const bad = await lab.call('POST', '/api/v1/monitor/rules', { name: 'x', startDaysBefore: 0 });
  assert.equal(bad.statusCode, 400);
  const unknownChannel = await lab.call('POST', '/api/v1/monitor/rules', { name: 'x', channels: ['nope'] });
  assert.equal(unknownChannel.statusCode, 404);
  assert.match(unknownChannel.json().error.message, /no monitor channel named "nope"/);
  const added = await lab.call('POST', '/api/v1/monitor/rules', {
    name: 'lsc-90',
    classes: ['lsc'],
    startDaysBefore: 90,
  });
  assert.equal(added.statusCode, 200, added.body);
  assert.deepEqual(added.json().rule.classes, ['lsc']);
  const changed = await lab.call('PATCH', '/api/v1/monitor/rules/lsc-90', { hourlyLastDay: false, enabled: false });
  assert.equal(changed.json().rule.hourlyLastDay, false);
  assert.equal((await lab.call('DELETE', '/api/v1/monitor/rules/lsc-90')).statusCode, 200);
  assert.equal((await lab.call('DELETE', '/api/v1/monitor/rules/lsc-90')).statusCode, 404);
});

test('channels: the secret goes in, never comes out; a test message is signed with it; run and log', async () => {
  const refused = await lab.call('POST', `/api/v1/monitor/channels?secret=${SECRET}`, { name: 'h', kind: 'webhook' });
  assert.equal(refused.statusCode, 400);
  assert.equal(refused.json().error.code, 'ERR_SECRET_IN_URL');
  const add = await lab.call('POST', '/api/v1/monitor/channels', {
    name: 'hook',
    kind: 'webhook',
    webhook: { url: hook.url },
    secret: SECRET,
  });
  assert.equal(add.statusCode, 200, add.body);
  assert.ok(!add.body.includes(SECRET));
  assert.equal(add.json().channel.secret, 'set');
  assert.equal(add.json().generatedSecret, null);
  const gen = await lab.call('POST', '/api/v1/monitor/channels', {
    name: 'gen',
    kind: 'webhook',
    webhook: { url: hook.url },
    enabled: false,
  });
  assert.match(gen.json().generatedSecret, /^[A-Za-z0-9_-]{43}$/);
  const list = await lab.call('GET', '/api/v1/monitor/channels');
  assert.ok(!list.body.includes(SECRET) && !list.body.includes(gen.json().generatedSecret));

  const t = await lab.call('POST', '/api/v1/monitor/channels/hook/test');
  assert.equal(t.statusCode, 200, t.body);
  assert.equal(t.json().result.status, 'sent');
  const got = hook.received.at(-1)!;
  assert.equal(
    got.headers['x-opencapf-signature'],
    `sha256=${createHmac('sha256', SECRET).update(got.body).digest('hex')}`,
  );
  assert.equal(JSON.parse(got.body.toString()).type, 'opencapf.cert-monitor.test');

  // Every node identity is due under a 3650-day rule: one digest to the enabled channel, then nothing more today.
  await lab.call('PATCH', '/api/v1/monitor/rules/default', { startDaysBefore: 3650 });
  const dry = await lab.call('POST', '/api/v1/monitor/run', { dryRun: true });
  assert.equal(dry.json().rules[0].channels.length, 0);
  assert.match(dry.json().rules[0].digest.text, /CAPF CA certificate: 1/);
  const before = hook.received.length;
  const run = await lab.call('POST', '/api/v1/monitor/run', {});
  assert.deepEqual(
    run.json().rules[0].channels.map((c: { channel: string; status: string }) => [c.channel, c.status]),
    [['hook', 'sent']],
  );
  const again = await lab.call('POST', '/api/v1/monitor/run', {});
  assert.equal(again.json().rules[0].channels[0].status, 'skipped');
  assert.equal(hook.received.length, before + 1);
  const log = await lab.call('GET', '/api/v1/monitor/deliveries?channel=hook');
  assert.deepEqual(
    log.json().items.map((d: { rule: string; status: string }) => [d.rule, d.status]),
    [
      ['default', 'sent'],
      ['', 'sent'],
    ],
  );
  const audit = await lab.call('GET', '/api/v1/audit?limit=50');
  assert.ok(!audit.body.includes(SECRET));
  assert.match(audit.body, /monitor\.channel-test/);
  assert.match(audit.body, /monitor\.run-now/);

  const inUse = await lab.call('PATCH', '/api/v1/monitor/rules/default', { channels: ['hook'] });
  assert.equal(inUse.statusCode, 200);
  const remove = await lab.call('DELETE', '/api/v1/monitor/channels/hook');
  assert.equal(remove.statusCode, 409);
});

test('/metrics: expiry seconds per certificate class and phone certificates per window', async () => {
  const r = await lab.call('GET', '/metrics');
  assert.equal(r.statusCode, 200);
  assert.match(r.body, /opencapf_cert_expiry_seconds\{class="capf-ca",name="CAPF CA CN=CAPF-[^"]+"\} \d+/);
  assert.match(r.body, /opencapf_cert_expiry_seconds\{class="identity",name="tftp [^"]+"\} \d+/);
  assert.match(r.body, /opencapf_cert_expiry_window_certificates\{class="lsc",window="le30d"\} 0/);
  assert.match(r.body, /opencapf_cert_monitor_source_up\{class="crl"\} 1/);
  assert.match(r.body, /opencapf_cert_monitor_deliveries_total\{kind="webhook",status="sent"\} \d+/);
});
