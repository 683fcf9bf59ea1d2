// Revocation over real HTTP on 127.0.0.1: CRLs parsed and verified by `openssl crl`, OCSP answered for
// `openssl ocsp` (good / revoked with reason / unknown, nonce, POST and GET), revocation on upgrade,
// delete and manual revoke with reasons in the audit, and a CAPF rollover (previous CA's CRL and OCSP).

import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCapfLab, newDeviceName, type CapfLab } from '../helpers/capf-lab.ts';
import { serveExtensions, type ExtensionHttp } from '../helpers/revocation-http.ts';
import { runCapfClient, type CapfClientOptions } from '../../src/capf/index.ts';
import { derToPem, parseCertificate, spkiDer } from '../../src/pki/index.ts';
import type { ScheduleRequest } from '../../src/phones/index.ts';

let lab: CapfLab;
let web: ExtensionHttp;
const actor = { name: 'test', source: 'test' };
let n = 0;

before(async () => {
  lab = await startCapfLab();
  web = await serveExtensions(lab);
});
after(async () => {
  await web.close();
  await lab.close();
});

async function phoneWith(req: ScheduleRequest): Promise<string> {
  const name = newDeviceName();
  assert.equal((await lab.ctx.phones.addPhones([{ deviceName: name, model: 'Cisco 8845' }], actor))[0]!.ok, true);
  const r = await lab.ctx.phones.schedule([name], req, actor);
  assert.equal(r[0]!.ok, true, JSON.stringify(r[0]));
  return name;
}

function client(deviceName: string, o: Partial<CapfClientOptions> = {}) {
  return runCapfClient({
    host: '127.0.0.1',
    port: lab.port,
    deviceName,
    authMode: 'null-string',
    generateKey: (req) =>
      lab.key(req.type === 'rsa' ? { type: 'rsa', bits: req.bits } : { type: 'ec', curve: req.curve }),
    timeoutMs: 20_000,
    ...o,
  });
}

async function installLsc(): Promise<{ name: string; der: Buffer; privateKey: import('node:crypto').KeyObject }> {
  const name = await phoneWith({ operation: 'install', keyOrder: 'rsa', rsaKeySize: 2048 });
  const r = await client(name);
  assert.equal(r.outcome, 'installed', r.log.join('\n'));
  return { name, der: r.lsc!.der, privateKey: r.lsc!.privateKey };
}

function file(name: string, data: string | Buffer): string {
  const p = join(lab.dir, `${++n}-${name}`);
  writeFileSync(p, data);
  return p;
}

function openssl(args: string[]): { out: string; err: string; status: number } {
  const r = spawnSync('openssl', args, { encoding: 'utf8' });
  return { out: r.stdout, err: r.stderr, status: r.status ?? -1 };
}

/** `openssl ocsp -url` against our responder; asynchronous, because the responder runs in this process. */
function ocsp(
  certDer: Buffer,
  issuerPem = lab.capfPem(),
  extra: string[] = [],
): Promise<{ out: string; err: string; status: number }> {
  const issuer = file('issuer.pem', issuerPem);
  const args = [
    'ocsp',
    '-issuer',
    issuer,
    '-cert',
    file('cert.pem', derToPem(certDer)),
    '-url',
    `${web.baseUrl}/ocsp`,
    '-CAfile',
    issuer,
    ...extra,
  ];
  return new Promise((resolve) => {
    execFile('openssl', args, { encoding: 'utf8', timeout: 30_000 }, (e, stdout, stderr) =>
      resolve({ out: stdout, err: stderr, status: e ? Number((e as { code?: number }).code ?? 1) : 0 }),
    );
  });
}

async function get(path: string): Promise<{ status: number; type: string | null; body: Buffer }> {
  const r = await fetch(`${web.baseUrl}${path}`);
  return { status: r.status, type: r.headers.get('content-type'), body: Buffer.from(await r.arrayBuffer()) };
}

function crlText(der: Buffer, caPem = lab.capfPem()): string {
  const p = file('crl.der', der);
  const text = execFileSync('openssl', ['crl', '-inform', 'DER', '-in', p, '-noout', '-text'], { encoding: 'utf8' });
  const v = openssl(['crl', '-inform', 'DER', '-in', p, '-noout', '-CAfile', file('ca.pem', caPem)]);
  assert.match(v.err + v.out, /verify OK/, `openssl crl signature check: ${v.err}`);
  return text;
}

