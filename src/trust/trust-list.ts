// Owns what ITL and CTL files have in common: building records from certificates, signing, parsing into a model,
// verifying.
//
// One record per (certificate, role), as CUCM does (seed: the CallManager certificate appears once
// as SAST and once as TFTP; tlv-files.md §4.1 last line). Records are never merged.

import { createHash, type KeyObject } from 'node:crypto';
import { parseCertificate, type CertificateInfo } from '../pki/index.ts';
import { AppError, type ErrorCode } from '../shared/errors.ts';
import {
  CERTHASH_ALGORITHM_VALUE,
  FILE_VERSION,
  MAX_SAST_RECORDS,
  RecordTag,
  ROLE_BY_CODE,
  ROLES,
  SIGNER_VERSIONS,
  TRUST_LIST_FILENAME,
  roleDisplay,
  type Role,
  type SignerVersion,
  type SigningHash,
  type TrustListKind,
} from './constants.ts';
import {
  certificatePublicKey,
  certificateSignatureValue,
  keyFromPublicKeyField,
  publicKeyField,
  serialBytes,
  serialsEqual,
  trustListName,
  type NameStyle,
} from './certificate-fields.ts';
import { checkSignature, signFile, type Signer } from './signed-file.ts';
import { emptyRecordBytes, isAbsentValue } from './rollback.ts';
import {
  decodeTlvFile,
  encodeCString,
  encodeRecord,
  type DecodeOptions,
  type RecordElementInit,
  type TlvHeader,
  type TlvRecord,
} from './tlv-codec.ts';

export interface TrustListMember {
  certificate: CertificateInfo | Uint8Array;
  roles: readonly Role[];
  /** DNSNAME (§4 tag 2); CUCM writes the node name for some records (seed record 7). */
  dnsName?: string;
}

/**
 * `full`: every record carries CERTIFICATE (tag 9), the spec's recommendation (§4).
 * `cucm`: CAPF and TVS records carry only CERTHASH + HASH ALGORITHM (tags 11, 12), as in the seed.
 */
export type CertificateForm = 'full' | 'cucm';

export interface BuildTrustListParams {
  members: readonly TrustListMember[];
  signer: Signer;
  now: Date;
  /** Default sha1: what every phone generation verifies (SHA-512 needs newer firmware; UNCERTAIN which). */
  hash?: SigningHash;
  /** Default: '1.1' when any member has an EC key (§7: EC needs 1.1), else '1.0'. */
  signerVersion?: SignerVersion;
  /** FILENAME (§8); default ITLFile.tlv / CTLFile.tlv, also for per-phone files. */
  fileName?: string;
  certificateForm?: CertificateForm;
  nameStyle?: NameStyle;
  /** 'always' (CUCM: DNSNAME in every record, two NULs when empty — UNCERTAIN) or 'when-set' (tlvfile omits it). */
  dnsNames?: 'always' | 'when-set';
  /** Empty records appended after the members, one per role: the rollback ITL of §9.6 (see rollback.ts). */
  emptyRoles?: readonly Role[];
}

/** Roles whose records CUCM writes hash-only (seed records 1, 2, 4). */
const HASH_ONLY_ROLES: ReadonlySet<Role> = new Set<Role>(['CAPF', 'TVS']);

function toInfo(c: CertificateInfo | Uint8Array): CertificateInfo {
  return c instanceof Uint8Array ? parseCertificate(c) : c;
}

function roleBytes(role: Role): Uint8Array {
  const code = ROLES[role].code;
  return Uint8Array.of(code >>> 8, code & 0xff);
}

/** The elements of one record in CUCM order 1..9 or 1..8,11,12 (§4 "Element order"). */
export function recordElements(
  cert: CertificateInfo,
  role: Role,
  opts: {
    dnsName?: string;
    certificateForm?: CertificateForm;
    nameStyle?: NameStyle;
    dnsNames?: 'always' | 'when-set';
  } = {},
): RecordElementInit[] {
  const style = opts.nameStyle ?? 'cucm';
  const out: RecordElementInit[] = [];
  if (opts.dnsName) out.push({ tag: RecordTag.DNS_NAME, value: encodeCString(opts.dnsName) });
  else if ((opts.dnsNames ?? 'always') === 'always') out.push({ tag: RecordTag.DNS_NAME, value: Buffer.alloc(2) });
  out.push(
    { tag: RecordTag.SUBJECT_NAME, value: encodeCString(trustListName(cert.subject, style)) },
    { tag: RecordTag.ROLE, value: roleBytes(role) },
    { tag: RecordTag.ISSUER_NAME, value: encodeCString(trustListName(cert.issuer, style)) },
    { tag: RecordTag.SERIAL_NUMBER, value: serialBytes(cert.serialHex) },
    { tag: RecordTag.PUBLIC_KEY, value: publicKeyField(cert) },
    { tag: RecordTag.SIGNATURE, value: certificateSignatureValue(cert.der) },
  );
  if ((opts.certificateForm ?? 'full') === 'cucm' && HASH_ONLY_ROLES.has(role)) {
    out.push(
      { tag: RecordTag.CERTIFICATE_HASH, value: createHash('sha1').update(cert.der).digest() },
      { tag: RecordTag.HASH_ALGORITHM, value: Uint8Array.of(CERTHASH_ALGORITHM_VALUE) },
    );
  } else {
    out.push({ tag: RecordTag.CERTIFICATE, value: cert.der });
  }
  return out;
}

