// Owns the storage interfaces reports read: aggregates (implemented in store/report-store.ts) and phones
// selected by a filter (phones' PhoneBatchStore).

import type { PhoneBatchStore } from '../phones/index.ts';

export interface ExpiryBucketRow {
  model: string;
  none: number;
  expired: number;
  within30: number;
  within90: number;
  valid: number;
}

/** The aggregates reports read (store/report-store.ts). */
export interface ReportStore {
  expiryBuckets(now: string, in30: string, in90: string): Promise<ExpiryBucketRow[]>;
}

/** What the report service reads. */
export type ReportSource = ReportStore & Pick<PhoneBatchStore, 'scanPhones' | 'countPhones'>;
