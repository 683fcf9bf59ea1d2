// The opencapf CLI run in-process against a temporary data dir.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'opencapf-cli-'));
const D = ['--data-dir', dir];

test('first command generates the CAPF CA with 0600 keys; cert list/show print CUCM fields', async () => {
  const list = await cli([...D, 'cert', 'list']);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /CAPF\s+CAPF-[0-9a-f]{8}\s+Self-signed\s+RSA 2048/);
  assert.equal(statSync(join(dir, 'pki', 'capf.key.pem')).mode & 0o777, 0o600);
  const show = await cli([...D, 'cert', 'show', 'capf']);
  for (const field of [
    'Version:',
    'Serial Number:',
    'SignatureAlgorithm:   SHA256withRSA',
    'Validity From:',
    'To:',
    'Subject Name:',
    'Issuer Name:',
    'Key:                  RSA 2048',
    'SHA-1 Fingerprint:',
    'SHA-256 Fingerprint:',
  ]) {
    assert.ok(show.stdout.includes(field), `missing ${field}`);
  }
  const json = JSON.parse((await cli([...D, 'cert', 'show', 'capf', '--json'])).stdout);
  assert.equal(json.isCa, true);
  assert.equal(json.expiry.level, 'ok');
  assert.equal((await cli([...D, 'cert', 'show', 'nope'])).code, 2);
});

test('phone add (args and stdin), schedule with generated strings, show; bad input reported per item', async () => {
  const add = await cli(
    [...D, 'phone', 'add', 'SEP00AA00000001', 'bad-name', '-'],
    'SEP00AA00000002\nsep00aa00000003, SEP00AA00000001',
  );
  assert.equal(add.code, 1);
  assert.match(add.stdout, /3 succeeded, 2 failed/);
  assert.match(add.stderr, /bad-name: ERR_PHONE_BAD_NAME/);
  assert.match(add.stderr, /SEP00AA00000001: ERR_PHONE_EXISTS/);
  const sched = await cli(
    [...D, 'capf', 'schedule', 'install', '-', '--auth-mode', 'auth-string', '--auth-string', 'generate', '--json'],
    'SEP00AA00000002 SEP00AA00000003',
  );
  assert.equal(sched.code, 0, sched.stderr);
  const strings = JSON.parse(sched.stdout).map(
    (r: { phone: { capf: { authString: string } } }) => r.phone.capf.authString,
  );
  assert.equal(strings.length, 2);
  assert.ok(strings.every((s: string) => /^\d{8}$/.test(s)));
  assert.notEqual(strings[0], strings[1]);
  const bad = await cli([
    ...D,
    'capf',
    'schedule',
    'install',
    'SEP00AA00000001',
    '--auth-mode',
    'auth-string',
    '--auth-string',
    '12ab',
  ]);
  assert.match(bad.stderr, /ERR_AUTH_STRING_FORMAT/);
  const past = await cli([
    ...D,
    'capf',
    'schedule',
    'install',
    'SEP00AA00000001',
    '--completes-by',
    '2001-01-01T00:00:00Z',
  ]);
  assert.match(past.stderr, /ERR_DEADLINE_PAST/);
  const show = await cli([...D, 'phone', 'show', 'SEP00AA00000002']);
  assert.match(show.stdout, /Certificate Operation\*\s+Install\/Upgrade/);
  assert.match(show.stdout, /Authentication Mode\*\s+By Authentication String/);
  assert.match(show.stdout, /Certificate Operation Status:\s+Operation Pending/);
  assert.match(show.stdout, /LSC:\s+None/);
});

