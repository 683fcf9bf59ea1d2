// A backup holds every table the migrations create: a table added later and forgotten in ALL_TABLES would be
// silently missing from every backup (login_throttle was, until this test).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { openStore } from './open.ts';
import { rawDatabase } from './raw.ts';
import { ALL_TABLES } from './backup-dump.ts';

test('ALL_TABLES names every table of the migrated schema, and nothing else', async () => {
  const store = await openStore({ driver: 'sqlite', dataDir: '', sqlitePath: ':memory:' });
  try {
    const { rows } = await sql<{ name: string }>`
      select name from sqlite_schema
      where type = 'table' and name not like 'sqlite_%' and name not like 'kysely_%'`.execute(rawDatabase(store));
    assert.deepEqual([...ALL_TABLES].sort(), rows.map((r) => r.name).sort());
  } finally {
    await store.close();
  }
});
