// End-to-end: the TVS trust page and rollback mode in the web UI (Debian's chromium through playwright-core) against
// a real OpenCAPF on 127.0.0.1: a private key uploaded by mistake is refused with the API's words, a certificate of
// another cluster is imported from a file and vouched by the running TVS, then removed; rollback mode turned on from
// the Trust lists page puts the red banner on the dashboard, and off removes it.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { CapfLab } from '../helpers/capf-lab.ts';
import { confirmWithPassword, SHOTS, startWebLab, webSkipReason, type WebLab } from '../helpers/web-lab.ts';
import {
  createSelfSignedIdentity,
  derToPem,
  generateKeyPair,
  privateKeyPem,
  subjectAttributes,
} from '../../src/pki/index.ts';
import { tvsVerify } from '../../src/tvs/index.ts';

const missing = webSkipReason('TVS trust');

describe('web UI: TVS trust and rollback mode', { skip: missing ?? false }, () => {
  let web: WebLab;
  let lab: CapfLab;
  let page: Page;

  before(async () => {
    web = await startWebLab();
    ({ lab, page } = web);
  });
  after(async () => {
    await web?.close();
  });

  it('imports a certificate of another cluster from a file (a key first, refused), then removes it', async () => {
    const keys = await generateKeyPair({ type: 'rsa', bits: 2048 });
    const cert = await createSelfSignedIdentity({
      role: 'tftp',
      subject: subjectAttributes('cucm-b-pub', { organization: 'Cluster B' }),
      keys,
      validityDays: 365,
      now: new Date(Date.now() - 3600_000),
    });
    const keyFile = join(lab.dir, 'CallManager.key');
    const certFile = join(lab.dir, 'CallManager.pem');
    writeFileSync(keyFile, privateKeyPem(keys.privateKey), { mode: 0o600 });
    writeFileSync(certFile, derToPem(cert.der));

    await page.getByRole('link', { name: 'TVS trust (other clusters)' }).click();
    await page.getByRole('heading', { level: 1, name: 'TVS trust (other clusters)' }).waitFor();
    await page.getByText("Our TVS vouches only for this cluster's own certificates.").waitFor();
    await page.getByLabel('Certificate files').setInputFiles(keyFile);
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'this is a private key; give the certificate' }).waitFor();
    const alert = (await page.getByRole('alert').textContent()) ?? '';
    assert.ok(!alert.includes(privateKeyPem(keys.privateKey).split('\n')[1]!.slice(0, 20)), 'the key is not shown');
    await page.screenshot({ path: join(SHOTS, 'tvs-trust-key-refused.png'), fullPage: true });

    await page.getByLabel('Certificate files').setInputFiles(certFile);
    await page.getByLabel('Comment').fill('cluster B');
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByText('Added 1 certificate(s)').waitFor();
    await page.getByRole('cell', { name: /CN=cucm-b-pub/ }).waitFor();
    await page.getByRole('cell', { name: 'SAST CCM TFTP' }).waitFor();
    await page.getByText('Vouched', { exact: true }).waitFor();
    await page.screenshot({ path: join(SHOTS, 'tvs-trust-list.png'), fullPage: true });
    const tvs = {
      host: '127.0.0.1',
      port: lab.server.ports.tvs!,
      timeoutMs: 10_000,
      checkServerCertificate: () => true,
    };
    assert.equal((await tvsVerify({ ...tvs, certDer: cert.der })).trusted, true);

    await page.getByRole('button', { name: 'Remove' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Remove' }).click();
    await page.getByText('our TVS no longer vouches for it').waitFor();
    await page.getByText("Our TVS vouches only for this cluster's own certificates.").waitFor();
    assert.equal((await tvsVerify({ ...tvs, certDer: cert.der })).trusted, false);
  });

  it('rollback mode: turned on from Trust lists, the dashboard shows the red banner; off removes it', async () => {
    await page.getByRole('link', { name: 'Trust lists (ITL/CTL)' }).click();
    await page.getByRole('heading', { level: 1, name: 'Trust lists (ITL/CTL)' }).waitFor();
    await page.getByRole('button', { name: 'Turn rollback mode on' }).click();
    await confirmWithPassword(page, 'Turn rollback mode on');
    await page.getByTestId('rollback-banner').waitFor();
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    const banner = page.getByTestId('rollback-banner');
    await banner.waitFor();
    assert.match(
      (await banner.textContent()) ?? '',
      /ROLLBACK MODE ON: phones will accept any next ITL and unsigned configs/,
    );
    const color = await banner.evaluate((el) => getComputedStyle(el).borderLeftColor);
    assert.match(color, /^rgb/, 'styled as an error message');
    await page.screenshot({ path: join(SHOTS, 'dashboard-rollback-on.png'), fullPage: true });
    await page.getByRole('link', { name: 'Trust lists (ITL/CTL)' }).click();
    await page.getByRole('button', { name: 'Turn rollback mode off' }).click();
    await confirmWithPassword(page, 'Turn rollback mode off');
    await page.getByText('Rollback mode is off').waitFor();
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    await page.getByText('CAPF record present').waitFor();
    assert.equal(await page.getByTestId('rollback-banner').count(), 0);
  });
});
