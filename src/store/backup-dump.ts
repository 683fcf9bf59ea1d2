// Owns the database half of a backup: a consistent copy of the database as archive entries (SQLite: the
// file made by SQLite's online backup API; PostgreSQL: one JSON-lines dump per table, read in one
// REPEATABLE READ transaction) and putting such a copy back.

import { readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { randomBytes } from 'node:crypto';
import SqliteDatabase from 'better-sqlite3';
import { sql, type Kysely } from 'kysely';
import { AppError } from '../shared/errors.ts';
import type { Entry } from '../backup/archive.ts';
import { ALL_TABLES } from './admin-store.ts';
import { rowAfter0006 } from './migrations/0006-status-codes.ts';

const SQLITE_FILE = 'opencapf.db';

function jsonReplacer(_k: string, v: unknown): unknown {
  if (v && typeof v === 'object' && (v as { type?: string }).type === 'Buffer' && Array.isArray((v as { data?: unknown }).data)) return { $b64: Buffer.from((v as { data: number[] }).data).toString('base64') };
  if (typeof v === 'bigint') return Number(v);
  return v;
}
function jsonReviver(_k: string, v: unknown): unknown {
  if (v && typeof v === 'object' && typeof (v as { $b64?: unknown }).$b64 === 'string') return Buffer.from((v as { $b64: string }).$b64, 'base64');
  return v;
}

/** Entries holding a consistent copy of the database, and the row count of each table (PostgreSQL). */
export async function dumpDatabase(o: { driver: 'sqlite' | 'postgres'; dataDir: string; db: Kysely<any> }): Promise<{ entries: Entry[]; counts?: Record<string, number> }> {
  if (o.driver === 'sqlite') {
    const tmp = join(tmpdir(), `opencapf-backup-${process.pid}-${randomBytes(4).toString('hex')}.db`);
    const src = new SqliteDatabase(join(o.dataDir, SQLITE_FILE), { readonly: true, fileMustExist: true });
    try {
      await src.backup(tmp);
      return { entries: [{ name: `db/${SQLITE_FILE}`, mode: 0o600, data: readFileSync(tmp) }] };
    } finally {
      src.close();
      rmSync(tmp, { force: true });
    }
  }
  return o.db.transaction().setIsolationLevel('repeatable read').execute(async (trx) => {
    const entries: Entry[] = [];
    const counts: Record<string, number> = {};
    for (const t of ALL_TABLES) {
      const rows = (await sql<Record<string, unknown>>`select * from ${sql.table(t)}`.execute(trx)).rows;
      counts[t] = rows.length;
      entries.push({ name: `db/${t}.jsonl`, mode: 0o600, data: Buffer.from(rows.map((r) => JSON.stringify(r, jsonReplacer)).join('\n'), 'utf8') });
    }
    return { entries, counts };
  });
}

/** True when dataDir already holds a SQLite database (restore refuses to replace it without force). */
export function hasSqliteDatabase(dataDir: string, exists: (path: string) => boolean): boolean {
  return exists(join(dataDir, SQLITE_FILE));
}

/** Writes the SQLite database file of a backup into dataDir (the store must be closed). */
export function restoreSqliteFile(dataDir: string, entries: readonly Entry[]): void {
  const db = entries.find((e) => e.name === `db/${SQLITE_FILE}`);
  if (!db) throw new AppError('ERR_BACKUP_FORMAT', 'backup has no database');
  const dbFile = join(dataDir, SQLITE_FILE);
  for (const suffix of ['-wal', '-shm']) rmSync(dbFile + suffix, { force: true });
  writeFileSync(dbFile, db.data, { mode: 0o600 });
  chmodSync(dbFile, 0o600);
}

/** Replaces every table of an open PostgreSQL store with the dump, in one transaction. */
export async function restorePostgresTables(db: Kysely<any>, entries: readonly Entry[]): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`truncate ${sql.join(ALL_TABLES.map((t) => sql.table(t)))} restart identity cascade`.execute(trx);
    for (const t of ALL_TABLES) {
      const e = entries.find((x) => x.name === `db/${t}.jsonl`);
      const text = e?.data.toString('utf8') ?? '';
      if (!text) continue;
      // Rows dumped before migration 0006 (status as a sentence) are brought to today's columns.
      const rows = text.split('\n').map((l) => rowAfter0006(t, JSON.parse(l, jsonReviver) as Record<string, unknown>));
      for (let i = 0; i < rows.length; i += 500) await (trx as Kysely<any>).insertInto(t).values(rows.slice(i, i + 500)).execute();
      if (rows.length && 'id' in rows[0]!) await sql`select setval(pg_get_serial_sequence(${t}, 'id'), (select max(id) from ${sql.table(t)}))`.execute(trx);
    }
  });
}
