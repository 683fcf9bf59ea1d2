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
import { rawDatabase } from '../raw.ts';

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
      await sql`insert into audit_log (at, actor, source, action, target, details)
        values (${`2026-01-0${i + 1}`}, 'a', 's', 'x', ${`T${i}`}, '{}')`.execute(old);
      await sql`insert into capf_sessions (session_id, device_name, peer, started_at, ended_at, outcome, log)
        values (${i}, 'SEP1', 'p', 's', 'e', 'success', '[]')`.execute(old);
    }
    await sql`delete from audit_log where id = 2`.execute(old); // a gap must survive as a gap
    await old.destroy();

    const store = await openStore({ driver: 'sqlite', dataDir: dir });
    try {
      const schema = await sql<{
        name: string;
        sql: string;
      }>`select name, sql from sqlite_schema where sql is not null`.execute(rawDatabase(store));
      const def = (n: string) => schema.rows.find((x) => x.name === n)?.sql ?? '';
      assert.doesNotMatch(def('audit_log'), /autoincrement/i);
      assert.doesNotMatch(def('capf_sessions'), /autoincrement/i);
      assert.match(def('audit_log'), /^create table "audit_log"/i);
      for (const idx of ['audit_log_at_idx', 'audit_log_target_idx', 'capf_sessions_device_idx'])
        assert.ok(def(idx), `${idx} kept`);
      assert.equal(def('phones_lsc_serial_idx'), '', 'LSC serial index dropped');
      assert.equal(def('audit_log_rebuilt'), '');
      const ids = await sql<{ id: number; target: string }>`select id, target from audit_log order by id`.execute(
        rawDatabase(store),
      );
      assert.deepEqual(
        ids.rows.map((x) => [x.id, x.target]),
        [
          [1, 'T0'],
          [3, 'T2'],
          [4, 'T3'],
          [5, 'T4'],
        ],
      );
      await store.phones.appendAudit({
        at: '2026-02-01',
        actor: 'a',
        source: 's',
        action: 'y',
        target: 'T5',
        details: {},
      });
      const last = await sql<{ id: number }>`select max(id) as id from audit_log`.execute(rawDatabase(store));
      assert.equal(last.rows[0]!.id, 6, 'numbering continues after the highest id');
      assert.equal((await store.phones.listSessions('SEP1', 10)).length, 5);
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test(
  '0004 on a database written by 0001–0003: indexes the unacknowledged LSCs; the sweep uses the index and ' +
    'spares current LSCs',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'opencapf-migration-'));
    try {
      const path = join(dir, 'opencapf.db');
      const old = new Kysely<any>({ dialect: new SqliteDialect({ database: new SqliteDatabase(path) }) });
      const all = migrations({ idType: 'integer', binaryType: 'blob' });
      const upTo0003 = {
        '0001_initial': all['0001_initial']!,
        '0002_admin': all['0002_admin']!,
        '0003_enrollment_pages': all['0003_enrollment_pages']!,
      };
      const r = await new Migrator({ db: old, provider: { getMigrations: async () => upTo0003 } }).migrateToLatest();
      assert.equal(r.error, undefined);
      const cert = (serial: string, device: string, state: string, createdAt: string) =>
        sql`insert into certificates (serial_hex, device_name, kind, der, subject_dn, issuer_dn, not_before,
            not_after, created_at, state)
          values (${serial}, ${device}, 'lsc', ${Buffer.from([0x30, 0])}, 'CN=x', 'CN=CAPF',
            '2026-01-01T00:00:00.000Z', '2031-01-01T00:00:00.000Z', ${createdAt}, ${state})`.execute(old);
      await cert('0A', 'SEP000000000001', 'issued', '2026-01-01T00:00:00.000Z'); // orphan of today's code
      await cert('0B', 'SEP000000000001', 'delivered', '2026-01-01T00:01:00.000Z');
      // in state issued, yet the phone's current LSC
      await cert('0C', 'SEP000000000002', 'issued', '2026-01-01T00:00:00.000Z');
      await cert('0D', 'SEP000000000003', 'issued', '2026-03-01T00:00:00.000Z'); // still inside the grace period
      await sql`insert into phones (device_name, model, cert_operation, auth_mode, key_order, rsa_key_size, status,
                lsc_serial, created_at, updated_at)
              values ('SEP000000000002', 'Cisco 8845', 'none', 'null-string', 'rsa', 2048, 'Upgrade Success', '0C',
                'x', 'x')`.execute(old);
      await old.destroy();

      const store = await openStore({ driver: 'sqlite', dataDir: dir });
      try {
        const idx = await sql<{
          sql: string;
        }>`select sql from sqlite_schema where name = 'certificates_unacknowledged_idx'`.execute(rawDatabase(store));
        assert.match(idx.rows[0]?.sql ?? '', /on "certificates" \("created_at"\) where "state" = 'issued'/i);
        const revoked = await store.phones.transaction((tx) =>
          tx.revokeUnacknowledgedLscs(
            { issuedBefore: '2026-02-01T00:00:00.000Z' },
            '2026-02-01T00:00:00.000Z',
            'cessationOfOperation',
          ),
        );
        assert.deepEqual(revoked, [{ serialHex: '0A', deviceName: 'SEP000000000001' }]);
        const states = await sql<{
          serial_hex: string;
          state: string;
          revocation_reason: string | null;
        }>`select serial_hex, state, revocation_reason from certificates order by serial_hex`.execute(
          rawDatabase(store),
        );
        assert.deepEqual(
          states.rows.map((x) => [x.serial_hex, x.state, x.revocation_reason]),
          [
            ['0A', 'revoked', 'cessationOfOperation'],
            ['0B', 'delivered', null],
            ['0C', 'issued', null],
            ['0D', 'issued', null],
          ],
        );
        const plan = await sql<{
          detail: string;
        }>`explain query plan update certificates set state = 'revoked'
        where kind = 'lsc' and state = 'issued' and created_at < '2026-02-01'`.execute(rawDatabase(store));
        assert.ok(
          plan.rows.some((x) => /certificates_unacknowledged_idx/.test(x.detail)),
          JSON.stringify(plan.rows),
        );
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
