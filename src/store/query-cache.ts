// Owns reuse of compiled SQL on hot paths: Kysely builds and compiles a query once per call site (and
// per shape), with marker values standing in for the arguments; later calls reuse the SQL text and only
// fill in the parameter array. On the CAPF hot path building and compiling cost more than SQLite's work.

import type { Compilable, CompiledQuery, Kysely, QueryResult, Transaction } from 'kysely';
import type { Database } from './tables.ts';

export type Executor = Kysely<Database> | Transaction<Database>;

interface Entry {
  compiled: CompiledQuery;
  /** Per parameter: the index of the argument it comes from, or a constant the builder put there. */
  sources: ({ arg: number } | { value: unknown })[];
}

/**
 * Runs compiled SQL synchronously on SQLite's one connection, where nothing can interleave: inside a group
 * commit that holds the connection, or for a read while no transaction is open (better-sqlite3 is
 * synchronous, so each statement is one call instead of Kysely's chain of connection acquire, driver and
 * plugin promises). Same result shape as Kysely's SQLite driver.
 */
export type DirectRunner = (sql: string, parameters: readonly unknown[]) => QueryResult<unknown>;

export interface QueryCache {
  /**
   * Runs the query `build` makes, compiled once per `key`. `build` receives the executor, markers in
   * place of `args`, and `shape`; it must use the markers only as values (never as identifiers or raw
   * SQL), and the key must change whenever the query's shape (columns, clauses) would. Whatever varies
   * between calls reaches `build` through `args` and `shape`, never through what it closes over: `build`
   * runs once per key, and later calls reuse what the first call's `build` made.
   */
  execute<R, S = undefined>(
    db: Executor,
    key: string,
    args: readonly unknown[],
    build: (db: Executor, args: readonly unknown[], shape: S) => Compilable<R>,
    shape?: S,
    direct?: DirectRunner,
  ): Promise<QueryResult<R>>;
}

const marker = (i: number) => `\u0000opencapf-arg-${i}\u0000`;

export function createQueryCache(max = 256): QueryCache {
  const entries = new Map<string, Entry>();
  return {
    execute<R, S>(
      db: Executor,
      key: string,
      args: readonly unknown[],
      build: (db: Executor, args: readonly unknown[], shape: S) => Compilable<R>,
      shape?: S,
      direct?: DirectRunner,
    ) {
      let e = entries.get(key);
      if (!e) {
        const markers = args.map((_, i) => marker(i));
        const compiled = build(db, markers, shape as S).compile();
        const sources = compiled.parameters.map((p) => {
          const i = typeof p === 'string' ? markers.indexOf(p) : -1;
          return i >= 0 ? { arg: i } : { value: p };
        });
        if (compiled.sql.includes('\u0000'))
          throw new Error(`query cache: an argument of ${key} was used outside a value position`);
        e = { compiled, sources };
        if (entries.size < max) entries.set(key, e);
      }
      const parameters: unknown[] = new Array(e.sources.length);
      for (let i = 0; i < e.sources.length; i++) {
        const src = e.sources[i]!;
        parameters[i] = 'arg' in src ? args[src.arg] : src.value;
      }
      if (direct) {
        try {
          return Promise.resolve(direct(e.compiled.sql, parameters) as QueryResult<R>);
        } catch (err) {
          return Promise.reject(err);
        }
      }
      return db.executeQuery<R>({ ...e.compiled, parameters } as CompiledQuery<R>);
    },
  };
}
