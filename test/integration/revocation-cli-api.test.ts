// `opencapf verify`, `opencapf crl export|revoke`, `opencapf cert export capf --bundle` in-process, and the
// REST routes /api/v1/trust/{bundle,crl,verify} and /api/v1/certificates/{serial}/revoke (roles, audit).

import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { startCapfLab, newDeviceName, type CapfLab } from '../helpers/capf-lab.ts';
import { runCapfClient } from '../../src/capf/index.ts';
import { createApiApp } from '../../src/api/app.ts';
import { apiDepsFrom } from '../../src/app/listeners/api.ts';
import {
  createSelfSignedIdentity,
  derToPem,
  generateKeyPair,
  parseCertificate,
  subjectAttributes,
} from '../../src/pki/index.ts';
import { cli as runCliCaptured } from '../helpers/cli.ts';

let lab: CapfLab;
let app: FastifyInstance;
let adminToken: string;
let readerToken: string;
const actor = { name: 'test', source: 'test' };

before(async () => {
  lab = await startCapfLab();
  app = await createApiApp({ ...apiDepsFrom(lab.ctx, { tls: false }), logger: false });
  await lab.ctx.admin.users.bootstrap('correct horse battery staple');
  adminToken = (await lab.ctx.admin.users.createToken('admin', 't', ['api'], null, actor)).token;
  await lab.ctx.admin.users.create('reader', 'read-only', 'a long enough password', actor);
  readerToken = (await lab.ctx.admin.users.createToken('reader', 't', ['api'], null, actor)).token;
});
after(async () => {
  await app.close();
  await lab.close();
});

async function cli(args: string[]) {
  return runCliCaptured(['--data-dir', lab.dir, '--log-level', 'silent', ...args], '', {
    OPENCAPF_CAPF_MANUFACTURING_CA_FILE: join(lab.dir, 'mfg-ca.pem'),
  });
}

async function installLsc(): Promise<{ name: string; der: Buffer }> {
  const name = newDeviceName();
  await lab.ctx.phones.addPhones([{ deviceName: name, model: 'Cisco 8845' }], actor);
  await lab.ctx.phones.schedule([name], { operation: 'install', keyOrder: 'ec', ecKeySize: 256 }, actor);
  const r = await runCapfClient({
    host: '127.0.0.1',
    port: lab.port,
    deviceName: name,
    authMode: 'null-string',
    timeoutMs: 20_000,
  });
  assert.equal(r.outcome, 'installed', r.log.join('\n'));
  return { name, der: r.lsc!.der };
}

const api = (token: string, method: string, url: string, payload?: object) =>
  app.inject({
    method: method as 'GET',
    url,
    headers: { authorization: `Bearer ${token}` },
    ...(payload ? { payload } : {}),
  });

