import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { generateKeyPair, spkiDer, type KeySpec } from './keys.ts';
import { createIssuer, createSelfSignedIdentity, issueLsc, subjectAttributes } from './profiles.ts';
import { createLscTemplate } from './lsc-issuer.ts';
import { derToPem, parseCertificate } from './certificate-info.ts';

const template = {
  organization: 'Example Org',
  organizationalUnit: 'Phones',
  locality: 'Wellington',
  state: 'WGN',
  country: 'NZ',
};

/** Lines of `openssl x509 -text` that differ between two certificates: serial, validity, key and signature bytes. */
const VOLATILE_LINE = new RegExp(
  [
    /Serial Number|Not Before|Not After/.source,
    /^\s+[0-9a-f]{2}(:[0-9a-f]{2})+:?$/.source,
    /Signature Value/.source,
    /^\s+[0-9A-F]{2}(:[0-9A-F]{2}){19}$/.source,
  ].join('|'),
);

/** openssl's view of the fields that must not differ between the fast path and the reference profile. */
function opensslFields(der: Buffer, dir: string): string {
  const f = join(dir, `c-${Math.random()}.pem`);
  writeFileSync(f, derToPem(der));
  const text = execFileSync('openssl', ['x509', '-in', f, '-noout', '-text', '-nameopt', 'RFC2253']).toString();
  return text
    .split('\n')
    .filter((l) => !VOLATILE_LINE.test(l))
    .join('\n');
}

for (const caSpec of [
  { type: 'rsa', bits: 2048 },
  { type: 'ec', curve: 'P-384' },
] as KeySpec[]) {
  test(`fast LSC template equals the reference profile (CA ${caSpec.type}), passes openssl verify`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lsc-'));
    const caKeys = await generateKeyPair(caSpec);
    const ca = await createSelfSignedIdentity({
      role: 'capf',
      subject: subjectAttributes('CAPF-0a1b2c3d', template),
      keys: caKeys,
      validityDays: 1825,
      now: new Date(),
    });
    writeFileSync(join(dir, 'ca.pem'), derToPem(ca.der));
    const reference = await createIssuer(ca, caKeys.privateKey);
    const fast = createLscTemplate(ca, caKeys.privateKey, {
      crlDistributionPointUrl: 'http://capf.example/crl/capf.crl',
      ocspUrl: 'http://capf.example/ocsp',
    });
    for (const spec of [
      { type: 'rsa', bits: 2048 },
      { type: 'ec', curve: 'P-256' },
    ] as KeySpec[]) {
      const phone = await generateKeyPair(spec);
      const now = new Date();
      const a = await fast.issue({
        deviceName: 'SEP001122334455',
        publicKeySpki: spkiDer(phone.publicKey),
        validityDays: 1825,
        now,
      });
      const b = await issueLsc(reference, {
        deviceName: 'SEP001122334455',
        publicKeySpki: spkiDer(phone.publicKey),
        validityDays: 1825,
        now,
        crlDistributionPointUrl: 'http://capf.example/crl/capf.crl',
        ocspUrl: 'http://capf.example/ocsp',
      });
      assert.equal(opensslFields(a.der, dir), opensslFields(b.der, dir));
      const info = parseCertificate(a.der);
      assert.equal(info.serialHex, a.serialHex);
      assert.equal(info.subjectDn, a.subjectDn);
      assert.equal(info.issuerDn, a.issuerDn);
      assert.equal(info.notAfter.getTime(), a.notAfter.getTime());
      assert.equal(info.notBefore.getTime(), a.notBefore.getTime());
      assert.ok(new X509Certificate(a.der).verify(new X509Certificate(ca.der).publicKey));
      const leaf = join(dir, 'leaf.pem');
      writeFileSync(leaf, derToPem(a.der));
      assert.match(execFileSync('openssl', ['verify', '-CAfile', join(dir, 'ca.pem'), leaf]).toString(), /OK/);
    }
  });
}

test('fast template refuses garbage keys, bad validity and an expired CAPF certificate', async () => {
  const caKeys = await generateKeyPair({ type: 'ec', curve: 'P-256' });
  const ca = await createSelfSignedIdentity({
    role: 'capf',
    subject: subjectAttributes('CAPF-1', template),
    keys: caKeys,
    validityDays: 1,
    now: new Date('2020-01-01T00:00:00Z'),
  });
  const t = createLscTemplate(ca, caKeys.privateKey);
  const phone = await generateKeyPair({ type: 'ec', curve: 'P-256' });
  await assert.rejects(
    t.issue({
      deviceName: 'SEP001122334455',
      publicKeySpki: Buffer.from([0x30, 0x03, 0x01, 0x01, 0x00]),
      validityDays: 1,
      now: new Date('2020-01-01T06:00:00Z'),
    }),
    { code: 'ERR_PKI_BAD_KEY' },
  );
  await assert.rejects(
    t.issue({
      deviceName: 'SEP001122334455',
      publicKeySpki: spkiDer(phone.publicKey),
      validityDays: 0,
      now: new Date('2020-01-01T06:00:00Z'),
    }),
    { code: 'ERR_BAD_REQUEST' },
  );
  await assert.rejects(
    t.issue({
      deviceName: 'SEP001122334455',
      publicKeySpki: spkiDer(phone.publicKey),
      validityDays: 10,
      now: new Date(),
    }),
    { code: 'ERR_PKI_CA_EXPIRED' },
  );
});
