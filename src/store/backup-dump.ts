// Owns the database half of a backup (backup/service.ts's BackupDatabase port): a consistent copy of the
// database as archive entries (SQLite: the file made by SQLite's online backup API; PostgreSQL: one
// JSON-lines dump per table, read in one REPEATABLE READ transaction) and putting such a copy back.

import { existsSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { randomBytes } from 'node:crypto';
import SqliteDatabase from 'better-sqlite3';
import { sql, type Kysely } from 'kysely';
import { AppError } from '../shared/errors.ts';
import type { Entry } from '../backup/archive.ts';
import type { BackupDatabase } from '../backup/service.ts';
import { rowAfter0006 } from './migrations/0006-status-codes.ts';
import { rawDatabase } from './raw.ts';

/** Every table a backup must hold, parents before children. */
export const ALL_TABLES = [
  'security_profiles',
  'phones',
  'certificates',
  'capf_sessions',
  'audit_log',
  'users',
  'api_tokens',
  'web_sessions',
  'bulk_jobs',
  'bulk_job_items',
  'login_throttle',
  'phone_itl_status',
  'tvs_foreign_trust',
  'manufacturing_cas',
  'monitor_rules',
  'monitor_channels',
  'monitor_notifications',
  'monitor_deliveries',
] as const;

const SQLITE_FILE = 'opencapf.db';

function jsonReplacer(_k: string, v: unknown): unknown {
  if (
    v &&
    typeof v === 'object' &&
    (v as { type?: string }).type === 'Buffer' &&
    Array.isArray((v as { data?: unknown }).data)
  )
    return { $b64: Buffer.from((v as { data: number[] }).data).toString('base64') };
  if (typeof v === 'bigint') return Number(v);
  return v;
}
function jsonReviver(_k: string, v: unknown): unknown {
  if (v && typeof v === 'object' && typeof (v as { $b64?: unknown }).$b64 === 'string')
    return Buffer.from((v as { $b64: string }).$b64, 'base64');
  return v;
}

type Dump = Awaited<ReturnType<BackupDatabase['dump']>>;

/**
 * The dump half of the port over an open store: entries holding a consistent copy of the database, and the
 * row count of each table (PostgreSQL). `sqliteFile`: the open SQLite database's file.
 */
export function backupDumper(o: { db: Kysely<any>; sqliteFile: string | null }): Pick<BackupDatabase, 'dump'> {
  return { dump: () => dumpDatabase(o) };
}

async function dumpDatabase(o: { db: Kysely<any>; sqliteFile: string | null }): Promise<Dump> {
  if (o.sqliteFile !== null) {
    if (o.sqliteFile === ':memory:') throw new AppError('ERR_BAD_REQUEST', 'an in-memory database cannot be backed up');
    const tmp = join(tmpdir(), `opencapf-backup-${process.pid}-${randomBytes(4).toString('hex')}.db`);
    const src = new SqliteDatabase(o.sqliteFile, { readonly: true, fileMustExist: true });
    try {
      await src.backup(tmp);
      return { entries: [{ name: `db/${SQLITE_FILE}`, mode: 0o600, data: readFileSync(tmp) }] };
    } finally {
      src.close();
      rmSync(tmp, { force: true });
    }
  }
  return o.db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) => {
      const entries: Entry[] = [];
      const counts: Record<string, number> = {};
      for (const t of ALL_TABLES) {
        const rows = (await sql<Record<string, unknown>>`select * from ${sql.table(t)}`.execute(trx)).rows;
        counts[t] = rows.length;
        entries.push({
          name: `db/${t}.jsonl`,
          mode: 0o600,
          data: Buffer.from(rows.map((r) => JSON.stringify(r, jsonReplacer)).join('\n'), 'utf8'),
        });
      }
      return { entries, counts };
    });
}

/**
 * The restore half of the port, for a store that is not open: SQLite writes the file into dataDir (and
 * reports an existing one); PostgreSQL is replaced table by table (truncate first) through a store opened
 * for it (migrated first), so only the keys decide whether restore would overwrite.
 */
export function backupRestorer(o: {
  driver: 'sqlite' | 'postgres';
  dataDir: string;
  openPostgres: () => Promise<{ close(): Promise<void> }>;
}): Omit<BackupDatabase, 'dump'> {
  return {
    exists: () => o.driver === 'sqlite' && existsSync(join(o.dataDir, SQLITE_FILE)),
    async restore(entries) {
      if (o.driver === 'sqlite') return restoreSqliteFile(o.dataDir, entries);
      const store = await o.openPostgres();
      try {
        await restorePostgresTables(rawDatabase(store), entries);
      } finally {
        await store.close();
      }
    },
  };
}

/** Writes the SQLite database file of a backup into dataDir (the store must be closed). */
function restoreSqliteFile(dataDir: string, entries: readonly Entry[]): void {
  const db = entries.find((e) => e.name === `db/${SQLITE_FILE}`);
  if (!db) throw new AppError('ERR_BACKUP_FORMAT', 'backup has no database');
  const dbFile = join(dataDir, SQLITE_FILE);
  for (const suffix of ['-wal', '-shm']) rmSync(dbFile + suffix, { force: true });
  writeFileSync(dbFile, db.data, { mode: 0o600 });
  chmodSync(dbFile, 0o600);
}

/** Replaces every table of an open PostgreSQL store with the dump, in one transaction. */
async function restorePostgresTables(db: Kysely<any>, entries: readonly Entry[]): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`truncate ${sql.join(ALL_TABLES.map((t) => sql.table(t)))} restart identity cascade`.execute(trx);
    for (const t of ALL_TABLES) {
      const e = entries.find((x) => x.name === `db/${t}.jsonl`);
      const text = e?.data.toString('utf8') ?? '';
      if (!text) continue;
      // Rows dumped before migration 0006 (status as a sentence) are brought to today's columns.
      const rows = text.split('\n').map((l) => rowAfter0006(t, JSON.parse(l, jsonReviver) as Record<string, unknown>));
      for (let i = 0; i < rows.length; i += 500)
        await (trx as Kysely<any>)
          .insertInto(t)
          .values(rows.slice(i, i + 500))
          .execute();
      if (rows.length && 'id' in rows[0]!)
        await sql`select setval(pg_get_serial_sequence(${t}, 'id'), (select max(id) from ${sql.table(t)}))`.execute(
          trx,
        );
    }
  });
}
