// Owns reading X.509 certificates: what CUCM's Certificate List / Certificate Details pages show.

import { createHash, X509Certificate as NodeX509 } from 'node:crypto';
import { bufferSource, x509 } from './crypto-provider.ts';
import { AppError } from '../shared/errors.ts';
import { keySpecOf, describeKeySpec, type KeySpec } from './keys.ts';
import { formatDn, formatDnCucm, type NameAttribute } from './names.ts';

const OID_NAMES: Record<string, string> = {
  '1.2.840.113549.1.1.11': 'SHA256withRSA',
  '1.2.840.113549.1.1.12': 'SHA384withRSA',
  '1.2.840.113549.1.1.13': 'SHA512withRSA',
  '1.2.840.113549.1.1.5': 'SHA1withRSA',
  '1.2.840.10045.4.3.2': 'SHA256withECDSA',
  '1.2.840.10045.4.3.3': 'SHA384withECDSA',
  '1.2.840.10045.4.3.4': 'SHA512withECDSA',
};

const ATTR_SHORT: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.5': 'serialNumber',
  '1.2.840.113549.1.9.1': 'E',
  '0.9.2342.19200300.100.1.25': 'DC',
};

export interface CertificateInfo {
  version: number;
  serialHex: string; // upper-case, no separators, as CUCM shows it
  signatureAlgorithm: string;
  signatureAlgorithmOid: string;
  notBefore: Date;
  notAfter: Date;
  subject: NameAttribute[];
  issuer: NameAttribute[];
  subjectDn: string;
  issuerDn: string;
  key: KeySpec;
  keyDescription: string;
  sha1: string; // hex lower-case
  sha256: string;
  selfSigned: boolean;
  isCa: boolean;
  der: Buffer;
}

export function pemToDer(pem: string): Buffer {
  const m = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(pem);
  if (!m) throw new AppError('ERR_PKI_BAD_CERT', 'no PEM certificate block found');
  return Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64');
}

/** Splits a PEM bundle into DER certificates (in file order). */
export function pemBundleToDers(pem: string): Buffer[] {
  const out: Buffer[] = [];
  for (const m of pem.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)) {
    out.push(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64'));
  }
  return out;
}

export function derToPem(der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  return (
    `-----BEGIN CERTIFICATE-----\n${b64.replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END ` +
    `CERTIFICATE-----\n`
  );
}

/** Accepts DER or PEM bytes. */
export function toDer(input: Uint8Array | string): Buffer {
  if (typeof input === 'string') return pemToDer(input);
  const buf = Buffer.from(input);
  if (buf.subarray(0, 30).toString('latin1').includes('-----BEGIN')) return pemToDer(buf.toString('latin1'));
  return buf;
}

function nameAttributes(name: x509.Name): NameAttribute[] {
  const out: NameAttribute[] = [];
  for (const rdn of name.toJSON()) {
    for (const [type, values] of Object.entries(rdn)) {
      for (const value of values) out.push({ type: ATTR_SHORT[type] ?? type, value });
    }
  }
  return out;
}

export function parseCertificate(input: Uint8Array | string): CertificateInfo {
  const der = toDer(input);
  let cert: x509.X509Certificate;
  let node: NodeX509;
  try {
    cert = new x509.X509Certificate(bufferSource(der));
    node = new NodeX509(der);
  } catch (e) {
    throw new AppError('ERR_PKI_BAD_CERT', 'certificate cannot be parsed (not DER/PEM X.509)', undefined, { cause: e });
  }
  const key = keySpecOf(node.publicKey);
  const subject = nameAttributes(cert.subjectName);
  const issuer = nameAttributes(cert.issuerName);
  const sigOid = extractSigOid(der);
  const bc = cert.getExtension(x509.BasicConstraintsExtension);
  return {
    version: 3,
    serialHex: cert.serialNumber.toUpperCase().replace(/^(00)+(?=[0-9A-F]{2})/, ''),
    signatureAlgorithm: OID_NAMES[sigOid] ?? sigOid,
    signatureAlgorithmOid: sigOid,
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
    subject,
    issuer,
    subjectDn: formatDn(subject),
    issuerDn: formatDn(issuer),
    key,
    keyDescription: describeKeySpec(key),
    sha1: createHash('sha1').update(der).digest('hex'),
    sha256: createHash('sha256').update(der).digest('hex'),
    selfSigned: cert.subject === cert.issuer,
    isCa: bc?.ca ?? false,
    der,
  };
}

/** Reads the outer signatureAlgorithm OID from DER that x509 has already parsed (so it is well formed). */
function extractSigOid(der: Buffer): string {
  let p = 0;
  const readLen = (): number => {
    const first = der[p++]!;
    if (first < 0x80) return first;
    const n = first & 0x7f;
    let len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + der[p++]!;
    return len;
  };
  p++; // outer SEQUENCE
  readLen();
  p++; // tbs SEQUENCE
  const tbsLen = readLen();
  p += tbsLen;
  p++; // alg SEQUENCE
  readLen();
  if (der[p++] !== 0x06) return 'unknown';
  const len = readLen();
  const bytes = der.subarray(p, p + len);
  const parts: number[] = [Math.floor(bytes[0]! / 40), bytes[0]! % 40];
  let v = 0;
  for (let i = 1; i < bytes.length; i++) {
    v = v * 128 + (bytes[i]! & 0x7f);
    if (!(bytes[i]! & 0x80)) {
      parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}

export function cucmSubject(info: CertificateInfo): string {
  return formatDnCucm(info.subject);
}

/** Colon-separated upper-case hex, as `show itl` prints serial numbers. */
export function colonHex(hex: string): string {
  return (hex.length % 2 ? `0${hex}` : hex).toUpperCase().match(/../g)!.join(':');
}

export function daysUntil(date: Date, now: Date): number {
  return Math.floor((date.getTime() - now.getTime()) / 86_400_000);
}

/** Verifies that `child` was signed by `issuer` (signature and name). */
export function isIssuedBy(childDer: Uint8Array, issuerDer: Uint8Array): boolean {
  try {
    const child = new NodeX509(Buffer.from(childDer));
    const issuer = new NodeX509(Buffer.from(issuerDer));
    return child.checkIssued(issuer) && child.verify(issuer.publicKey);
  } catch {
    return false;
  }
}
