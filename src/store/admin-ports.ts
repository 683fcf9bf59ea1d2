// Owns the shape of the administration unit of work the store hands out: phones in batches, report aggregates,
// bulk jobs and the audit log's batch append on one connection. It satisfies the domain's narrower units
// (phones' PhoneBatchUnit, bulk's BulkUnit, reports' ReportSource) by structure.

import type { AuditBatchAppendPort } from '../audit/index.ts';
import type { BulkJobStore } from '../bulk/index.ts';
import type { PhoneBatchStore, PhoneStore } from '../phones/index.ts';
import type { ReportStore } from '../reports/index.ts';

export interface AdminStore extends PhoneBatchStore, ReportStore, BulkJobStore, AuditBatchAppendPort {
  /** The PhoneStore on the same connection (inside a transaction: the same transaction). */
  phoneStore(): PhoneStore;
  transaction<T>(fn: (store: AdminStore) => Promise<T>): Promise<T>;
}
