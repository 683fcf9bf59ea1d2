// Owns the storage interfaces administration needs beyond PhoneStore: batch phone updates, bulk jobs and
// reports' aggregates (implemented in store/admin-store.ts; users and tokens are access/ports.ts).

import type { PhoneQuery, PhoneStore } from './ports.ts';
import type { AuditBatchAppendPort } from '../audit/ports.ts';
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

/** Phones selected by a filter, in batches, and updated together (store/phone-batch-store.ts). */
export interface PhoneBatchStore {
  scanPhones(filter: PhoneFilter, afterDeviceName: string | null, limit: number): Promise<Phone[]>;
  countPhones(filter: PhoneFilter): Promise<number>;
  /** Phones matching the filter whose profile's authentication mode differs from authMode, by profile. */
  profileMismatches(
    filter: PhoneFilter,
    authMode: string,
  ): Promise<{ profileName: string; profileMode: string; phones: number }[]>;
  applyCapfUpdates(updates: readonly CapfUpdate[], now: string): Promise<void>;
  /** Copies a profile's CAPF defaults onto its phones that have no pending operation; returns how many changed. */
  applyProfileDefaults(
    profileName: string,
    s: Pick<CapfSettings, 'authMode' | 'keyOrder' | 'rsaKeySize' | 'ecKeySize'>,
    now: string,
  ): Promise<number>;
  countPendingWithProfile(profileName: string, notAuthMode: string): Promise<number>;
}

/** The aggregates reports read (store/report-store.ts). */
export interface ReportStore {
  expiryBuckets(now: string, in30: string, in90: string): Promise<ExpiryBucketRow[]>;
}

/** Bulk jobs and the per-phone result of each (store/bulk-job-store.ts). */
export interface BulkJobStore {
  insertBulkJob(job: Omit<BulkJob, 'id'>): Promise<number>;
  getBulkJob(id: number): Promise<BulkJob | null>;
  listBulkJobs(q: { states?: BulkJobState[]; limit?: number }): Promise<BulkJob[]>;
  updateBulkJob(id: number, patch: Partial<Omit<BulkJob, 'id'>>): Promise<void>;
  /** Takes the job for this runner when it is free or its lease lapsed; false when someone else holds it. */
  claimBulkJob(id: number, runner: string, now: string, leaseUntil: string): Promise<boolean>;
  insertBulkJobItems(jobId: number, items: readonly BulkJobItem[]): Promise<void>;
  listBulkJobItems(
    jobId: number,
    q: { onlyFailed?: boolean; after?: string | null; limit: number },
  ): Promise<BulkJobItem[]>;
}

/**
 * Administration's unit of work: its three ports and the audit log's batch append port (inside
 * transaction(), the rows are written in that transaction) on one connection.
 */
export interface AdminStore extends PhoneBatchStore, ReportStore, BulkJobStore, AuditBatchAppendPort {
  /** The PhoneStore on the same connection (inside a transaction: the same transaction). */
  phoneStore(): PhoneStore;
  transaction<T>(fn: (store: AdminStore) => Promise<T>): Promise<T>;
}
