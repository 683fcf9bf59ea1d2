// Migration 0003 on SQLite: a database that already holds audit entries and CAPF sessions keeps every row
// and id, loses AUTOINCREMENT and the LSC-serial index, and keeps numbering after the highest id.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, sql } from 'kysely';
import { migrations } from './index.ts';
import { openStore } from '../open.ts';

test('0003 rebuilds audit_log and capf_sessions without AUTOINCREMENT, keeping rows, ids and indexes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'opencapf-migration-'));
  try {
    const path = join(dir, 'opencapf.db');
    const old = new Kysely<any>({ dialect: new SqliteDialect({ database: new SqliteDatabase(path) }) });
    const all = migrations({ idType: 'integer', binaryType: 'blob' });
    const upTo0002 = { '0001_initial': all['0001_initial']!, '0002_admin': all['0002_admin']! };
    const r = await new Migrator({ db: old, provider: { getMigrations: async () => upTo0002 } }).migrateToLatest();
    assert.equal(r.error, undefined);
    for (let i = 0; i < 5; i++) {
      await sql`insert into audit_log (at, actor, source, action, target, details) values (${`2026-01-0${i + 1}`}, 'a', 's', 'x', ${`T${i}`}, '{}')`.execute(old);
      await sql`insert into capf_sessions (session_id, device_name, peer, started_at, ended_at, outcome, log) values (${i}, 'SEP1', 'p', 's', 'e', 'success', '[]')`.execute(old);
    }
    await sql`delete from audit_log where id = 2`.execute(old); // a gap must survive as a gap
    await old.destroy();

    const store = await openStore({ driver: 'sqlite', dataDir: dir });
    try {
      const schema = await sql<{ name: string; sql: string }>`select name, sql from sqlite_schema where sql is not null`.execute(store.db);
      const def = (n: string) => schema.rows.find((x) => x.name === n)?.sql ?? '';
      assert.doesNotMatch(def('audit_log'), /autoincrement/i);
      assert.doesNotMatch(def('capf_sessions'), /autoincrement/i);
      assert.match(def('audit_log'), /^create table "audit_log"/i);
      for (const idx of ['audit_log_at_idx', 'audit_log_target_idx', 'capf_sessions_device_idx']) assert.ok(def(idx), `${idx} kept`);
      assert.equal(def('phones_lsc_serial_idx'), '', 'LSC serial index dropped');
      assert.equal(def('audit_log_rebuilt'), '');
      const ids = await sql<{ id: number; target: string }>`select id, target from audit_log order by id`.execute(store.db);
      assert.deepEqual(ids.rows.map((x) => [x.id, x.target]), [[1, 'T0'], [3, 'T2'], [4, 'T3'], [5, 'T4']]);
      await store.phones.appendAudit({ at: '2026-02-01', actor: 'a', source: 's', action: 'y', target: 'T5', details: {} });
      const last = await sql<{ id: number }>`select max(id) as id from audit_log`.execute(store.db);
      assert.equal(last.rows[0]!.id, 6, 'numbering continues after the highest id');
      assert.equal((await store.phones.listSessions('SEP1', 10)).length, 5);
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
