// End-to-end: the Certificate monitor page in the web UI (Debian's chromium through playwright-core) against a real
// OpenCAPF on 127.0.0.1: the default rule is listed, a webhook channel is added through the form, "Send test" reaches
// a node:http receiver signed with the channel's secret, and the delivery shows in "Last deliveries"; the preview
// shows the digest a 3650-day rule would send.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import type { Page } from 'playwright-core';
import type { CapfLab } from '../helpers/capf-lab.ts';
import { startWebLab, webSkipReason, type WebLab } from '../helpers/web-lab.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';

const missing = webSkipReason('certificate monitor');
const SECRET = 'web-e2e-secret-0123456789';

describe('web UI: certificate monitor', { skip: missing ?? false }, () => {
  let web: WebLab;
  let lab: CapfLab;
  let page: Page;
  let hook: WebhookReceiver;

  before(async () => {
    web = await startWebLab();
    ({ lab, page } = web);
    hook = await startWebhookReceiver();
  });
  after(async () => {
    await web?.close();
    await hook?.close();
  });

  it('adds a webhook channel, sends it a test message, shows the delivery and a digest preview', async () => {
    await page.getByRole('link', { name: 'Certificate monitor' }).click();
    await page.getByRole('heading', { level: 1, name: 'Certificate monitor' }).waitFor();
    await page.getByRole('cell', { name: 'default' }).waitFor();
    await page.getByText('No channel: nothing is sent.').waitFor();

    await page.getByLabel('Kind').selectOption('webhook');
    await page.getByLabel('Name').first().fill('ops-hook');
    await page.getByPlaceholder('https://…').fill(hook.url);
    await page.getByLabel('HMAC secret').fill(SECRET);
    await page.getByRole('button', { name: 'Add channel' }).click();
    await page.getByRole('cell', { name: 'ops-hook' }).waitFor();
    assert.ok(!(await page.content()).includes(SECRET), 'the secret is not shown after adding');

    await page.getByRole('button', { name: 'Send test' }).click();
    await page.getByText(/Test message over ops-hook: sent/).waitFor();
    assert.equal(hook.received.length, 1);
    const got = hook.received[0]!;
    assert.equal(
      got.headers['x-opencapf-signature'],
      `sha256=${createHmac('sha256', SECRET).update(got.body).digest('hex')}`,
    );
    await page.getByRole('cell', { name: '(test message)' }).waitFor();

    await lab.ctx.monitor.setRule('default', { startDaysBefore: 3650 }, { name: 'e2e', source: 'test' });
    await page.getByRole('button', { name: 'Preview digest' }).click();
    await page.getByRole('heading', { name: 'Digest of rule default (not sent)' }).waitFor();
    await page.getByText(/CAPF CA certificate: 1/).waitFor();
    assert.equal(hook.received.length, 1, 'a preview sends nothing');
  });
});
