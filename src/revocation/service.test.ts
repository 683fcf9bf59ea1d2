// CRL and OCSP bytes checked by openssl: entries, reason codes, CRL number, AKI, signatures (RSA and
// EC P-384 CAs), regeneration on change, OCSP good/revoked/unknown built from an in-memory store.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixedClock } from '../shared/clock.ts';
import {
  createSelfSignedIdentity,
  createLscTemplate,
  derToPem,
  generateKeyPair,
  spkiDer,
  subjectAttributes,
  type CertificateInfo,
  type KeySpec,
} from '../pki/index.ts';
import type { CertificateRecord } from '../phones/ports.ts';
import { createRevocationService, type RevocationService } from './service.ts';
import type { RevocationStore } from './ports.ts';
import { reasonCode } from './reasons.ts';

let dir: string;
let n = 0;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'opencapf-revocation-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, data: string | Buffer) => {
  const p = join(dir, `${++n}-${name}`);
  writeFileSync(p, data);
  return p;
};

interface Lab {
  svc: RevocationService;
  ca: CertificateInfo;
  clock: ReturnType<typeof fixedClock>;
  records: Map<string, CertificateRecord>;
  issue(
    deviceName: string,
    state?: CertificateRecord['state'],
    reason?: string | null,
    notAfterDays?: number,
  ): Promise<CertificateRecord>;
}

async function makeLab(spec: KeySpec): Promise<Lab> {
  const clock = fixedClock(new Date('2030-01-15T10:00:00.000Z'));
  const keys = await generateKeyPair(spec);
  const ca = await createSelfSignedIdentity({
    role: 'capf',
    subject: subjectAttributes('CAPF-unit', { organization: 'OpenCAPF' }),
    keys,
    validityDays: 3650,
    now: new Date('2029-01-01T00:00:00Z'),
  });
  const template = createLscTemplate(ca, keys.privateKey);
  const records = new Map<string, CertificateRecord>();
  const store: RevocationStore = {
    async listRevoked() {
      return [...records.values()]
        .filter((r) => r.state === 'revoked')
        .map((r) => ({
          serialHex: r.serialHex,
          issuerDn: r.issuerDn,
          revokedAt: r.revokedAt!,
          reason: r.revocationReason,
          notAfter: r.notAfter,
        }));
    },
    async revocationStamp() {
      return [...records.values()]
        .filter((r) => r.state === 'revoked')
        .map((r) => r.serialHex)
        .sort()
        .join(',');
    },
    getCertificate: async (s) => records.get(s) ?? null,
    currentLscSerial: async () => undefined,
    async revoke(serial, at, reason) {
      const r = records.get(serial)!;
      records.set(serial, { ...r, state: 'revoked', revokedAt: at, revocationReason: reason });
    },
    async revokeUnacknowledged(before, at, reason) {
      const hit = [...records.values()].filter((r) => r.state === 'issued' && r.createdAt < before);
      for (const r of hit)
        records.set(r.serialHex, { ...r, state: 'revoked', revokedAt: at, revocationReason: reason });
      return hit.map((r) => ({ serialHex: r.serialHex, deviceName: r.deviceName }));
    },
  };
  const svc = createRevocationService({
    cas: { current: () => ({ certificate: ca, chain: [], privateKey: keys.privateKey }), previous: () => null },
    store,
    clock,
    settings: { crlValidityHours: 24, crlRefreshMinutes: 60, ocspValidityMinutes: 30, unacknowledgedGraceHours: 24 },
  });
  return {
    svc,
    ca,
    clock,
    records,
    async issue(deviceName, state = 'delivered', reason = null, notAfterDays = 365) {
      const k = await generateKeyPair({ type: 'ec', curve: 'P-256' });
      const c = await template.issue({
        deviceName,
        publicKeySpki: spkiDer(k.publicKey),
        validityDays: notAfterDays,
        now: new Date(clock.now().getTime() - (notAfterDays < 2 ? 3 * 86_400_000 : 0)),
      });
      const rec: CertificateRecord = {
        serialHex: c.serialHex,
        deviceName,
        kind: 'lsc',
        der: c.der,
        subjectDn: c.subjectDn,
        issuerDn: c.issuerDn,
        notBefore: c.notBefore.toISOString(),
        notAfter: c.notAfter.toISOString(),
        createdAt: clock.now().toISOString(),
        state,
        revokedAt: state === 'revoked' ? '2030-01-14T09:08:07.000Z' : null,
        revocationReason: reason,
        sessionId: null,
      };
      records.set(c.serialHex, rec);
      return rec;
    },
  };
}

