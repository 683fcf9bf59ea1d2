// Owns SQLite's fast path for the CAPF hot path: better-sqlite3 is synchronous and SQLite has one connection,
// so a group commit may hold that connection (Kysely's mutex keeps every other query out) and run its
// statements on it directly, and a read may run directly while no transaction is open. The shared Kysely
// stores only ask this module which runner, if any, a statement may use.

import type { Kysely } from 'kysely';
import type { DirectRunner } from './query-cache.ts';
import type { Database } from './tables.ts';
import type { Transact } from './group-commit.ts';

export interface SqliteFastPath {
  /** Runs SQL synchronously on SQLite's one connection (absent on PostgreSQL). */
  runner?: DirectRunner;
  /** This store runs inside a connection a group commit holds. */
  holding?: boolean;
  /** True while no transaction is open on the connection. */
  autocommit?: () => boolean;
}

/** The runner for a hot-path write: only inside a held group. */
export function writeRunner(f: SqliteFastPath): DirectRunner | undefined {
  return f.holding ? f.runner : undefined;
}

/** The runner for a hot-path read: inside a held group, or on an idle connection (it sees committed rows only). */
export function readRunner(f: SqliteFastPath): DirectRunner | undefined {
  if (f.holding) return f.runner;
  return f.runner && f.autocommit?.() ? f.runner : undefined;
}

/** A group's transaction on the held connection: begin, the work through `storeOn(conn)`, commit or rollback. */
export function heldTransaction<S>(
  db: Kysely<Database>,
  runner: DirectRunner,
  storeOn: (conn: Kysely<Database>) => S,
): Transact<S> {
  return (fn) =>
    db.connection().execute(async (conn) => {
      const tx = storeOn(conn);
      runner('begin', []);
      try {
        await fn(tx);
        runner('commit', []);
      } catch (e) {
        try {
          runner('rollback', []);
        } catch {
          // SQLite already rolled back (some errors end the transaction themselves)
        }
        throw e;
      }
    });
}