describe('opencapf verify', () => {
  test('our current LSC (PEM and DER): VALID, device, current; exit 0; --json', async () => {
    const lsc = await installLsc();
    const pem = join(lab.dir, `${lsc.name}.pem`);
    const der = join(lab.dir, `${lsc.name}.der`);
    writeFileSync(pem, derToPem(lsc.der));
    writeFileSync(der, lsc.der);
    const r = await cli(['verify', pem]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      new RegExp(`^VALID: LSC of ${lsc.name} issued by the current CAPF CA .*the phone's current LSC`),
    );
    const j = JSON.parse((await cli(['verify', der, '--json'])).stdout);
    assert.equal(j.verdict, 'valid');
    assert.equal(j.issuedBy, 'current');
    assert.equal(j.currentForPhone, true);
    assert.equal(j.deviceName, lsc.name);
  });

  test('a MIC: "this is a manufacturing certificate, not an LSC"; exit 1', async () => {
    const mic = await lab.makeMic(newDeviceName());
    const f = join(lab.dir, 'mic.der');
    writeFileSync(f, mic.der);
    const r = await cli(['verify', f]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^NOT AN LSC: this is a manufacturing certificate \(MIC\)/);
  });

  test('a Cisco-named MIC issuer is recognised without the manufacturing CA file', async () => {
    const keys = await generateKeyPair({ type: 'ec', curve: 'P-256' });
    const c = await createSelfSignedIdentity({
      role: 'capf',
      subject: subjectAttributes('Cisco Manufacturing CA SHA2', { organization: 'Cisco' }),
      keys,
      validityDays: 30,
      now: new Date(),
    });
    const f = join(lab.dir, 'cisco-ca.pem');
    writeFileSync(f, derToPem(c.der));
    assert.equal(JSON.parse((await cli(['verify', f, '--json'])).stdout).verdict, 'mic');
  });

  test('a certificate of another CA: NOT OURS', async () => {
    const keys = await generateKeyPair({ type: 'ec', curve: 'P-256' });
    const c = await createSelfSignedIdentity({
      role: 'tftp',
      subject: subjectAttributes('someone else', {}),
      keys,
      validityDays: 30,
      now: new Date(),
    });
    const f = join(lab.dir, 'other.pem');
    writeFileSync(f, derToPem(c.der));
    const r = await cli(['verify', f]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^NOT OURS/);
  });

  test('after crl revoke --reason keyCompromise: REVOKED with the reason; crl export parses', async () => {
    const lsc = await installLsc();
    const serial = parseCertificate(lsc.der).serialHex;
    const rv = await cli(['crl', 'revoke', serial, '--reason', 'keyCompromise']);
    assert.equal(rv.code, 0, rv.stderr);
    const f = join(lab.dir, 'rev.pem');
    writeFileSync(f, derToPem(lsc.der));
    const r = await cli(['verify', f]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^REVOKED: .*\(keyCompromise\)/);
    const out = join(lab.dir, 'exported.crl');
    assert.equal((await cli(['crl', 'export', '--format', 'der', '--out', out])).code, 0);
    assert.ok(
      execFileSync('openssl', ['crl', '-inform', 'DER', '-in', out, '-noout', '-text'], { encoding: 'utf8' }).includes(
        serial,
      ),
    );
    assert.equal((await cli(['crl', 'export', '--previous'])).code, 2, 'no rollover: no previous CRL');
  });

  test('cert export capf --bundle: PEM bundle; --bundle with DER is refused', async () => {
    const out = join(lab.dir, 'bundle.pem');
    assert.equal((await cli(['cert', 'export', 'capf', '--bundle', '--out', out])).code, 0);
    assert.ok(readFileSync(out, 'utf8').includes(lab.capfPem().split('\n')[1]!));
    assert.equal((await cli(['cert', 'export', 'capf', '--bundle', '--format', 'der'])).code, 2);
  });
});

describe('REST /api/v1/trust and revoke', () => {
  test('GET /trust/bundle and /trust/crl (PEM and DER), read-only role suffices', async () => {
    const b = await api(readerToken, 'GET', '/api/v1/trust/bundle');
    assert.equal(b.statusCode, 200);
    assert.match(b.headers['content-type'] as string, /application\/x-pem-file/);
    assert.ok(b.body.includes(lab.capfPem().split('\n')[1]!));
    const crl = await api(readerToken, 'GET', '/api/v1/trust/crl?format=der');
    assert.equal(crl.statusCode, 200);
    assert.equal(crl.headers['content-type'], 'application/pkix-crl');
    assert.equal(crl.rawPayload[0], 0x30);
    assert.equal((await api(readerToken, 'GET', '/api/v1/trust/crl?previous=true')).statusCode, 404);
    assert.equal((await app.inject({ method: 'GET', url: '/api/v1/trust/bundle' })).statusCode, 401);
  });

  test('POST /trust/verify and /certificates/{serial}/revoke (operator), audit', async () => {
    const lsc = await installLsc();
    const serial = parseCertificate(lsc.der).serialHex;
    const v = await api(readerToken, 'POST', '/api/v1/trust/verify', { certificate: derToPem(lsc.der) });
    assert.equal(v.statusCode, 200, v.body);
    assert.equal(v.json().verdict, 'valid');
    assert.equal(
      (await api(readerToken, 'POST', `/api/v1/certificates/${serial}/revoke`, { reason: 'keyCompromise' })).statusCode,
      403,
    );
    const r = await api(adminToken, 'POST', `/api/v1/certificates/${serial}/revoke`, { reason: 'privilegeWithdrawn' });
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(
      (await api(adminToken, 'POST', `/api/v1/certificates/${serial}/revoke`, {})).json().error.code,
      'ERR_CERT_ALREADY_REVOKED',
    );
    assert.equal(
      (await api(readerToken, 'POST', '/api/v1/trust/verify', { certificate: derToPem(lsc.der) })).json().verdict,
      'revoked',
    );
    const audit = await api(adminToken, 'GET', `/api/v1/audit?action=certificate.revoke&target=${lsc.name}`);
    assert.equal(audit.json().items[0].details.reason, 'privilegeWithdrawn');
    assert.equal((await api(adminToken, 'POST', '/api/v1/certificates/XYZ/revoke', {})).statusCode, 400);
  });
});
