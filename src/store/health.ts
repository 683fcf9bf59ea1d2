// Owns the store's health: which driver failures mean "the database cannot be used right now" (server
// unreachable, connection lost, disk full), turning them into ERR_STORE_UNAVAILABLE with the underlying
// code, the available/unavailable state and its transitions, and the Kysely driver guard that feeds both.

import type {
  CompiledQuery,
  DatabaseConnection,
  Dialect,
  Driver,
  Kysely,
  QueryResult,
  TransactionSettings,
} from 'kysely';
import { AppError, isAppError } from '../shared/errors.ts';

export interface StoreHealthState {
  available: boolean;
  /** When the store last became available or unavailable (ISO 8601). */
  since: string;
  /** The failure that made it unavailable (kept after recovery: the last one seen). */
  lastError: { code: string; message: string; at: string } | null;
}

export interface StoreHealth {
  state(): StoreHealthState;
  /** Called once per transition (available → unavailable and back), never per query. */
  onChange(listener: (s: StoreHealthState) => void): void;
}

export interface StoreHealthControl extends StoreHealth {
  /** A statement failed with an unavailability error (classified by storeUnavailableCode). */
  failed(code: string, e: unknown): void;
  /** A statement succeeded in a way that proves the store works again. */
  succeeded(): void;
  /**
   * While unavailable, runs `probe` with backoff until it succeeds (PostgreSQL: pool connections are made
   * per checkout).
   */
  setProbe(probe: (() => Promise<unknown>) | null): void;
  stop(): void;
}

// Connection-level failures: the server is down, restarting, or the socket died.
const NET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOENT',
]);
// SQLSTATE: 08 connection exception, 57P01-03 shutdown/crash/cannot connect now, 53 insufficient resources
// (53100 disk full).
const PG_STATE = /^(08...|57P0[123]|53...)$/;
const PG_MESSAGES = new RegExp(
  [
    'Connection terminated',
    'connection timeout',
    'Client has encountered a connection error',
    'Connection refused',
    'the database system is (starting up|shutting down|in recovery|not yet accepting connections)',
    'terminating connection',
  ].join('|'),
  'i',
);
// SQLite: the disk is full or failing, or the file cannot be opened/written.
const SQLITE_CODES = /^SQLITE_(FULL|IOERR|CANTOPEN|READONLY)/;

/** The underlying code when `e` means the store cannot be used right now (else null). */
export function storeUnavailableCode(e: unknown): string | null {
  if (isAppError(e))
    return e.code === 'ERR_STORE_UNAVAILABLE'
      ? ((e.details?.cause as string | undefined) ?? 'ERR_STORE_UNAVAILABLE')
      : null;
  if (!(e instanceof Error)) return null;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (SQLITE_CODES.test(code) || NET_CODES.has(code) || code === 'ENOSPC' || PG_STATE.test(code)) return code;
  }
  if (e instanceof AggregateError)
    for (const inner of e.errors) {
      const c = storeUnavailableCode(inner);
      if (c) return c;
    }
  if (PG_MESSAGES.test(e.message)) return 'CONNECTION_LOST';
  return null;
}

/** What the caller sees: ERR_STORE_UNAVAILABLE naming the underlying code; the driver's error stays as the cause. */
export function unavailableError(code: string, e: unknown): AppError {
  const full = /FULL|ENOSPC|^53100$/.test(code);
  const text = full ? `the database cannot write: disk full (${code})` : `the database is unavailable (${code})`;
  return new AppError('ERR_STORE_UNAVAILABLE', `${text}; try again later`, { cause: code }, { cause: e });
}

/** Maps an unavailability failure to ERR_STORE_UNAVAILABLE (and tells `health`); anything else is returned as is. */
export function classify(e: unknown, health: StoreHealthControl | null): unknown {
  if (isAppError(e)) return e;
  const code = storeUnavailableCode(e);
  if (!code) return e;
  health?.failed(code, e);
  return unavailableError(code, e);
}

const PROBE_MIN_MS = 250;
const PROBE_MAX_MS = 5000;

