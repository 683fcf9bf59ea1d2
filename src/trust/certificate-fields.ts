// Owns turning an X.509 certificate into .tlv field values (names, serial, public key, signature) and back into a key.

import { createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { formatDnCucm, spkiDer, subjectPublicKeyBits, type CertificateInfo, type NameAttribute } from '../pki/index.ts';
import { AppError } from '../shared/errors.ts';

/** How subject/issuer strings are written (tlv-files.md §6). */
export type NameStyle = 'cucm' | 'tlvfile';

/** §6 CUCM rule: fixed order CN;OU;O;L;ST;C, other attribute types dropped (dropping is UNCERTAIN). */
const CUCM_NAME_ORDER = ['CN', 'OU', 'O', 'L', 'ST', 'C'] as const;

export function trustListName(attrs: readonly NameAttribute[], style: NameStyle): string {
  if (style === 'tlvfile') return attrs.map((a) => `${a.type}=${a.value}`).join(',');
  const ordered = CUCM_NAME_ORDER.flatMap((t) => attrs.filter((a) => a.type === t));
  return formatDnCucm(ordered.length ? ordered : attrs);
}

/** §6: minimal unsigned big-endian magnitude (no 0x00 sign byte). */
export function serialBytes(serialHex: string): Buffer {
  const hex = serialHex.replace(/[^0-9a-fA-F]/g, '').replace(/^(00)+(?=..)/, '');
  return Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
}

/** Compares two serials as integers (§6: CUCM may or may not add a sign byte). */
export function serialsEqual(a: Uint8Array, b: Uint8Array): boolean {
  const strip = (x: Uint8Array): Buffer => {
    let i = 0;
    while (i < x.length - 1 && x[i] === 0) i++;
    return Buffer.from(x.subarray(i));
  };
  return strip(a).equals(strip(b));
}

/** §4 tag 7: RSA -> PKCS#1 RSAPublicKey DER; EC -> uncompressed point 04||X||Y. */
export function publicKeyField(cert: CertificateInfo): Buffer {
  return publicKeyFieldOf(certificatePublicKey(cert.der));
}

export function publicKeyFieldOf(key: KeyObject): Buffer {
  if (key.asymmetricKeyType === 'rsa') return key.export({ format: 'der', type: 'pkcs1' });
  if (key.asymmetricKeyType === 'ec') return Buffer.from(subjectPublicKeyBits(spkiDer(key)));
  throw new AppError(
    'ERR_PKI_BAD_KEY',
    `a ${key.asymmetricKeyType ?? 'unknown'} key cannot be written into a .tlv record`,
  );
}

const EC_POINT_CURVES: Readonly<Record<number, { crv: string; size: number }>> = {
  65: { crv: 'P-256', size: 32 },
  97: { crv: 'P-384', size: 48 },
  133: { crv: 'P-521', size: 66 },
};

/** The public key of a certificate DER. */
export function certificatePublicKey(der: Uint8Array): KeyObject {
  try {
    return new X509Certificate(Buffer.from(der)).publicKey;
  } catch (e) {
    throw new AppError('ERR_PKI_BAD_CERT', 'certificate cannot be parsed', undefined, { cause: e });
  }
}

/** Inverse of publicKeyFieldOf; undefined when the bytes are neither form. Never throws. */
export function keyFromPublicKeyField(value: Uint8Array): KeyObject | undefined {
  try {
    if (value[0] === 0x30) return createPublicKey({ key: Buffer.from(value), format: 'der', type: 'pkcs1' });
    const curve = EC_POINT_CURVES[value.length];
    if (value[0] === 0x04 && curve) {
      const x = Buffer.from(value.subarray(1, 1 + curve.size)).toString('base64url');
      const y = Buffer.from(value.subarray(1 + curve.size)).toString('base64url');
      return createPublicKey({ key: { kty: 'EC', crv: curve.crv, x, y }, format: 'jwk' });
    }
  } catch {
    return undefined; // not a key: the caller reports why the record cannot be used
  }
  return undefined;
}

/** Reads one DER TLV header at `p`; returns [contentStart, contentLength]. */
function derHeader(der: Uint8Array, p: number): [number, number] {
  let q = p + 1;
  const first = der[q++];
  if (first === undefined) throw new AppError('ERR_PKI_BAD_CERT', 'certificate DER truncated');
  if (first < 0x80) return [q, first];
  const n = first & 0x7f;
  if (n === 0 || n > 4) throw new AppError('ERR_PKI_BAD_CERT', 'certificate DER length form unsupported');
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + (der[q++] ?? 0);
  return [q, len];
}

/** §4 tag 8: the certificate's signatureValue BIT STRING contents (RSA: raw; ECDSA: DER SEQUENCE{r,s}). */
export function certificateSignatureValue(der: Uint8Array): Buffer {
  const [outerStart] = derHeader(der, 0);
  const [tbsStart, tbsLen] = derHeader(der, outerStart);
  const algAt = tbsStart + tbsLen;
  const [algStart, algLen] = derHeader(der, algAt);
  const bitAt = algStart + algLen;
  if (der[bitAt] !== 0x03) throw new AppError('ERR_PKI_BAD_CERT', 'certificate signatureValue is not a BIT STRING');
  const [bitStart, bitLen] = derHeader(der, bitAt);
  return Buffer.from(der.subarray(bitStart + 1, bitStart + bitLen));
}
