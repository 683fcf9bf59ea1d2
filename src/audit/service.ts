// Owns reading the audit log: who did what to which phone, profile, user or job, when and from where.
// The log is append-only: services append inside their own transactions (audit/record.ts); nothing updates
// or deletes it.

import { AppError } from '../shared/errors.ts';
import { AUDIT_ACTIONS, auditActionText, isAuditAction } from './actions.ts';
import type { AuditStore, StoredAuditEntry } from './ports.ts';

export interface AuditQuery {
  actor?: string;
  action?: string;
  target?: string;
  since?: string;
  limit?: number;
  offset?: number;
}

/** A stored row with the display text of its action. */
export interface AuditView extends StoredAuditEntry {
  actionText: string;
}

export interface AuditService {
  list(q: AuditQuery): Promise<{ items: AuditView[]; total: number; offset: number; limit: number }>;
}

export function createAuditService(store: Pick<AuditStore, 'listAudit' | 'countAudit'>): AuditService {
  return {
    async list(q) {
      const limit = q.limit ?? 100;
      const offset = q.offset ?? 0;
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
        throw new AppError('ERR_BAD_REQUEST', 'limit must be 1 to 1000');
      }
      // A misspelt action would silently match nothing: say so, with the names there are.
      if (q.action && !isAuditAction(q.action)) {
        const known = Object.keys(AUDIT_ACTIONS).join(', ');
        throw new AppError('ERR_BAD_REQUEST', `unknown audit action "${q.action}"; the actions are: ${known}`);
      }
      let since = q.since;
      if (since !== undefined) {
        const t = Date.parse(since);
        if (Number.isNaN(t)) throw new AppError('ERR_BAD_REQUEST', `since "${since}" is not a date/time (ISO 8601)`);
        since = new Date(t).toISOString();
      }
      const filter = {
        ...(q.actor ? { actor: q.actor } : {}),
        ...(q.action ? { action: q.action } : {}),
        ...(q.target ? { target: q.target } : {}),
        ...(since ? { since } : {}),
      };
      const [rows, total] = await Promise.all([
        store.listAudit({ ...filter, limit, offset }),
        store.countAudit(filter),
      ]);
      return { items: rows.map((r) => ({ ...r, actionText: auditActionText(r.action) })), total, offset, limit };
    },
  };
}