/**
 * Builds and signs an ITL or CTL. The signer is added as a SAST record first when no member gives it that role
 * (tlvfile, §5).
 */
export function buildTrustList(kind: TrustListKind, p: BuildTrustListParams): Buffer {
  const members = p.members.map((m) => ({ ...m, info: toInfo(m.certificate) }));
  const signerSha1 = p.signer.certificate.sha1;
  const signerListed = members.some((m) => m.info.sha1 === signerSha1 && m.roles.includes('SAST'));
  if (!signerListed)
    members.unshift({ certificate: p.signer.certificate, roles: ['SAST'], info: p.signer.certificate });
  const sastCount = members.reduce((n, m) => n + (m.roles.includes('SAST') ? 1 : 0), 0);
  if (sastCount > MAX_SAST_RECORDS) {
    throw new AppError(
      'ERR_BAD_REQUEST',
      `${sastCount} SAST certificates requested; a trust list holds at most ${MAX_SAST_RECORDS} (tlv-files.md §5)`,
    );
  }
  const anyEc = members.some((m) => m.info.key.type === 'ec');
  const signerVersion = p.signerVersion ?? (anyEc ? '1.1' : '1.0');
  const body: Buffer[] = [];
  for (const m of members) {
    for (const role of new Set(m.roles)) {
      const opts: Parameters<typeof recordElements>[2] = {
        certificateForm: p.certificateForm ?? 'full',
        nameStyle: p.nameStyle ?? 'cucm',
        dnsNames: p.dnsNames ?? 'always',
      };
      if (m.dnsName) opts.dnsName = m.dnsName;
      body.push(encodeRecord(recordElements(m.info, role, opts)));
    }
  }
  for (const role of p.emptyRoles ?? []) body.push(emptyRecordBytes(role));
  return signFile(
    {
      version: FILE_VERSION.tlv,
      signerVersion: SIGNER_VERSIONS[signerVersion],
      fileName: p.fileName ?? TRUST_LIST_FILENAME[kind],
      now: p.now,
      hash: p.hash ?? 'sha1',
      nameStyle: p.nameStyle ?? 'cucm',
    },
    Buffer.concat(body),
    p.signer,
  );
}

export interface TrustRecord extends TlvRecord {
  /** Role name from the table, undefined for codes outside it. */
  roleName?: Role;
  /** CUCM display text (§4.1). */
  roleDisplay: string;
  /** SHA-1 of CERTIFICATE, or the CERTHASH value, lower-case hex. */
  certificateSha1?: string;
}

export interface TrustList {
  kind: TrustListKind;
  header: TlvHeader;
  records: TrustRecord[];
  /** The SAST record whose serial matches the header signer (§3), if any. */
  signerRecordIndex?: number;
  size: number;
  bytes: Buffer;
}

function kindOf(fileName: string | undefined): TrustListKind {
  return fileName?.toUpperCase().startsWith('CTL') ? 'CTL' : 'ITL';
}

/** Finds the signer record (§3): role SAST and serial equal to the header's; issuer name breaks ties. */
export function findSignerRecord(header: TlvHeader, records: readonly TlvRecord[]): number | undefined {
  const serial = header.serialNumber;
  if (!serial) return undefined;
  const candidates = records.filter(
    (r) => r.role === ROLES.SAST.code && r.serialNumber && serialsEqual(r.serialNumber, serial),
  );
  const best = candidates.find((r) => r.issuerName === header.issuerName) ?? candidates[0];
  return best?.index;
}

/** Decodes an ITL/CTL into the model. Throws CodecError for malformed bytes; does not verify. */
export function parseTrustList(input: Uint8Array, opts?: DecodeOptions): TrustList {
  const bytes = Buffer.from(input.buffer, input.byteOffset, input.length);
  const file = decodeTlvFile(bytes, opts);
  const records: TrustRecord[] = file.records.map((r) => {
    const t: TrustRecord = { ...r, roleDisplay: roleDisplay(r.role) };
    // Liberal with CUCM's empty (rollback) records, whose exact bytes are UNCERTAIN (§9.6): a CERTIFICATE,
    // CERTHASH or PUBLICKEY element without a value stands for no certificate (the element stays in `elements`).
    if (isAbsentValue(t.certificate)) delete t.certificate;
    if (isAbsentValue(t.certificateHash)) delete t.certificateHash;
    if (isAbsentValue(t.publicKey)) delete t.publicKey;
    const name = ROLE_BY_CODE.get(r.role);
    if (name) t.roleName = name;
    if (t.certificate) t.certificateSha1 = createHash('sha1').update(t.certificate).digest('hex');
    else if (t.certificateHash) t.certificateSha1 = t.certificateHash.toString('hex');
    return t;
  });
  const list: TrustList = { kind: kindOf(file.header.fileName), header: file.header, records, size: file.size, bytes };
  const idx = findSignerRecord(file.header, records);
  if (idx !== undefined) list.signerRecordIndex = idx;
  return list;
}

