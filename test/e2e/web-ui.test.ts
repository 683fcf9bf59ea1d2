// End-to-end: Debian's chromium (driven by playwright-core, never a downloaded browser) against a real
// OpenCAPF (store, CA, CAPF TLS listener, REST API serving web/dist) on 127.0.0.1. An emulated phone
// (runCapfClient) enrols over CAPF. Screenshots of every page go to test/e2e/screenshots/.

import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startCapfLab, type CapfLab } from '../helpers/capf-lab.ts';
import { runCapfClient } from '../../src/capf/index.ts';
import { OperationStatus } from '../../src/phones/model.ts';

const CHROMIUM = process.env.OPENCAPF_CHROMIUM ?? '/usr/bin/chromium';
const HERE = dirname(fileURLToPath(import.meta.url));
const SHOTS = join(HERE, 'screenshots');
const DIST = join(HERE, '..', '..', 'web', 'dist', 'index.html');
const PASSWORD = 'e2e admin password 1';
const actor = { name: 'e2e', source: 'test' };

const missing = !existsSync(CHROMIUM)
  ? `${CHROMIUM} not found (apt-get install chromium; .ci/apt/e2e.txt)`
  : !existsSync(DIST)
    ? 'web/dist is not built (npm run build:web)'
    : null;
if (missing && process.env.CI) throw new Error(`e2e cannot run under CI: ${missing}`);
if (missing) console.log(`# e2e web UI tests skipped: ${missing}`);

/** No raw JSON, stack traces or horizontal overflow on a page a user sees. */
async function assertClean(page: Page, what: string): Promise<void> {
  // Playwright's innerText() is the rendered text (hidden nodes left out): what a user sees is what this checks.
  // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is the point, not the DOM's text
  const text = await page.locator('body').innerText();
  assert.doesNotMatch(
    text,
    /\{"|"error"\s*:|\bat \S+\.(t|j)sx?:\d+|TypeError|ReferenceError|undefined is not|\[object Object\]|NaN/,
    `${what}: raw data or a stack trace is shown`,
  );
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `${what}: the page overflows horizontally by ${overflow}px`);
}