function crlText(der: Buffer, ca: CertificateInfo): string {
  const p = file('crl.der', der);
  const v = spawnSync(
    'openssl',
    ['crl', '-inform', 'DER', '-in', p, '-noout', '-CAfile', file('ca.pem', derToPem(ca.der))],
    { encoding: 'utf8' },
  );
  assert.match(v.stderr + v.stdout, /verify OK/, v.stderr);
  return execFileSync('openssl', ['crl', '-inform', 'DER', '-in', p, '-noout', '-text'], { encoding: 'utf8' });
}

function ocspStatus(lab: Lab, rec: CertificateRecord, respond: (req: Buffer) => Promise<Buffer>): Promise<string> {
  const issuer = file('ca.pem', derToPem(lab.ca.der));
  const cert = file('lsc.pem', derToPem(rec.der));
  const reqFile = file('req.der', '');
  execFileSync('openssl', ['ocsp', '-issuer', issuer, '-cert', cert, '-reqout', reqFile]);
  return respond(execFileSync('cat', [reqFile])).then((resp) => {
    // Verified at the lab's time (2030): OpenSSL 3.0.22 checks the validity of the signer, which the lab
    // issued in 2029, against the verification time.
    const at = String(Math.floor(lab.clock.now().getTime() / 1000));
    const r = spawnSync(
      'openssl',
      [
        'ocsp',
        '-respin',
        file('resp.der', resp),
        '-issuer',
        issuer,
        '-cert',
        cert,
        '-CAfile',
        issuer,
        '-no_nonce',
        '-resp_text',
        '-attime',
        at,
      ],
      { encoding: 'utf8' },
    );
    assert.match(r.stderr, /Response verify OK/, r.stderr + r.stdout);
    return r.stdout;
  });
}

