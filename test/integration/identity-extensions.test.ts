// An identity certificate without the extensions phones (and CUCM 14SU2+ for CAPF) require is refused when it is
// imported — the refusal names the extension and changes nothing — and serve refuses to start with one that got
// onto disk another way; the doctor names it too.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../helpers/cli.ts';
import { spawnServe } from '../helpers/serve-process.ts';

const FULL_KU = 'keyUsage=critical,digitalSignature,keyEncipherment,keyCertSign,cRLSign';

/** Signs the CSR of `name` by a throw-away enterprise CA with exactly the extensions given (openssl syntax). */
async function caSigned(dataDir: string, work: string, name: string, ext: string): Promise<string> {
  const csr = await cli(['--data-dir', dataDir, 'cert', 'csr', name]);
  assert.equal(csr.code, 0, csr.stderr);
  writeFileSync(join(work, `${name}.csr`), csr.stdout);
  const at = (f: string) => join(work, f);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      at('ca.key'),
      '-out',
      at('ca.pem'),
      '-subj',
      '/CN=Test Enterprise CA',
      '-days',
      '30',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    { stdio: 'ignore' },
  );
  writeFileSync(at('ext.cnf'), `[v3]\n${ext}\n`);
  execFileSync(
    'openssl',
    [
      'x509',
      '-req',
      '-in',
      at(`${name}.csr`),
      '-CA',
      at('ca.pem'),
      '-CAkey',
      at('ca.key'),
      '-CAcreateserial',
      '-out',
      at(`${name}.pem`),
      '-days',
      '30',
      '-extfile',
      at('ext.cnf'),
      '-extensions',
      'v3',
    ],
    { stdio: 'ignore' },
  );
  const chain = at(`${name}-chain.pem`);
  writeFileSync(chain, readFileSync(at(`${name}.pem`), 'utf8') + readFileSync(at('ca.pem'), 'utf8'));
  return chain;
}

test('cert import refuses a CAPF certificate without keyCertSign, naming it; with it the import succeeds', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'opencapf-ext-'));
  const work = mkdtempSync(join(tmpdir(), 'opencapf-ext-ca-'));
  try {
    const D = ['--data-dir', dir];
    assert.equal((await cli([...D, 'cert', 'list'])).code, 0);
    const before = readFileSync(join(dir, 'pki', 'capf.crt.pem'), 'utf8');
    const noSign = await caSigned(
      dir,
      work,
      'capf',
      'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,digitalSignature,keyEncipherment,cRLSign',
    );
    const r = await cli([...D, 'cert', 'import', 'capf', noSign]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /X509v3 Key Usage: Certificate Sign \(keyCertSign\).*CUCM 14SU2\+/);
    assert.match(r.stderr, /ERR_PKI_EXTENSION/);
    assert.equal(readFileSync(join(dir, 'pki', 'capf.crt.pem'), 'utf8'), before, 'the refused import changed nothing');

    const noPathlen = await caSigned(
      dir,
      work,
      'capf',
      'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,digitalSignature,keyEncipherment,keyCertSign,cRLSign',
    );
    const r2 = await cli([...D, 'cert', 'import', 'capf', noPathlen]);
    assert.match(r2.stderr, /X509v3 Basic Constraints: pathlen:0 \(has no path length\)/);

    const tvsClientOnly = await caSigned(
      dir,
      work,
      'tvs',
      'keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth',
    );
    const r3 = await cli([...D, 'cert', 'import', 'tvs', tvsClientOnly]);
    assert.match(r3.stderr, /X509v3 Extended Key Usage: TLS Web Server Authentication \(serverAuth\)/);

    const good = await caSigned(dir, work, 'capf', `basicConstraints=critical,CA:TRUE,pathlen:0\n${FULL_KU}`);
    const ok = await cli([...D, 'cert', 'import', 'capf', good]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.notEqual(readFileSync(join(dir, 'pki', 'capf.crt.pem'), 'utf8'), before);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  }
});

test('serve refuses to start with a CAPF certificate put on disk without keyCertSign; doctor names it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'opencapf-ext-'));
  const work = mkdtempSync(join(tmpdir(), 'opencapf-ext-ca-'));
  try {
    assert.equal((await cli(['--data-dir', dir, 'cert', 'list'])).code, 0);
    const chain = await caSigned(
      dir,
      work,
      'capf',
      'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,digitalSignature,keyEncipherment',
    );
    writeFileSync(join(dir, 'pki', 'capf.crt.pem'), readFileSync(chain, 'utf8')); // as a restore or a hand edit would
    const doctor = await cli(['--data-dir', dir, 'doctor', '--json']);
    const report = JSON.parse(doctor.stdout);
    const f = report.findings.find((x: { id: string }) => x.id === 'identity-extension-missing');
    assert.ok(f, doctor.stdout);
    assert.match(f.evidence.join('\n'), /capf: X509v3 Key Usage: Certificate Sign \(keyCertSign\)/);
    assert.match(f.evidence.join('\n'), /capf: X509v3 Key Usage: CRL Sign \(cRLSign\)/);
    const p = spawnServe({ dataDir: dir });
    const { code } = await p.exited;
    assert.notEqual(code, 0);
    assert.match(p.output(), /ERR_PKI_EXTENSION|lack what phones require/);
    assert.match(p.output(), /capf: X509v3 Key Usage: Certificate Sign \(keyCertSign\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  }
});