describe('CRL', () => {
  test(
    'DER and PEM at /crl/capf.crl and /crl/capf.pem: v2, ' + 'signed by the CAPF CA, CRL number, AKI, nextUpdate',
    async () => {
      const der = await get('/crl/capf.crl');
      assert.equal(der.status, 200);
      assert.equal(der.type, 'application/pkix-crl');
      const text = crlText(der.body);
      assert.match(text, /Version 2 \(0x1\)/);
      assert.match(text, /X509v3 CRL Number:\s*\n\s*\d+/);
      assert.match(text, /X509v3 Authority Key Identifier:/);
      assert.match(text, /Next Update: /);
      const capf = lab.ctx.identities.get('capf').certificate;
      assert.ok(
        text.includes(
          `Issuer: ${execFileSync('openssl', ['x509', '-noout', '-subject', '-nameopt', 'oneline'], {
            input: lab.capfPem(),
            encoding: 'utf8',
          })
            .replace(/^subject=\s*/, '')
            .trim()}`,
        ) || text.includes(capf.subject.find((a) => a.type === 'CN')!.value),
      );
      const pem = await get('/crl/capf.pem');
      assert.match(pem.body.toString(), /^-----BEGIN X509 CRL-----/);
      const fromPem = execFileSync('openssl', ['crl', '-in', file('crl.pem', pem.body), '-outform', 'DER']);
      assert.ok(fromPem.length > 0);
      assert.equal((await get('/crl/capf-previous.crl')).status, 404, 'no rollover yet');
    },
  );

  test('nextUpdate is revocation.crlValidityHours after thisUpdate', async () => {
    const crl = (await lab.ctx.revocation.crl('current'))!;
    assert.equal(
      crl.nextUpdate.getTime() - crl.thisUpdate.getTime(),
      lab.ctx.config['revocation.crlValidityHours'] * 3_600_000,
    );
  });
});

describe('revocation on upgrade, delete, phone removal and by hand', () => {
  test('install then OCSP good; upgrade: old LSC revoked (superseded) in OCSP and CRL; new one good', async () => {
    const first = await installLsc();
    const good = await ocsp(first.der);
    assert.match(good.out, /: good/, good.out + good.err);
    assert.match(good.err, /Response verify OK/);
    assert.doesNotMatch(good.err + good.out, /WARNING: no nonce/);

    await lab.ctx.phones.schedule(
      [first.name],
      { operation: 'install', authMode: 'existing-lsc', keyOrder: 'rsa', rsaKeySize: 2048 },
      actor,
    );
    const up = await client(first.name, {
      authMode: 'existing-lsc',
      lsc: { der: first.der, privateKey: first.privateKey },
    });
    assert.equal(up.outcome, 'installed', up.log.join('\n'));

    const old = await ocsp(first.der);
    assert.match(old.out, /: revoked/, old.out + old.err);
    assert.match(old.out, /Reason: superseded/);
    assert.match(old.err, /Response verify OK/);
    assert.match((await ocsp(up.lsc!.der)).out, /: good/);

    const text = crlText((await get('/crl/capf.crl')).body);
    const serial = parseCertificate(first.der).serialHex;
    const entry = text.slice(text.indexOf(`Serial Number: ${serial}`));
    assert.ok(text.includes(`Serial Number: ${serial}`), text);
    assert.match(entry, /CRL Reason Code:\s*\n\s*Superseded/);
  });

  test('CAPF delete: LSC revoked (cessationOfOperation); audit shows the reason', async () => {
    const lsc = await installLsc();
    await lab.ctx.phones.schedule([lsc.name], { operation: 'delete' }, actor);
    const r = await client(lsc.name, { lsc: { der: lsc.der, privateKey: lsc.privateKey } });
    assert.equal(r.outcome, 'deleted');
    const res = await ocsp(lsc.der);
    assert.match(res.out, /: revoked/);
    assert.match(res.out, /Reason: cessationOfOperation/);
    const audit = await lab.ctx.store.audit.listAudit({ target: lsc.name, action: 'certificate.delete' });
    assert.equal(audit[0]?.details.reason, 'cessationOfOperation');
    assert.ok(crlText((await get('/crl/capf.crl')).body).includes(parseCertificate(lsc.der).serialHex));
  });

  test('phone removed: its LSC is revoked (cessationOfOperation)', async () => {
    const lsc = await installLsc();
    await lab.ctx.phones.removePhone(lsc.name, actor);
    assert.match((await ocsp(lsc.der)).out, /Reason: cessationOfOperation/);
  });

  test('manual revoke with keyCompromise: OCSP, CRL and audit; revoking twice is a conflict', async () => {
    const lsc = await installLsc();
    const serial = parseCertificate(lsc.der).serialHex;
    await lab.ctx.revocation.revoke(serial, 'keyCompromise', actor);
    assert.match((await ocsp(lsc.der)).out, /Reason: keyCompromise/);
    const text = crlText((await get('/crl/capf.crl')).body);
    assert.match(text.slice(text.indexOf(`Serial Number: ${serial}`)), /Key Compromise/);
    const audit = await lab.ctx.store.audit.listAudit({ target: lsc.name, action: 'certificate.revoke' });
    assert.deepEqual(audit[0]?.details, { serial, reason: 'keyCompromise' });
    await assert.rejects(lab.ctx.revocation.revoke(serial, 'keyCompromise', actor), {
      code: 'ERR_CERT_ALREADY_REVOKED',
    });
    await assert.rejects(lab.ctx.revocation.revoke('0102', 'keyCompromise', actor), { code: 'ERR_CERT_NOT_FOUND' });
  });
});

