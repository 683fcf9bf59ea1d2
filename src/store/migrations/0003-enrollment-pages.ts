// Owns migration 0003: fewer database pages written per CAPF enrollment (docs/performance.md, "where the
// pages go"). Measured with the bench server at concurrency 32: 10.7 pages per enrollment before.
// - phones_lsc_serial_idx is dropped (1.6 pages per enrollment: a random 16-byte key). It only served the
//   "LSC installed / none" filter, which now reads lsc_not_after: the store writes both columns from the
//   same LSC value, so they are null together. Lookups by serial go through the certificates' key.
// - SQLite only: audit_log and capf_sessions lose AUTOINCREMENT (every insert also rewrote the
//   sqlite_sequence page). Neither table ever deletes rows, so ids still only grow and are never reused.

import { sql, type Kysely, type Migration } from 'kysely';
import type { DialectTypes } from './index.ts';

export function enrollmentPagesMigration(t: DialectTypes): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.dropIndex('phones_lsc_serial_idx').execute();
      if (t.idType !== 'integer') return; // PostgreSQL: bigserial has no per-insert bookkeeping row
      for (const table of ['audit_log', 'capf_sessions']) await dropAutoincrement(db, table);
    },
  };
}

/** Rebuilds a SQLite table from its own definition without AUTOINCREMENT, keeping rows, ids and indexes. */
async function dropAutoincrement(db: Kysely<any>, table: string): Promise<void> {
  const schema = (type: string) =>
    sql<{ sql: string }>`select sql from sqlite_schema where type = ${type} and tbl_name = ${table} and sql is not null`
      .execute(db)
      .then((r) => r.rows.map((x) => x.sql));
  const [definition] = await schema('table');
  const head = new RegExp(`^create table "?${table}"?`, 'i');
  if (!definition || !head.test(definition) || !/ autoincrement/i.test(definition)) {
    throw new Error(`migration 0003: unexpected definition of ${table}: ${definition ?? '(missing)'}`);
  }
  const indexes = await schema('index');
  await sql.raw(definition.replace(head, `create table "${table}_rebuilt"`).replace(/ autoincrement/i, '')).execute(db);
  await sql.raw(`insert into "${table}_rebuilt" select * from "${table}"`).execute(db);
  await sql.raw(`drop table "${table}"`).execute(db);
  await sql.raw(`alter table "${table}_rebuilt" rename to "${table}"`).execute(db);
  for (const index of indexes) await sql.raw(index).execute(db);
}
