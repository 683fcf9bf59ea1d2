// Certificate monitor acceptance (issue 22 item 1), real parts on 127.0.0.1: a cluster whose LSCs (issued over real
// CAPF sessions) expire in 7, 30 and 90 days and whose CAPF CA expires in 20; its digest reaches a real SMTP server
// (python3-aiosmtpd, STARTTLS and AUTH required) listing the right phones per window, and a webhook receiver as
// HMAC-signed JSON with the same content; a receiver that fails twice gets it on the third attempt, all three in the
// delivery log; a second run the same day sends nothing again; secrets never shown.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig, type ConfigKey } from '../../src/config/index.ts';
import { adjustableClock } from '../../src/shared/clock.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { openContext, type AppServices } from '../../src/app/context.ts';
import { startServices } from '../../src/app/serve.ts';
import { runCapfClient } from '../../src/capf/index.ts';
import { generateKeyPair } from '../../src/pki/index.ts';
import { mailText, smtpSkipReason, startSmtpServer } from '../helpers/smtp-server.ts';
import { startWebhookReceiver } from '../helpers/webhook-receiver.ts';

const DAY = 86_400_000;
const actor = { name: 'test', source: 'test' };
const skip = smtpSkipReason() ?? false;

function configFor(dir: string, over: Partial<Record<ConfigKey, unknown>>) {
  return loadConfig({
    env: {},
    overrides: {
      dataDir: dir,
      host: '127.0.0.1',
      'cluster.publicHost': '127.0.0.1',
      'cluster.nodeName': 'lab-node',
      'capf.port': 0,
      'api.enabled': false,
      'tftp.port': 0,
      'http.port': 0,
      'https.port': 0,
      'tvs.port': 0,
      'log.level': 'warn',
      // The timer would run on its own 5 s after start; the test runs the monitor itself.
      'monitor.enabled': false,
      'monitor.retryBackoffMs': 5,
      'monitor.sendTimeoutMs': 10_000,
      ...over,
    },
  });
}
const quiet = () => createLogger('warn', new Writable({ write: (_c, _e, cb) => cb() }));

/** Phones whose LSC the CAPF issues now (at the lab clock), over a real CAPF session. */
async function installLsc(ctx: AppServices, port: number, deviceName: string): Promise<void> {
  await ctx.phones.addPhones([{ deviceName, model: 'Cisco 8845' }], actor);
  const r = await ctx.phones.schedule(
    [deviceName],
    { operation: 'install', authMode: 'null-string', keyOrder: 'ec', rsaKeySize: 2048, ecKeySize: 256 },
    actor,
  );
  assert.equal(r[0]!.ok, true, JSON.stringify(r[0]));
  const res = await runCapfClient({
    host: '127.0.0.1',
    port,
    deviceName,
    authMode: 'null-string',
    generateKey: () => generateKeyPair({ type: 'ec', curve: 'P-256' }),
  });
  assert.equal(res.outcome, 'installed', res.log.join('\n'));
}

const PHONE_7 = 'SEP0000000A0007';
const PHONE_30 = 'SEP0000000A0030';
const PHONE_90 = 'SEP0000000A0090';

