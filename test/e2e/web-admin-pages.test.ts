// End-to-end (issue 19 item 4): security profiles Add New / Copy / Delete, users (add with a one-time password,
// role change, disable, delete), API tokens (created and shown once, used by a real request, revoked) and the
// renewal policy page, in Debian's chromium against a real OpenCAPF on 127.0.0.1.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { CapfLab } from '../helpers/capf-lab.ts';
import { SHOTS, startWebLab, webSkipReason, type WebLab } from '../helpers/web-lab.ts';

const missing = webSkipReason('admin pages');

describe('web UI: profiles, users and tokens, renewal', { skip: missing ?? false }, () => {
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

  it('profiles: Add New opens the new profile, Copy keeps its settings, Delete removes an unused one', async () => {
    await page.getByRole('link', { name: 'Phone Security Profiles' }).click();
    await page.getByRole('button', { name: 'Add New' }).click();
    const add = page.getByRole('dialog', { name: 'Add a Phone Security Profile' });
    await add.getByLabel('Name').fill('Lab 8845');
    await add.getByLabel('Description').fill('lab phones');
    await add.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Phone Security Profile: Lab 8845' }).waitFor();
    await page.getByLabel('Authentication Mode*').selectOption('null-string');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText(/^Saved\./).waitFor();

    await page.getByRole('button', { name: 'Copy' }).click();
    const copy = page.getByRole('dialog', { name: 'Copy profile Lab 8845' });
    assert.equal(await copy.getByLabel('Name').inputValue(), 'Lab 8845 copy');
    await copy.getByRole('button', { name: 'Copy', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Phone Security Profile: Lab 8845 copy' }).waitFor();
    const copied = await lab.ctx.admin.profiles.get('Lab 8845 copy');
    assert.equal(copied.authMode, 'null-string', 'the copy has the settings of the original');
    assert.equal(copied.description, 'lab phones');

    await page.getByRole('button', { name: 'Delete' }).click();
    const del = page.getByRole('dialog', { name: 'Delete profile Lab 8845 copy' });
    await del.getByText(/No phone uses this profile/).waitFor();
    await del.getByRole('button', { name: 'Delete Lab 8845 copy' }).click();
    await page.getByRole('heading', { level: 1, name: 'Phone Security Profiles' }).waitFor();
    await assert.rejects(lab.ctx.admin.profiles.get('Lab 8845 copy'));

    // A profile in use cannot be deleted: the dialog says why and offers no Delete button.
    await lab.ctx.phones.addPhones([{ deviceName: 'SEP00DD00000001', profileName: 'Lab 8845' }], {
      name: 'test',
      source: 'test',
    });
    await page.getByRole('link', { name: 'Lab 8845', exact: true }).click();
    await page.getByRole('button', { name: 'Delete' }).click();
    const inUse = page.getByRole('dialog', { name: 'Delete profile Lab 8845' });
    await inUse.getByText(/1 phone\(s\) use this profile, so it cannot be deleted/).waitFor();
    assert.equal(await inUse.getByRole('button', { name: /^Delete Lab/ }).count(), 0);
    await page.keyboard.press('Escape');
    await inUse.waitFor({ state: 'detached' });
  });

  it('users: added with a one-time password, role changed, disabled, deleted', async () => {
    await page.getByRole('link', { name: 'Users and API tokens' }).click();
    await page.getByRole('heading', { level: 1, name: 'Users and API tokens' }).waitFor();
    await page.getByRole('button', { name: 'Add New User' }).click();
    const form = page.getByRole('form', { name: 'Add a user' });
    await form.getByLabel('User name').fill('night-op');
    await form.getByLabel('Role').selectOption('operator');
    await form.getByRole('button', { name: 'Add User' }).click();
    await page.getByText('One-time password for night-op').waitFor();
    const otp = (await page.locator('code.secret-once').textContent())!;
    assert.ok(otp.length >= 8);
    // The one-time password logs in (outside the browser: its session stays the admin's), and must be changed.
    const login = await fetch(`${web.base}/api/v1/auth/login`, {
      method: 'POST',
      body: JSON.stringify({ username: 'night-op', password: otp }),
      headers: { 'x-requested-with': 'opencapf-web', 'content-type': 'application/json' },
    });
    assert.equal(login.status, 200, await login.text());
    await page.getByRole('button', { name: 'Done' }).click();
    await page.screenshot({ path: join(SHOTS, 'users-tokens.png'), fullPage: true });

    await page.getByLabel('Role of night-op').selectOption('read-only');
    await page.getByText('night-op is now read-only.').waitFor();
    assert.equal((await lab.ctx.admin.users.get('night-op')).role, 'read-only');
    const row = page.getByRole('row').filter({ hasText: 'night-op' });
    await row.getByRole('button', { name: 'Disable' }).click();
    await row.getByText('Disabled').waitFor();
    assert.equal((await lab.ctx.admin.users.get('night-op')).disabled, true);
    await row.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog', { name: 'Delete user night-op' }).getByRole('button', { name: 'Delete' }).click();
    await page.getByText('User night-op deleted.').waitFor();
    await assert.rejects(lab.ctx.admin.users.get('night-op'));
    // No Delete or Disable for yourself.
    const selfRow = page.getByRole('row').filter({ hasText: 'admin' }).first();
    assert.equal(await selfRow.getByRole('button', { name: 'Delete' }).count(), 0);
  });

  it('tokens: a metrics token is shown once, reads /metrics, and is refused after Revoke', async () => {
    await page.getByLabel('Token name').fill('prometheus');
    await page.getByLabel('Scope').selectOption('metrics');
    await page.getByRole('button', { name: 'Create Token' }).click();
    await page.getByText('The new token').waitFor();
    const token = (await page.locator('code.secret-once').textContent())!;
    const metrics = () =>
      fetch(`${web.base}/metrics`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);
    assert.equal(await metrics(), 200);
    await page.getByRole('button', { name: 'Done' }).click();
    assert.equal(await page.locator('code.secret-once').count(), 0, 'the token is not shown again');
    const row = page.getByRole('row').filter({ hasText: 'prometheus' });
    await row.getByRole('button', { name: 'Revoke' }).click();
    await page.getByText(/Token "prometheus" revoked/).waitFor();
    assert.equal(await metrics(), 401);
  });

  it('renewal: the policy in force, the LSCs due, Run Renewal Now', async () => {
    await page.getByRole('link', { name: 'LSC renewal' }).click();
    await page.getByRole('heading', { level: 1, name: 'LSC renewal' }).waitFor();
    await page.getByText(/Renew LSCs expiring within/).waitFor();
    await page.getByText(/0 LSCs/).waitFor();
    await page.getByRole('button', { name: 'Run Renewal Now' }).click();
    await page.getByText(/Nothing scheduled: no LSC is inside the window/).waitFor();
    await page.screenshot({ path: join(SHOTS, 'renewal.png'), fullPage: true });
  });
});
