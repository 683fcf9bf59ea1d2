// End-to-end (issue 19 item 8): every expiry count is a link to exactly its phones — the dashboard chart, the
// report's chart and its per-model table — and the CAPF report has an LSC-expiry filter, an on-screen table and a
// dated file name. 6 phones enrol over real CAPF, 4 do not; Debian's chromium against a real OpenCAPF.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { CapfLab } from '../helpers/capf-lab.ts';
import { runCapfClient } from '../../src/capf/index.ts';
import { SHOTS, startWebLab, webSkipReason, type WebLab } from '../helpers/web-lab.ts';

const missing = webSkipReason('reports');
const actor = { name: 'e2e', source: 'test' };
const name = (i: number) => `SEP00CC${String(i).padStart(8, '0')}`;

describe('web UI: expiry counts as links, the report on screen', { skip: missing ?? false }, () => {
  let web: WebLab;
  let lab: CapfLab;
  let page: Page;

  before(async () => {
    web = await startWebLab({ viewport: { width: 1280, height: 900 } });
    ({ lab, page } = web);
    const all = Array.from({ length: 10 }, (_, i) => name(i));
    await lab.ctx.phones.addPhones(
      all.map((deviceName, i) => ({ deviceName, model: i % 2 ? 'Cisco 8845' : 'Cisco 7841' })),
      actor,
    );
    const enrolled = all.slice(0, 6);
    await lab.ctx.phones.schedule(enrolled, { operation: 'install', authMode: 'null-string' }, actor);
    for (const deviceName of enrolled) {
      const r = await runCapfClient({
        host: '127.0.0.1',
        port: lab.port,
        deviceName,
        authMode: 'null-string',
        generateKey: (req) => lab.key(req),
      });
      assert.equal(r.outcome, 'installed');
    }
  });
  after(async () => {
    await web?.close();
  });

  const listedTotal = async () => {
    const h = await page.getByRole('heading', { level: 2, name: /^Phones \(\d+\)$/ }).textContent();
    return Number(/\((\d+)\)/.exec(h ?? '')![1]);
  };

  it('the dashboard chart: "> 90 days" and "No LSC" open exactly their phones', async () => {
    await page.reload(); // the dashboard was drawn before the phones enrolled
    const chart = page.getByRole('figure', { name: 'LSCs by expiry' });
    await chart.getByRole('link', { name: '6 phones: > 90 days' }).click();
    await page.getByRole('heading', { level: 1, name: 'Find and List Phones' }).waitFor();
    await page.getByRole('heading', { level: 2, name: 'Phones (6)' }).waitFor();
    assert.equal(await listedTotal(), 6);
    await page.goBack();
    await chart.getByRole('link', { name: 'No LSC', exact: true }).click();
    await page.getByRole('heading', { level: 2, name: 'Phones (4)' }).waitFor();
  });

  it('the per-model table links a model and a window to its phones', async () => {
    await page.getByRole('link', { name: 'Reports', exact: true }).click();
    const row = page.getByRole('row').filter({ hasText: 'Cisco 8845' });
    await row.waitFor();
    // Phones 1, 3, 5 (8845) enrolled; 7, 9 did not.
    await row.getByRole('link', { name: '3', exact: true }).click();
    await page.getByRole('heading', { level: 2, name: 'Phones (3)' }).waitFor();
    for (const i of [1, 3, 5]) await page.getByRole('link', { name: name(i) }).waitFor();
  });

  it('the CAPF report: an expiry window, on screen, and a dated CSV', async () => {
    await page.getByRole('link', { name: 'Reports', exact: true }).click();
    await page.getByLabel('LSC expires', { exact: true }).selectOption('valid');
    await page.getByRole('button', { name: 'Show report' }).click();
    const table = page.getByRole('table', { name: 'CAPF report' });
    await table.getByRole('link', { name: name(0) }).waitFor();
    assert.equal(await table.locator('tbody tr').count(), 6);
    await page.getByLabel('LSC expires', { exact: true }).selectOption('none');
    await page.getByRole('button', { name: 'Show report' }).click();
    await table.getByRole('link', { name: name(9) }).waitFor();
    assert.equal(await table.locator('tbody tr').count(), 4);
    await page.screenshot({ path: join(SHOTS, 'reports-on-screen.png'), fullPage: true });
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download CAPF report (CSV)' }).click(),
    ]);
    assert.match(download.suggestedFilename(), /^capf-report-\d{8}-\d{4}Z\.csv$/);
    const file = join(lab.dir, 'report.csv');
    await download.saveAs(file);
    const { readFileSync } = await import('node:fs');
    assert.equal(readFileSync(file, 'utf8').trim().split(/\r?\n/).length, 5, 'header + the 4 phones without LSC');
  });
});
