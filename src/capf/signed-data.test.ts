// Tests of the CAPF certificate-mode signatures: raw RSA private encrypt, lenient verification, ECDSA, SUDI.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  X509Certificate,
  constants,
  createHash,
  generateKeyPairSync,
  privateEncrypt,
  publicDecrypt,
  sign,
} from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { AppError } from '../shared/errors.ts';
import { hexToBytes } from '../shared/bytes.ts';
import {
  authData,
  signAuthData,
  signCertificateAuth,
  signSudiData,
  sudiAuthData,
  verifyAuthData,
  verifyCertificateAuth,
  verifySudiData,
} from './signed-data.ts';
import type { CapfHash } from './signed-data.ts';
import { decodeMessage } from './codec.ts';
import { CAPF_VECTORS, LSC_DER } from '../../test/vectors/capf-vectors.ts';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsaOther = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const ecOther = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const DER = hexToBytes(LSC_DER);
const DATA = authData('SEP001122334455', DER);
const HASHES: CapfHash[] = ['sha1', 'sha512'];

/** Raw RSA private operation on a k-byte block (no padding added). */
function rawPrivate(key: KeyObject, em: Uint8Array): Buffer {
  return privateEncrypt({ key, padding: constants.RSA_NO_PADDING }, em);
}

describe('authData / sudiAuthData', () => {
  it('authData = device name || 00 || DER (§5.4 example)', () => {
    assert.equal(DATA.subarray(0, 20).toString('hex'), '5345503030313132323333343435350030820176');
    assert.equal(DATA.length, 15 + 1 + DER.length);
  });

  it('sudiAuthData puts the session id little-endian (§5.5)', () => {
    assert.equal(sudiAuthData(12, DER).subarray(0, 6).toString('hex'), '0c0000003082');
    assert.equal(sudiAuthData(0x01020304, Buffer.of(0xaa)).toString('hex'), '04030201aa');
    assert.equal(sudiAuthData(0xffffffff, Buffer.alloc(0)).toString('hex'), 'ffffffff');
    assert.throws(() => sudiAuthData(2 ** 32, DER), RangeError);
  });
});

describe('RSA raw private encrypt (§5.4)', () => {
  for (const hash of HASHES) {
    it(`${hash}: signs and verifies; prefix well formed`, () => {
      const sig = signAuthData(rsa.privateKey, DATA, hash);
      assert.equal(sig.length, 256);
      assert.deepStrictEqual(verifyAuthData(rsa.publicKey, DATA, sig, hash), { ok: true, prefixWellFormed: true });
    });

    it(`${hash}: equals privateEncrypt(PKCS1 padding) over the bare digest, and is not RSASSA-PKCS1-v1_5`, () => {
      const digest = createHash(hash).update(DATA).digest();
      const sig = signAuthData(rsa.privateKey, DATA, hash);
      assert.deepStrictEqual(
        sig,
        privateEncrypt({ key: rsa.privateKey, padding: constants.RSA_PKCS1_PADDING }, digest),
      );
      assert.notDeepStrictEqual(sig, sign(hash, DATA, rsa.privateKey));
      const em = publicDecrypt({ key: rsa.publicKey, padding: constants.RSA_NO_PADDING }, sig);
      const expected = Buffer.concat([
        Buffer.of(0, 1),
        Buffer.alloc(256 - 3 - digest.length, 0xff),
        Buffer.of(0),
        digest,
      ]);
      assert.deepStrictEqual(em, expected);
    });

    it(`${hash}: tampered data, tampered signature and another key fail`, () => {
      const sig = signAuthData(rsa.privateKey, DATA, hash);
      const tampered = Buffer.from(DATA);
      tampered[3] = tampered[3]! ^ 1;
      assert.equal(verifyAuthData(rsa.publicKey, tampered, sig, hash).ok, false);
      const badSig = Buffer.from(sig);
      badSig[100] = badSig[100]! ^ 0x40;
      assert.equal(verifyAuthData(rsa.publicKey, DATA, badSig, hash).ok, false);
      assert.equal(verifyAuthData(rsaOther.publicKey, DATA, sig, hash).ok, false);
      assert.equal(verifyAuthData(rsa.publicKey, DATA, signAuthData(rsaOther.privateKey, DATA, hash), hash).ok, false);
    });

    it(`${hash}: capfd's lenient rule accepts a malformed prefix and reports it`, () => {
      const digest = createHash(hash).update(DATA).digest();
      const prefixes = [
        Buffer.concat([Buffer.of(0, 2), Buffer.alloc(256 - 3 - digest.length, 0x5a), Buffer.of(0)]), // type 2 padding
        Buffer.concat([Buffer.of(0, 1), Buffer.alloc(256 - 3 - digest.length, 0xff), Buffer.of(1)]), // wrong separator
        Buffer.alloc(256 - digest.length), // no padding at all
      ];
      for (const prefix of prefixes) {
        const sig = rawPrivate(rsa.privateKey, Buffer.concat([prefix, digest]));
        assert.deepStrictEqual(verifyAuthData(rsa.publicKey, DATA, sig, hash), { ok: true, prefixWellFormed: false });
      }
    });
  }

  it('rejects signatures longer than the modulus or not below it, without throwing', () => {
    const sig = signAuthData(rsa.privateKey, DATA, 'sha1');
    assert.deepStrictEqual(
      verifyAuthData(rsa.publicKey, DATA, Buffer.concat([Buffer.of(0), sig]).subarray(0, 257), 'sha1').ok,
      false,
    );
    assert.equal(verifyAuthData(rsa.publicKey, DATA, Buffer.concat([sig, Buffer.of(0)]), 'sha1').ok, false);
    assert.equal(verifyAuthData(rsa.publicKey, DATA, Buffer.alloc(256, 0xff), 'sha1').ok, false);
    assert.equal(verifyAuthData(rsa.publicKey, DATA, Buffer.alloc(0), 'sha1').ok, false);
  });

  it('accepts a signature given with its leading zero bytes dropped (read as an integer, as capfd does)', () => {
    const digest = createHash('sha1').update(DATA).digest();
    // find a well-formed-tail block whose signature starts with 00 by varying the (ignored) prefix
    for (let i = 0; i < 2000; i++) {
      const prefix = Buffer.alloc(256 - digest.length);
      prefix.writeUInt16BE(i, 10);
      const sig = rawPrivate(rsa.privateKey, Buffer.concat([prefix, digest]));
      if (sig[0] !== 0) continue;
      assert.equal(verifyAuthData(rsa.publicKey, DATA, sig.subarray(1), 'sha1').ok, true);
      return;
    }
    assert.fail('no signature with a leading zero byte found');
  });

  it('accepts a private KeyObject for verification', () => {
    const sig = signAuthData(rsa.privateKey, DATA, 'sha512');
    assert.equal(verifyAuthData(rsa.privateKey, DATA, sig, 'sha512').ok, true);
  });
});

