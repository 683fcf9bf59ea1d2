// Fuzzes the OCSP request decoder (hostile input from any HTTP client): it returns a request or throws
// CodecError, nothing else; mutations of a real openssl request stay within the limits.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CodecError } from '../../src/shared/errors.ts';
import { decodeOcspRequest, OCSP_LIMITS, type OcspRequest } from '../../src/revocation/ocsp-codec.ts';

const SEED = 0x6960;

/** A request made by `openssl ocsp -issuer capf.pem -cert lsc.pem -reqout` (SHA-1 CertID, 16-byte nonce). */
const OPENSSL_REQUEST = Buffer.from(
  '30763074304d304b3049300906052b0e03021a0500041461da55e375eb005f2ee1ce6640db39ba8b5219' +
    '7404147f9dd5a3db2f2296500a7516d95141ad4ff5bf17' +
    '02104a5b6c7d8e9f00112233445566778899a2233021301f06092b060105050730010204120410e6a0bec24893549df3e96b246ec25544',
  'hex',
);

function requestOrCodecError(bytes: Uint8Array): OcspRequest | null {
  try {
    const r = decodeOcspRequest(bytes);
    assert.ok(r.certIds.length >= 1 && r.certIds.length <= OCSP_LIMITS.maxRequests);
    for (const c of r.certIds) {
      assert.ok(c.serialHex.length <= OCSP_LIMITS.maxSerialBytes * 2);
      assert.ok(
        c.issuerNameHash.length <= OCSP_LIMITS.maxHashBytes && c.issuerKeyHash.length <= OCSP_LIMITS.maxHashBytes,
      );
      assert.ok(c.raw.length <= bytes.length);
    }
    if (r.nonceExtension) assert.ok(r.nonceExtension.length <= bytes.length);
    return r;
  } catch (e) {
    if (e instanceof CodecError) return null;
    throw new Error(`decoder threw something other than CodecError: ${String(e)}`, { cause: e });
  }
}

test('the fixture decodes (so mutations start from a valid request)', () => {
  const r = requestOrCodecError(OPENSSL_REQUEST);
  assert.ok(r, 'fixture must decode');
  assert.equal(r.certIds[0]!.serialHex, '4A5B6C7D8E9F00112233445566778899');
  assert.equal(r.certIds[0]!.hashAlgorithmOid, '1.3.14.3.2.26');
  assert.ok(r.nonceExtension);
});

test('random bytes: a request or CodecError', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 512 }), (b) => void requestOrCodecError(b)),
    { seed: SEED, numRuns: 5000 },
  );
});

test('random bytes behind a SEQUENCE header: a request or CodecError', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 0, max: 0xffff }), (b, declared) => {
      const head =
        declared < 0x80
          ? [0x30, declared]
          : declared < 0x100
            ? [0x30, 0x81, declared]
            : [0x30, 0x82, declared >> 8, declared & 0xff];
      requestOrCodecError(Buffer.concat([Buffer.from(head), b]));
    }),
    { seed: SEED, numRuns: 5000 },
  );
});

test('mutations of a real request (flip, insert, delete, truncate): a request or CodecError', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.tuple(fc.constantFrom('flip', 'insert', 'delete', 'set'), fc.nat(), fc.integer({ min: 0, max: 255 })),
        { minLength: 1, maxLength: 6 },
      ),
      fc.nat({ max: OPENSSL_REQUEST.length }),
      (ops, cut) => {
        const b = [...OPENSSL_REQUEST];
        for (const [op, at, v] of ops) {
          const i = at % (b.length + 1);
          if (op === 'flip' && b.length) b[i % b.length]! ^= 1 << (v % 8);
          else if (op === 'set' && b.length) b[i % b.length] = v;
          else if (op === 'insert') b.splice(i, 0, v);
          else if (op === 'delete') b.splice(i, 1);
        }
        requestOrCodecError(Buffer.from(b));
        requestOrCodecError(Buffer.from(b.slice(0, cut)));
      },
    ),
    { seed: SEED, numRuns: 10000 },
  );
});

test('every truncation of a valid request is rejected with CodecError', () => {
  for (let i = 0; i < OPENSSL_REQUEST.length; i++) {
    assert.throws(() => decodeOcspRequest(OPENSSL_REQUEST.subarray(0, i)), CodecError, `prefix of ${i} bytes`);
  }
});

test('size, count and encoding limits', () => {
  assert.throws(() => decodeOcspRequest(Buffer.alloc(OCSP_LIMITS.maxRequestBytes + 1, 0x30)), {
    code: 'ERR_CODEC_TOO_LARGE',
  });
  // Indefinite length (BER, not DER).
  assert.throws(() => decodeOcspRequest(Buffer.from('30800000', 'hex')), { code: 'ERR_CODEC_BAD_ELEMENT' });
  // Non-minimal length: 0x81 0x05.
  assert.throws(() => decodeOcspRequest(Buffer.from('3081050000000000', 'hex')), CodecError);
  // Length of length beyond 3 bytes.
  assert.throws(() => decodeOcspRequest(Buffer.from('3084000000050000000000', 'hex')), { code: 'ERR_CODEC_TOO_LARGE' });
  // Trailing garbage after the request.
  assert.throws(() => decodeOcspRequest(Buffer.concat([OPENSSL_REQUEST, Buffer.from([0])])), CodecError);
  // 33 CertIDs: over maxRequests.
  const certId = OPENSSL_REQUEST.subarray(8, 8 + 2 + 0x4b); // one Request (SEQUENCE of 0x4b bytes)
  const many = Buffer.concat(Array.from({ length: OCSP_LIMITS.maxRequests + 1 }, () => certId));
  const list = Buffer.concat([Buffer.from([0x30, 0x82, many.length >> 8, many.length & 0xff]), many]);
  const tbs = Buffer.concat([Buffer.from([0x30, 0x82, list.length >> 8, list.length & 0xff]), list]);
  const req = Buffer.concat([Buffer.from([0x30, 0x82, tbs.length >> 8, tbs.length & 0xff]), tbs]);
  assert.throws(() => decodeOcspRequest(req), { code: 'ERR_CODEC_TOO_LARGE' });
});
