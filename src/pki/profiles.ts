// Owns the certificate profiles OpenCAPF issues: CAPF CA, LSC, and the cluster identities
// (ITLRecovery/SAST, TFTP/CallManager, TVS). Every field choice cites why.

import { createHash, createPublicKey, randomBytes, type KeyObject } from 'node:crypto';
import { bufferSource, x509 } from './crypto-provider.ts';
import { AppError } from '../shared/errors.ts';
import { keySpecOf, signatureParams, spkiDer, toCryptoKeyPair, type KeyPair } from './keys.ts';
import { formatDn, LSC_INHERITED_ATTRIBUTES, type NameAttribute } from './names.ts';
import { parseCertificate, type CertificateInfo } from './certificate-info.ts';
import { readNode, type DerNode } from './der.ts';

const DAY_MS = 86_400_000;
/** Backdating of LSC notBefore so a phone with a slow clock accepts it (capf-protocol.md §9 defect 4). */
export const LSC_BACKDATE_MS = 5 * 60_000;
export const LSC_MAX_VALIDITY_DAYS = 1825; // CUCM: "up to 5 years"

export const OID_EKU = {
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  ipsecEndSystem: '1.3.6.1.5.5.7.3.5',
} as const;

// randomBytes(16) costs about 10 µs per call under load (OpenSSL's DRBG behind locks); serials are cut
// from a pooled block of CSPRNG output instead, each byte used once (as Node does for randomUUID).
// Serials are public once issued; the pool only holds serials not yet issued.
const SERIAL_POOL_BYTES = 16 * 256;
let serialPool = Buffer.alloc(0);
let serialPoolOffset = 0;

/**
 * Random positive serial of exactly 16 bytes (top bit clear so DER needs no 0x00 pad, next bit set so no leading zero).
 */
export function randomSerialHex(): string {
  if (serialPoolOffset + 16 > serialPool.length) {
    serialPool = randomBytes(SERIAL_POOL_BYTES);
    serialPoolOffset = 0;
  }
  const b = Buffer.from(serialPool.subarray(serialPoolOffset, serialPoolOffset + 16));
  serialPoolOffset += 16;
  b[0] = (b[0]! & 0x7f) | 0x40;
  return b.toString('hex');
}

export interface SubjectTemplate {
  organization?: string;
  organizationalUnit?: string;
  locality?: string;
  state?: string;
  country?: string;
}

export function subjectAttributes(cn: string, t: SubjectTemplate): NameAttribute[] {
  const out: NameAttribute[] = [{ type: 'CN', value: cn }];
  if (t.organizationalUnit) out.push({ type: 'OU', value: t.organizationalUnit });
  if (t.organization) out.push({ type: 'O', value: t.organization });
  if (t.locality) out.push({ type: 'L', value: t.locality });
  if (t.state) out.push({ type: 'ST', value: t.state });
  if (t.country) out.push({ type: 'C', value: t.country });
  return out;
}

export type IdentityRole = 'capf' | 'itlrecovery' | 'tftp' | 'tvs';

export interface SelfSignedParams {
  role: IdentityRole;
  subject: NameAttribute[];
  keys: KeyPair;
  validityDays: number;
  now: Date;
}

/**
 * Self-signed identity certificate.
 * - capf: CA:TRUE pathlen:0, keyCertSign+cRLSign (it signs LSCs and CRLs) and digitalSignature
 *   (+keyEncipherment for RSA) because the same certificate is CAPF's TLS server certificate.
 * - itlrecovery: the System Administrator Security Token that signs ITLs (seed: 20-year).
 * - tftp / tvs: TLS server and file-signing certificates of a node.
 */
export async function createSelfSignedIdentity(p: SelfSignedParams): Promise<CertificateInfo> {
  const spec = keySpecOf(p.keys.privateKey);
  const crypto = await toCryptoKeyPair(p.keys);
  const isCa = p.role === 'capf';
  let usages = x509.KeyUsageFlags.digitalSignature;
  if (spec.type === 'rsa') usages |= x509.KeyUsageFlags.keyEncipherment;
  if (isCa) usages |= x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign;
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(isCa, isCa ? 0 : undefined, true),
    new x509.KeyUsagesExtension(usages, true),
    new x509.ExtendedKeyUsageExtension([OID_EKU.serverAuth, OID_EKU.clientAuth, OID_EKU.ipsecEndSystem], false),
    await x509.SubjectKeyIdentifierExtension.create(crypto.publicKey),
  ];
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerialHex(),
    name: formatDn(p.subject),
    notBefore: new Date(p.now.getTime() - LSC_BACKDATE_MS),
    notAfter: new Date(p.now.getTime() + p.validityDays * DAY_MS),
    signingAlgorithm: signatureParams(spec),
    keys: crypto,
    extensions,
  });
  return parseCertificate(new Uint8Array(cert.rawData));
}

export interface Issuer {
  certificate: CertificateInfo;
  privateKey: KeyObject;
  /** Cached WebCrypto form of privateKey (set by createIssuer). */
  signingKey: CryptoKey;
  /** Cached AKI extension (key id of the issuer). */
  authorityKeyId: x509.AuthorityKeyIdentifierExtension;
  inheritedSubject: NameAttribute[];
}

