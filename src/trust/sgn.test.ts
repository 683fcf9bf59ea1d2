import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { certHash, decodeSgn, deviceCertHash, sgnFileName, signSgn, unwrapSgn, verifySgn } from './sgn.ts';
import { FIXTURE_NOW, trustFixtures } from './test-fixtures.ts';

const xml = Buffer.from('<?xml version="1.0"?>\n<device><fullConfig>true</fullConfig></device>\n');

test('.sgn = VERSION 1.0 header without SIGNER_VERSION + the original bytes; verify and unwrap', async () => {
  const f = await trustFixtures();
  for (const hash of ['sha1', 'sha512'] as const) {
    const name = sgnFileName('SEP001122334455.cnf.xml');
    const sgn = signSgn({ payload: xml, fileName: name, signer: f.callManager, now: FIXTURE_NOW, hash });
    const d = decodeSgn(sgn);
    assert.deepEqual(d.header.version, { major: 1, minor: 0 });
    assert.equal(d.header.signerVersion, undefined);
    assert.equal(d.header.fileName, 'SEP001122334455.cnf.xml.sgn');
    assert.equal(d.header.headerLength % 4, 0);
    assert.ok(d.payload.equals(xml));
    assert.ok(unwrapSgn(sgn).equals(xml));
    const v = verifySgn(sgn, [f.itlRecovery.certificate, f.callManager.certificate]);
    assert.equal(v.signer.sha1, f.callManager.certificate.sha1);
    assert.ok(v.payload.equals(xml));
  }
});

test('.sgn verification: unknown signer, tampered payload, tampered header', async () => {
  const f = await trustFixtures();
  const sgn = signSgn({ payload: xml, fileName: 'x.sgn', signer: f.callManager, now: FIXTURE_NOW });
  assert.throws(() => verifySgn(sgn, [f.itlRecovery.certificate]), { code: 'ERR_TRUST_NO_SIGNER' });
  const t = Buffer.from(sgn);
  t[t.length - 3] = t[t.length - 3]! ^ 0x20;
  assert.throws(() => verifySgn(t, [f.callManager.certificate]), { code: 'ERR_TRUST_BAD_SIGNATURE' });
  const h = Buffer.from(sgn);
  const fnOffset = decodeSgn(sgn).header.elements.find((e) => e.tag === 14)!.offset;
  h[fnOffset + 3] = h[fnOffset + 3]! ^ 1;
  assert.throws(() => verifySgn(h, [f.callManager.certificate]), { code: 'ERR_TRUST_BAD_SIGNATURE' });
  assert.throws(() => decodeSgn(Buffer.alloc(17 * 1024 * 1024)), { code: 'ERR_CODEC_TOO_LARGE' });
});

test('certhash: base64 SHA-1 / SHA-512 of the DER (§12); <certHash>: hex MD5 (§11.2)', async () => {
  const f = await trustFixtures();
  const der = f.phone.certificate.der;
  assert.equal(certHash(der), Buffer.from(f.phone.certificate.sha1, 'hex').toString('base64'));
  assert.equal(Buffer.from(certHash(der, 'sha512'), 'base64').length, 64);
  assert.equal(deviceCertHash(der), createHash('md5').update(der).digest('hex'));
  assert.match(deviceCertHash(der), /^[0-9a-f]{32}$/);
});
