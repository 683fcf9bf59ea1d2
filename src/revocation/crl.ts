// Owns building an RFC 5280 §5 v2 CRL signed by a CAPF CA: CRL number and AKI extensions, entries with
// reasonCode (omitted for unspecified, §5.3.1), thisUpdate/nextUpdate. Pure apart from the signature.
//
//   CertificateList ::= SEQUENCE { tbsCertList, signatureAlgorithm, signatureValue BIT STRING }
//   TBSCertList ::= SEQUENCE { version INTEGER (1 = v2), signature AlgorithmIdentifier, issuer Name,
//       thisUpdate Time, nextUpdate Time, revokedCertificates SEQUENCE OF SEQUENCE {
//       userCertificate INTEGER, revocationDate Time, crlEntryExtensions Extensions OPTIONAL } OPTIONAL,
//       crlExtensions [0] EXPLICIT Extensions }

import { bitString, BOOLEAN_TRUE, explicit, octetString, oid, seq, time, tlv } from '../pki/der.ts';
import type { CaSigner } from './ca-signer.ts';
import { enumerated, integer, serialInteger } from './asn1.ts';
import { reasonCode } from './reasons.ts';

export interface CrlEntry {
  serialHex: string;
  revokedAt: Date;
  /** Stored reason string (e.g. 'superseded', 'cessationOfOperation (phone removed)'). */
  reason: string | null;
}

export interface CrlInput {
  signer: CaSigner;
  entries: readonly CrlEntry[];
  crlNumber: bigint;
  thisUpdate: Date;
  nextUpdate: Date;
}

const ext = (id: string, critical: boolean, value: Uint8Array) =>
  seq(oid(id), ...(critical ? [BOOLEAN_TRUE] : []), octetString(value));

/** Times in a CRL have second precision; rounding down keeps thisUpdate <= now. */
const whole = (d: Date) => new Date(Math.floor(d.getTime() / 1000) * 1000);

export async function buildCrl(i: CrlInput): Promise<Buffer> {
  const revoked = [...i.entries]
    .sort((a, b) => a.revokedAt.getTime() - b.revokedAt.getTime() || a.serialHex.localeCompare(b.serialHex))
    .map((e) => {
      const code = reasonCode(e.reason);
      const entryExt = code === 0 ? [] : [seq(ext('2.5.29.21', false, enumerated(code)))];
      return seq(serialInteger(e.serialHex), time(whole(e.revokedAt)), ...entryExt);
    });
  const crlExtensions = explicit(
    0,
    seq(
      ext('2.5.29.35', false, seq(tlv(0x80, i.signer.keyId))), // authorityKeyIdentifier
      ext('2.5.29.20', false, integer(i.crlNumber)), // cRLNumber
    ),
  );
  const tbs = seq(
    integer(1),
    i.signer.signatureAlgorithm,
    i.signer.subjectName,
    time(whole(i.thisUpdate)),
    time(whole(i.nextUpdate)),
    ...(revoked.length ? [seq(...revoked)] : []),
    crlExtensions,
  );
  const signature = await i.signer.sign(tbs);
  return seq(tbs, i.signer.signatureAlgorithm, bitString(signature));
}

export function crlToPem(der: Uint8Array): string {
  const b64 = Buffer.from(der)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '');
  return `-----BEGIN X509 CRL-----\n${b64}\n-----END X509 CRL-----\n`;
}
