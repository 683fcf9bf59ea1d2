// A real OpenCAPF (capf-lab, REST API on) with Debian's chromium (playwright-core) logged in as the bootstrap admin,
// for the web e2e tests; and why such a test must skip here (no chromium, web/dist not built) — fatal under CI.

import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { startCapfLab, type CapfLab } from './capf-lab.ts';
import type { ConfigKey } from '../../src/config/index.ts';

export const CHROMIUM = process.env.OPENCAPF_CHROMIUM ?? '/usr/bin/chromium';
export const SHOTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'e2e', 'screenshots');
const DIST = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'web', 'dist', 'index.html');
export const WEB_PASSWORD = 'e2e admin password 1';

/** Why the browser tests named `what` cannot run here, or null; under CI a missing part is an error. */
export function webSkipReason(what: string): string | null {
  const missing = !existsSync(CHROMIUM)
    ? `${CHROMIUM} not found (apt-get install chromium; .ci/apt/e2e.txt)`
    : !existsSync(DIST)
      ? 'web/dist is not built (npm run build:web)'
      : null;
  if (missing && process.env.CI) throw new Error(`e2e cannot run under CI: ${missing}`);
  if (missing) console.log(`# e2e ${what} tests skipped: ${missing}`);
  return missing;
}

export interface WebLab {
  lab: CapfLab;
  browser: Browser;
  page: Page;
  base: string;
  close(): Promise<void>;
}

/** Starts the lab and the browser and logs in; the page shows the Dashboard. */
export async function startWebLab(
  o: { viewport?: { width: number; height: number }; overrides?: Partial<Record<ConfigKey, unknown>> } = {},
): Promise<WebLab> {
  mkdirSync(SHOTS, { recursive: true });
  const lab = await startCapfLab({ 'api.enabled': true, 'api.port': 0, ...o.overrides });
  await lab.ctx.admin.users.bootstrap(WEB_PASSWORD);
  const base = `http://127.0.0.1:${lab.server.ports.api}`;
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
  const page = await (await browser.newContext({ viewport: o.viewport ?? { width: 1280, height: 900 } })).newPage();
  page.setDefaultTimeout(30_000);
  await page.goto(base);
  await page.getByLabel('User name').fill('admin');
  await page.getByLabel('Password').fill(WEB_PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
  return {
    lab,
    browser,
    page,
    base,
    async close() {
      await browser.close();
      await lab.close();
    },
  };
}

/** Types the password into the open confirmation of a trust change and confirms it with the button named `confirm`. */
export async function confirmWithPassword(
  page: Page,
  confirm: string | RegExp,
  password = WEB_PASSWORD,
): Promise<void> {
  const dialog = page.getByRole('alertdialog');
  await dialog.getByLabel('Your password (to confirm)').fill(password);
  await dialog.getByRole('button', { name: confirm }).click();
}
