// Owns the storage interfaces of the audit log (implemented in store/audit-store.ts): append one or many rows
// on the caller's connection (so inside its transaction), list and count.

/** One row of the audit log as stored and read back (`action` is a name from audit/actions.ts). */
export interface AuditEntry {
  at: string;
  actor: string;
  source: string;
  action: string;
  target: string;
  details: Record<string, unknown>;
}

export interface StoredAuditEntry extends AuditEntry {
  id: number;
}

export interface AuditFilter {
  actor?: string;
  action?: string;
  target?: string;
  /** ISO time: entries at or after it. */
  since?: string;
}

/**
 * Appends one row. A transaction-scoped store that offers it (PhoneStore, AccessStore inside transaction())
 * writes the row in that transaction: it commits or rolls back with the caller's other changes.
 */
export interface AuditAppendPort {
  appendAudit(e: AuditEntry): Promise<void>;
}

/** Appends many rows in as few statements as the store can (bulk batches); same transaction rule. */
export interface AuditBatchAppendPort {
  appendAuditMany(entries: readonly AuditEntry[]): Promise<void>;
}

export interface AuditStore extends AuditAppendPort, AuditBatchAppendPort {
  /** Newest first. */
  listAudit(q: AuditFilter & { limit?: number; offset?: number }): Promise<StoredAuditEntry[]>;
  countAudit(q: AuditFilter): Promise<number>;
}