export async function createIssuer(certificate: CertificateInfo, privateKey: KeyObject): Promise<Issuer> {
  const crypto = await toCryptoKeyPair({ privateKey, publicKey: createPublicKey(privateKey) });
  const ski = new x509.X509Certificate(bufferSource(certificate.der)).getExtension(x509.SubjectKeyIdentifierExtension);
  const authorityKeyId = ski
    ? new x509.AuthorityKeyIdentifierExtension(ski.keyId, false)
    : await x509.AuthorityKeyIdentifierExtension.create(crypto.publicKey, false);
  const inheritedSubject = certificate.subject.filter((a) =>
    (LSC_INHERITED_ATTRIBUTES as readonly string[]).includes(a.type),
  );
  return { certificate, privateKey, signingKey: crypto.privateKey, authorityKeyId, inheritedSubject };
}

export interface LscRequest {
  deviceName: string;
  publicKeySpki: Uint8Array;
  validityDays: number;
  now: Date;
  crlDistributionPointUrl?: string;
  ocspUrl?: string;
}

/**
 * The LSC profile (issue 2 §3): CN=device + O/OU/L/ST/C of the CAPF subject; issuer = the issuing
 * certificate's SUBJECT (capfd's issuer-of-issuer bug avoided); random 16-byte serial; notBefore
 * backdated; CA:FALSE; digitalSignature (+keyEncipherment for RSA); EKU serverAuth, clientAuth,
 * ipsecEndSystem; SKI/AKI. notAfter never exceeds the issuer's own notAfter.
 */
export async function issueLsc(issuer: Issuer, req: LscRequest): Promise<CertificateInfo> {
  if (!Number.isInteger(req.validityDays) || req.validityDays < 1 || req.validityDays > LSC_MAX_VALIDITY_DAYS) {
    throw new AppError('ERR_BAD_REQUEST', `LSC validity must be 1..${LSC_MAX_VALIDITY_DAYS} days`);
  }
  if (issuer.certificate.notAfter.getTime() <= req.now.getTime()) {
    throw new AppError(
      'ERR_PKI_CA_EXPIRED',
      `the CAPF certificate expired on ${issuer.certificate.notAfter.toISOString()}; ` +
        'regenerate it (opencapf cert regenerate capf) before installing LSCs',
    );
  }
  const pub = new x509.PublicKey(bufferSource(req.publicKeySpki));
  const isRsa = pub.algorithm.name.startsWith('RSA');
  let usages = x509.KeyUsageFlags.digitalSignature;
  if (isRsa) usages |= x509.KeyUsageFlags.keyEncipherment;
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(usages, true),
    new x509.ExtendedKeyUsageExtension([OID_EKU.serverAuth, OID_EKU.clientAuth, OID_EKU.ipsecEndSystem], false),
    new x509.SubjectKeyIdentifierExtension(keyIdOf(req.publicKeySpki), false),
    issuer.authorityKeyId,
  ];
  if (req.crlDistributionPointUrl)
    extensions.push(new x509.CRLDistributionPointsExtension([req.crlDistributionPointUrl]));
  if (req.ocspUrl) extensions.push(new x509.AuthorityInfoAccessExtension({ ocsp: [req.ocspUrl] }));
  const notAfter = Math.min(req.now.getTime() + req.validityDays * DAY_MS, issuer.certificate.notAfter.getTime());
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerialHex(),
    subject: formatDn([{ type: 'CN', value: req.deviceName }, ...issuer.inheritedSubject]),
    issuer: formatDn(issuer.certificate.subject),
    notBefore: new Date(req.now.getTime() - LSC_BACKDATE_MS),
    notAfter: new Date(notAfter),
    signingAlgorithm: signatureParams(issuer.certificate.key),
    publicKey: pub,
    signingKey: issuer.signingKey,
    extensions,
  });
  return parseCertificate(new Uint8Array(cert.rawData));
}

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING contents. */
function keyIdOf(spki: Uint8Array): string {
  return createHash('sha1').update(subjectPublicKeyBits(spki)).digest('hex');
}

/**
 * Extracts the BIT STRING payload (without the unused-bits byte) from an SPKI DER, reading each element
 * with der.ts's bounded reader (a malformed or truncated SPKI is ERR_PKI_BAD_KEY).
 */
export function subjectPublicKeyBits(spki: Uint8Array): Uint8Array {
  const node = (pos: number, limit: number, tag: number, what: string): DerNode => {
    let n: DerNode;
    try {
      n = readNode(spki, pos, limit);
    } catch {
      throw new AppError('ERR_PKI_BAD_KEY', 'SPKI truncated');
    }
    if (n.tag !== tag) throw new AppError('ERR_PKI_BAD_KEY', `SPKI ${what}`);
    return n;
  };
  const root = node(0, spki.length, 0x30, 'is not a SEQUENCE');
  const algorithm = node(root.contentStart, root.end, 0x30, 'algorithm is not a SEQUENCE');
  const bits = node(algorithm.end, root.end, 0x03, 'key is not a BIT STRING');
  if (bits.end - bits.contentStart < 1) throw new AppError('ERR_PKI_BAD_KEY', 'SPKI truncated');
  return spki.subarray(bits.contentStart + 1, bits.end);
}

export { spkiDer };