test('cert export writes PEM and DER; regenerate keeps the previous certificate', async () => {
  const pem = join(dir, 'capf.pem');
  assert.equal((await cli([...D, 'cert', 'export', 'capf', '--out', pem])).code, 0);
  assert.match(readFileSync(pem, 'utf8'), /BEGIN CERTIFICATE/);
  const der = join(dir, 'capf.der');
  await cli([...D, 'cert', 'export', 'capf', '--format', 'der', '--out', der]);
  assert.equal(readFileSync(der)[0], 0x30);
  const regen = await cli([...D, 'cert', 'regenerate', 'capf']);
  assert.equal(regen.code, 0);
  assert.ok(statSync(join(dir, 'pki', 'capf.previous.crt.pem')).isFile());
  assert.notEqual(readFileSync(join(dir, 'pki', 'capf.crt.pem'), 'utf8'), readFileSync(pem, 'utf8'));
});

test('cert csr and import: a CA-signed certificate for the same key is accepted, a foreign one refused', async () => {
  const csr = await cli([...D, 'cert', 'csr', 'tftp']);
  assert.match(csr.stdout, /BEGIN CERTIFICATE REQUEST/);
  const work = mkdtempSync(join(tmpdir(), 'opencapf-ca-'));
  writeFileSync(join(work, 'tftp.csr'), csr.stdout);
  const { execFileSync } = await import('node:child_process');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      join(work, 'ca.key'),
      '-out',
      join(work, 'ca.pem'),
      '-subj',
      '/CN=Test Enterprise CA',
      '-days',
      '30',
    ],
    { stdio: 'ignore' },
  );
  execFileSync(
    'openssl',
    [
      'x509',
      '-req',
      '-in',
      join(work, 'tftp.csr'),
      '-CA',
      join(work, 'ca.pem'),
      '-CAkey',
      join(work, 'ca.key'),
      '-CAcreateserial',
      '-out',
      join(work, 'tftp.pem'),
      '-days',
      '30',
    ],
    { stdio: 'ignore' },
  );
  writeFileSync(
    join(work, 'chain.pem'),
    readFileSync(join(work, 'tftp.pem'), 'utf8') + readFileSync(join(work, 'ca.pem'), 'utf8'),
  );
  const leafOnly = await cli([...D, 'cert', 'import', 'tftp', join(work, 'tftp.pem')]);
  assert.equal(leafOnly.code, 2);
  assert.match(leafOnly.stderr, /ERR_PKI_CHAIN/);
  const ok = await cli([...D, 'cert', 'import', 'tftp', join(work, 'chain.pem')]);
  assert.equal(ok.code, 0, ok.stderr);
  const wrongKey = await cli([...D, 'cert', 'import', 'tvs', join(work, 'chain.pem')]);
  assert.match(wrongKey.stderr, /ERR_PKI_KEY_MISMATCH/);
  const list = await cli([...D, 'cert', 'list']);
  assert.match(list.stdout, /CallManager\s+opencapf\s+CA-signed\s+RSA 2048\s+Test Enterprise CA/);
});

test('unknown options and config keys are clear errors', async () => {
  const r = await cli([...D, 'phone', 'add', 'SEP00AA000000FF', '--nope']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /unknown option '--nope'/);
  const cfg = join(dir, 'bad.json');
  writeFileSync(cfg, JSON.stringify({ capf: { prot: 1 } }));
  const c = await cli([...D, '--config', cfg, 'cert', 'list']);
  assert.equal(c.code, 2);
  assert.match(c.stderr, /unknown key "capf.prot"/);
});

test('cert list and cert show warn when the CAPF certificate expires within 30 days', async () => {
  const d = mkdtempSync(join(tmpdir(), 'opencapf-cli-exp-'));
  const env = { OPENCAPF_PKI_CAPF_VALIDITY_DAYS: '30' };
  const list = await cli(['--data-dir', d, 'cert', 'list'], '', env);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stderr, /WARNING: The CAPF certificate expires in \d+ days/);
  const show = await cli(['--data-dir', d, 'cert', 'show', 'capf'], '', env);
  assert.match(show.stdout, /WARNING: The CAPF certificate expires in \d+ days/);
});
