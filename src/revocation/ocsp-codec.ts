// Owns OCSP bytes (RFC 6960): a strict, bounded DER decoder for OCSPRequest and the encoders of
// OCSPResponse / BasicOCSPResponse. Pure: bytes in, objects out; objects in, bytes out (signing is the
// responder's job). Hostile input: every length is checked against its container before use, only
// definite minimal lengths and low tag numbers are accepted, counts and sizes are capped.
//
//   OCSPRequest ::= SEQUENCE { tbsRequest TBSRequest, optionalSignature [0] EXPLICIT Signature OPTIONAL }
//   TBSRequest  ::= SEQUENCE { version [0] EXPLICIT INTEGER DEFAULT v1,
//                              requestorName [1] EXPLICIT GeneralName OPTIONAL,
//                              requestList SEQUENCE OF Request, requestExtensions [2] EXPLICIT Extensions OPTIONAL }
//   Request     ::= SEQUENCE { reqCert CertID, singleRequestExtensions [0] EXPLICIT Extensions OPTIONAL }
//   CertID      ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier, issuerNameHash OCTET STRING,
//                              issuerKeyHash OCTET STRING, serialNumber INTEGER }
//
//   OCSPResponse ::= SEQUENCE { responseStatus ENUMERATED, responseBytes [0] EXPLICIT SEQUENCE {
//                               responseType OID (id-pkix-ocsp-basic), response OCTET STRING } OPTIONAL }
//   BasicOCSPResponse ::= SEQUENCE { tbsResponseData, signatureAlgorithm, signature BIT STRING,
//                                    certs [0] EXPLICIT SEQUENCE OF Certificate OPTIONAL }
//   ResponseData ::= SEQUENCE { responderID ([2] byKey), producedAt GeneralizedTime,
//                               responses SEQUENCE OF SingleResponse,
//                               responseExtensions [1] EXPLICIT Extensions OPTIONAL }
//   SingleResponse ::= SEQUENCE { certID, certStatus CHOICE { good [0] NULL, revoked [1] { revocationTime,
//                                 [0] EXPLICIT CRLReason OPTIONAL }, unknown [2] NULL },
//                                 thisUpdate, nextUpdate [0] EXPLICIT OPTIONAL }

import { CodecError } from '../shared/errors.ts';
import { bitString, explicit, octetString, oid, seq, tlv } from '../pki/der.ts';
import { enumerated, generalizedTime } from './asn1.ts';

export const OID_OCSP_BASIC = '1.3.6.1.5.5.7.48.1.1';
export const OID_OCSP_NONCE = '1.3.6.1.5.5.7.48.1.2';

/** OCSPResponseStatus (RFC 6960 §4.2.1). */
export const OcspResponseStatus = {
  successful: 0,
  malformedRequest: 1,
  internalError: 2,
  tryLater: 3,
  sigRequired: 5,
  unauthorized: 6,
} as const;
export type OcspResponseStatus = (typeof OcspResponseStatus)[keyof typeof OcspResponseStatus];

export const OCSP_LIMITS = {
  /** Largest request accepted (openssl's single-certificate request is ~120 bytes). */
  maxRequestBytes: 16 * 1024,
  /** CertIDs per request. */
  maxRequests: 32,
  maxHashBytes: 64,
  /** RFC 5280 §4.1.2.2 caps serials at 20 octets; one more for a sign byte. */
  maxSerialBytes: 21,
  /** RFC 8954: nonces are 1..32 octets; the extnValue wraps them in an OCTET STRING. */
  maxNonceBytes: 34,
} as const;

export interface OcspCertId {
  hashAlgorithmOid: string;
  issuerNameHash: Buffer;
  issuerKeyHash: Buffer;
  /** Upper-case hex of the INTEGER's content octets (as encoded, sign byte included). */
  serialHex: string;
  /** The CertID exactly as received (echoed in the SingleResponse). */
  raw: Buffer;
}

export interface OcspRequest {
  certIds: OcspCertId[];
  /** The whole nonce Extension as received (echoed verbatim in responseExtensions), or null. */
  nonceExtension: Buffer | null;
  signed: boolean;
}

interface Node {
  tag: number;
  start: number;
  contentStart: number;
  end: number;
}

const bad = (msg: string): never => {
  throw new CodecError('ERR_CODEC_BAD_ELEMENT', `OCSP request: ${msg}`);
};

