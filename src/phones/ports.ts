// Owns the interfaces the phones domain needs from storage (implemented in store/).

import type { Phone, SecurityProfile, CapfSettings, LscSummary, MicSummary, OperationStatusCode } from './model.ts';
import type { CapfSessionRecord } from '../capf/ports.ts';
import type { AuditAppendPort } from '../audit/ports.ts';
import type { PhoneFilter, PhoneSort, QueryFacts } from './query-fields.ts';

export type CertificateKind = 'lsc' | 'mic' | 'observed';
/** issued: signed and recorded before sending; delivered: phone acknowledged; superseded/revoked: no longer current. */
export type CertificateState = 'issued' | 'delivered' | 'superseded' | 'revoked' | 'observed';

export interface CertificateRecord {
  serialHex: string;
  deviceName: string;
  kind: CertificateKind;
  der: Buffer;
  subjectDn: string;
  issuerDn: string;
  notBefore: string;
  notAfter: string;
  createdAt: string;
  state: CertificateState;
  revokedAt: string | null;
  revocationReason: string | null;
  sessionId: number | null;
}

export interface PhonePatch {
  model?: string;
  description?: string;
  profileName?: string | null;
  capf?: Partial<CapfSettings>;
  operationStatus?: OperationStatusCode;
  authFailures?: number;
  lsc?: LscSummary | null;
  mic?: MicSummary | null;
  lastSessionAt?: string | null;
}

/**
 * A phone query: the filter fields of the table in query-fields.ts (derived, never listed here), paging
 * and a sort column of PHONE_SORTS.
 */
export type PhoneQuery = PhoneFilter & {
  /** Set by the domain service that runs the query (withFacts), never from user input. */
  facts?: QueryFacts;
  sort?: PhoneSort;
  order?: 'asc' | 'desc';
  offset?: number;
  limit?: number;
};

/** The phones table: one row per device (store/phone-store.ts). */
export interface PhoneRecordStore {
  getPhone(deviceName: string): Promise<Phone | null>;
  insertPhones(phones: readonly Phone[]): Promise<void>;
  /** Applies the patch (configVersion is bumped when CAPF settings or the profile change); null if absent. */
  updatePhone(deviceName: string, patch: PhonePatch, now: string): Promise<Phone | null>;
  /** updatePhone without reading the row back (the CAPF hot path): true if the phone exists. */
  patchPhone(deviceName: string, patch: PhonePatch, now: string): Promise<boolean>;
  /** Atomically adds one to auth failures and returns the new count. */
  incrementAuthFailures(deviceName: string, now: string): Promise<number>;
  deletePhone(deviceName: string): Promise<boolean>;
  listPhones(q: PhoneQuery): Promise<{ items: Phone[]; total: number }>;
}

/** Phone security profiles (store/profile-store.ts). */
export interface ProfileStore {
  getProfile(name: string): Promise<SecurityProfile | null>;
  listProfiles(): Promise<SecurityProfile[]>;
  upsertProfile(p: SecurityProfile): Promise<void>;
  deleteProfile(name: string): Promise<boolean>;
  countPhonesWithProfile(name: string): Promise<number>;
}

/** Every certificate issued to or seen from a phone, with its state (store/certificate-store.ts). */
export interface CertificateStore {
  insertCertificate(c: CertificateRecord): Promise<void>;
  setCertificateState(
    serialHex: string,
    state: CertificateState,
    extra?: { revokedAt?: string; revocationReason?: string },
  ): Promise<void>;
  getCertificate(serialHex: string): Promise<CertificateRecord | null>;
  /**
   * Revokes LSCs that were sent but never acknowledged (still `issued`): the device's others once a newer
   * LSC is confirmed (`deviceName` + `exceptSerial`), or every one issued before `issuedBefore` (grace
   * period over). Never a phone's current LSC. Returns what it revoked.
   */
  revokeUnacknowledgedLscs(
    filter: { deviceName: string; exceptSerial: string } | { issuedBefore: string },
    at: string,
    reason: string,
  ): Promise<{ serialHex: string; deviceName: string }[]>;
  listCertificates(deviceName: string): Promise<CertificateRecord[]>;
}

/** The record of each CAPF session (store/session-store.ts). */
export interface CapfSessionStore {
  insertSession(s: CapfSessionRecord): Promise<void>;
  listSessions(deviceName: string, limit: number): Promise<CapfSessionRecord[]>;
}

/**
 * The phones domain's unit of work: its four ports (and the audit log's append port, so that recordAudit
 * writes inside the same transaction) on one connection, with transactions over all of them.
 */
export interface PhoneStore
  extends PhoneRecordStore,
    ProfileStore,
    CertificateStore,
    CapfSessionStore,
    AuditAppendPort {
  transaction<T>(fn: (store: PhoneStore) => Promise<T>): Promise<T>;
  /**
   * Like transaction(), but may share one commit with other concurrent callers (group commit): each
   * caller's work is atomic and durable when its promise resolves; a failing caller does not fail others.
   * `siblings` is how many other callers are likely to submit soon (e.g. CAPF sessions in flight): with
   * any, the store may hold the commit open for a short, configured delay to share it (PostgreSQL's
   * commit_delay/commit_siblings); with none it commits at once.
   */
  groupTransaction<T>(fn: (store: PhoneStore) => Promise<T>, opts?: { siblings?: number }): Promise<T>;
}

/**
 * An issued LSC as the domain needs it. pki/ implements this port by structure (its IssuedLsc has these
 * fields) without importing phones/; app/ passes pki's CA where this port is expected, so tsc checks the fit.
 */
export interface IssuedCertificate {
  der: Buffer;
  serialHex: string;
  subjectDn: string;
  issuerDn: string;
  notBefore: Date;
  notAfter: Date;
}

/** What the phones domain needs from the CAPF certificate authority (implemented in pki/, wired by app/). */

export interface CertificateAuthorityPort {
  /** Current CAPF certificate's validity end. */
  capfNotAfter(): Date;
  issueLsc(deviceName: string, publicKeySpki: Buffer, now: Date): Promise<IssuedCertificate>;
  /** Is this certificate an LSC signed by our CAPF CA (current or previous)? Checks signature, not expiry. */
  isOurLsc(der: Buffer): boolean;
}

/** The manufacturing CA that issued a MIC (provisioning/manufacturing-trust.ts implements this by structure). */
export interface ManufacturingIssuer {
  subjectDn: string;
  sha1: string;
  notBefore: Date;
  notAfter: Date;
}

/** The manufacturing CAs MICs are checked against: capf.manufacturingCaFile and the managed entries. */
export interface ManufacturingTrustPort {
  /** The trusted manufacturing CA that issued this certificate (signature checked, not validity), or null. */
  issuerOf(der: Buffer): Promise<ManufacturingIssuer | null>;
}

/** Key facts of a certificate the domain reasons about. */
export interface CertificateFacts {
  serialHex: string;
  /** SHA-1 of the DER, lower-case hex. */
  sha1: string;
  subjectDn: string;
  issuerDn: string;
  commonName: string;
  subjectValues: string[];
  notBefore: Date;
  notAfter: Date;
  key: { type: 'rsa'; bits: number } | { type: 'ec'; curve: string };
}

export interface CertificateReader {
  read(der: Buffer): CertificateFacts;
  readSpki(spki: Buffer): CertificateFacts['key'];
}