for (const spec of [
  { type: 'rsa', bits: 2048 },
  { type: 'ec', curve: 'P-384' },
] as const) {
  describe(`${spec.type === 'rsa' ? 'RSA 2048' : 'EC P-384'} CAPF CA`, () => {
    test(
      'CRL: v2, entries with reason codes (none for unspecified), ' + 'CRL number, AKI = CA SKI, verified by openssl',
      async () => {
        const lab = await makeLab(spec);
        const good = await lab.issue('SEP000000000001');
        const sup = await lab.issue('SEP000000000002', 'revoked', 'superseded');
        const gone = await lab.issue('SEP000000000003', 'revoked', 'cessationOfOperation (phone removed)');
        const key = await lab.issue('SEP000000000004', 'revoked', 'keyCompromise');
        const unspec = await lab.issue('SEP000000000005', 'revoked', null);
        const crl = (await lab.svc.crl('current'))!;
        const text = crlText(crl.der, lab.ca);
        assert.match(text, /Version 2 \(0x1\)/);
        assert.match(
          text,
          spec.type === 'rsa'
            ? /Signature Algorithm: sha256WithRSAEncryption/
            : /Signature Algorithm: ecdsa-with-SHA384/,
        );
        assert.match(text, /Last Update: Jan 15 10:00:00 2030 GMT/);
        assert.match(text, /Next Update: Jan 16 10:00:00 2030 GMT/);
        assert.match(text, new RegExp(`X509v3 CRL Number:\\s*\\n\\s*${crl.crlNumber}`));
        const ski = execFileSync('openssl', ['x509', '-noout', '-ext', 'subjectKeyIdentifier'], {
          input: derToPem(lab.ca.der),
          encoding: 'utf8',
        })
          .split('\n')[1]!
          .trim();
        assert.ok(text.includes(ski), `AKI ${ski} in\n${text}`);
        const entry = (r: CertificateRecord) =>
          text.slice(text.indexOf(`Serial Number: ${r.serialHex}`)).split('Serial Number:')[1]!;
        assert.ok(!text.includes(good.serialHex));
        assert.match(entry(sup), /Superseded/);
        assert.match(entry(gone), /Cessation Of Operation/);
        assert.match(entry(key), /Key Compromise/);
        assert.doesNotMatch(entry(unspec), /CRL Reason Code/);
        assert.match(entry(sup), /Revocation Date: Jan 14 09:08:07 2030 GMT/);
        assert.equal(crl.entries, 4);
      },
    );

    test('OCSP: good, revoked (time and reason), unknown; thisUpdate/nextUpdate; nonce echoed', async () => {
      const lab = await makeLab(spec);
      const good = await lab.issue('SEP000000000011');
      const rev = await lab.issue('SEP000000000012', 'revoked', 'cessationOfOperation');
      const out = await ocspStatus(lab, good, (r) => lab.svc.ocsp(r));
      assert.match(out, /Cert Status: good/);
      assert.match(out, /This Update: Jan 15 10:00:00 2030 GMT/);
      assert.match(out, /Next Update: Jan 15 10:30:00 2030 GMT/);
      assert.match(out, /OCSP Nonce:/);
      const r2 = await ocspStatus(lab, rev, (r) => lab.svc.ocsp(r));
      assert.match(r2, /Cert Status: revoked/);
      assert.match(r2, /Revocation Time: Jan 14 09:08:07 2030 GMT/);
      assert.match(r2, /Revocation Reason: cessationOfOperation \(0x5\)/);
      lab.records.delete(good.serialHex);
      assert.match(await ocspStatus(lab, good, (r) => lab.svc.ocsp(r)), /Cert Status: unknown/);
    });
  });
}

test('regenerated only when revocations change or the CRL is due; CRL numbers increase', async () => {
  const lab = await makeLab({ type: 'ec', curve: 'P-256' });
  const a = await lab.issue('SEP000000000021');
  const first = (await lab.svc.crl('current'))!;
  assert.equal((await lab.svc.crl('current'))!.crlNumber, first.crlNumber, 'nothing changed: same CRL');
  await lab.svc.revoke(a.serialHex, 'keyCompromise', { name: 't', source: 't' });
  const second = (await lab.svc.crl('current'))!;
  assert.ok(second.crlNumber > first.crlNumber);
  assert.equal(second.entries, 1);
  lab.clock.advanceMs(61 * 60_000);
  const third = (await lab.svc.crl('current'))!;
  assert.ok(third.crlNumber > second.crlNumber, 'due after crlRefreshMinutes');
  assert.equal(third.thisUpdate.toISOString(), '2030-01-15T11:01:00.000Z');
});

test('entries stay until one CRL after the certificate expired, then leave', async () => {
  const lab = await makeLab({ type: 'ec', curve: 'P-256' });
  const short = await lab.issue('SEP000000000031', 'revoked', 'superseded', 1); // expired 2 days ago
  const recent = await lab.issue('SEP000000000032', 'revoked', 'superseded');
  const crl = (await lab.svc.crl('current'))!;
  assert.equal(crl.entries, 1);
  const text = crlText(crl.der, lab.ca);
  assert.ok(text.includes(recent.serialHex) && !text.includes(short.serialHex));
});

test('reason strings map to RFC 5280 codes; unknown ones are unspecified', () => {
  assert.equal(reasonCode('superseded'), 4);
  assert.equal(reasonCode('cessationOfOperation (phone removed)'), 5);
  assert.equal(reasonCode('keyCompromise'), 1);
  assert.equal(reasonCode('whatever'), 0);
  assert.equal(reasonCode(null), 0);
});
