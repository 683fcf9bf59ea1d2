// The administration CLI in-process: phone import/edit/find, profile, bulk (unique strings + export),
// report, audit, user, backup/restore — human output by default and --json.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { parseCsv } from '../../src/bulk/csv-import-codec.ts';
import { cli } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'opencapf-cli-admin-'));
const D = ['--data-dir', dir];

test('phone import with a progress report and per-line errors; find; edit', async () => {
  const rows = ['Device Name,Model,Description,Security Profile'];
  for (let i = 0; i < 300; i++)
    rows.push(`SEP00AB${String(i).padStart(8, '0')},${i % 3 ? 'Cisco 7841' : 'Cisco 8845'},desk ${i},`);
  rows.push('SEPNOTAPHONE,Cisco 7841,,', 'SEP00AB99999999,Cisco 7841,"broken');
  const file = join(dir, 'phones.csv');
  writeFileSync(file, rows.join('\n'));
  const imp = await cli([...D, 'phone', 'import', file]);
  assert.equal(imp.code, 1);
  assert.match(imp.stdout, /302 rows: 300 phones added, 2 failed/);
  assert.match(imp.stderr, /import: 300\/\d+|import: \d+\/\d+ \(100%\)/);
  assert.match(imp.stderr, /line 302 SEPNOTAPHONE: ERR_PHONE_BAD_NAME/);
  assert.match(imp.stderr, /line 303: ERR_CSV_SYNTAX: line 303: quoted field opened on line 303 is never closed/);
  const find = await cli([
    ...D,
    'phone',
    'find',
    '--model',
    '8845',
    '--lsc',
    'none',
    '--limit',
    '5',
    '--sort',
    'deviceName',
    '--desc',
  ]);
  assert.equal(find.code, 0, find.stderr);
  assert.match(find.stdout, /1-5 of 100 phones/);
  assert.match(find.stdout, /SEP00AB00000297\s+Cisco 8845/);
  const j = JSON.parse((await cli([...D, 'phone', 'find', '--name', 'SEP00AB0000000*', '--json'])).stdout);
  assert.equal(j.total, 10);
  await cli([...D, 'profile', 'add', 'Strict LSC', '--auth-mode', 'existing-lsc']);
  const edit = await cli([
    ...D,
    'phone',
    'edit',
    'SEP00AB00000000',
    '--profile',
    'Strict LSC',
    '--description',
    'moved',
  ]);
  assert.equal(edit.code, 0, edit.stderr);
  assert.match(edit.stdout, /Authentication Mode\*\s+By Existing Certificate \(precedence to LSC\)/);
  assert.match((await cli([...D, 'phone', 'gen-string'])).stdout, /^\d{8}\n$/);
});

test(
  'profile list/show/edit reports phones touched; ' +
    'the mismatch rule in bulk, refused then applied with --use-profile-mode',
  async () => {
    const edit = await cli([...D, 'profile', 'edit', 'Strict LSC', '--key-order', 'ec-rsa']);
    assert.match(edit.stdout, /used by 1 phones; 1 took the new CAPF defaults/);
    const list = await cli([...D, 'profile', 'list']);
    assert.match(
      list.stdout,
      /Strict LSC\s+Non Secure\s+By Existing Certificate \(precedence to LSC\)\s+EC Preferred, RSA Backup/,
    );
    const refused = await cli([
      ...D,
      'bulk',
      'schedule',
      'install',
      '--name',
      'SEP00AB0000000*',
      '--auth-mode',
      'null-string',
    ]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /ERR_PROFILE_MISMATCH/);
    assert.match(
      refused.stderr,
      /"By Null String" contradicts the phone security profile of 1 selected phone: "Strict LSC"/,
    );
    const applied = await cli([
      ...D,
      'bulk',
      'schedule',
      'install',
      '--name',
      'SEP00AB0000000*',
      '--auth-mode',
      'null-string',
      '--use-profile-mode',
    ]);
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(applied.stdout, /10 scheduled, 0 failed/);
    const show = JSON.parse((await cli([...D, 'phone', 'show', 'SEP00AB00000000', '--json'])).stdout);
    assert.equal(show.phone.capf.authMode, 'existing-lsc');
    assert.equal(show.phone.status, 'Operation Pending');
    const removeUsed = await cli([...D, 'profile', 'remove', 'Strict LSC']);
    assert.match(removeUsed.stderr, /ERR_PROFILE_IN_USE/);
  },
);

