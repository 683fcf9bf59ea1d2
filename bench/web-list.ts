// Benchmarks Find and List Phones in the browser at fleet size (issue 19): a real OpenCAPF (API on 127.0.0.1)
// with N phones added through the REST API, Debian's chromium via playwright-core. Times, per round (median of
// --rounds): the page load (navigation → the first page of rows drawn), a sort (click a column → the re-sorted
// first row drawn), a filter (Find → the filtered count drawn), a page-size change to 250 and a jump to the last
// page. The baseline in the same run is the same request straight to the API (no browser, no drawing), so the
// ratio says what the UI adds on top of the server. Target: each under 1 s at 10,000 phones.
//
//   npx tsx bench/web-list.ts [--phones 10000] [--rounds 5]

import { startWebLab } from '../test/helpers/web-lab.ts';

const arg = (k: string, d: number) => {
  const i = process.argv.indexOf(`--${k}`);
  return i > 0 ? Number(process.argv[i + 1]) : d;
};
const N = arg('phones', 10_000);
const ROUNDS = arg('rounds', 5);
const name = (i: number) => `SEP00BB${String(i).padStart(8, '0')}`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const web = await startWebLab({ viewport: { width: 1280, height: 800 } });
const { page, base } = web;
try {
  const headers = { 'x-requested-with': 'opencapf-web' };
  for (let i = 0; i < N; i += 10_000) {
    const phones = [];
    for (let j = i; j < Math.min(N, i + 10_000); j++)
      phones.push({ deviceName: name(j), model: j % 3 ? 'Cisco 8845' : 'Cisco 7841', description: `Desk ${j}` });
    const r = await page.request.post(`${base}/api/v1/phones`, { data: { phones }, headers });
    if (r.status() !== 200) throw new Error(`adding phones: HTTP ${r.status()} ${await r.text()}`);
  }
  process.stderr.write(`web-list: ${N} phones added through the API; ${ROUNDS} rounds\n`);
  const api = async (q: string) => {
    const t0 = performance.now();
    const r = await page.request.get(`${base}/api/v1/phones?${q}`, { headers });
    await r.json();
    return performance.now() - t0;
  };
  const rows = page.locator('table.phone-list tbody tr');
  const steps: Record<string, { ui: number[]; api: number[] }> = {};
  const record = (k: string, ui: number, apiMs: number) => {
    steps[k] ??= { ui: [], api: [] };
    steps[k].ui.push(ui);
    steps[k].api.push(apiMs);
  };
  for (let round = 0; round < ROUNDS; round++) {
    let t0 = performance.now();
    await page.goto(`${base}/phones`);
    await rows.nth(49).waitFor();
    record('load (50 rows)', performance.now() - t0, await api('sort=deviceName&order=asc&offset=0&limit=50'));

    t0 = performance.now();
    await page.getByRole('button', { name: /^Model/ }).click();
    await page.locator('th[aria-sort="ascending"]').getByText('Model').waitFor();
    await rows.nth(49).waitFor();
    record('sort by model', performance.now() - t0, await api('sort=model&order=asc&offset=0&limit=50'));

    t0 = performance.now();
    await page.getByLabel('Description contains').fill('Desk 77');
    await page.getByRole('button', { name: 'Find', exact: true }).click();
    await page
      .getByRole('heading', { level: 2, name: /^Phones \((\d+)\)$/ })
      .filter({ hasNotText: `(${N})` })
      .waitFor();
    record('filter', performance.now() - t0, await api('descriptionContains=Desk%2077&sort=model&limit=50'));

    await page.getByRole('button', { name: 'Clear Filter' }).click();
    await page.getByRole('heading', { level: 2, name: `Phones (${N})` }).waitFor();
    t0 = performance.now();
    await page.getByLabel('Rows per page').selectOption('250');
    await rows.nth(249).waitFor();
    record('250 rows per page', performance.now() - t0, await api('sort=deviceName&offset=0&limit=250'));

    const last = Math.ceil(N / 250);
    t0 = performance.now();
    await page.getByLabel(`Go to page (1 to ${last})`).fill(String(last));
    await page.getByRole('button', { name: 'Go', exact: true }).click();
    await page.getByRole('link', { name: name(N - 1) }).waitFor();
    record(
      'jump to last page',
      performance.now() - t0,
      await api(`sort=deviceName&offset=${(last - 1) * 250}&limit=250`),
    );
  }
  console.log(`Find and List Phones at ${N} phones, median of ${ROUNDS} rounds (target: each < 1000 ms in the UI)`);
  console.log(`${'step'.padEnd(20)} ${'UI ms'.padStart(8)} ${'API ms'.padStart(8)} ${'UI/API'.padStart(7)} target`);
  for (const [k, v] of Object.entries(steps)) {
    const ui = median(v.ui);
    const a = median(v.api);
    console.log(
      `${k.padEnd(20)} ${ui.toFixed(0).padStart(8)} ${a.toFixed(0).padStart(8)} ${(ui / a).toFixed(1).padStart(7)} ` +
        `${ui < 1000 ? 'met' : 'NOT met'}`,
    );
  }
} finally {
  await web.close();
}
