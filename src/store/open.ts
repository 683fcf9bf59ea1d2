// Owns opening the database (SQLite in dataDir by default, or PostgreSQL), waiting for PostgreSQL at start,
// running migrations, the files' modes (0600), and wiring the store's health (store/health.ts) to the driver.

import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type Dialect, type MigrationProvider } from 'kysely';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { AppError } from '../shared/errors.ts';
import type { Database } from './tables.ts';
import { migrations, type DialectTypes } from './migrations/index.ts';
import { createKyselyPhoneStore } from './phone-store.ts';
import { createKyselyAdminStore } from './admin-store.ts';
import { createKyselyRevocationStore } from './revocation-store.ts';
import { createKyselyItlStatusStore } from './itl-status-store.ts';
import type { ItlStatusStore } from '../reports/itl-status.ts';
import { registerRawDatabase } from './raw.ts';
import type { AdminStore } from './admin-ports.ts';
import type { RevocationStore } from '../revocation/index.ts';
import { backupDumper } from './backup-dump.ts';
import type { BackupDatabase } from '../backup/service.ts';
import type { DirectRunner } from './query-cache.ts';
import type { PhoneStore } from '../phones/index.ts';
import type { AccessStore } from '../access/index.ts';
import type { AuditStore } from '../audit/index.ts';
import { createKyselyAccessStore } from './access-store.ts';
import { createKyselyAuditStore } from './audit-store.ts';
import { createKyselyForeignTrustStore } from './foreign-trust-store.ts';
import type { ForeignTrustStore } from '../provisioning/foreign-trust.ts';
import { createKyselyManufacturingCaStore } from './manufacturing-ca-store.ts';
import type { ManufacturingCaStore } from '../provisioning/manufacturing-trust.ts';
import { createKyselyMonitorStore } from './monitor-store.ts';
import type { MonitorStore } from '../monitor/ports.ts';
import {
  classify,
  createStoreHealth,
  guardDialect,
  storeUnavailableCode,
  unavailableError,
  type StoreHealth,
  type StoreHealthControl,
} from './health.ts';

export interface StoreOptions {
  driver: 'sqlite' | 'postgres';
  dataDir: string;
  postgresUrl?: string | null;
  /** Group commit delay while other writers are in flight (store.commitDelayMs); default 0. */
  commitDelayMs?: number;
  /** For tests: a SQLite file path or ':memory:' instead of <dataDir>/opencapf.db. */
  sqlitePath?: string;
  /**
   * PostgreSQL: how long to wait at start for the server to accept connections (store.startupWaitSeconds);
   * 0 waits forever. Past it, ERR_STORE_UNAVAILABLE.
   */
  startupWaitSeconds?: number;
  /** Progress while waiting at start (one call per failed attempt). */
  onWait?(w: { target: string; attempt: number; nextInMs: number; code: string }): void;
  /** Called on every health transition (the caller logs it: once per transition). */
  onHealthChange?(s: ReturnType<StoreHealth['state']>, driver: 'sqlite' | 'postgres', target: string): void;
}

/** What openStore() hands out: one port per concern, never the connection (tests: store/raw.ts). */
export interface OpenStore {
  driver: 'sqlite' | 'postgres';
  phones: PhoneStore;
  /** Phones in batches, bulk jobs, report aggregates, profile defaults. */
  admin: AdminStore;
  /** Revoked certificates for CRLs and OCSP, manual revocation. */
  revocation: RevocationStore;
  /** The dump half of backup/'s database port (an online, consistent copy). */
  backup: Pick<BackupDatabase, 'dump'>;
  /** Users, API tokens, browser sessions, login throttle. */
  access: AccessStore;
  /** The audit log (reading; services append inside their own transactions through their stores). */
  audit: AuditStore;
  /** ITL File Status: the ITL each phone was last served (issue 17). */
  itlStatus: ItlStatusStore;
  /** Certificates of other clusters our TVS vouches for (migration 0007). */
  foreignTrust: ForeignTrustStore;
  /** Administrator-managed manufacturing CAs for MIC checks (migration 0009). */
  manufacturingCas: ManufacturingCaStore;
  /** The certificate monitor: rules, channels, what was sent, every delivery attempt (migration 0010). */
  monitor: MonitorStore;
  /** Available, or unavailable since when and why (ERR_STORE_UNAVAILABLE failures drive it). */
  health(): ReturnType<StoreHealth['state']>;
  close(): Promise<void>;
}

