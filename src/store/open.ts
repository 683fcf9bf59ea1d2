// Owns opening the database (SQLite in dataDir by default, or PostgreSQL) and running migrations.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type MigrationProvider } from 'kysely';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { AppError } from '../shared/errors.ts';
import type { Database } from './tables.ts';
import { migrations, type DialectTypes } from './migrations/index.ts';
import { createKyselyPhoneStore } from './phone-store.ts';
import type { DirectRunner } from './query-cache.ts';
import type { PhoneStore } from '../phones/ports.ts';

export interface StoreOptions {
  driver: 'sqlite' | 'postgres';
  dataDir: string;
  postgresUrl?: string | null;
  /** Group commit delay while other writers are in flight (store.commitDelayMs); default 0. */
  commitDelayMs?: number;
  /** For tests: a SQLite file path or ':memory:' instead of <dataDir>/opencapf.db. */
  sqlitePath?: string;
}

export interface OpenStore {
  db: Kysely<Database>;
  driver: 'sqlite' | 'postgres';
  phones: PhoneStore;
  close(): Promise<void>;
}

export async function openStore(opts: StoreOptions): Promise<OpenStore> {
  let db: Kysely<Database>;
  let types: DialectTypes;
  let runner: DirectRunner | undefined;
  let autocommit: (() => boolean) | undefined;
  if (opts.driver === 'sqlite') {
    const path = opts.sqlitePath ?? join(opts.dataDir, 'opencapf.db');
    if (path !== ':memory:') mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
    const sqlite = new SqliteDatabase(path);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('busy_timeout = 10000');
    sqlite.pragma('foreign_keys = ON');
    const cached = cachingStatements(sqlite);
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database: cached }) });
    runner = sqliteRunner(cached);
    autocommit = () => !sqlite.inTransaction;
    types = { idType: 'integer', binaryType: 'blob' };
  } else {
    if (!opts.postgresUrl) throw new AppError('ERR_CONFIG_INVALID', 'store.postgresUrl is required for PostgreSQL');
    const pool = new pg.Pool({ connectionString: opts.postgresUrl, max: 10 });
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    types = { idType: 'bigserial', binaryType: 'bytea' };
  }
  await migrate(db, types);
  return { db, driver: opts.driver, phones: createKyselyPhoneStore(db, false, undefined, { commitDelayMs: opts.commitDelayMs ?? 0, runner, autocommit }), close: () => db.destroy() };
}

/**
 * Kysely prepares every query anew; on the CAPF hot path preparing cost more than executing. Statements
 * are reused by SQL text (better-sqlite3 statements are reusable once a call returns), up to a bound.
 */
function cachingStatements(sqlite: SqliteDatabase.Database, max = 512): SqliteDatabase.Database {
  const cache = new Map<string, SqliteDatabase.Statement>();
  const prepare = (sql: string): SqliteDatabase.Statement => {
    let st = cache.get(sql);
    if (!st) {
      st = sqlite.prepare(sql);
      if (cache.size < max) cache.set(sql, st);
    }
    return st;
  };
  return new Proxy(sqlite, {
    get(target, prop, receiver) {
      if (prop === 'prepare') return prepare;
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/** Runs SQL on the connection the way Kysely's SQLite driver does (same result shape), synchronously. */
function sqliteRunner(sqlite: SqliteDatabase.Database): DirectRunner {
  return (sqlText, parameters) => {
    const st = sqlite.prepare(sqlText);
    if (st.reader) return { rows: st.all(parameters as unknown[]) };
    const { changes, lastInsertRowid } = st.run(parameters as unknown[]);
    return { rows: [], numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid) };
  };
}

async function migrate(db: Kysely<Database>, types: DialectTypes): Promise<void> {
  const provider: MigrationProvider = { getMigrations: async () => migrations(types) };
  const { error, results } = await new Migrator({ db, provider }).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new AppError('ERR_STORE', `database migration ${failed?.migrationName ?? ''} failed: ${(error as Error).message}`, undefined, { cause: error });
  }
}