describe('web UI end to end', { skip: missing ?? false }, () => {
  let lab: CapfLab;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let base: string;
  const deviceName = 'SEP00AA11BB22CC';
  const bulkNames = ['SEP784100000001', 'SEP784100000002', 'SEP784100000003'];
  let authString = '';
  let csvText = '';

  async function shot(name: string): Promise<void> {
    await assertClean(page, name);
    await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  }
  async function go(path: string, heading: string | RegExp): Promise<void> {
    await page.goto(`${base}${path}`);
    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  }

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    lab = await startCapfLab({ 'api.enabled': true, 'api.port': 0, 'api.sessionTtlMinutes': 10080 });
    await lab.ctx.admin.users.bootstrap(PASSWORD);
    base = `http://127.0.0.1:${lab.server.ports.api}`;
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      colorScheme: 'light',
      acceptDownloads: true,
    });
    page = await context.newPage();
    page.setDefaultTimeout(30_000);
  });
  let step = 0;
  afterEach(async () => {
    // The state each step leaves behind, for the artifact reader (and for debugging a failed step).
    await page
      ?.screenshot({ path: join(SHOTS, `step-${String(++step).padStart(2, '0')}.png`), fullPage: true })
      .catch(() => undefined);
  });
  after(async () => {
    await browser?.close();
    await lab?.close();
  });

  it("logs in (a wrong password shows the API's message)", async () => {
    await page.goto(base);
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    await page.getByLabel('User name').fill('admin');
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Login failed' }).waitFor();
    await shot('login-error');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    await page.getByTestId('count-phones').filter({ hasText: '0' }).waitFor();
    await page.getByTestId('count-installed').filter({ hasText: '0' }).waitFor();
    await page.getByTestId('itl-status').getByText('Current ITL').waitFor();
    await shot('dashboard-empty');
  });

  it('adds a phone', async () => {
    await page.getByRole('link', { name: 'Phones', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Find and List Phones' }).waitFor();
    await page.getByRole('button', { name: 'Add New' }).click();
    await page.getByLabel('Device Name').first().fill('SEP12');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('alert').filter({ hasText: 'SEP must be followed by the 12 hexadecimal digits' }).waitFor();
    await page.getByLabel('Device Name').first().fill(deviceName.toLowerCase());
    await page.getByLabel('Phone Type (model)').fill('Cisco 8845');
    await page.getByLabel('Description').first().fill('Lobby phone');
    await page
      .getByLabel('Device Security Profile')
      .selectOption({ label: 'Universal Device Template - Model-independent Security Profile' });
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { level: 1, name: 'Phone Configuration' }).waitFor();
    await page.getByText(deviceName).first().waitFor();
    await shot('phone-new');
  });

  it('schedules Install/Upgrade By Authentication String with Generate String (profile mismatch first)', async () => {
    await page.locator('#capf-op').selectOption({ label: 'Install/Upgrade' });
    await page.locator('#capf-auth').selectOption({ label: 'By Authentication String' });
    await page.getByRole('button', { name: 'Generate String' }).click();
    await page.waitForFunction(() =>
      /^\d{8}$/.test((document.querySelector('#capf-string') as HTMLInputElement).value),
    );
    await page.getByText('does not match the Phone Security Profile').waitFor();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'ERR_PROFILE_MISMATCH' }).waitFor();
    await shot('phone-profile-mismatch');

    // Seed: make the profile's Authentication Mode match, Save, then schedule again.
    await go('/profiles', 'Phone Security Profiles');
    await shot('profiles');
    await page.getByRole('link', { name: /Universal Device Template/ }).click();
    await page.getByLabel('Authentication Mode').selectOption({ label: 'By Authentication String' });
    await page.getByText('You are changing the Authentication Mode').waitFor();
    await shot('profile-edit');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'phone(s) use this profile' }).waitFor();

    await go(`/phones/${deviceName}`, 'Phone Configuration');
    await page.locator('#capf-op').selectOption({ label: 'Install/Upgrade' });
    await page.locator('#capf-auth').selectOption({ label: 'By Authentication String' });
    await page.getByRole('button', { name: 'Generate String' }).click();
    await page.waitForFunction(() =>
      /^\d{8}$/.test((document.querySelector('#capf-string') as HTMLInputElement).value),
    );
    authString = await page.locator('#capf-string').inputValue();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    await page.getByTestId('capf-status').getByText(OperationStatus.Pending).waitFor();
    await page.getByRole('button', { name: 'Apply Config' }).click();
    await page.getByRole('status').filter({ hasText: 'applied' }).waitFor();
    await shot('phone-pending');
  });

  it("a deadline in the past is refused with the API's message", async () => {
    await page.locator('#capf-deadline').fill('2020-01-01T10:00');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'ERR_DEADLINE_PAST' }).waitFor();
    await shot('phone-deadline-past-refused');
    await page.getByRole('button', { name: 'Undo changes' }).click();
  });

  it('an emulated phone enrols; the status turns to Upgrade Success and the dashboard counts change', async () => {
    const r = await runCapfClient({
      host: '127.0.0.1',
      port: lab.port,
      deviceName,
      authMode: 'auth-string',
      authString,
      timeoutMs: 30_000,
      generateKey: (req) =>
        lab.key(req.type === 'rsa' ? { type: 'rsa', bits: req.bits } : { type: 'ec', curve: req.curve }),
    });
    assert.equal(r.outcome, 'installed', r.log.join('\n'));
    await page.getByTestId('capf-status').getByText(OperationStatus.success('install')).waitFor();
    await page.getByRole('heading', { name: 'Locally Significant Certificate' }).waitFor();
    await page.getByText('Messages (').first().click();
    await shot('phone-upgrade-success');
    await go('/', 'Dashboard');
    await page.getByTestId('count-installed').filter({ hasText: '1' }).waitFor();
    await page.getByTestId('count-phones').filter({ hasText: '1' }).waitFor();
  });

  it('runs a bulk job with unique strings to completion and downloads its CSV', async () => {
    await lab.ctx.phones.addPhones(
      bulkNames.map((n, i) => ({ deviceName: n, model: 'Cisco 7841', description: `Bulk ${i + 1}` })),
      actor,
    );
    await go('/bulk', 'Bulk Administration');
    await page.getByLabel('Device Type contains').fill('7841');
    await page.getByRole('button', { name: 'Find', exact: true }).click();
    await page.getByTestId('bulk-matched').filter({ hasText: '3 phones match' }).waitFor();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByLabel('Generate unique authentication string for each device').waitFor();
    assert.equal(await page.getByLabel('Generate unique authentication string for each device').isChecked(), true);
    // Two hours ahead: the last step moves the server's clock past it.
    const d = new Date(Date.now() + 2 * 3600_000);
    const pad = (n: number) => String(n).padStart(2, '0');
    await page
      .getByLabel('Operation Completes By')
      .fill(`${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:00`);
    await shot('bulk-update');
    await page.getByRole('button', { name: /Submit job for 3 phones/ }).click();
    await page.getByTestId('job-state').filter({ hasText: 'done' }).waitFor({ timeout: 60_000 });
    await page.getByText('3 of 3 processed').waitFor();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download unique-strings CSV' }).click(),
    ]);
    csvText = readFileSync((await download.path())!, 'utf8');
    for (const n of bulkNames) assert.match(csvText, new RegExp(`${n},\\d{8}`));
    await shot('bulk-done');
  });

  it("a phone that comes after Operation Completes By shows the seed's failure status", async () => {
    const name = bulkNames[0]!;
    const str = new RegExp(`${name},(\\d{8})`).exec(csvText)![1]!;
    lab.clock.advanceMs(3 * 3600_000);
    const r = await runCapfClient({
      host: '127.0.0.1',
      port: lab.port,
      deviceName: name,
      authMode: 'auth-string',
      authString: str,
      timeoutMs: 30_000,
      generateKey: (req) =>
        lab.key(req.type === 'rsa' ? { type: 'rsa', bits: req.bits } : { type: 'ec', curve: req.curve }),
    });
    assert.notEqual(r.outcome, 'installed');
    await go(`/phones/${name}`, 'Phone Configuration');
    await page.getByTestId('capf-status').getByText(OperationStatus.UpgradeFailedLate).waitFor();
    await shot('phone-upgrade-failed-late');
    await go('/', 'Dashboard');
    await page.getByRole('link', { name: OperationStatus.UpgradeFailedLate }).waitFor();
    await page.getByTestId('count-failed24h').filter({ hasText: '1' }).waitFor();
  });

  it('shows every page at 1280 px and on a tablet, light and dark, without overflow or raw errors', async () => {
    const pages: [string, string, string | RegExp][] = [
      ['dashboard', '/', 'Dashboard'],
      ['phones', '/phones', 'Find and List Phones'],
      ['phone', `/phones/${deviceName}`, 'Phone Configuration'],
      ['profiles', '/profiles', 'Phone Security Profiles'],
      ['bulk', '/bulk', 'Bulk Administration'],
      ['certificates', '/certificates', 'Certificate List'],
      ['certificate-capf', '/certificates/capf', /Certificate Details for/],
      ['trust', '/trust', 'Trust lists (ITL/CTL)'],
      ['migration', '/migration', 'Move phones from another cluster'],
      ['reports', '/reports', 'Reports'],
      ['audit', '/audit', 'Audit log'],
      ['troubleshoot', '/troubleshoot', 'Troubleshoot'],
    ];
    for (const [theme, viewport] of [
      ['light', { width: 1280, height: 900 }],
      ['dark', { width: 1280, height: 900 }],
      ['light', { width: 820, height: 1180 }],
      ['dark', { width: 820, height: 1180 }],
    ] as const) {
      await page.emulateMedia({ colorScheme: theme });
      await page.setViewportSize(viewport);
      for (const [name, path, heading] of pages) {
        await go(path, heading);
        await page
          .getByText(/^Loading /)
          .first()
          .waitFor({ state: 'detached' })
          .catch(() => undefined);
        await shot(`${name}-${viewport.width}-${theme}`);
      }
    }
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('certificate regeneration warns first; troubleshoot runs doctor or says it is unavailable', async () => {
    await go('/certificates/capf', /Certificate Details for/);
    await page.getByRole('button', { name: 'Regenerate' }).click();
    await page.getByText('802.1X').waitFor();
    await shot('certificate-regenerate-warning');
    await page.getByRole('button', { name: 'Cancel' }).click();
    await go('/troubleshoot', 'Troubleshoot');
    await page.getByRole('button', { name: 'Run doctor' }).click();
    // Until the doctor API is in this build the page says so; once it is, its findings are shown.
    await page.locator('[data-testid=doctor-result], [data-testid=doctor-unavailable]').first().waitFor();
    await shot('troubleshoot-run');
  });

  it('trust lists: the ITL is shown like show itl with a verify badge; reset localkey and back', async () => {
    await go('/trust', 'Trust lists (ITL/CTL)');
    await page.getByText('Signature verified').first().waitFor();
    await page.getByText('The ITL file was verified successfully.').first().waitFor();
    await page.getByRole('button', { name: 'Reset localkey' }).click();
    // A cluster-wide trust change: the password again (a wrong one is refused by the server, nothing changes).
    const dialog = page.getByRole('alertdialog');
    await dialog.getByLabel('Your password (to confirm)').fill('not my password');
    await dialog.getByRole('button', { name: 'Reset localkey' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'ERR_CONFIRMATION_FAILED' }).waitFor();
    await dialog.getByLabel('Your password (to confirm)').fill(PASSWORD);
    await dialog.getByRole('button', { name: 'Reset localkey' }).click();
    await page.getByText('The ITL is now signed with the ITLRecovery key').waitFor();
    await page.getByText('signed by the ITLRecovery key (reset localkey)').first().waitFor();
    await shot('trust-reset-localkey');
    await page.getByRole('button', { name: 'Back to normal signing' }).click();
    await page.getByRole('alertdialog').getByLabel('Your password (to confirm)').fill(PASSWORD);
    await page.getByRole('alertdialog').getByRole('button', { name: 'Back to normal signing' }).click();
    await page.getByText('signed by the TFTP (CallManager) certificate').first().waitFor();
  });

  it('migration: the checklist ticks the export; the check names what fails and the cure', async () => {
    await go('/migration', 'Move phones from another cluster');
    await page.locator('[data-step=export-trust][data-state=todo]').waitFor();
    await page.getByRole('button', { name: 'Export signing certificates' }).click();
    await page.getByText('Certificates ready').waitFor();
    await page.getByRole('cell', { name: /CallManager\.pem/ }).waitFor();
    await page.locator('[data-step=export-trust][data-state=done]').waitFor();
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download' }).first().click();
    assert.match((await download).suggestedFilename(), /-CallManager\.pem$/);
    // No old cluster in this lab: the check proves our TFTP address, and names an old TVS that does not answer.
    await page.getByLabel('Our TFTP as the phones reach it').fill(`127.0.0.1:${lab.server.ports.tftp}`);
    await page.getByRole('button', { name: 'Run the check' }).click();
    await page.getByText(/serves our ITLFile\.tlv/).waitFor();
    await page.getByLabel('Old cluster TVS').fill('127.0.0.1:1');
    await page.getByRole('button', { name: 'Run the check' }).click();
    await page.getByText(/old TVS 127\.0\.0\.1:1 does not answer/).waitFor();
    await page.getByText(/Cure: phones ask the TVS of the cluster they leave/).waitFor();
    await shot('migration-check');
  });

  it('keyboard: the skip link and the menu are reachable with Tab', async () => {
    await go('/', 'Dashboard');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to content');
    const labelled = await page.evaluate(
      () =>
        [...document.querySelectorAll('input, select, textarea')].filter(
          (e) => !(e as HTMLInputElement).labels?.length && !e.getAttribute('aria-label'),
        ).length,
    );
    assert.equal(labelled, 0, 'every control has a label');
  });

  it('an expired session returns to the login page', async () => {
    await context.clearCookies();
    await page.goto(`${base}/phones`);
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
  });
});