export function createStoreHealth(now: () => Date = () => new Date()): StoreHealthControl {
  let st: StoreHealthState = { available: true, since: now().toISOString(), lastError: null };
  const listeners: ((s: StoreHealthState) => void)[] = [];
  let probe: (() => Promise<unknown>) | null = null;
  let timer: NodeJS.Timeout | null = null;
  let delay = PROBE_MIN_MS;
  let stopped = false;
  const emit = () => {
    for (const l of listeners) l({ ...st });
  };
  const schedule = () => {
    if (timer || stopped || !probe || st.available) return;
    timer = setTimeout(() => {
      timer = null;
      // The probe's own statement passes through the guard, which marks success or failure.
      void probe!()
        .catch(() => undefined)
        .finally(() => {
          delay = Math.min(delay * 2, PROBE_MAX_MS);
          schedule();
        });
    }, delay);
    timer.unref();
  };
  return {
    state: () => ({ ...st }),
    onChange(l) {
      listeners.push(l);
    },
    failed(code, e) {
      const at = now().toISOString();
      const lastError = { code, message: e instanceof Error ? e.message : String(e), at };
      if (!st.available) {
        st.lastError = lastError;
        return;
      }
      st = { available: false, since: at, lastError };
      delay = PROBE_MIN_MS;
      emit();
      schedule();
    },
    succeeded() {
      if (st.available) return;
      st = { available: true, since: now().toISOString(), lastError: st.lastError };
      if (timer) clearTimeout(timer);
      timer = null;
      emit();
    },
    setProbe(p) {
      probe = p;
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}

/**
 * Wraps a dialect so that every connection checkout, statement, begin, commit and rollback is classified:
 * unavailability failures become ERR_STORE_UNAVAILABLE and update `health`; `provesHealthy` says which
 * successes show the store works again (SQLite: a commit or a write, since reads work on a full disk).
 */
export function guardDialect(
  inner: Dialect,
  health: StoreHealthControl,
  provesHealthy: (sql: string) => boolean,
): Dialect {
  return {
    createDriver: () => new GuardedDriver(inner.createDriver(), health, provesHealthy),
    createQueryCompiler: () => inner.createQueryCompiler(),
    createAdapter: () => inner.createAdapter(),
    createIntrospector: (db: Kysely<unknown>) => inner.createIntrospector(db),
  };
}

class GuardedConnection implements DatabaseConnection {
  constructor(
    readonly inner: DatabaseConnection,
    private readonly health: StoreHealthControl,
    private readonly provesHealthy: (sql: string) => boolean,
  ) {}

  async executeQuery<R>(q: CompiledQuery): Promise<QueryResult<R>> {
    try {
      const r = await this.inner.executeQuery<R>(q);
      if (this.provesHealthy(q.sql)) this.health.succeeded();
      return r;
    } catch (e) {
      throw classify(e, this.health);
    }
  }

  streamQuery<R>(q: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(q, chunkSize);
  }
}

class GuardedDriver implements Driver {
  constructor(
    private readonly inner: Driver,
    private readonly health: StoreHealthControl,
    private readonly provesHealthy: (sql: string) => boolean,
  ) {}

  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw classify(e, this.health);
    }
  }

  init(): Promise<void> {
    return this.guard(() => this.inner.init());
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const c = await this.guard(() => this.inner.acquireConnection());
    return new GuardedConnection(c, this.health, this.provesHealthy);
  }

  beginTransaction(c: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.guard(() => this.inner.beginTransaction(unwrap(c), settings));
  }

  async commitTransaction(c: DatabaseConnection): Promise<void> {
    await this.guard(() => this.inner.commitTransaction(unwrap(c)));
    this.health.succeeded();
  }

  async rollbackTransaction(c: DatabaseConnection): Promise<void> {
    try {
      await this.inner.rollbackTransaction(unwrap(c));
    } catch (e) {
      // Kysely rolls back after the failure that ended the transaction and throws what the ROLLBACK threw,
      // which would hide that failure ("cannot rollback - no transaction is active" instead of SQLITE_FULL).
      // A ROLLBACK only fails when there is no transaction left to undo: SQLite ended it itself, or the
      // PostgreSQL connection died (Kysely then discards that connection). The first error is the one to report.
      if (!/no transaction is active/i.test((e as Error).message) && !storeUnavailableCode(e)) throw e;
    }
  }

  // Both Kysely drivers used here implement savepoints.
  savepoint(
    c: DatabaseConnection,
    name: string,
    compile: Parameters<NonNullable<Driver['savepoint']>>[2],
  ): Promise<void> {
    return this.guard(() => this.inner.savepoint!(unwrap(c), name, compile));
  }

  rollbackToSavepoint(
    c: DatabaseConnection,
    name: string,
    compile: Parameters<NonNullable<Driver['rollbackToSavepoint']>>[2],
  ): Promise<void> {
    return this.guard(() => this.inner.rollbackToSavepoint!(unwrap(c), name, compile));
  }

  releaseSavepoint(
    c: DatabaseConnection,
    name: string,
    compile: Parameters<NonNullable<Driver['releaseSavepoint']>>[2],
  ): Promise<void> {
    return this.guard(() => this.inner.releaseSavepoint!(unwrap(c), name, compile));
  }

  releaseConnection(c: DatabaseConnection): Promise<void> {
    return this.inner.releaseConnection(unwrap(c));
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}

function unwrap(c: DatabaseConnection): DatabaseConnection {
  return c instanceof GuardedConnection ? c.inner : c;
}
