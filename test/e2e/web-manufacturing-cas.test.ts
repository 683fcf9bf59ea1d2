// End-to-end: the Manufacturing CAs page and the expired-MIC policy in the web UI (Debian's chromium through
// playwright-core) against a real OpenCAPF on 127.0.0.1: a phone's certificate (not a CA) uploaded by mistake is
// refused with the API's words, a manufacturing CA is imported from a file, listed as managed beside the
// capf.manufacturingCaFile one (which offers no Remove), then removed; a profile's "Accept an expired MIC" checkbox
// shows the risk and saves the policy.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { CapfLab } from '../helpers/capf-lab.ts';
import { SHOTS, startWebLab, webSkipReason, type WebLab } from '../helpers/web-lab.ts';
import { createSelfSignedIdentity, derToPem, generateKeyPair, subjectAttributes } from '../../src/pki/index.ts';

const missing = webSkipReason('manufacturing CA');

async function certFile(dir: string, name: string, cn: string, ca: boolean): Promise<string> {
  const keys = await generateKeyPair({ type: 'ec', curve: 'P-256' });
  const cert = await createSelfSignedIdentity({
    role: ca ? 'capf' : 'tftp',
    subject: subjectAttributes(cn, { organization: 'Cisco Systems (test)' }),
    keys,
    validityDays: 3650,
    now: new Date(Date.now() - 3600_000),
  });
  const path = join(dir, name);
  writeFileSync(path, derToPem(cert.der));
  return path;
}

describe('web UI: manufacturing CAs and the expired-MIC policy', { skip: missing ?? false }, () => {
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

  it('refuses a phone certificate, imports a manufacturing CA beside the file one, removes it', async () => {
    const leaf = await certFile(lab.dir, 'mic.pem', 'CP-8845-SEP001122334455', false);
    const ca = await certFile(lab.dir, 'cmca2.pem', 'Cisco Manufacturing CA SHA2 (e2e)', true);
    await page.getByRole('link', { name: 'Manufacturing CAs (MICs)' }).click();
    await page.getByRole('heading', { level: 1, name: 'Manufacturing CAs' }).waitFor();
    // The lab's capf.manufacturingCaFile bundle: listed, read-only.
    await page.getByRole('cell', { name: /CN=Test Manufacturing CA/ }).waitFor();
    await page.getByRole('cell', { name: 'capf.manufacturingCaFile' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Remove' }).count(), 0, 'the configured CA has no Remove');

    await page.getByLabel('CA certificate files').setInputFiles(leaf);
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'is not a CA certificate' }).waitFor();
    assert.equal((await lab.ctx.manufacturingTrust.list()).length, 1, 'nothing was stored');

    await page.getByLabel('CA certificate files').setInputFiles(ca);
    await page.getByLabel('Comment').fill('from cisco.com');
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByText('Trusted 1 manufacturing CA(s)').waitFor();
    await page.getByRole('cell', { name: /CN=Cisco Manufacturing CA SHA2 \(e2e\)/ }).waitFor();
    await page.getByRole('cell', { name: 'Managed' }).waitFor();
    await page.screenshot({ path: join(SHOTS, 'manufacturing-cas.png'), fullPage: true });
    assert.deepEqual(
      (await lab.ctx.manufacturingTrust.list()).map((e) => e.source),
      ['config', 'managed'],
    );

    await page.getByRole('button', { name: 'Remove' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Remove' }).click();
    await page.getByText('MICs it issued no longer authenticate').waitFor();
    assert.deepEqual(
      (await lab.ctx.manufacturingTrust.list()).map((e) => e.source),
      ['config'],
    );
  });

  it("a profile's 'Accept an expired MIC' shows the risk and saves the policy", async () => {
    await lab.ctx.admin.profiles.create({ name: 'Old 79xx', authMode: 'existing-mic' }, { name: 'e2e', source: 't' });
    await page.goto(`http://127.0.0.1:${lab.server.ports.api}/profiles/${encodeURIComponent('Old 79xx')}`);
    const box = page.getByLabel('Accept an expired MIC for CAPF authentication');
    await box.waitFor();
    assert.equal(await box.isChecked(), false, 'off by default');
    await box.check();
    await page.getByText("Risk: expired MICs are accepted for this profile's phones.").waitFor();
    await page.getByText(/whoever holds an old phone can get an LSC for a pending device/).waitFor();
    await page.screenshot({ path: join(SHOTS, 'profile-expired-mic-risk.png'), fullPage: true });
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText(/^Saved\. 0 phone\(s\) use this profile/).waitFor();
    assert.equal((await lab.ctx.admin.profiles.get('Old 79xx')).acceptExpiredMic, true);
  });
});
