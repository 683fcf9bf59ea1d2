// Owns the storage interfaces of bulk administration: bulk jobs and their per-phone results (implemented in
// store/bulk-job-store.ts), and the unit of work a bulk job's batch runs in.

import type { AuditBatchAppendPort } from '../audit/index.ts';
import type { PhoneBatchStore, PhoneStore, ScheduleRequest } from '../phones/index.ts';
import type { PhoneFilter } from '../phones/admin-ports.ts';

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

/** A batch of a bulk job: phones, the job's rows and the audit log on one connection, in one transaction. */
export interface BulkUnit extends PhoneBatchStore, BulkJobStore, AuditBatchAppendPort {
  /** The PhoneStore on the same connection (inside a transaction: the same transaction). */
  phoneStore(): PhoneStore;
  transaction<T>(fn: (store: BulkUnit) => Promise<T>): Promise<T>;
}
