// End-to-end: Find and List Phones with 10,000 phones (added through the REST API, not SQL), in Debian's chromium
// at 1280×800 (issue 19 item 3): the compact filter bar leaves room for the list and stays in view when the list
// scrolls; page size 25–250 and jump to page over server-side paging; sort; the Profile, Auth Mode and
// Authentication String columns; row selection with Select All on Page, Apply Config to Selected and Delete
// Selected (a modal that Escape closes); the whole filtered list as CSV. Outcomes only, no timing.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { CapfLab } from '../helpers/capf-lab.ts';
import { SHOTS, startWebLab, webSkipReason, type WebLab } from '../helpers/web-lab.ts';

const missing = webSkipReason('phone list');
const COUNT = 10_000;
const name = (i: number) => `SEP00AA${String(i).padStart(8, '0')}`;

describe('web UI: Find and List Phones at 10,000 phones', { skip: missing ?? false }, () => {
  let web: WebLab;
  let lab: CapfLab;
  let page: Page;
  const post = async (path: string, data: unknown) => {
    const r = await page.request.post(`${web.base}/api/v1${path}`, {
      data,
      headers: { 'x-requested-with': 'opencapf-web' },
    });
    assert.equal(r.status(), 200, `${path}: ${await r.text()}`);
    return r.json();
  };

  before(async () => {
    web = await startWebLab({ viewport: { width: 1280, height: 800 } });
    ({ lab, page } = web);
    const phones = Array.from({ length: COUNT }, (_, i) => ({
      deviceName: name(i),
      model: i % 3 ? 'Cisco 8845' : 'Cisco 7841',
      description: `Desk ${i}`,
    }));
    const added = (await post('/phones', { phones })) as { results: { ok: boolean }[] };
    assert.equal(added.results.filter((r) => r.ok).length, COUNT);
    const completesBy = new Date(Date.now() + 7 * 86_400_000).toISOString();
    await post('/phones/capf', {
      deviceNames: Array.from({ length: 300 }, (_, i) => name(i)),
      operation: 'install',
      authMode: 'auth-string',
      authString: 'generate',
      completesBy,
    });
  });
  after(async () => {
    await web?.close();
  });

  it('the list fills the screen under a compact filter bar that stays in view', async () => {
    await page.getByRole('link', { name: 'Phones', exact: true }).first().click();
    await page.getByRole('heading', { level: 2, name: `Phones (${COUNT})` }).waitFor();
    const rows = page.locator('table.phone-list tbody tr');
    assert.equal(await rows.count(), 50);
    // At 1280×800 at least 12 whole rows are on screen without scrolling (the old form left room for 3).
    const twelfth = await rows.nth(11).boundingBox();
    await page.screenshot({ path: join(SHOTS, 'phone-list-10000.png') });
    assert.ok(twelfth && twelfth.y + twelfth.height <= 800, `row 12 ends at ${twelfth?.y}+${twelfth?.height}`);
    await rows.nth(45).scrollIntoViewIfNeeded();
    const bar = await page.getByRole('form', { name: 'Find phones where' }).boundingBox();
    assert.ok(bar && bar.y >= -1 && bar.y < 100, `filter bar scrolled away (y=${bar?.y})`);
  });

  it('page size 250, jump to the last page, sort descending: server-side paging over 10,000', async () => {
    await page.getByLabel('Rows per page').selectOption('250');
    await page.getByText(`1–250 of ${COUNT} · page 1 of 40`).waitFor();
    assert.equal(await page.locator('table.phone-list tbody tr').count(), 250);
    await page.getByLabel('Go to page (1 to 40)').fill('40');
    await page.getByRole('button', { name: 'Go', exact: true }).click();
    await page.getByText(`9751–10000 of ${COUNT} · page 40 of 40`).waitFor();
    await page.getByRole('link', { name: name(COUNT - 1) }).waitFor();
    assert.match(new URL(page.url()).search, /limit=250/);
    await page.getByRole('button', { name: /^Device Name/ }).click();
    await page.getByRole('link', { name: name(COUNT - 1) }).waitFor();
    assert.equal(
      await page.locator('table.phone-list tbody tr').first().getByRole('link').textContent(),
      name(COUNT - 1),
    );
    await page.getByText(`1–250 of ${COUNT} · page 1 of 40`).waitFor();
  });

  it('Profile, Auth Mode and Authentication String columns; a filter narrows the list', async () => {
    await page.getByLabel('Device Name').fill('SEP00AA0000000');
    await page.getByRole('button', { name: 'Find', exact: true }).click();
    await page.getByRole('heading', { level: 2, name: 'Phones (10)' }).waitFor();
    const headers = await page.locator('table.phone-list thead th').allTextContents();
    for (const h of ['Profile', 'Auth Mode', 'Authentication String'])
      assert.ok(headers.includes(h), `column ${h}: ${headers}`);
    const first = page.locator('table.phone-list tbody tr').last(); // sorted descending: SEP00AA00000000 last
    assert.match((await first.textContent()) ?? '', /By Authentication String/);
    assert.match((await first.locator('td.mono').textContent()) ?? '', /^\d{4,10}$/);
  });

  it('Export List (CSV) downloads every matching phone with a dated name', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export List (CSV)' }).click(),
    ]);
    assert.match(download.suggestedFilename(), /^phones-\d{8}-\d{4}\.csv$/);
    const file = join(lab.dir, 'export.csv');
    await download.saveAs(file);
    const lines = readFileSync(file, 'utf8').trim().split(/\r?\n/);
    assert.equal(lines.length, 11, 'a header and the 10 matching phones');
  });

  it('select, Apply Config to Selected, then Delete Selected (Escape closes the dialog first)', async () => {
    await page.getByRole('button', { name: 'Clear Filter' }).click();
    await page.getByRole('heading', { level: 2, name: `Phones (${COUNT})` }).waitFor();
    await page.getByLabel('Rows per page').selectOption('25');
    await page.getByText(`1–25 of ${COUNT}`).waitFor();
    await page.getByRole('button', { name: 'Select All on Page' }).click();
    await page.getByText('25 selected').waitFor();
    await page.getByLabel(`Select ${name(0)}`).uncheck();
    await page.getByText('24 selected').waitFor();
    await page.getByRole('button', { name: 'Apply Config to Selected…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Apply Config to 24 phones' });
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Apply Config to Selected…' }).click();
    await dialog.getByLabel('Authentication Mode').selectOption('null-string');
    const deadline = new Date(Date.now() + 3 * 86_400_000);
    const pad = (n: number) => String(n).padStart(2, '0');
    await dialog
      .getByLabel('Operation Completes By')
      .fill(
        `${deadline.getFullYear()}-${pad(deadline.getMonth() + 1)}-${pad(deadline.getDate())}T` +
          `${pad(deadline.getHours())}:00`,
      );
    await dialog.getByRole('button', { name: 'Apply Config', exact: true }).click();
    await dialog.getByText('24 updated and published').waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();
    const one = await lab.ctx.phones.getPhone(name(5));
    assert.equal(one.capf.authMode, 'null-string');
    assert.equal(one.capf.operation, 'install');

    await page.getByRole('button', { name: 'Delete Selected…' }).click();
    const del = page.getByRole('dialog', { name: 'Delete 24 phones' });
    await del.getByText(/its LSC is revoked/).waitFor();
    await page.screenshot({ path: join(SHOTS, 'phone-list-delete-dialog.png') });
    await del.getByRole('button', { name: 'Delete 24' }).click();
    await del.getByText('24 phones deleted.').waitFor();
    await del.getByRole('button', { name: 'Close' }).click();
    await page.getByRole('heading', { level: 2, name: `Phones (${COUNT - 24})` }).waitFor();
    await page.getByText('None selected').waitFor();
    assert.equal((await lab.ctx.phones.list({ limit: 1 })).total, COUNT - 24);
  });

  it('at 390×844 the list page does not scroll sideways', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${web.base}/phones`);
    await page.getByRole('heading', { level: 2, name: /Phones \(/ }).waitFor();
    const over = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    await page.screenshot({ path: join(SHOTS, 'phone-list-390.png') });
    assert.ok(over <= 0, `the page is ${over} px wider than the screen`);
    await page.setViewportSize({ width: 1280, height: 800 });
  });
});