describe('ECDSA (§5.4)', () => {
  for (const hash of HASHES) {
    it(`${hash}: DER signature verifies; tampering and another key fail`, () => {
      const sig = signAuthData(ec.privateKey, DATA, hash);
      assert.equal(sig[0], 0x30);
      assert.deepStrictEqual(verifyAuthData(ec.publicKey, DATA, sig, hash), { ok: true });
      assert.equal(verifyAuthData(ec.publicKey, Buffer.concat([DATA, Buffer.of(0)]), sig, hash).ok, false);
      assert.equal(verifyAuthData(ecOther.publicKey, DATA, sig, hash).ok, false);
      assert.equal(verifyAuthData(ec.publicKey, DATA, signAuthData(ecOther.privateKey, DATA, hash), hash).ok, false);
      assert.equal(verifyAuthData(ec.publicKey, DATA, sig, hash === 'sha1' ? 'sha512' : 'sha1').ok, false);
    });
  }

  it('garbage or raw r||s signatures give ok=false, not an exception', () => {
    assert.equal(verifyAuthData(ec.publicKey, DATA, Buffer.alloc(64, 7), 'sha1').ok, false);
    assert.equal(verifyAuthData(ec.publicKey, DATA, Buffer.alloc(0), 'sha1').ok, false);
  });

  it('refuses key types other than RSA and EC', () => {
    const ed = generateKeyPairSync('ed25519');
    assert.throws(
      () => signAuthData(ed.privateKey, DATA, 'sha1'),
      (e: unknown) => e instanceof AppError && e.code === 'ERR_PKI_BAD_KEY',
    );
    assert.throws(() => verifyAuthData(ed.publicKey, DATA, Buffer.alloc(64), 'sha1'), AppError);
  });
});

describe('certificate auth and SUDI helpers', () => {
  for (const [label, pair, other] of [
    ['RSA', rsa, rsaOther],
    ['EC', ec, ecOther],
  ] as const) {
    it(`${label}: signCertificateAuth / verifyCertificateAuth`, () => {
      const s = signCertificateAuth(pair.privateKey, 'SEP001122334455', DER);
      assert.equal(
        verifyCertificateAuth(pair.publicKey, 'SEP001122334455', DER, s.signedData, s.sha2Signature).ok,
        true,
      );
      assert.equal(
        verifyCertificateAuth(pair.publicKey, 'SEP001122334456', DER, s.signedData, s.sha2Signature).ok,
        false,
      );
      const swapped = verifyCertificateAuth(pair.publicKey, 'SEP001122334455', DER, s.sha2Signature, s.signedData);
      assert.equal(swapped.ok, false);
      assert.equal(
        verifyCertificateAuth(other.publicKey, 'SEP001122334455', DER, s.signedData, s.sha2Signature).ok,
        false,
      );
    });

    it(`${label}: SUDI signatures cover the little-endian session id`, () => {
      const sudi = signSudiData(pair.privateKey, 12, DER);
      assert.deepStrictEqual(sudi.certDer, DER);
      assert.equal(verifySudiData(pair.publicKey, 12, sudi).ok, true);
      assert.equal(verifySudiData(pair.publicKey, 13, sudi).ok, false);
      assert.equal(verifySudiData(other.publicKey, 12, sudi).ok, false);
      // the same bytes big-endian would be a different message
      const be = Buffer.concat([hexToBytes('00 00 00 0c'), DER]);
      assert.equal(verifyAuthData(pair.publicKey, be, sudi.sigSha1, 'sha1').ok, false);
      assert.equal(verifyAuthData(pair.publicKey, sudiAuthData(12, DER), sudi.sigSha1, 'sha1').ok, true);
    });
  }

  it('the certificate-mode vector verifies with its certificate key', () => {
    const v = CAPF_VECTORS.find((x) => x.decoded.sessionId === 12 && x.decoded.command === 2);
    assert.ok(v);
    const m = decodeMessage(hexToBytes(v.hex));
    const e = m.elements;
    assert.ok(e.certificate && e.signedData && e.sha2SignedData && e.sudiData && e.deviceName !== undefined);
    const key = new X509Certificate(e.certificate.der).publicKey;
    assert.equal(
      verifyCertificateAuth(key, e.deviceName, e.certificate.der, e.signedData, e.sha2SignedData.signature).ok,
      true,
    );
    assert.equal(verifySudiData(new X509Certificate(e.sudiData.certDer).publicKey, m.sessionId, e.sudiData).ok, true);
  });
});
