// End-to-end: the Import phones page (Debian's chromium through playwright-core) against a real OpenCAPF on
// 127.0.0.1: a CUCM BAT export is previewed, its format recognised, uploaded with a progress bar; one bad row
// means the report lists it by line and nothing is imported (the phone count stays 0); the fixed file imports
// every phone with its CAPF settings. Our own format keeps the good rows and lists the bad one.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { CapfLab } from '../helpers/capf-lab.ts';
import { SHOTS, startWebLab, webSkipReason, type WebLab } from '../helpers/web-lab.ts';

const missing = webSkipReason('import');

const ROWS = 500;
const HEADER =
  'DEVICE NAME,DESCRIPTION,DEVICE POOL,DEVICE TYPE,DEVICE SECURITY PROFILE,CERTIFICATE OPERATION,' +
  'AUTHENTICATION MODE,AUTHENTICATION STRING,OPERATION COMPLETES BY';
const deadline = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
const row = (i: number, mode = 'By Null String') =>
  `${i % 5 === 4 ? `CSFUSER${i}` : `SEP00EE${String(i).padStart(8, '0')}`},"Desk ${i}, floor 2",DP_HQ,` +
  `Cisco 8845,,Install/Upgrade,${mode},,${deadline} 17:00`;

describe('web UI: Import phones', { skip: missing ?? false }, () => {
  let web: WebLab;
  let lab: CapfLab;
  let page: Page;

  before(async () => {
    web = await startWebLab({ viewport: { width: 1280, height: 800 } });
    ({ lab, page } = web);
  });
  after(async () => {
    await web?.close();
  });

  it('a CUCM export with one bad row: previewed, uploaded, the row reported by line, nothing imported', async () => {
    const lines = [HEADER];
    for (let i = 0; i < ROWS; i++) lines.push(row(i, i === 123 ? 'By Fingerprint' : 'By Null String'));
    const bad = join(lab.dir, 'bat-bad.csv');
    writeFileSync(bad, `\ufeff${lines.join('\r\n')}\r\n`);
    await page.getByRole('link', { name: 'Import phones' }).click();
    await page.getByRole('heading', { level: 1, name: 'Import phones' }).waitFor();
    await page.getByLabel('CSV file').setInputFiles(bad);
    await page.getByRole('table', { name: 'Preview' }).getByText('SEP00EE00000000').waitFor();
    assert.equal(await page.getByLabel('Format').inputValue(), 'cucm', 'a BAT export is recognised');
    await page.getByText(/501 lines/).waitFor();
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `${ROWS} rows: 0 phones added, 1 failed` })
      .waitFor();
    await page.getByText(/all or nothing: nothing was imported/).waitFor();
    const failed = page.getByRole('table', { name: 'Failed rows' });
    await failed.getByRole('cell', { name: '125', exact: true }).waitFor(); // header is line 1: row 123 is line 125
    await failed.getByText(/Authentication Mode "By Fingerprint" is not one of/).waitFor();
    await page.getByText(/Columns OpenCAPF does not use \(ignored\): DEVICE POOL/).waitFor(); // named
    assert.equal(await page.getByRole('progressbar', { name: 'Import progress' }).getAttribute('value'), '100');
    await page.screenshot({ path: join(SHOTS, 'import-cucm-bad-row.png'), fullPage: true });
    assert.equal((await lab.ctx.phones.list({ limit: 1 })).total, 0, 'nothing was imported');
  });

  it('the fixed export imports every phone with its CAPF settings', async () => {
    const lines = [HEADER];
    for (let i = 0; i < ROWS; i++) lines.push(row(i));
    const good = join(lab.dir, 'bat-good.csv');
    writeFileSync(good, lines.join('\n'));
    await page.getByLabel('CSV file').setInputFiles(good);
    await page.getByText(/Preview of bat-good\.csv/).waitFor();
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `${ROWS} rows: ${ROWS} phones added, 0 failed` })
      .waitFor();
    await page.getByText('No row failed.').waitFor();
    assert.equal((await lab.ctx.phones.list({ limit: 1 })).total, ROWS);
    const csf = await lab.ctx.phones.getPhone('CSFUSER4');
    assert.equal(csf.description, 'Desk 4, floor 2');
    assert.equal(csf.capf.operation, 'install');
    assert.equal(csf.capf.completesBy, `${deadline}T17:00:00.000Z`);
    assert.equal(csf.status, 'Operation Pending');
  });

  it('our format keeps the good rows and lists the bad one', async () => {
    const ours = join(lab.dir, 'ours.csv');
    writeFileSync(ours, 'Device Name,Model\nSEP00FF00000001,Cisco 7841\nNOT-A-PHONE,Cisco 7841\n');
    await page.getByLabel('CSV file').setInputFiles(ours);
    await page.getByRole('table', { name: 'Preview' }).getByText('NOT-A-PHONE').waitFor();
    assert.equal(await page.getByLabel('Format').inputValue(), 'opencapf');
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByRole('status').filter({ hasText: '2 rows: 1 phones added, 1 failed' }).waitFor();
    await page
      .getByRole('table', { name: 'Failed rows' })
      .getByText(/not a device name/)
      .waitFor();
    await page.screenshot({ path: join(SHOTS, 'import-ours.png'), fullPage: true });
  });
});
