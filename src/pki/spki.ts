// Owns reading a phone's SubjectPublicKeyInfo (CAPF PUBLIC_KEY element) without OpenSSL's decoder:
// strict DER, RSA or EC on the curves CAPF can ask for. Used on the enrollment hot path; the result
// is cross-checked against node:crypto in tests.
//
// SubjectPublicKeyInfo ::= SEQUENCE { algorithm SEQUENCE { OID, params }, subjectPublicKey BIT STRING }
//   RSA: params NULL, key = SEQUENCE { INTEGER n, INTEGER e }
//   EC:  params OID namedCurve, key = ECPoint (04 X Y, or 02/03 X)

import { AppError } from '../shared/errors.ts';
import { children, oid, readNode, type DerNode } from './der.ts';
import type { EcCurve } from './keys.ts';

export type SpkiInfo = { type: 'rsa'; bits: number } | { type: 'ec'; curve: EcCurve };

const RSA_OID = oid('1.2.840.113549.1.1.1').toString('hex');
const EC_OID = oid('1.2.840.10045.2.1').toString('hex');
/** NIST curves y^2 = x^3 - 3x + b (mod p), FIPS 186-4 D.1.2. */
const CURVES: Record<string, { curve: EcCurve; coordBytes: number; p: bigint; b: bigint }> = {
  [oid('1.2.840.10045.3.1.7').toString('hex')]: {
    curve: 'P-256',
    coordBytes: 32,
    p: 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn,
    b: 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn,
  },
  [oid('1.3.132.0.34').toString('hex')]: {
    curve: 'P-384',
    coordBytes: 48,
    p: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffffn,
    b: 0xb3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aefn,
  },
  [oid('1.3.132.0.35').toString('hex')]: {
    curve: 'P-521',
    coordBytes: 66,
    p: (1n << 521n) - 1n,
    b: BigInt(
      '0x0051953eb9618e1c9a1f929a21a0b68540eea2da725b99b315f3b8b489918ef1' +
        '09e156193951ec7e937b1652c0bd3bb1bf073573df883d2c34f1ef451fd46b503f00',
    ),
  },
};

function onCurve(c: { p: bigint; b: bigint }, x: bigint, y: bigint): boolean {
  if (x >= c.p || y >= c.p) return false;
  const rhs = (((x * x) % c.p) * x - 3n * x + c.b) % c.p;
  return (y * y) % c.p === ((rhs % c.p) + c.p) % c.p;
}

const big = (b: Uint8Array) => BigInt(`0x${Buffer.from(b).toString('hex') || '0'}`);

function bad(why: string): never {
  throw new AppError('ERR_PKI_BAD_KEY', `public key is not an acceptable SubjectPublicKeyInfo: ${why}`);
}

function hexOf(buf: Uint8Array, n: DerNode): string {
  return Buffer.from(buf.buffer, buf.byteOffset + n.start, n.end - n.start).toString('hex');
}

/** Positive INTEGER magnitude (minimal DER) → its bit length. */
function positiveIntegerBits(buf: Uint8Array, n: DerNode): number {
  if (n.tag !== 0x02) bad('expected INTEGER');
  const len = n.end - n.contentStart;
  if (len === 0) bad('empty INTEGER');
  const first = buf[n.contentStart]!;
  if (first & 0x80) bad('negative INTEGER');
  if (first === 0 && len > 1 && !(buf[n.contentStart + 1]! & 0x80)) bad('non-minimal INTEGER');
  let i = n.contentStart;
  while (i < n.end && buf[i] === 0) i++;
  if (i === n.end) bad('zero INTEGER');
  return (n.end - i - 1) * 8 + (32 - Math.clz32(buf[i]!));
}

export function parseSpki(spki: Uint8Array): SpkiInfo {
  let root: DerNode;
  try {
    root = readNode(spki, 0);
    if (root.tag !== 0x30 || root.end !== spki.length) bad('not one SEQUENCE spanning the element');
    const [alg, key, ...rest] = children(spki, root);
    if (!alg || !key || rest.length || alg.tag !== 0x30 || key.tag !== 0x03)
      bad('expected SEQUENCE { AlgorithmIdentifier, BIT STRING }');
    const [algOid, params, ...more] = children(spki, alg);
    if (algOid?.tag !== 0x06 || more.length) bad('malformed AlgorithmIdentifier');
    if (key.end - key.contentStart < 2 || spki[key.contentStart] !== 0) bad('BIT STRING must have 0 unused bits');
    const keyStart = key.contentStart + 1;
    const algHex = hexOf(spki, algOid);
    if (algHex === RSA_OID) {
      if (params && !(params.tag === 0x05 && params.end === params.contentStart)) bad('RSA parameters must be NULL');
      const rsa = readNode(spki, keyStart, key.end);
      if (rsa.tag !== 0x30 || rsa.end !== key.end) bad('RSAPublicKey must fill the BIT STRING');
      const [n, e, ...extra] = children(spki, rsa);
      if (!n || !e || extra.length) bad('RSAPublicKey must be SEQUENCE { n, e }');
      const bits = positiveIntegerBits(spki, n);
      const eBits = positiveIntegerBits(spki, e);
      if (eBits < 2 || eBits > 32 || !(spki[e.end - 1]! & 1)) bad('RSA public exponent must be odd and at least 3');
      return { type: 'rsa', bits };
    }
    if (algHex === EC_OID) {
      if (params?.tag !== 0x06) bad('EC parameters must name a curve');
      const c = CURVES[hexOf(spki, params)];
      if (!c) bad('unsupported EC curve (P-256, P-384, P-521 only)');
      const pointLen = key.end - keyStart;
      if (spki[keyStart] !== 0x04) bad('only uncompressed EC points (04 X Y) are accepted');
      if (pointLen !== 1 + 2 * c.coordBytes) bad(`EC point has the wrong length for ${c.curve}`);
      const x = big(spki.subarray(keyStart + 1, keyStart + 1 + c.coordBytes));
      const y = big(spki.subarray(keyStart + 1 + c.coordBytes, key.end));
      if (!onCurve(c, x, y)) bad(`EC point is not on ${c.curve}`);
      return { type: 'ec', curve: c.curve };
    }
    return bad('only RSA and EC keys are accepted');
  } catch (e) {
    if (e instanceof AppError) throw e;
    return bad((e as Error).message);
  }
}