/** Reads one element at `pos` that must end by `limit`: low tag number, definite minimal length. */
function readStrict(buf: Uint8Array, pos: number, limit: number): Node {
  if (pos + 2 > limit) throw new CodecError('ERR_CODEC_TRUNCATED', 'OCSP request: truncated element header');
  const tag = buf[pos]!;
  if ((tag & 0x1f) === 0x1f) bad('high tag numbers are not used by OCSP');
  let p = pos + 1;
  const first = buf[p++]!;
  let len = first;
  if (first === 0x80) bad('indefinite length is not DER');
  if (first > 0x80) {
    const n = first & 0x7f;
    if (n > 3) throw new CodecError('ERR_CODEC_TOO_LARGE', 'OCSP request: element length too large');
    if (p + n > limit) throw new CodecError('ERR_CODEC_TRUNCATED', 'OCSP request: truncated length');
    if (buf[p] === 0) bad('non-minimal length encoding');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[p++]!;
    if (len < 0x80) bad('non-minimal length encoding');
  }
  if (p + len > limit) throw new CodecError('ERR_CODEC_TRUNCATED', 'OCSP request: element runs past its container');
  return { tag, start: pos, contentStart: p, end: p + len };
}

function childrenOf(buf: Uint8Array, n: Node, max: number): Node[] {
  const out: Node[] = [];
  let p = n.contentStart;
  while (p < n.end) {
    if (out.length >= max) throw new CodecError('ERR_CODEC_TOO_LARGE', 'OCSP request: too many elements');
    const c = readStrict(buf, p, n.end);
    out.push(c);
    p = c.end;
  }
  return out;
}

function expect(n: Node | undefined, tag: number, what: string): Node {
  if (!n) throw new CodecError('ERR_CODEC_MISSING_ELEMENT', `OCSP request: ${what} missing`);
  if (n.tag !== tag) bad(`${what}: expected tag 0x${tag.toString(16)}, got 0x${n.tag.toString(16)}`);
  return n;
}

const content = (buf: Uint8Array, n: Node) => Buffer.from(buf.subarray(n.contentStart, n.end));
const whole = (buf: Uint8Array, n: Node) => Buffer.from(buf.subarray(n.start, n.end));

