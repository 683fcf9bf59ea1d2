// Owns reading the audit log: who did what to which phone, profile, user or job, when and from where.
// The log is append-only: services append inside their own transactions; nothing updates or deletes it.

import { AppError } from '../shared/errors.ts';
import type { AuditEntry, PhoneStore } from './ports.ts';
import type { AdminStore } from './admin-ports.ts';

export interface AuditQuery {
  actor?: string;
  action?: string;
  target?: string;
  since?: string;
  limit?: number;
  offset?: number;
}

export interface AuditService {
  list(q: AuditQuery): Promise<{ items: (AuditEntry & { id: number })[]; total: number; offset: number; limit: number }>;
}

export function createAuditService(store: PhoneStore, admin: AdminStore): AuditService {
  return {
    async list(q) {
      const limit = q.limit ?? 100;
      const offset = q.offset ?? 0;
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new AppError('ERR_BAD_REQUEST', 'limit must be 1 to 1000');
      let since = q.since;
      if (since !== undefined) {
        const t = Date.parse(since);
        if (Number.isNaN(t)) throw new AppError('ERR_BAD_REQUEST', `since "${since}" is not a date/time (ISO 8601)`);
        since = new Date(t).toISOString();
      }
      const filter = { ...(q.actor ? { actor: q.actor } : {}), ...(q.action ? { action: q.action } : {}), ...(q.target ? { target: q.target } : {}), ...(since ? { since } : {}) };
      const [items, total] = await Promise.all([store.listAudit({ ...filter, limit, offset }), admin.countAudit(filter)]);
      return { items, total, offset, limit };
    },
  };
}
