// Owns the storage interfaces administration needs beyond PhoneStore: batch phone updates, bulk jobs,
// reports' aggregates, users, sessions and API tokens (implemented in store/admin-store.ts).

import type { AuditEntry, PhoneQuery, PhoneStore } from './ports.ts';
import type { CapfSettings, OperationStatusCode, Phone } from './model.ts';
import type { ScheduleRequest } from './service.ts';

/** A phone query without paging (bulk selections, report scans). */
export type PhoneFilter = Omit<PhoneQuery, 'sort' | 'order' | 'offset' | 'limit'>;

export type BulkJobState = 'queued' | 'running' | 'done' | 'cancelled' | 'failed';
export type BulkJobKind = 'capf-update' | 'renewal';

export interface BulkJob {
  id: number;
  kind: BulkJobKind;
  state: BulkJobState;
  filter: PhoneFilter;
  request: ScheduleRequest;
  createdBy: string;
  source: string;
  createdAt: string;
  updatedAt: string;
  /** Phones the query matched when the job was created. */
  total: number;
  processed: number;
  succeeded: number;
  failed: number;
  /** Last device name processed (keyset cursor): a restarted worker resumes after it. */
  cursor: string | null;
  error: string | null;
  /** Worker holding the job and until when (ISO); another worker may take it after the lease lapses. */
  runner: string | null;
  leaseUntil: string | null;
}

export interface BulkJobItem {
  deviceName: string;
  ok: boolean;
  /** The authentication string set on the phone (for the export to the people at the phones). */
  authString: string | null;
  code: string | null;
  message: string | null;
}

export interface CapfUpdate {
  deviceName: string;
  capf: CapfSettings;
  operationStatus: OperationStatusCode;
}

export interface ExpiryBucketRow {
  model: string;
  none: number;
  expired: number;
  within30: number;
  within90: number;
  valid: number;
}

export type Role = 'admin' | 'operator' | 'read-only';

export interface UserRecord {
  username: string;
  role: Role;
  passwordHash: string;
  mustChangePassword: boolean;
  disabled: boolean;
  createdAt: string;
  updatedAt: string;
  lastLoginAt: string | null;
}

export interface ApiTokenRecord {
  id: string;
  username: string;
  name: string;
  /** sha256 of the secret part, hex. */
  secretHash: string;
  scopes: string[];
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
}

export interface WebSessionRecord {
  /** sha256 of the cookie value, hex. */
  idHash: string;
  username: string;
  createdAt: string;
  expiresAt: string;
  source: string;
}

/** Failed logins under one throttle key ("u:<user name>" or "ip:<address>") within the current window. */
export interface LoginThrottleRecord {
  key: string;
  failures: number;
  /** ISO time the window of counted failures started. */
  firstFailureAt: string;
  /** ISO time logins under this key are refused until; null when not locked. */
  lockedUntil: string | null;
}

export interface AdminStore {
  // --- phones in batches ---
  scanPhones(filter: PhoneFilter, afterDeviceName: string | null, limit: number): Promise<Phone[]>;
  countPhones(filter: PhoneFilter): Promise<number>;
  /** Phones matching the filter whose profile's authentication mode differs from authMode, by profile. */
  profileMismatches(filter: PhoneFilter, authMode: string): Promise<{ profileName: string; profileMode: string; phones: number }[]>;
  applyCapfUpdates(updates: readonly CapfUpdate[], now: string): Promise<void>;
  appendAuditMany(entries: readonly AuditEntry[]): Promise<void>;
  countAudit(q: { actor?: string; action?: string; target?: string; since?: string }): Promise<number>;
  expiryBuckets(now: string, in30: string, in90: string): Promise<ExpiryBucketRow[]>;
  /** Copies a profile's CAPF defaults onto its phones that have no pending operation; returns how many changed. */
  applyProfileDefaults(profileName: string, s: Pick<CapfSettings, 'authMode' | 'keyOrder' | 'rsaKeySize' | 'ecKeySize'>, now: string): Promise<number>;
  countPendingWithProfile(profileName: string, notAuthMode: string): Promise<number>;

  // --- bulk jobs ---
  insertBulkJob(job: Omit<BulkJob, 'id'>): Promise<number>;
  getBulkJob(id: number): Promise<BulkJob | null>;
  listBulkJobs(q: { states?: BulkJobState[]; limit?: number }): Promise<BulkJob[]>;
  updateBulkJob(id: number, patch: Partial<Omit<BulkJob, 'id'>>): Promise<void>;
  /** Takes the job for this runner when it is free or its lease lapsed; false when someone else holds it. */
  claimBulkJob(id: number, runner: string, now: string, leaseUntil: string): Promise<boolean>;
  insertBulkJobItems(jobId: number, items: readonly BulkJobItem[]): Promise<void>;
  listBulkJobItems(jobId: number, q: { onlyFailed?: boolean; after?: string | null; limit: number }): Promise<BulkJobItem[]>;

  // --- users and access ---
  countUsers(): Promise<number>;
  getUser(username: string): Promise<UserRecord | null>;
  listUsers(): Promise<UserRecord[]>;
  insertUser(u: UserRecord): Promise<void>;
  updateUser(username: string, patch: Partial<Omit<UserRecord, 'username' | 'createdAt'>>): Promise<boolean>;
  deleteUser(username: string): Promise<boolean>;
  insertToken(t: ApiTokenRecord): Promise<void>;
  getToken(id: string): Promise<ApiTokenRecord | null>;
  listTokens(username?: string): Promise<ApiTokenRecord[]>;
  deleteToken(id: string): Promise<boolean>;
  touchToken(id: string, at: string): Promise<void>;
  insertWebSession(s: WebSessionRecord): Promise<void>;
  getWebSession(idHash: string): Promise<WebSessionRecord | null>;
  deleteWebSession(idHash: string): Promise<void>;
  deleteWebSessionsOf(username: string): Promise<void>;

  // --- login throttle (kept in the database so a lockout survives a restart) ---
  getLoginThrottles(keys: readonly string[]): Promise<LoginThrottleRecord[]>;
  /**
   * Counts one failed login under each key, atomically: a window that started before `windowStart` restarts
   * at one; reaching `maxFailures` sets lockedUntil.
   */
  recordLoginFailure(keys: readonly string[], o: { now: string; windowStart: string; maxFailures: number; lockedUntil: string }): Promise<void>;
  deleteLoginThrottles(keys: readonly string[]): Promise<void>;
  /** Drops records whose window started before `before` and that hold no lockout after `now`. */
  pruneLoginThrottles(before: string, now: string): Promise<number>;

  /** The PhoneStore on the same connection (inside a transaction: the same transaction). */
  phoneStore(): PhoneStore;
  transaction<T>(fn: (store: AdminStore) => Promise<T>): Promise<T>;
}
