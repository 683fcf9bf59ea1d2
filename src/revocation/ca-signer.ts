// Owns what signing a CRL or an OCSP response needs from a CAPF CA certificate and its key: the raw
// subject Name, the key identifier (for AKI and OCSP ResponderID byKey), CertID hashes, and the signature.

import { createHash, createPublicKey, sign as signCb, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { children, NULL, oid, readNode, seq } from '../pki/der.ts';
import { EC_CURVES, keySpecOf, subjectPublicKeyBits, type CertificateInfo } from '../pki/index.ts';

const signAsync = promisify(signCb);

/** Hash algorithms an OCSP CertID may use (RFC 6960 §4.1.1; openssl sends SHA-1 by default). */
export const CERT_ID_HASHES = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
} as const;
export type CertIdHash = (typeof CERT_ID_HASHES)[keyof typeof CERT_ID_HASHES];

export interface CaSigner {
  /** 'current' or 'previous' CAPF CA (during a rollover). */
  generation: 'current' | 'previous';
  certificate: CertificateInfo;
  /** tbsCertificate.subject exactly as encoded (the issuer Name of everything this CA signs). */
  subjectName: Buffer;
  /** SKI of the CA certificate, or SHA-1 of its subjectPublicKey (RFC 5280 §4.2.1.2 method 1). */
  keyId: Buffer;
  /** SHA-1 of the subjectPublicKey BIT STRING value (OCSP ResponderID byKey, RFC 6960 §4.2.1). */
  keyHashSha1: Buffer;
  signatureAlgorithm: Buffer;
  sign(tbs: Buffer): Promise<Buffer>;
  /** issuerNameHash and issuerKeyHash of a CertID with this hash algorithm. */
  certIdHashes(hash: CertIdHash): { nameHash: Buffer; keyHash: Buffer };
}

function certificateParts(der: Buffer): { subjectName: Buffer; ski: Buffer | null; spki: Buffer } {
  const tbs = children(der, readNode(der, 0))[0]!;
  const f = children(der, tbs);
  const off = f[0]!.tag === 0xa0 ? 1 : 0;
  const subject = f[off + 4]!;
  const spki = f[off + 5]!;
  let ski: Buffer | null = null;
  const ext = f.find((n) => n.tag === 0xa3);
  if (ext) {
    const skiOid = oid('2.5.29.14');
    for (const e of children(der, children(der, ext)[0]!)) {
      const parts = children(der, e);
      if (der.subarray(parts[0]!.start, parts[0]!.end).equals(skiOid)) {
        const octet = parts[parts.length - 1]!;
        const inner = readNode(der, octet.contentStart, octet.end);
        ski = Buffer.from(der.subarray(inner.contentStart, inner.end));
      }
    }
  }
  return {
    subjectName: Buffer.from(der.subarray(subject.start, subject.end)),
    ski,
    spki: Buffer.from(der.subarray(spki.start, spki.end)),
  };
}

export function createCaSigner(
  generation: 'current' | 'previous',
  certificate: CertificateInfo,
  privateKey: KeyObject,
): CaSigner {
  const spec = keySpecOf(privateKey);
  const hash = spec.type === 'rsa' ? 'sha256' : EC_CURVES[spec.curve].hash.replace('-', '').toLowerCase();
  const signatureAlgorithm =
    spec.type === 'rsa'
      ? seq(oid('1.2.840.113549.1.1.11'), NULL)
      : seq(
          oid({ sha256: '1.2.840.10045.4.3.2', sha384: '1.2.840.10045.4.3.3', sha512: '1.2.840.10045.4.3.4' }[hash]!),
        );
  const { subjectName, ski, spki } = certificateParts(certificate.der);
  if (!createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).equals(spki)) {
    throw new Error(`the ${generation} CAPF private key does not match its certificate`);
  }
  const keyBits = Buffer.from(subjectPublicKeyBits(spki));
  const keyHashSha1 = createHash('sha1').update(keyBits).digest();
  const cache = new Map<CertIdHash, { nameHash: Buffer; keyHash: Buffer }>();
  return {
    generation,
    certificate,
    subjectName,
    keyId: ski ?? keyHashSha1,
    keyHashSha1,
    signatureAlgorithm,
    sign: (tbs) => signAsync(hash, tbs, privateKey),
    certIdHashes(h) {
      let v = cache.get(h);
      if (!v) {
        v = { nameHash: createHash(h).update(subjectName).digest(), keyHash: createHash(h).update(keyBits).digest() };
        cache.set(h, v);
      }
      return v;
    },
  };
}
