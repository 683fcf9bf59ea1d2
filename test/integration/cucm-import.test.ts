// `opencapf phone import --format cucm` (issue 18 item 2): a CUCM BAT phone export ("Export Phones – All
// Details" columns, see src/bulk/cucm-import.ts for the source) with 1,200 rows — desk phones of several models
// and Jabber CSF devices, two security profiles, CAPF fields — imports with the right CAPF settings in one go;
// malformed files (wrong delimiter, no DEVICE NAME column, a 10 MB field) and bad rows get a clear error or a
// per-line report, and nothing is imported. A BOM and quoted commas are read correctly. Also over the REST API.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'opencapf-cucm-import-'));
const D = ['--data-dir', dir];
const ROWS = 1200;
// A BAT "All Details" export carries many columns OpenCAPF does not use; they must be reported and ignored.
const HEADER = [
  'DEVICE NAME',
  'DESCRIPTION',
  'DEVICE POOL',
  'CSS',
  'AAR CSS',
  'LOCATION',
  'DEVICE TYPE',
  'OWNER USER ID',
  'DEVICE SECURITY PROFILE',
  'SIP PROFILE',
  'CERTIFICATE OPERATION',
  'AUTHENTICATION MODE',
  'AUTHENTICATION STRING',
  'KEY ORDER',
  'RSA KEY SIZE (BITS)',
  'EC KEY SIZE (BITS)',
  'OPERATION COMPLETES BY',
  'DIRECTORY NUMBER 1',
  'LINE DESCRIPTION 1',
];
const MODELS = ['Cisco 8845', 'Cisco 7841', 'Cisco 8865', 'Cisco 8851'];
const future = new Date(Date.now() + 30 * 86_400_000);
const completesBy = `${future.getUTCFullYear()}:${String(future.getUTCMonth() + 1).padStart(2, '0')}:${String(
  future.getUTCDate(),
).padStart(2, '0')}:17`;
const q = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

function row(i: number): string[] {
  const csf = i % 10 === 9;
  const name = csf ? `CSFUSER${String(i).padStart(5, '0')}` : `SEP00CC${String(i).padStart(8, '0')}`;
  const secure = i % 3 === 0;
  return [
    name,
    `Floor ${i % 7}, desk ${i}`, // a comma: quoted in the file
    'DP_HQ',
    'CSS_Internal',
    '',
    'Hub_None',
    csf ? 'Cisco Unified Client Services Framework' : MODELS[i % MODELS.length]!,
    `user${i}`,
    secure ? 'Secure 88xx Profile' : 'Null String Profile',
    'Standard SIP Profile',
    i % 4 === 0 ? 'No Pending Operation' : 'Install/Upgrade',
    secure ? 'By Authentication String' : 'By Null String',
    secure ? String(100000 + i) : '',
    i % 5 === 0 ? 'EC Preferred, RSA Backup' : 'RSA Only',
    '2048',
    i % 5 === 0 ? '384' : '',
    completesBy,
    String(4000 + i),
    'Line 1',
  ];
}
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const total = async () => JSON.parse((await cli([...D, 'phone', 'list', '--json', '--limit', '5000'])).stdout).total;

test('setup: the two security profiles the export names', async () => {
  for (const [name, mode] of [
    ['Secure 88xx Profile', 'auth-string'],
    ['Null String Profile', 'null-string'],
  ]) {
    const r = await cli([...D, 'profile', 'add', name!, '--auth-mode', mode!]);
    assert.equal(r.code, 0, r.stderr);
  }
});

test('malformed files: clear errors, nothing imported', async () => {
  const good = [HEADER.join(','), row(1).map(q).join(',')].join('\r\n');
  const cases: [string, string, RegExp][] = [
    ['semicolon.csv', good.replace(/,/g, ';'), /separated by ";", not commas/],
    ['tabs.csv', good.replace(/,/g, '\t'), /separated by tabs/],
    ['no-name.csv', good.replace('DEVICE NAME', 'PHONE'), /no DEVICE NAME \(or MAC ADDRESS\) column/],
    ['two-names.csv', good.replace('DESCRIPTION', 'MAC ADDRESS'), /"DEVICE NAME" and "MAC ADDRESS" both give/],
    ['empty.csv', '', /the file is empty/],
    ['huge-field.csv', `${good}\r\nSEP00DD00000001,"${'x'.repeat(10 * 1024 * 1024)}"\r\n`, /a field longer than 65536/],
  ];
  for (const [name, text, re] of cases) {
    const r = await cli([...D, 'phone', 'import', '--format', 'cucm', file(name, text)]);
    assert.notEqual(r.code, 0, name);
    assert.match(r.stderr, re, `${name}: ${r.stderr}`);
  }
  assert.equal(await total(), 0, 'nothing was imported');
});

