import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kysely, SqliteDialect, PostgresDialect, sql } from 'kysely';
import SqliteDatabase from 'better-sqlite3';
import type { Database } from './tables.ts';
import { createQueryCache } from './query-cache.ts';

async function memoryDb(): Promise<Kysely<Database>> {
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: new SqliteDatabase(':memory:') }) });
  await sql`create table audit_log (id integer primary key, at text, actor text, source text, action text,
    target text, details text)`.execute(db);
  return db;
}

test('a cached query is built once and runs with each call’s arguments', async () => {
  const db = await memoryDb();
  const cache = createQueryCache();
  let builds = 0;
  const insert = (at: string, target: string | null) =>
    cache.execute(db, 'insert', [at, target], (x, a) => {
      builds++;
      return x.insertInto('audit_log').values({
        at: a[0] as string,
        actor: 'capf',
        source: 'x',
        action: 'certificate.issue',
        target: a[1] as string,
        details: '{}',
      });
    });
  await insert('2026-01-01', 'SEP000000000001');
  await insert('2026-01-02', null);
  await insert('2026-01-03', 'SEP000000000003');
  assert.equal(builds, 1);
  const rows = await db.selectFrom('audit_log').select(['at', 'actor', 'action', 'target']).orderBy('id').execute();
  assert.deepEqual(rows, [
    { at: '2026-01-01', actor: 'capf', action: 'certificate.issue', target: 'SEP000000000001' },
    { at: '2026-01-02', actor: 'capf', action: 'certificate.issue', target: null },
    { at: '2026-01-03', actor: 'capf', action: 'certificate.issue', target: 'SEP000000000003' },
  ]);
  const sel = (target: string) =>
    cache.execute(db, 'select', [target], (x, [t]) =>
      x
        .selectFrom('audit_log')
        .select('at')
        .where('target', '=', t as string),
    );
  assert.deepEqual((await sel('SEP000000000003')).rows, [{ at: '2026-01-03' }]);
  assert.deepEqual((await sel('SEP000000000001')).rows, [{ at: '2026-01-01' }]);
  await db.destroy();
});

test('an argument used outside a value position is refused, not run', async () => {
  const db = await memoryDb();
  const cache = createQueryCache();
  await assert.rejects(
    async () =>
      cache.execute(db, 'bad', ['target'], (x, [col]) =>
        x.selectFrom('audit_log').select(sql.ref(col as string).as('v')),
      ),
    /used outside a value position/,
  );
  await db.destroy();
});

test('the SQL is compiled for the executor’s dialect (PostgreSQL numbered parameters)', () => {
  // Compiling needs no connection: a pool that is never used.
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: {} as never }) });
  let seen = '';
  const cache = createQueryCache();
  const fake = Object.create(db) as Kysely<Database>;
  fake.executeQuery = ((q: { sql: string; parameters: readonly unknown[] }) => {
    seen = `${q.sql} ${JSON.stringify(q.parameters)}`;
    return Promise.resolve({ rows: [] });
  }) as never;
  void cache.execute(fake, 'pg', ['a', 'b'], (_x, [x, y]) =>
    db
      .updateTable('audit_log')
      .set({ actor: x as string })
      .where('target', '=', y as string),
  );
  assert.equal(seen, 'update "audit_log" set "actor" = $1 where "target" = $2 ["a","b"]');
});

test('a direct runner gets the compiled SQL and this call’s parameters; its errors reject', async () => {
  const db = await memoryDb();
  const cache = createQueryCache();
  const calls: string[] = [];
  const direct = (text: string, params: readonly unknown[]) => {
    calls.push(`${text} ${JSON.stringify(params)}`);
    if (params[0] === 'boom') throw new Error('constraint failed');
    return { rows: [{ n: 1 }] };
  };
  const run = (target: string) =>
    cache.execute(
      db,
      'direct',
      [target],
      (x, [t]) =>
        x
          .selectFrom('audit_log')
          .select('at')
          .where('target', '=', t as string),
      undefined,
      direct,
    );
  assert.deepEqual((await run('SEP1')).rows, [{ n: 1 }]);
  await assert.rejects(run('boom'), /constraint failed/);
  assert.deepEqual(calls, [
    'select "at" from "audit_log" where "target" = ? ["SEP1"]',
    'select "at" from "audit_log" where "target" = ? ["boom"]',
  ]);
  assert.equal((await db.selectFrom('audit_log').selectAll().execute()).length, 0, 'Kysely itself ran nothing');
  await db.destroy();
});
