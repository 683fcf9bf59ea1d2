// Attack (issue #15, item 4): a phone receives STORE_CERTIFICATE_REQUEST and its connection dies before it
// acknowledges. That LSC ("orphan") stayed valid forever: `verify` VALID and OCSP "good". Now it is revoked
// as superseded when a newer LSC of the phone is confirmed, or after revocation.unacknowledgedGraceHours.
// Real CAPF over TLS on 127.0.0.1; OCSP answered for `openssl ocsp`; the CRL parsed by `openssl crl`.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCapfLab, newDeviceName, type CapfLab } from '../helpers/capf-lab.ts';
import { serveExtensions, type ExtensionHttp } from '../helpers/revocation-http.ts';
import { runCapfClient, type CapfClientOptions } from '../../src/capf/index.ts';
import { derToPem, parseCertificate } from '../../src/pki/index.ts';

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

async function pendingInstall(): Promise<string> {
  const name = newDeviceName();
  assert.equal((await lab.ctx.phones.addPhones([{ deviceName: name, model: 'Cisco 8845' }], actor))[0]!.ok, true);
  const r = await lab.ctx.phones.schedule([name], { operation: 'install', keyOrder: 'rsa', rsaKeySize: 2048 }, actor);
  assert.equal(r[0]!.ok, true, JSON.stringify(r[0]));
  return name;
}

function enrol(deviceName: string, o: Partial<CapfClientOptions> = {}) {
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

/** The phone drops the connection after STORE_CERTIFICATE_REQUEST; resolves once the server recorded that session. */
async function enrolAndDrop(deviceName: string): Promise<Buffer> {
  const sessionsBefore = (await lab.ctx.store.phones.listSessions(deviceName, 100)).length;
  const r = await enrol(deviceName, { dropAfterStoreRequest: true });
  assert.equal(r.outcome, 'dropped', r.log.join('\n'));
  // The server notices the lost connection on its own; its record of the session is the event to wait for.
  for (
    let i = 0;
    i < 2000 && (await lab.ctx.store.phones.listSessions(deviceName, 100)).length === sessionsBefore;
    i++
  ) {
    await new Promise((res) => setTimeout(res, 5));
  }
  const [last] = await lab.ctx.store.phones.listSessions(deviceName, 1);
  assert.ok(
    last && (await lab.ctx.store.phones.listSessions(deviceName, 100)).length > sessionsBefore,
    'the dropped session was recorded',
  );
  const rec = await lab.ctx.store.phones.getCertificate(parseCertificate(r.lsc!.der).serialHex);
  assert.equal(rec?.state, 'issued', 'recorded before it was sent, never acknowledged');
  return r.lsc!.der;
}

function file(name: string, data: string | Buffer): string {
  const p = join(lab.dir, `${++n}-${name}`);
  writeFileSync(p, data);
  return p;
}

function ocsp(certDer: Buffer): Promise<string> {
  const issuer = file('issuer.pem', lab.capfPem());
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
  ];
  return new Promise((resolve) => {
    execFile('openssl', args, { encoding: 'utf8', timeout: 30_000 }, (_e, stdout, stderr) => resolve(stdout + stderr));
  });
}

async function crlText(): Promise<string> {
  const r = await fetch(`${web.baseUrl}/crl/capf.crl`);
  assert.equal(r.status, 200);
  return execFileSync(
    'openssl',
    ['crl', '-inform', 'DER', '-in', file('crl.der', Buffer.from(await r.arrayBuffer())), '-noout', '-text'],
    { encoding: 'utf8' },
  );
}

