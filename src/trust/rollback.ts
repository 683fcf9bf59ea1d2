// Owns the "empty" (rollback) ITL of tlv-files.md §9.6: CUCM's "Prepare Cluster for Rollback to pre-8.0".
// The list stays signed by the cluster's current signer (the phone accepts it by rule 2), but its TVS and TFTP
// records carry no certificate. A phone holding such a list accepts the next ITL on first sight and unsigned
// configuration files.
//
// Bytes of an empty record (UNCERTAIN, §9.6: "keep the record structure with no certificate element"):
//   RECORDLENGTH, DNSNAME (two NULs, as CUCM writes an empty name), SUBJECTNAME (one NUL), FUNCTION.
// When reading lists from CUCM we are liberal: any TVS, TFTP or CCM+TFTP record with neither a CERTIFICATE nor a
// CERTHASH nor a PUBLICKEY value counts as empty; an element present with no value (zero length, or all zero
// bytes) counts as absent (isAbsentValue), and parseTrustList drops such values from the model.

import { ROLES, RecordTag, type Role } from './constants.ts';
import { encodeCString, encodeRecord, type TlvRecord } from './tlv-codec.ts';

/** Roles whose records an empty (rollback) ITL blanks. */
export const ROLLBACK_BLANK_ROLES = ['TVS', 'TFTP'] as const satisfies readonly Role[];

const BLANKABLE_CODES: ReadonlySet<number> = new Set([ROLES.TVS.code, ROLES.TFTP.code, ROLES.CCM_TFTP.code]);

/** The encoded bytes of one empty record for `role`. */
export function emptyRecordBytes(role: Role): Buffer {
  const code = ROLES[role].code;
  return encodeRecord([
    { tag: RecordTag.DNS_NAME, value: Buffer.alloc(2) },
    { tag: RecordTag.SUBJECT_NAME, value: encodeCString('') },
    { tag: RecordTag.ROLE, value: Uint8Array.of(code >>> 8, code & 0xff) },
  ]);
}

/** A CERTIFICATE, CERTHASH or PUBLICKEY value that stands for nothing: missing, zero-length or all zero bytes. */
export function isAbsentValue(v: Uint8Array | undefined): boolean {
  return !v || v.every((b) => b === 0);
}

/** True for a record that stands for no certificate at all (the blank entries of a rollback ITL). */
export function isEmptyRecord(r: Pick<TlvRecord, 'certificate' | 'certificateHash' | 'publicKey'>): boolean {
  return isAbsentValue(r.certificate) && isAbsentValue(r.certificateHash) && isAbsentValue(r.publicKey);
}

/** True when the list is an empty (rollback) ITL: some TVS or TFTP record is empty (§9.6). */
export function isRollbackTrustList(list: { records: readonly TlvRecord[] }): boolean {
  return list.records.some((r) => BLANKABLE_CODES.has(r.role) && isEmptyRecord(r));
}