/** The files of a SQLite database: they hold authentication strings in plain text, so only the owner reads them. */
const SQLITE_FILE_MODE = 0o600;
function restrictSqliteFiles(path: string): void {
  for (const f of [path, `${path}-wal`, `${path}-shm`]) {
    try {
      chmodSync(f, SQLITE_FILE_MODE);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
}

/** host:port of a PostgreSQL connection string, for log lines (never the user or password). */
export function postgresTarget(url: string): string {
  try {
    const u = new URL(url);
    const host = u.searchParams.get('host') ?? (decodeURIComponent(u.hostname) || 'localhost');
    return `${host}:${u.port || u.searchParams.get('port') || '5432'}`;
  } catch {
    return 'PostgreSQL';
  }
}

export async function openStore(opts: StoreOptions): Promise<OpenStore> {
  let db: Kysely<Database>;
  let types: DialectTypes;
  let runner: DirectRunner | undefined;
  let autocommit: (() => boolean) | undefined;
  const health = createStoreHealth();
  let target: string;
  let sqlitePath: string | null = null;
  if (opts.driver === 'sqlite') {
    const path = opts.sqlitePath ?? join(opts.dataDir, 'opencapf.db');
    target = path;
    if (path !== ':memory:') {
      mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
      // Created 0600 before SQLite opens it (SQLite gives -wal and -shm the database file's mode); chmod
      // below also fixes files an older version created 0644, whatever the umask or the directory's mode.
      closeSync(openSync(path, 'a', SQLITE_FILE_MODE));
      sqlitePath = path;
    }
    const sqlite = new SqliteDatabase(path);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('busy_timeout = 10000');
    sqlite.pragma('foreign_keys = ON');
    if (sqlitePath) restrictSqliteFiles(sqlitePath);
    const cached = cachingStatements(sqlite);
    // Reads still work on a full disk: only a write or a commit shows the store can be used again.
    const provesHealthy = (text: string) =>
      !/^\s*(select|begin|rollback|pragma)\b/i.test(text) && !sqlite.inTransaction;
    db = new Kysely<Database>({
      dialect: guardDialect(new SqliteDialect({ database: cached }), health, provesHealthy),
    });
    runner = guardedRunner(sqliteRunner(cached), health, provesHealthy);
    autocommit = () => !sqlite.inTransaction;
    types = { idType: 'integer', binaryType: 'blob' };
  } else {
    if (!opts.postgresUrl) throw new AppError('ERR_CONFIG_INVALID', 'store.postgresUrl is required for PostgreSQL');
    target = postgresTarget(opts.postgresUrl);
    db = new Kysely<Database>({ dialect: postgresDialect(opts.postgresUrl, health) });
    types = { idType: 'bigserial', binaryType: 'bytea' };
    // pg makes a new connection per checkout once the old ones died; the probe notices recovery without traffic.
    health.setProbe(() => sql`select 1`.execute(db));
  }
  if (opts.onHealthChange) {
    const notify = opts.onHealthChange;
    health.onChange((s) => notify(s, opts.driver, target));
  }
  try {
    if (opts.driver === 'postgres') await waitForPostgres(db, target, opts);
    await migrate(db, types);
  } catch (e) {
    health.stop();
    await db.destroy();
    throw e;
  }
  // Files SQLite created while migrating (-wal, -shm) get the same mode.
  if (sqlitePath) restrictSqliteFiles(sqlitePath);
  const phones = createKyselyPhoneStore(db, false, undefined, {
    commitDelayMs: opts.commitDelayMs ?? 0,
    runner,
    autocommit,
  });
  const store: OpenStore = {
    driver: opts.driver,
    phones,
    admin: createKyselyAdminStore(db),
    revocation: createKyselyRevocationStore(db, phones),
    backup: backupDumper({ db, sqliteFile: sqlitePath ?? (opts.driver === 'sqlite' ? ':memory:' : null) }),
    access: createKyselyAccessStore(db),
    audit: createKyselyAuditStore(db),
    itlStatus: createKyselyItlStatusStore(db),
    foreignTrust: createKyselyForeignTrustStore(db),
    manufacturingCas: createKyselyManufacturingCaStore(db),
    monitor: createKyselyMonitorStore(db),
    health: () => health.state(),
    close: async () => {
      health.stop();
      await db.destroy();
    },
  };
  registerRawDatabase(store, db);
  return store;
}

/**
 * A pg pool that survives its server: without an 'error' listener, an idle client whose connection the
 * server ends (restart, `pg_ctl stop`) emits an unhandled 'error' and kills the process; a checked-out
 * client emits one too (pg-pool only listens while a client is idle). Both only mark the store unavailable;
 * the query in flight fails on its own and the pool discards the dead client.
 */
function postgresDialect(url: string, health: StoreHealthControl): Dialect {
  const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 10_000 });
  const onError = (e: Error) => void classify(e, health);
  pool.on('error', onError);
  pool.on('connect', (client) => client.on('error', onError));
  return guardDialect(new PostgresDialect({ pool }), health, () => true);
}

const WAIT_MIN_MS = 500;
const WAIT_MAX_MS = 5000;

/** Start-up: PostgreSQL may still be starting (or down); wait for it with backoff instead of exiting. */
async function waitForPostgres(db: Kysely<Database>, target: string, opts: StoreOptions): Promise<void> {
  const limitMs = (opts.startupWaitSeconds ?? 0) * 1000;
  const t0 = Date.now();
  let delay = WAIT_MIN_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      await sql`select 1`.execute(db);
      return;
    } catch (e) {
      const code = storeUnavailableCode(e);
      if (!code) throw e;
      const elapsed = Date.now() - t0;
      if (limitMs > 0 && elapsed + delay > limitMs) {
        throw new AppError(
          'ERR_STORE_UNAVAILABLE',
          `PostgreSQL at ${target} is unavailable (${code}); gave up after ${attempt} attempts in ` +
            `${Math.round(elapsed / 1000)} s (store.startupWaitSeconds ${limitMs / 1000})`,
          { cause: code },
          { cause: e },
        );
      }
      opts.onWait?.({ target, attempt, nextInMs: delay, code });
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, WAIT_MAX_MS);
    }
  }
}

/** The SQLite direct runner, classified like the driver (group commits run their statements through it). */
function guardedRunner(
  run: DirectRunner,
  health: StoreHealthControl,
  provesHealthy: (sql: string) => boolean,
): DirectRunner {
  return (sqlText, parameters) => {
    try {
      const r = run(sqlText, parameters);
      if (provesHealthy(sqlText)) health.succeeded();
      return r;
    } catch (e) {
      throw classify(e, health);
    }
  };
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
    if (storeUnavailableCode(error))
      throw error instanceof AppError ? error : unavailableError(storeUnavailableCode(error)!, error);
    const failed = results?.find((r) => r.status === 'Error');
    throw new AppError(
      'ERR_STORE',
      `database migration ${failed?.migrationName ?? ''} failed: ${(error as Error).message}`,
      undefined,
      { cause: error },
    );
  }
}