test(
  'phone drops after STORE_CERTIFICATE_REQUEST, then enrols again: ' +
    'the orphan is revoked (superseded), the new LSC is good',
  async () => {
    const name = await pendingInstall();
    const orphan = await enrolAndDrop(name);
    const second = await enrol(name);
    assert.equal(second.outcome, 'installed', second.log.join('\n'));
    const orphanSerial = parseCertificate(orphan).serialHex;

    const v1 = await lab.ctx.revocation.verify(orphan);
    assert.equal(v1.verdict, 'revoked', v1.message);
    assert.equal(v1.record?.revocationReason, 'superseded');
    const v2 = await lab.ctx.revocation.verify(second.lsc!.der);
    assert.equal(v2.verdict, 'valid', v2.message);

    const o1 = await ocsp(orphan);
    assert.match(o1, /: revoked/, o1);
    assert.match(o1, /Reason: superseded/, o1);
    assert.match(o1, /Response verify OK/, o1);
    assert.match(await ocsp(second.lsc!.der), /: good/);

    const crl = await crlText();
    assert.ok(crl.includes(`Serial Number: ${orphanSerial}`), crl);
    assert.ok(!crl.includes(`Serial Number: ${parseCertificate(second.lsc!.der).serialHex}`));

    // Revoked in the same transaction that confirmed the new LSC, with its audit entry.
    const audit = await lab.ctx.store.audit.listAudit({ target: name, action: 'certificate.revoke' });
    assert.deepEqual(
      audit.map((a) => a.details),
      [{ serial: orphanSerial, reason: 'superseded', unacknowledged: true }],
    );
    assert.equal(
      (await lab.ctx.store.phones.getPhone(name))!.lsc!.serialHex,
      parseCertificate(second.lsc!.der).serialHex,
    );
  },
);

test(
  'an orphan nobody supersedes is revoked once ' + 'revocation.unacknowledgedGraceHours have passed (not before)',
  async () => {
    const name = await pendingInstall();
    const graceMs = lab.ctx.config['revocation.unacknowledgedGraceHours'] * 3_600_000;
    // The orphan is made a grace period and a minute ago, so that OCSP and the CRL are checked at real time
    // (openssl refuses answers from the future).
    const issuedAt = Date.now() - graceMs - 60_000;
    let orphan: Buffer;
    try {
      lab.clock.set(new Date(issuedAt));
      orphan = await enrolAndDrop(name);
      lab.clock.set(new Date(issuedAt + graceMs - 60_000));
      assert.deepEqual(await lab.ctx.revocation.revokeUnacknowledged(), [], 'still inside the grace period');
      assert.equal((await lab.ctx.revocation.verify(orphan)).verdict, 'valid');
    } finally {
      lab.clock.set(new Date());
    }
    const serial = parseCertificate(orphan).serialHex;
    assert.deepEqual(await lab.ctx.revocation.revokeUnacknowledged(), [serial]);
    const v = await lab.ctx.revocation.verify(orphan);
    assert.equal(v.verdict, 'revoked', v.message);
    assert.equal(v.record?.revocationReason, 'cessationOfOperation');
    const o = await ocsp(orphan);
    assert.match(o, /: revoked/, o);
    assert.match(o, /Reason: cessationOfOperation/, o);
    assert.match(o, /Response verify OK/, o);
    assert.ok((await crlText()).includes(`Serial Number: ${serial}`));
    const audit = await lab.ctx.store.audit.listAudit({ target: name, action: 'certificate.revoke' });
    assert.equal(audit[0]?.actor, 'revocation');
    assert.deepEqual(audit[0]?.details, { serial, reason: 'cessationOfOperation', unacknowledged: true });
    // Idempotent: a second sweep (another node, the next tick) finds nothing.
    assert.deepEqual(await lab.ctx.revocation.revokeUnacknowledged(), []);
    // The phone's operation is still pending: it can enrol again and gets a good LSC.
    const again = await enrol(name);
    assert.equal(again.outcome, 'installed', again.log.join('\n'));
    assert.equal((await lab.ctx.revocation.verify(again.lsc!.der)).verdict, 'valid');
    assert.match(await ocsp(again.lsc!.der), /: good/);
  },
);