export function decodeOid(bytes: Uint8Array): string {
  if (bytes.length === 0 || bytes.length > 64) bad('bad OBJECT IDENTIFIER length');
  if (bytes[bytes.length - 1]! & 0x80) bad('OBJECT IDENTIFIER ends inside a sub-identifier');
  const parts: number[] = [];
  let v = 0;
  let started = false;
  for (const b of bytes) {
    if (!started && b === 0x80) bad('non-minimal OBJECT IDENTIFIER');
    started = (b & 0x80) !== 0;
    v = v * 128 + (b & 0x7f);
    if (v > Number.MAX_SAFE_INTEGER / 256) bad('OBJECT IDENTIFIER component too large');
    if (!(b & 0x80)) {
      if (parts.length === 0) parts.push(v < 80 ? Math.floor(v / 40) : 2, v < 80 ? v % 40 : v - 80);
      else parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}

function decodeCertId(buf: Uint8Array, n: Node): OcspCertId {
  const f = childrenOf(buf, expect(n, 0x30, 'CertID'), 4);
  const alg = childrenOf(buf, expect(f[0], 0x30, 'hashAlgorithm'), 2);
  const algOid = decodeOid(content(buf, expect(alg[0], 0x06, 'hashAlgorithm OID')));
  if (alg[1] && (alg[1].tag !== 0x05 || alg[1].end !== alg[1].contentStart))
    bad('hashAlgorithm parameters must be NULL or absent');
  const nameHash = expect(f[1], 0x04, 'issuerNameHash');
  const keyHash = expect(f[2], 0x04, 'issuerKeyHash');
  const serial = expect(f[3], 0x02, 'serialNumber');
  if (f.length !== 4) bad('CertID has extra elements');
  for (const h of [nameHash, keyHash])
    if (h.end - h.contentStart > OCSP_LIMITS.maxHashBytes)
      throw new CodecError('ERR_CODEC_TOO_LARGE', 'OCSP request: hash too long');
  const serialLen = serial.end - serial.contentStart;
  if (serialLen === 0) bad('empty serialNumber');
  if (serialLen > OCSP_LIMITS.maxSerialBytes)
    throw new CodecError('ERR_CODEC_TOO_LARGE', 'OCSP request: serialNumber longer than 20 octets');
  return {
    hashAlgorithmOid: algOid,
    issuerNameHash: content(buf, nameHash),
    issuerKeyHash: content(buf, keyHash),
    serialHex: content(buf, serial).toString('hex').toUpperCase(),
    raw: whole(buf, n),
  };
}

/** Decodes a DER OCSPRequest; throws CodecError for anything else. */
export function decodeOcspRequest(input: Uint8Array): OcspRequest {
  if (input.length > OCSP_LIMITS.maxRequestBytes)
    throw new CodecError('ERR_CODEC_TOO_LARGE', `OCSP request larger than ${OCSP_LIMITS.maxRequestBytes} bytes`);
  const top = expect(readStrict(input, 0, input.length), 0x30, 'OCSPRequest');
  if (top.end !== input.length) bad('trailing bytes after OCSPRequest');
  const outer = childrenOf(input, top, 2);
  const tbs = childrenOf(input, expect(outer[0], 0x30, 'tbsRequest'), 4);
  if (outer[1] && outer[1].tag !== 0xa0) bad('unexpected element after tbsRequest');
  let i = 0;
  if (tbs[i]?.tag === 0xa0) {
    const v = childrenOf(input, tbs[i]!, 1);
    const int = expect(v[0], 0x02, 'version');
    if (int.end - int.contentStart !== 1 || input[int.contentStart] !== 0) bad('only OCSP v1 requests are supported');
    i++;
  }
  if (tbs[i]?.tag === 0xa1) i++; // requestorName: not used
  const list = childrenOf(input, expect(tbs[i++], 0x30, 'requestList'), OCSP_LIMITS.maxRequests);
  if (list.length === 0) bad('empty requestList');
  const certIds = list.map((r) => {
    const parts = childrenOf(input, expect(r, 0x30, 'Request'), 2);
    if (parts[1] && parts[1].tag !== 0xa0) bad('unexpected element in Request');
    return decodeCertId(input, parts[0]!);
  });
  let nonceExtension: Buffer | null = null;
  if (tbs[i]?.tag === 0xa2) {
    const exts = childrenOf(input, expect(childrenOf(input, tbs[i]!, 1)[0], 0x30, 'requestExtensions'), 16);
    for (const e of exts) {
      const p = childrenOf(input, expect(e, 0x30, 'Extension'), 3);
      const id = decodeOid(content(input, expect(p[0], 0x06, 'extnID')));
      const value = expect(p[p.length - 1], 0x04, 'extnValue');
      if (p.length === 3) expect(p[1], 0x01, 'critical');
      if (id === OID_OCSP_NONCE) {
        const n = value.end - value.contentStart;
        if (n === 0) bad('empty nonce');
        if (n > OCSP_LIMITS.maxNonceBytes)
          throw new CodecError('ERR_CODEC_TOO_LARGE', 'OCSP request: nonce longer than 32 octets');
        nonceExtension = whole(input, e);
      }
    }
    i++;
  }
  if (i !== tbs.length) bad('unexpected element in tbsRequest');
  return { certIds, nonceExtension, signed: outer.length === 2 };
}

export type OcspCertStatus =
  | { status: 'good' }
  | { status: 'unknown' }
  | { status: 'revoked'; revokedAt: Date; reasonCode: number | null };

export interface OcspSingleResponse {
  certIdRaw: Buffer;
  status: OcspCertStatus;
  thisUpdate: Date;
  nextUpdate: Date | null;
}

export interface OcspResponseData {
  /** SHA-1 of the responder's subjectPublicKey (ResponderID byKey). */
  responderKeyHash: Buffer;
  producedAt: Date;
  responses: readonly OcspSingleResponse[];
  nonceExtension: Buffer | null;
}

const whole1s = (d: Date) => new Date(Math.floor(d.getTime() / 1000) * 1000);

function certStatus(s: OcspCertStatus): Buffer {
  if (s.status === 'good') return Buffer.from([0x80, 0x00]);
  if (s.status === 'unknown') return Buffer.from([0x82, 0x00]);
  const reason = s.reasonCode === null ? [] : [explicit(0, enumerated(s.reasonCode))];
  return tlv(0xa1, Buffer.concat([generalizedTime(whole1s(s.revokedAt)), ...reason]));
}

/** ResponseData, the bytes the responder signs. */
export function encodeResponseData(d: OcspResponseData): Buffer {
  const singles = d.responses.map((r) =>
    seq(
      r.certIdRaw,
      certStatus(r.status),
      generalizedTime(whole1s(r.thisUpdate)),
      ...(r.nextUpdate ? [explicit(0, generalizedTime(whole1s(r.nextUpdate)))] : []),
    ),
  );
  return seq(
    explicit(2, octetString(d.responderKeyHash)),
    generalizedTime(whole1s(d.producedAt)),
    seq(...singles),
    ...(d.nonceExtension ? [explicit(1, seq(d.nonceExtension))] : []),
  );
}

/** A successful OCSPResponse around a signed BasicOCSPResponse. */
export function encodeBasicResponse(
  responseData: Buffer,
  signatureAlgorithm: Buffer,
  signature: Buffer,
  certs: readonly Buffer[],
): Buffer {
  const basic = seq(
    responseData,
    signatureAlgorithm,
    bitString(signature),
    ...(certs.length ? [explicit(0, seq(...certs))] : []),
  );
  return seq(enumerated(OcspResponseStatus.successful), explicit(0, seq(oid(OID_OCSP_BASIC), octetString(basic))));
}

/** An OCSPResponse without responseBytes (malformedRequest, internalError, tryLater, unauthorized…). */
export function encodeErrorResponse(status: Exclude<OcspResponseStatus, 0>): Buffer {
  return seq(enumerated(status));
}
