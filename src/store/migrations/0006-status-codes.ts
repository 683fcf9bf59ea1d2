// Owns migration 0006: a phone's Certificate Operation Status stored as codes (status_operation,
// status_outcome, status_reason) instead of CUCM's sentence, so that renaming a label cannot orphan rows
// (issue #16 item 6). Converts every phone row and the status filters kept in bulk jobs.

import { sql, type Kysely, type Migration } from 'kysely';
import { parseStatusText, statusFilter, type CertOperation } from '../../phones/model.ts';

/**
 * The sentences are parsed with the labels of this release, which are the ones every earlier release
 * wrote. A sentence no code prints stops the migration (inside its transaction, nothing changed):
 * guessing would silently show the administrator a different status.
 */
export function statusCodesMigration(): Migration {
  return {
    async up(db0: Kysely<any>) {
      // Kysely runs PostgreSQL migrations in a transaction but not SQLite's (its adapter reports no
      // transactional DDL, though SQLite has it): one transaction here, so a refused row changes nothing.
      if (!db0.isTransaction) return db0.transaction().execute((trx) => up(trx));
      return up(db0);
    },
  };
}

async function up(db: Kysely<any>): Promise<void> {
  // One UPDATE per distinct (sentence, scheduled operation): "Operation Pending" takes the operation
  // the phone has scheduled; every other sentence names its operation itself.
  const groups = await sql<{ status: string; cert_operation: string; n: number | string }>`
    select status, cert_operation, count(*) as n from phones group by status, cert_operation`.execute(db);
  const unknown = groups.rows.filter((g) => !statusColumns(g.status, g.cert_operation));
  if (unknown.length) {
    const list = unknown.map((g) => `"${g.status}" (${Number(g.n)} phone${Number(g.n) === 1 ? '' : 's'})`).join(', ');
    throw new Error(
      `migration 0006: Certificate Operation Status not known to this release: ${list}; nothing was changed`,
    );
  }
  for (const col of ['status_operation', 'status_outcome']) {
    await db.schema
      .alterTable('phones')
      .addColumn(col, 'text', (c) => c.notNull().defaultTo('none'))
      .execute();
  }
  await db.schema.alterTable('phones').addColumn('status_reason', 'text').execute();
  for (const g of groups.rows) {
    const c = statusColumns(g.status, g.cert_operation)!;
    await sql`update phones
              set status_operation = ${c.status_operation}, status_outcome = ${c.status_outcome},
                status_reason = ${c.status_reason}
              where status = ${g.status} and cert_operation = ${g.cert_operation}`.execute(db);
  }

  await db.schema.dropIndex('phones_status_idx').execute();
  await db.schema.alterTable('phones').dropColumn('status').execute();
  // The dashboard's pending and failed lists, and sort=status, read these three in this order.
  await db.schema
    .createIndex('phones_status_idx')
    .on('phones')
    .columns(['status_outcome', 'status_operation', 'status_reason'])
    .execute();

  // Bulk jobs keep the filter they were created with (a job resumes with it): text filters become codes.
  const jobs = await sql<{ id: number | string; filter: string }>`select id, filter from bulk_jobs`.execute(db);
  for (const j of jobs.rows) {
    const next = bulkFilterWithCodes(j.filter);
    if (next !== null) await sql`update bulk_jobs set filter = ${next} where id = ${j.id}`.execute(db);
  }
}

/** The code columns for a sentence as the code before 0006 wrote it; null when no code prints it. */
export function statusColumns(
  status: string,
  certOperation: string,
): { status_operation: string; status_outcome: string; status_reason: string | null } | null {
  const code = parseStatusText(status, certOperation as CertOperation);
  return code ? { status_operation: code.operation, status_outcome: code.outcome, status_reason: code.reason } : null;
}

/** A bulk job's stored filter (JSON) with today's text filters as codes; null when it has none. */
export function bulkFilterWithCodes(filterJson: string): string | null {
  const f = JSON.parse(filterJson) as Record<string, unknown>;
  if (typeof f.status !== 'string' && typeof f.statusPrefix !== 'string') return null;
  const { status, statusPrefix, ...rest } = f;
  const matches = statusFilter({
    text: typeof status === 'string' ? status : undefined,
    textPrefix: typeof statusPrefix === 'string' ? statusPrefix : undefined,
  });
  return JSON.stringify(matches ? { ...rest, status: matches } : rest);
}

/**
 * A row of a table dump written before 0006 (PostgreSQL backups are per-table rows, restored into the
 * current schema), brought to the shape after it; rows already in that shape come back unchanged.
 */
export function rowAfter0006(table: string, row: Record<string, unknown>): Record<string, unknown> {
  if (table === 'phones' && typeof row.status === 'string') {
    const { status, ...rest } = row;
    const c = statusColumns(status as string, String(row.cert_operation));
    if (!c) {
      const what = `Certificate Operation Status "${String(status)}"`;
      throw new Error(`phone ${String(row.device_name)}: ${what} is not known to this release`);
    }
    return { ...rest, ...c };
  }
  if (table === 'bulk_jobs' && typeof row.filter === 'string') {
    const next = bulkFilterWithCodes(row.filter);
    if (next !== null) return { ...row, filter: next };
  }
  return row;
}
