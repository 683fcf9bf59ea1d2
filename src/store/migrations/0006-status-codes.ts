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
  const unknown = groups.rows.filter((g) => !parseStatusText(g.status, g.cert_operation as CertOperation));
  if (unknown.length) {
    const list = unknown.map((g) => `"${g.status}" (${Number(g.n)} phone${Number(g.n) === 1 ? '' : 's'})`).join(', ');
    throw new Error(`migration 0006: Certificate Operation Status not known to this release: ${list}; nothing was changed`);
  }
  await db.schema.alterTable('phones').addColumn('status_operation', 'text', (c) => c.notNull().defaultTo('none')).execute();
  await db.schema.alterTable('phones').addColumn('status_outcome', 'text', (c) => c.notNull().defaultTo('none')).execute();
  await db.schema.alterTable('phones').addColumn('status_reason', 'text').execute();
  for (const g of groups.rows) {
    const code = parseStatusText(g.status, g.cert_operation as CertOperation)!;
    await sql`update phones set status_operation = ${code.operation}, status_outcome = ${code.outcome}, status_reason = ${code.reason}
              where status = ${g.status} and cert_operation = ${g.cert_operation}`.execute(db);
  }

  await db.schema.dropIndex('phones_status_idx').execute();
  await db.schema.alterTable('phones').dropColumn('status').execute();
  // The dashboard's pending and failed lists, and sort=status, read these three in this order.
  await db.schema.createIndex('phones_status_idx').on('phones').columns(['status_outcome', 'status_operation', 'status_reason']).execute();

  // Bulk jobs keep the filter they were created with (a job resumes with it): text filters become codes.
  const jobs = await sql<{ id: number | string; filter: string }>`select id, filter from bulk_jobs`.execute(db);
  for (const j of jobs.rows) {
    const f = JSON.parse(j.filter) as Record<string, unknown>;
    if (typeof f.status !== 'string' && typeof f.statusPrefix !== 'string') continue;
    const { status, statusPrefix, ...rest } = f;
    const matches = statusFilter({
      text: typeof status === 'string' ? status : undefined,
      textPrefix: typeof statusPrefix === 'string' ? statusPrefix : undefined,
    });
    const next = matches ? { ...rest, status: matches } : rest;
    await sql`update bulk_jobs set filter = ${JSON.stringify(next)} where id = ${j.id}`.execute(db);
  }
}