test('digest over SMTP (STARTTLS, AUTH) and signed webhooks; retried to the third attempt; never twice a day', {
  skip,
  timeout: 120_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'opencapf-monitor-'));
  const smtp = await startSmtpServer();
  const hook = await startWebhookReceiver();
  const flaky = await startWebhookReceiver([500, 500]);
  const clock = adjustableClock();
  const r0 = clock.now().getTime();
  try {
    // Phase 1: CAPF CA valid 5 years; LSCs valid 100 days, issued at day 7, 30 and 90 of the lab's time.
    const ctx1 = await openContext(configFor(dir, { 'capf.lscValidityDays': 100 }), quiet(), clock);
    const srv = await startServices(ctx1);
    try {
      for (const [day, name] of [
        [7, PHONE_7],
        [30, PHONE_30],
        [90, PHONE_90],
      ] as const) {
        clock.set(new Date(r0 + day * DAY));
        await installLsc(ctx1, srv.ports.capf!, name);
      }
    } finally {
      await srv.stop(0);
      await ctx1.close();
    }
    // Phase 2, day 90: the CAPF certificate is regenerated with 30 days' validity (it ends at day 120).
    const ctx = await openContext(configFor(dir, { 'pki.capfValidityDays': 30 }), quiet(), clock);
    try {
      clock.set(new Date(r0 + 90 * DAY));
      await ctx.identities.regenerate('capf');
      // Day 100 (and 10 s, past any rounding of the validity to seconds): the LSCs have 7, 30 and 90 days left
      // (rounded up), the CAPF CA 20.
      clock.set(new Date(r0 + 100 * DAY + 10_000));
      const m = ctx.monitor;
      await m.setRule('default', { startDaysBefore: 90 }, actor);
      await m.addChannel(
        {
          name: 'mail',
          kind: 'email',
          email: {
            host: '127.0.0.1',
            port: smtp.port,
            security: 'starttls',
            username: smtp.user,
            from: 'opencapf@lab.example',
            to: ['pki-team@lab.example'],
            caPem: smtp.caPem,
          },
          secret: smtp.password,
        },
        actor,
      );
      const webhookSecret = 'whsec-0123456789abcdef';
      await m.addChannel({ name: 'hook', kind: 'webhook', webhook: { url: hook.url }, secret: webhookSecret }, actor);

      const run1 = await m.runOnce();
      const rule = run1.rules.find((r) => r.rule === 'default')!;
      assert.match(rule.slot!, /^day:\d{4}-\d{2}-\d{2}$/);
      assert.deepEqual(
        rule.channels.map((c) => [c.channel, c.status, c.attempts]),
        [
          ['hook', 'sent', 1],
          ['mail', 'sent', 1],
        ],
        JSON.stringify(rule.channels),
      );

      // The mail: one message, over STARTTLS, authenticated, listing each phone in its window.
      const mails = smtp.messages();
      assert.equal(mails.length, 1);
      assert.equal(mails[0]!.tls, true);
      assert.equal(mails[0]!.authenticated, true);
      assert.deepEqual(mails[0]!.to, ['pki-team@lab.example']);
      const text = mailText(mails[0]!.data);
      /** The lines of one class's section of the mail, by window label. */
      const windowsOf = (classLabel: string): Record<string, string> => {
        const start = text.indexOf(`${classLabel}: `);
        assert.ok(start >= 0, `no "${classLabel}" in:\n${text}`);
        const part = text.slice(start, text.indexOf('\n\n', start));
        const out: Record<string, string> = {};
        for (const chunk of part.split(/\n {2}(?=\S)/).slice(1)) out[chunk.slice(0, chunk.indexOf(' ('))] = chunk;
        return out;
      };
      const lsc = windowsOf('Phone LSCs');
      assert.deepEqual(Object.keys(lsc), ['in 2 to 7 days', 'in 8 to 30 days', 'in 31 to 90 days'], text);
      const phonesIn = (chunk: string) => chunk.match(/SEP[0-9A-F]{12}/g);
      assert.deepEqual(phonesIn(lsc['in 2 to 7 days']!), [PHONE_7]);
      assert.deepEqual(phonesIn(lsc['in 8 to 30 days']!), [PHONE_30]);
      assert.deepEqual(phonesIn(lsc['in 31 to 90 days']!), [PHONE_90]);
      assert.match(lsc['in 2 to 7 days']!, /\(7 days left\)/);
      assert.match(text, /^Phone LSCs: 3$/m);
      const ca = windowsOf('CAPF CA certificate');
      assert.deepEqual(Object.keys(ca), ['in 8 to 30 days']);
      assert.match(ca['in 8 to 30 days']!, /CAPF CA CN=CAPF-.*\(20 days left\)/);
      assert.match(text, /renewal \(since .*\): 0 renewed, 0 failed/);
      assert.match(mails[0]!.data, /^Subject: .*certificates expiring/m);

      // The webhook: the same content as JSON, signed over the raw body with the channel's secret.
      assert.equal(hook.received.length, 1);
      const got = hook.received[0]!;
      const expected = `sha256=${createHmac('sha256', webhookSecret).update(got.body).digest('hex')}`;
      const sig = String(got.headers['x-opencapf-signature']);
      assert.ok(sig.length === expected.length && timingSafeEqual(Buffer.from(sig), Buffer.from(expected)));
      const body = JSON.parse(got.body.toString('utf8')) as {
        type: string;
        deliveryId: string;
        node: string;
        classes: { class: string; windows: { key: string; items: { name: string }[] }[] }[];
      };
      assert.equal(body.type, 'opencapf.cert-monitor.digest');
      assert.equal(body.node, 'lab-node');
      assert.equal(got.headers['x-opencapf-delivery'], body.deliveryId);
      const byWindow = (cls: string) =>
        Object.fromEntries(
          body.classes.find((c) => c.class === cls)!.windows.map((w) => [w.key, w.items.map((i) => i.name)]),
        );
      assert.deepEqual(byWindow('lsc'), { le7d: [PHONE_7], le30d: [PHONE_30], le90d: [PHONE_90] });
      assert.deepEqual(Object.keys(byWindow('capf-ca')), ['le30d']);

      // A receiver that answers 500 twice gets the digest on the third attempt; the others are not sent again.
      await m.addChannel(
        { name: 'flaky', kind: 'webhook', webhook: { url: flaky.url }, secret: 'another-secret-0123' },
        actor,
      );
      const run2 = await m.runOnce();
      const r2 = run2.rules.find((r) => r.rule === 'default')!;
      assert.equal(r2.slot, rule.slot);
      assert.deepEqual(
        r2.channels.map((c) => [c.channel, c.status, c.attempts]),
        [
          ['flaky', 'sent', 3],
          ['hook', 'skipped', 0],
          ['mail', 'skipped', 0],
        ],
      );
      assert.deepEqual(
        flaky.received.map((x) => x.status),
        [500, 500, 200],
      );
      const ids = new Set(flaky.received.map((x) => String(x.headers['x-opencapf-delivery'])));
      assert.equal(ids.size, 1, 'every attempt carries the same delivery id');
      const log = await m.deliveries({ channel: 'flaky' });
      assert.deepEqual(log.map((d) => [d.attempt, d.status, d.detail.split(':')[0]]).reverse(), [
        [1, 'failed', 'HTTP 500'],
        [2, 'failed', 'HTTP 500'],
        [3, 'sent', 'HTTP 200'],
      ]);
      assert.equal(smtp.messages().length, 1, 'the mail went out once');
      assert.equal(hook.received.length, 1, 'the webhook got it once');

      // Secrets are never shown: not in the channel list, the delivery log or the audit log.
      const shown = JSON.stringify(await m.listChannels());
      assert.ok(!shown.includes(smtp.password) && !shown.includes(webhookSecret));
      assert.match(shown, /"secret":"set"/);
      const audit = JSON.stringify(await ctx.admin.audit.list({ limit: 100 }));
      assert.ok(!audit.includes(smtp.password) && !audit.includes(webhookSecret), audit);
      assert.match(audit, /monitor\.channel-add/);
      const deliveries = JSON.stringify(await m.deliveries());
      assert.ok(!deliveries.includes(smtp.password) && !deliveries.includes(webhookSecret));

      // A test message goes over one channel at once.
      const t = await m.testChannel('mail', actor);
      assert.equal(t.status, 'sent', t.detail);
      assert.equal(smtp.messages().length, 2);
      assert.match(smtp.messages()[1]!.data, /test message of the certificate monitor/);
    } finally {
      await ctx.close();
    }
  } finally {
    await smtp.stop();
    await hook.close();
    await flaky.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