test('bulk schedule with a unique string per device and --export; list, show, export again, cancel', async () => {
  const out = join(dir, 'strings.csv');
  const r = await cli([
    ...D,
    'bulk',
    'schedule',
    'install',
    '--model',
    '7841',
    '--auth-mode',
    'auth-string',
    '--auth-string',
    'generate',
    '--export',
    out,
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /200\/200 processed, 200 scheduled, 0 failed/);
  assert.match(r.stderr, /bulk job \d+: 200\/200 \(100%\)/);
  assert.equal(statSync(out).mode & 0o777, 0o600);
  const rows = parseCsv(readFileSync(out, 'utf8')).map((x) => ('fields' in x ? x.fields : []));
  assert.equal(rows.length, 201);
  assert.equal(new Set(rows.slice(1).map((x) => x[1])).size, 200);
  const id = /job (\d+)/.exec(r.stdout)![1]!;
  const again = await cli([...D, 'bulk', 'export', id]);
  assert.equal(again.stdout, readFileSync(out, 'utf8'));
  const byString = JSON.parse((await cli([...D, 'phone', 'find', '--auth-string-is', rows[5]![1]!, '--json'])).stdout);
  assert.equal(byString.items[0].deviceName, rows[5]![0]);
  const bg = await cli([...D, 'bulk', 'schedule', 'delete', '--model', '8845', '--background']);
  assert.match(bg.stdout, /queued: 0\/100 processed/);
  const bgId = /job (\d+)/.exec(bg.stdout)![1]!;
  assert.match((await cli([...D, 'bulk', 'list'])).stdout, new RegExp(`${bgId}\\s+capf-update\\s+queued\\s+Delete`));
  assert.match((await cli([...D, 'bulk', 'cancel', bgId])).stdout, /cancelled/);
  assert.equal(JSON.parse((await cli([...D, 'bulk', 'show', bgId, '--json'])).stdout).state, 'cancelled');
  const bad = await cli([
    ...D,
    'bulk',
    'schedule',
    'install',
    '--model',
    '7841',
    '--auth-mode',
    'auth-string',
    '--auth-string',
    '12',
  ]);
  assert.match(bad.stderr, /ERR_AUTH_STRING_FORMAT/);
  const past = await cli([
    ...D,
    'bulk',
    'schedule',
    'install',
    '--model',
    '7841',
    '--completes-by',
    '2000-01-01T00:00:00Z',
  ]);
  assert.match(past.stderr, /ERR_DEADLINE_PAST/);
});

test('report capf (CSV) and expiry; audit shows the CLI user', async () => {
  const csv = await cli([...D, 'report', 'capf', '--model', '7841']);
  const rows = parseCsv(csv.stdout).map((x) => ('fields' in x ? x.fields : []));
  assert.equal(rows.length, 201);
  assert.equal(rows[0]![0], 'Device Name');
  assert.match(rows[1]![4]!, /^\d{8}$/);
  const exp = await cli([...D, 'report', 'expiry']);
  assert.match(exp.stdout, /TOTAL\s+300\s+300\s+0\s+0\s+0\s+0/);
  assert.match(exp.stdout, /CAPF CA expires .* \(\d+ days left\)/);
  const audit = await cli([...D, 'audit', '--action', 'bulk.create', '--json'], '', { USER: 'alice' });
  const a = JSON.parse(audit.stdout);
  assert.ok(a.total >= 3);
  const withUser = await cli([...D, 'phone', 'remove', 'SEP00AB00000299'], '', { USER: 'alice' });
  assert.equal(withUser.code, 0);
  const rm = JSON.parse(
    (await cli([...D, 'audit', '--target', 'SEP00AB00000299', '--action', 'phone.remove', '--json'])).stdout,
  );
  // The actor is the OS account running the process; $USER is not trusted (test/attack/audit-gaps.test.ts).
  assert.equal(rm.items[0].actor, `cli:${userInfo().username}`);
  assert.equal(rm.items[0].source, 'cli');
  // The table shows each action's display text beside its stored name.
  const shown = await cli([...D, 'audit', '--target', 'SEP00AB00000299', '--action', 'phone.remove']);
  assert.match(shown.stdout, /Phone removed\s+phone\.remove\s+SEP00AB00000299/);
  // A misspelt action is an error naming the real ones, not an empty log.
  const typo = await cli([...D, 'audit', '--action', 'phone.removed']);
  assert.notEqual(typo.code, 0);
  assert.match(typo.stderr, /unknown audit action "phone\.removed"; the actions are: .*phone\.remove/);
});

test('user bootstrap prints a one-time password once; add, set-role, tokens', async () => {
  const b = await cli([...D, 'user', 'bootstrap']);
  assert.match(b.stdout, /one-time password: [A-Za-z0-9_-]{20}/);
  assert.match((await cli([...D, 'user', 'bootstrap'])).stdout, /users already exist/);
  assert.match(
    (await cli([...D, 'user', 'add', 'bob', '--role', 'operator', '--password-stdin'], 'bob password 123\n')).stdout,
    /user "bob" \(operator\) created$/m,
  );
  assert.match((await cli([...D, 'user', 'set-role', 'bob', '--role', 'read-only'])).stdout, /now read-only/);
  const list = await cli([...D, 'user', 'list']);
  assert.match(list.stdout, /admin\s+Administrator\s+yes/);
  assert.match(list.stdout, /bob\s+Read-only/);
  const tok = await cli([...D, 'user', 'token', 'create', 'bob', 'scripts']);
  assert.match(tok.stdout, /^ocapf_[0-9a-f]{16}_/);
  assert.match((await cli([...D, 'user', 'token', 'list'])).stdout, /bob\s+scripts\s+api/);
  assert.match((await cli([...D, 'user', 'add', 'Bad Name'])).stderr, /ERR_BAD_REQUEST/);
});

test('backup and restore on a fresh data dir: encrypted, wrong passphrase refused, keys 0600, same data', async () => {
  const pass = join(dir, 'pass.txt');
  writeFileSync(pass, 'backup passphrase 1\n');
  const file = join(dir, 'node.ocbk');
  const b = await cli([...D, 'backup', file, '--passphrase-file', pass]);
  assert.equal(b.code, 0, b.stderr);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.ok(!readFileSync(file).includes(Buffer.from('BEGIN PRIVATE KEY')));
  assert.ok(!readFileSync(file).includes(Buffer.from('SEP00AB')));
  const fresh = mkdtempSync(join(tmpdir(), 'opencapf-restore-'));
  const wrong = await cli(['--data-dir', fresh, 'restore', file], 'not the passphrase\n');
  assert.equal(wrong.code, 2);
  assert.match(wrong.stderr, /ERR_BACKUP_PASSPHRASE/);
  assert.deepEqual(readdirSync(fresh), []);
  const r = await cli(['--data-dir', fresh, 'restore', file, '--passphrase-file', pass]);
  assert.equal(r.code, 0, r.stderr);
  for (const f of readdirSync(join(fresh, 'pki')).filter((x) => x.endsWith('.key.pem')))
    assert.equal(statSync(join(fresh, 'pki', f)).mode & 0o777, 0o600);
  assert.equal(
    readFileSync(join(fresh, 'pki', 'capf.crt.pem'), 'utf8'),
    readFileSync(join(dir, 'pki', 'capf.crt.pem'), 'utf8'),
  );
  const find = JSON.parse((await cli(['--data-dir', fresh, 'phone', 'find', '--name', 'SEP00AB*', '--json'])).stdout);
  assert.equal(find.total, 299);
  const again = await cli(['--data-dir', fresh, 'restore', file, '--passphrase-file', pass]);
  assert.match(again.stderr, /ERR_CONFLICT/);
  const garbage = join(dir, 'garbage');
  writeFileSync(garbage, 'hello');
  assert.match(
    (await cli(['--data-dir', mkdtempSync(join(tmpdir(), 'oc-')), 'restore', garbage, '--passphrase-file', pass]))
      .stderr,
    /ERR_BACKUP_FORMAT/,
  );
});
