import { test } from 'node:test';
import assert from 'node:assert/strict';
import { x509 } from './crypto-provider.ts';
import { generateKeyPair, toCryptoKeyPair } from './keys.ts';
import { createSelfSignedIdentity, subjectAttributes, type IdentityRole } from './profiles.ts';
import { describeIdentityProblems, identityProblems } from './identity-requirements.ts';

const RSA = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as const;

/** A self-signed RSA certificate with exactly the extensions given. */
async function cert(extensions: x509.Extension[]): Promise<Uint8Array> {
  const keys = await toCryptoKeyPair(await generateKeyPair({ type: 'rsa', bits: 2048 }));
  const c = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=test',
    notBefore: new Date(),
    notAfter: new Date(Date.now() + 864e5),
    keys,
    signingAlgorithm: RSA,
    extensions,
  });
  return new Uint8Array(c.rawData);
}

const KU = x509.KeyUsageFlags;
const missing = (role: IdentityRole, der: Uint8Array) => identityProblems(role, der).map((p) => p.missing);

test('the certificates OpenCAPF generates meet every requirement (RSA and EC)', async () => {
  for (const role of ['capf', 'itlrecovery', 'tftp', 'tvs'] as const)
    for (const spec of [{ type: 'rsa', bits: 2048 } as const, { type: 'ec', curve: 'P-256' } as const]) {
      const c = await createSelfSignedIdentity({
        role,
        subject: subjectAttributes(`${role}-test`, {}),
        keys: await generateKeyPair(spec),
        validityDays: 30,
        now: new Date(),
      });
      assert.deepEqual(identityProblems(role, c.der), [], `${role} ${spec.type}`);
    }
});

test('a CAPF certificate without CA:TRUE pathlen:0, keyCertSign, cRLSign or digitalSignature is named', async () => {
  const noBc = await cert([
    new x509.KeyUsagesExtension(KU.digitalSignature | KU.keyEncipherment | KU.keyCertSign | KU.cRLSign, true),
  ]);
  assert.deepEqual(missing('capf', noBc), ['CA:TRUE']);
  const pathlen2 = await cert([
    new x509.BasicConstraintsExtension(true, 2, true),
    new x509.KeyUsagesExtension(KU.digitalSignature | KU.keyEncipherment | KU.keyCertSign | KU.cRLSign, true),
  ]);
  assert.deepEqual(missing('capf', pathlen2), ['pathlen:0 (has pathlen:2)']);
  const noPathlen = await cert([
    new x509.BasicConstraintsExtension(true, undefined, true),
    new x509.KeyUsagesExtension(KU.digitalSignature | KU.keyEncipherment | KU.keyCertSign | KU.cRLSign, true),
  ]);
  assert.deepEqual(missing('capf', noPathlen), ['pathlen:0 (has no path length)']);
  const noSign = await cert([
    new x509.BasicConstraintsExtension(true, 0, true),
    new x509.KeyUsagesExtension(KU.keyEncipherment, true),
  ]);
  assert.deepEqual(missing('capf', noSign), [
    'Certificate Sign (keyCertSign)',
    'CRL Sign (cRLSign)',
    'Digital Signature (digitalSignature)',
  ]);
  // CUCM wants the Key Usage spelled out on the CAPF certificate: none at all is not "everything allowed".
  const noKu = await cert([new x509.BasicConstraintsExtension(true, 0, true)]);
  assert.equal(missing('capf', noKu).length, 4);
  assert.match(describeIdentityProblems(identityProblems('capf', noSign)), /X509v3 Key Usage: Certificate Sign.*14SU2/);
});

test('TLS servers: keyEncipherment for RSA, serverAuth when an EKU is present; no Key Usage allows all', async () => {
  const noKu = await cert([new x509.BasicConstraintsExtension(false, undefined, true)]);
  assert.deepEqual(missing('tftp', noKu), []);
  assert.deepEqual(missing('itlrecovery', noKu), []);
  const signOnly = await cert([new x509.KeyUsagesExtension(KU.digitalSignature, true)]);
  assert.deepEqual(missing('tvs', signOnly), ['Key Encipherment (keyEncipherment)']);
  assert.deepEqual(missing('itlrecovery', signOnly), [], 'the ITLRecovery key signs files, it serves no TLS');
  const clientOnly = await cert([
    new x509.KeyUsagesExtension(KU.digitalSignature | KU.keyEncipherment, true),
    new x509.ExtendedKeyUsageExtension(['1.3.6.1.5.5.7.3.2']),
  ]);
  assert.deepEqual(missing('tftp', clientOnly), ['TLS Web Server Authentication (serverAuth)']);
  const encOnly = await cert([new x509.KeyUsagesExtension(KU.keyEncipherment, true)]);
  assert.deepEqual(missing('itlrecovery', encOnly), ['Digital Signature (digitalSignature)']);
});