test('bad rows are reported with their line numbers and nothing is imported (all or nothing)', async () => {
  const rows = [HEADER.join(',')];
  for (let i = 0; i < 20; i++) rows.push(row(i).map(q).join(','));
  const bad = (i: number, col: string, value: string) => {
    const r = row(i);
    r[HEADER.indexOf(col)] = value;
    return r.map(q).join(',');
  };
  rows.push(bad(20, 'AUTHENTICATION MODE', 'By Fingerprint')); // line 22
  rows.push(bad(21, 'OPERATION COMPLETES BY', '2027:02:30:12')); // line 23: no 30 February
  rows.push(bad(22, 'DEVICE NAME', 'CSFTHISNAMEISFARTOOLONG')); // line 24
  rows.push(bad(23, 'DEVICE SECURITY PROFILE', 'No Such Profile')); // line 25
  rows.push(row(3).map(q).join(',')); // line 26: the same device as line 5
  const r = await cli([...D, 'phone', 'import', '--format', 'cucm', '--json', file('bad-rows.csv', rows.join('\n'))]);
  assert.equal(r.code, 1);
  const rep = JSON.parse(r.stdout);
  assert.equal(rep.added, 0);
  assert.deepEqual(
    rep.errors.map((e: { line: number; code: string }) => [e.line, e.code]),
    [
      [22, 'ERR_BAD_REQUEST'],
      [23, 'ERR_BAD_REQUEST'],
    ],
    'mapping errors come first; the checks against the store run once the file maps',
  );
  assert.match(rep.errors[0].message, /line 22: Authentication Mode "By Fingerprint" is not one of By Authentication/);
  assert.match(rep.errors[1].message, /line 23: Operation Completes By "2027:02:30:12" is not a date/);
  // With the mapping errors fixed, the store checks report theirs — still nothing imported.
  rows.splice(21, 2);
  const r2 = await cli([...D, 'phone', 'import', '--format', 'cucm', '--json', file('bad-rows2.csv', rows.join('\n'))]);
  const rep2 = JSON.parse(r2.stdout);
  assert.deepEqual(
    rep2.errors.map((e: { line: number; code: string }) => [e.line, e.code]),
    [
      [22, 'ERR_PHONE_BAD_NAME'],
      [23, 'ERR_PROFILE_NOT_FOUND'],
      [24, 'ERR_PHONE_EXISTS'],
    ],
  );
  assert.equal(rep2.added, 0);
  assert.equal(await total(), 0);
});

test(`a ${ROWS}-row export with a BOM imports every phone with its CAPF fields`, async () => {
  const rows = [HEADER.join(',')];
  for (let i = 0; i < ROWS; i++) rows.push(row(i).map(q).join(','));
  const r = await cli([
    ...D,
    'phone',
    'import',
    '--format',
    'cucm',
    '--json',
    file('export.csv', `\ufeff${rows.join('\r\n')}\r\n`),
  ]);
  assert.equal(r.code, 0, r.stderr);
  const rep = JSON.parse(r.stdout);
  assert.equal(rep.rows, ROWS);
  assert.equal(rep.added, ROWS);
  assert.deepEqual(rep.ignoredColumns, [
    'DEVICE POOL',
    'CSS',
    'AAR CSS',
    'LOCATION',
    'OWNER USER ID',
    'SIP PROFILE',
    'DIRECTORY NUMBER 1',
    'LINE DESCRIPTION 1',
  ]);
  assert.equal(await total(), ROWS);
  const show = async (n: string) => JSON.parse((await cli([...D, 'phone', 'show', n, '--json'])).stdout).phone;
  const secure = await show('SEP00CC00000003'); // i = 3: secure, Install/Upgrade, RSA only
  assert.equal(secure.model, 'Cisco 8851');
  assert.equal(secure.description, 'Floor 3, desk 3');
  assert.equal(secure.profileName, 'Secure 88xx Profile');
  assert.deepEqual(
    [secure.capf.operation, secure.capf.authMode, secure.capf.authString, secure.capf.keyOrder, secure.capf.rsaKeySize],
    ['install', 'auth-string', '100003', 'rsa', 2048],
  );
  assert.equal(
    secure.capf.completesBy,
    new Date(`${completesBy.replace(/^(\d+):(\d+):(\d+):(\d+)$/, '$1-$2-$3T$4:00:00Z')}`).toISOString(),
  );
  assert.equal(secure.status, 'Operation Pending');
  const ec = await show('SEP00CC00000005'); // i = 5: EC preferred, 384
  assert.deepEqual([ec.capf.keyOrder, ec.capf.ecKeySize, ec.capf.authMode], ['ec-rsa', 384, 'null-string']);
  const none = await show('SEP00CC00000004'); // i = 4: No Pending Operation
  assert.equal(none.capf.operation, 'none');
  const csf = await show('CSFUSER00009');
  assert.equal(csf.model, 'Cisco Unified Client Services Framework');
  assert.equal(csf.capf.operation, 'install');
  const audit = await cli([...D, 'audit', '--action', 'phone.add', '--limit', '5', '--json']);
  assert.match(audit.stdout, /"source": ?"import"/, audit.stderr);
  // Importing the same file again changes nothing: every row already exists.
  const again = await cli([...D, 'phone', 'import', '--format', 'cucm', '--json', join(dir, 'export.csv')]);
  assert.equal(JSON.parse(again.stdout).added, 0);
  assert.equal(JSON.parse(again.stdout).failed, ROWS);
  rmSync(dir, { recursive: true, force: true });
});
