// Owns the one way past the ports to an open store's Kysely connection: for migrations' own checks, tests and
// benchmarks (schema, pragmas, contract tests of a single store file). Product code outside store/ goes through
// the ports openStore() hands out; the architecture test refuses an import of this file from src/ elsewhere.

import type { Kysely } from 'kysely';
import type { Database } from './tables.ts';

const connections = new WeakMap<object, Kysely<Database>>();

/** Called by openStore for each store it opens. */
export function registerRawDatabase(store: object, db: Kysely<Database>): void {
  connections.set(store, db);
}

/** The Kysely connection behind a store openStore() returned. */
export function rawDatabase(store: object): Kysely<Database> {
  const db = connections.get(store);
  if (!db) throw new Error('not a store opened by openStore()');
  return db;
}