/** The key a record stands for: from CERTIFICATE if present, else from PUBLICKEY. Never throws. */
export function recordPublicKey(r: TlvRecord): KeyObject | undefined {
  if (r.certificate) {
    try {
      return certificatePublicKey(r.certificate);
    } catch {
      // fall through to the PUBLICKEY element, which some tools write without a certificate
    }
  }
  return r.publicKey ? keyFromPublicKeyField(r.publicKey) : undefined;
}

export type TrustListVerification =
  | { ok: true; signerRecordIndex: number }
  | { ok: false; code: Extract<ErrorCode, 'ERR_TRUST_NO_SIGNER' | 'ERR_TRUST_BAD_SIGNATURE'>; reason: string };

/** Verifies a parsed list against its own signer record (what CUCM `show itl` and a first-use phone do). */
export function verifyTrustList(list: TrustList): TrustListVerification {
  const idx = list.signerRecordIndex;
  const serial = list.header.serialNumber ? list.header.serialNumber.toString('hex').toUpperCase() : '(none)';
  if (idx === undefined)
    return { ok: false, code: 'ERR_TRUST_NO_SIGNER', reason: `no SAST record has the signer serial ${serial}` };
  const key = recordPublicKey(list.records[idx]!);
  if (!key)
    return {
      ok: false,
      code: 'ERR_TRUST_NO_SIGNER',
      reason: `the signer record #${idx + 1} has no usable certificate or public key`,
    };
  const r = checkSignature(list.bytes, list.header, key);
  return r.ok ? { ok: true, signerRecordIndex: idx } : { ok: false, code: 'ERR_TRUST_BAD_SIGNATURE', reason: r.reason };
}

/** Parses and verifies; throws CodecError or AppError(ERR_TRUST_*). Returns the list. */
export function openTrustList(input: Uint8Array, opts?: DecodeOptions): TrustList & { signerRecordIndex: number } {
  const list = parseTrustList(input, opts);
  const v = verifyTrustList(list);
  if (!v.ok) throw new AppError(v.code, v.reason);
  return list as TrustList & { signerRecordIndex: number };
}

export interface TrustListWarning {
  code:
    | 'TOO_MANY_CERTIFICATES'
    | 'TOO_LARGE'
    | 'TOO_MANY_SAST'
    | 'NO_SIGNER_RECORD'
    | 'NO_CAPF_OR_TVS'
    | 'NO_CCM'
    | 'EC_NEEDS_SIGNER_VERSION_1_1'
    | 'UNEXPECTED_FILENAME';
  message: string;
}

/** Distinct certificates, by SHA-1 when known, else by serial + issuer. */
export function certificateCount(list: TrustList): number {
  return new Set(list.records.map((r) => r.certificateSha1 ?? `${r.serialNumber?.toString('hex')}/${r.issuerName}`))
    .size;
}

export function commonWarnings(
  list: TrustList,
  limits: { maxCertificates: number; maxBytes: number },
): TrustListWarning[] {
  const out: TrustListWarning[] = [];
  const n = certificateCount(list);
  if (n > limits.maxCertificates)
    out.push({
      code: 'TOO_MANY_CERTIFICATES',
      message: `${n} certificates; phones reject trust lists with more than ${limits.maxCertificates}`,
    });
  if (list.size > limits.maxBytes)
    out.push({
      code: 'TOO_LARGE',
      message: `${list.size} bytes; phones reject trust lists larger than ${limits.maxBytes}`,
    });
  const sast = list.records.filter((r) => r.roleName === 'SAST').length;
  if (sast > MAX_SAST_RECORDS)
    out.push({ code: 'TOO_MANY_SAST', message: `${sast} SAST records; at most ${MAX_SAST_RECORDS} are allowed (§5)` });
  if (list.signerRecordIndex === undefined)
    out.push({
      code: 'NO_SIGNER_RECORD',
      message: 'no SAST record matches the header signer serial; phones cannot verify the file',
    });
  const sv = list.header.signerVersion;
  const hasEc = list.records.some((r) => r.publicKey?.[0] === 0x04);
  if (hasEc && !(sv && (sv.major > 1 || (sv.major === 1 && sv.minor >= 1)))) {
    out.push({
      code: 'EC_NEEDS_SIGNER_VERSION_1_1',
      message: 'EC certificates are listed but SIGNER_VERSION is below 1.1 (§7)',
    });
  }
  const expected = TRUST_LIST_FILENAME[list.kind];
  if (list.header.fileName !== expected)
    out.push({
      code: 'UNEXPECTED_FILENAME',
      message: `FILENAME is "${list.header.fileName ?? ''}", phones expect "${expected}" (§8)`,
    });
  return out;
}
