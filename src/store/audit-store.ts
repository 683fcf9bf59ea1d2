// Owns the Kysely implementation of the AuditStore port (SQLite and PostgreSQL): the audit_log table.
// Built on a connection or a transaction: on a transaction its appends are part of it. (The CAPF hot path
// appends through PhoneStore.appendAudit, which reuses its compiled statement on the same table.)

import type { Kysely, Transaction } from 'kysely';
import type { Database } from './tables.ts';
import type { AuditFilter, AuditStore } from '../audit/ports.ts';

const ROW_BATCH = 200;

export function createKyselyAuditStore(db: Kysely<Database> | Transaction<Database>): AuditStore {
  const where = (q: AuditFilter) => {
    let qb = db.selectFrom('audit_log');
    if (q.actor) qb = qb.where('actor', '=', q.actor);
    if (q.action) qb = qb.where('action', '=', q.action);
    if (q.target) qb = qb.where('target', '=', q.target);
    if (q.since) qb = qb.where('at', '>=', q.since);
    return qb;
  };
  const store: AuditStore = {
    async appendAudit(e) {
      await store.appendAuditMany([e]);
    },
    async appendAuditMany(entries) {
      for (let i = 0; i < entries.length; i += ROW_BATCH) {
        const rows = entries.slice(i, i + ROW_BATCH).map((e) => ({
          at: e.at,
          actor: e.actor,
          source: e.source,
          action: e.action,
          target: e.target,
          details: JSON.stringify(e.details),
        }));
        if (rows.length) await db.insertInto('audit_log').values(rows).execute();
      }
    },
    async listAudit(q) {
      const rows = await where(q)
        .selectAll()
        .orderBy('id', 'desc')
        .limit(q.limit ?? 100)
        .offset(q.offset ?? 0)
        .execute();
      return rows.map((r) => ({
        id: Number(r.id),
        at: r.at,
        actor: r.actor,
        source: r.source,
        action: r.action,
        target: r.target,
        details: JSON.parse(r.details) as Record<string, unknown>,
      }));
    },
    async countAudit(q) {
      const r = await where(q)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
  };
  return store;
}