describe('OCSP', () => {
  test('a MIC (issuer name is not our CA): unauthorized, RFC 6960 §2.3', async () => {
    const mic = await lab.makeMic(newDeviceName());
    const r = await ocsp(mic.der);
    assert.match(r.out + r.err, /Responder Error: unauthorized \(6\)/, r.out + r.err);
  });

  test('a certificate signed by our CA but never recorded: unknown', async () => {
    const keys = await lab.key({ type: 'ec', curve: 'P-256' });
    const cert = await lab.ctx.ca.issueLsc(newDeviceName(), spkiDer(keys.publicKey), new Date());
    const r = await ocsp(cert.der);
    assert.match(r.out, /: unknown/, r.out + r.err);
    assert.match(r.err, /Response verify OK/);
  });

  test('GET /ocsp/<base64> gives the same answer as POST; -no_nonce works', async () => {
    const lsc = await installLsc();
    const reqFile = file('req.der', '');
    const issuer = file('issuer.pem', lab.capfPem());
    execFileSync('openssl', [
      'ocsp',
      '-issuer',
      issuer,
      '-cert',
      file('c.pem', derToPem(lsc.der)),
      '-no_nonce',
      '-reqout',
      reqFile,
    ]);
    const b64 = execFileSync('base64', ['-w0', reqFile], { encoding: 'utf8' });
    const res = await get(`/ocsp/${encodeURIComponent(b64)}`);
    assert.equal(res.status, 200);
    assert.equal(res.type, 'application/ocsp-response');
    const parsed = openssl([
      'ocsp',
      '-respin',
      file('resp.der', res.body),
      '-issuer',
      issuer,
      '-CAfile',
      issuer,
      '-cert',
      file('c2.pem', derToPem(lsc.der)),
      '-resp_text',
    ]);
    assert.match(parsed.out, /: good/, parsed.out + parsed.err);
    assert.match(parsed.out, /Cert Status: good/);
    assert.match(parsed.err, /Response verify OK/);
    assert.match((await ocsp(lsc.der, lab.capfPem(), ['-no_nonce'])).out, /: good/);
  });

  test('nonce is echoed; -resp_text shows the responder key hash and next update', async () => {
    const lsc = await installLsc();
    const r = await ocsp(lsc.der, lab.capfPem(), ['-resp_text']);
    assert.match(r.out, /OCSP Nonce:/);
    assert.match(r.out, /Responder Id: [0-9A-F]{40}/);
    assert.match(r.out, /Next Update:/);
  });

  test('malformed request: malformedRequest status, POST of garbage and bad base64', async () => {
    const post = await fetch(`${web.baseUrl}/ocsp`, {
      method: 'POST',
      headers: { 'content-type': 'application/ocsp-request' },
      body: Buffer.from('30050201000000', 'hex'),
    });
    assert.equal(Buffer.from(await post.arrayBuffer()).toString('hex'), '30030a0101');
    assert.equal((await get('/ocsp/%%%')).body.toString('hex'), '30030a0101');
    assert.equal((await get('/ocsp/AAAA')).body.toString('hex'), '30030a0101');
    const parsed = openssl([
      'ocsp',
      '-respin',
      file('bad.der', Buffer.from('30030a0101', 'hex')),
      '-resp_text',
      '-noverify',
    ]);
    assert.match(parsed.out + parsed.err, /malformedrequest/i);
  });
});

describe('trust bundle', () => {
  test('/trust/capf-bundle.pem holds the CAPF CA certificate', async () => {
    const r = await get('/trust/capf-bundle.pem');
    assert.equal(r.status, 200);
    assert.ok(r.body.toString().includes(lab.capfPem().trim().split('\n')[1]!));
  });
});

describe('CAPF rollover (runs last: regenerates the CAPF CA)', () => {
  test(
    'previous CA: its own CRL at /crl/capf-previous.crl, ' + 'OCSP signed by the previous key, bundle with both',
    async () => {
      const old = await installLsc();
      const oldPem = lab.capfPem();
      await lab.ctx.revocation.revoke(parseCertificate(old.der).serialHex, 'affiliationChanged', actor);
      await lab.ctx.identities.regenerate('capf');
      assert.notEqual(lab.capfPem(), oldPem);

      const prevCrl = await get('/crl/capf-previous.crl');
      assert.equal(prevCrl.status, 200);
      const prevText = crlText(prevCrl.body, oldPem);
      assert.ok(prevText.includes(parseCertificate(old.der).serialHex));
      assert.match(prevText, /Affiliation Changed/);
      const curText = crlText((await get('/crl/capf.crl')).body);
      assert.ok(
        !curText.includes(parseCertificate(old.der).serialHex),
        "the current CA does not list the previous CA's certificates",
      );

      const r = await ocsp(old.der, oldPem);
      assert.match(r.out, /: revoked/, r.out + r.err);
      assert.match(r.err, /Response verify OK/);

      const fresh = await installLsc();
      assert.match((await ocsp(fresh.der)).out, /: good/);

      const bundle = lab.ctx.revocation.trustBundle();
      assert.deepEqual(
        bundle.certificates.map((c) => c.generation),
        ['current', 'previous'],
      );
      assert.equal((bundle.pem.match(/BEGIN CERTIFICATE/g) ?? []).length, 2);
    },
  );
});
