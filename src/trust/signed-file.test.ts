import { test } from 'node:test';
import assert from 'node:assert/strict';
import { verify as rsaVerify } from 'node:crypto';
import { isAppError } from '../shared/errors.ts';
import { decodeHeader, signedMessageOf } from './tlv-codec.ts';
import { checkSignature, signFile } from './signed-file.ts';
import { buildItl } from './itl.ts';
import { parseTrustList, verifyTrustList } from './trust-list.ts';
import { FIXTURE_NOW, trustFixtures } from './test-fixtures.ts';

test('signed message is the file without the SIGNATURE element; PKCS#1 v1.5 with SHA-1 and SHA-512 (§3)', async () => {
  const f = await trustFixtures();
  for (const hash of ['sha1', 'sha512'] as const) {
    const body = Buffer.from('<device/>');
    const file = signFile(
      { version: { major: 1, minor: 0 }, fileName: 'x.xml.sgn', now: FIXTURE_NOW, hash },
      body,
      f.callManager,
    );
    const h = decodeHeader(file);
    assert.equal(h.hashAlgorithm, hash === 'sha1' ? 1 : 3);
    assert.equal(h.signatureModulus, 2);
    assert.equal(h.signature.length, 256);
    assert.equal(h.timestamp, Math.floor(FIXTURE_NOW.getTime() / 1000));
    const msg = signedMessageOf(file, h);
    assert.equal(msg.length, file.length - 259);
    assert.ok(msg.subarray(msg.length - body.length).equals(body));
    assert.ok(rsaVerify(hash, msg, f.keys.signer.publicKey, h.signature));
    assert.deepEqual(checkSignature(file, h, f.keys.signer.publicKey), { ok: true });
    assert.equal(checkSignature(file, h, f.keys.recovery.publicKey).ok, false);
    assert.equal(checkSignature(file, h, f.keys.ec.publicKey).ok, false);
  }
});

test('signers must be RSA and match their certificate', async () => {
  const f = await trustFixtures();
  const p = { version: { major: 1, minor: 0 }, fileName: 'x', now: FIXTURE_NOW, hash: 'sha1' as const };
  assert.throws(() => signFile(p, Buffer.alloc(0), { certificate: f.tftpEc, privateKey: f.keys.ec.privateKey }), {
    code: 'ERR_PKI_BAD_KEY',
  });
  assert.throws(
    () =>
      signFile(p, Buffer.alloc(0), { certificate: f.callManager.certificate, privateKey: f.keys.recovery.privateKey }),
    { code: 'ERR_PKI_KEY_MISMATCH' },
  );
});

test('changing ANY byte of a signed ITL breaks parsing or verification', async () => {
  const f = await trustFixtures();
  const itl = buildItl({
    members: [{ certificate: f.capf.certificate, roles: ['CAPF'] }],
    signer: f.callManager,
    now: FIXTURE_NOW,
    certificateForm: 'cucm',
  });
  assert.equal(verifyTrustList(parseTrustList(itl)).ok, true);
  let parseErrors = 0;
  let verifyFailures = 0;
  for (let i = 0; i < itl.length; i++) {
    const t = Buffer.from(itl);
    t[i] = t[i]! ^ (0x01 << (i % 8));
    try {
      const v = verifyTrustList(parseTrustList(t));
      assert.equal(v.ok, false, `flipping byte ${i} still verifies`);
      verifyFailures++;
    } catch (e) {
      assert.ok(isAppError(e), `byte ${i}: ${String(e)}`);
      parseErrors++;
    }
  }
  assert.equal(parseErrors + verifyFailures, itl.length);
  assert.ok(verifyFailures > itl.length / 2);
});
