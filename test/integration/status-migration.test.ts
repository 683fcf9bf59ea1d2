// Migration 0006 on SQLite and PostgreSQL: a database written by the code before it (migrations 0001–0005,
// phones in every Certificate Operation Status that code could write, as the sentence, and a bulk job
// filtering by status prefix) comes out with status codes that print the same sentences and filter the
// same phones; a sentence no code prints stops the migration and changes nothing.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type Migration } from 'kysely';
import { migrations } from '../../src/store/migrations/index.ts';
import { statusFilter } from '../../src/phones/model.ts';
import { openStore } from '../../src/store/index.ts';
import { rowAfter0006 } from '../../src/store/migrations/0006-status-codes.ts';
import { createTestDatabase, dropTestDatabase, PG_ADMIN_URL, pgAvailable } from '../helpers/test-databases.ts';
import { rawDatabase } from '../../src/store/raw.ts';

// The sentences as the code before 0006 wrote them (frozen here on purpose: renaming a label in
// phones/model.ts without a migration must fail this test, since it would orphan stored rows).
const VERBS = { install: 'Upgrade', delete: 'Delete', troubleshoot: 'Troubleshoot' } as const;
const REASONS = {
  late: 'User Initiated Request Late/Timedout',
  badAuthString: 'Invalid Authentication String',
  authLocked: 'Authentication String Locked (too many failures)',
  keyGeneration: 'Key Generation Failed',
  weakKey: 'Key Does Not Match Requested Key Type/Size',
  certAuth: 'Certificate Authentication Failed',
  authModeMismatch: 'Authentication Mode Mismatch',
  noCertificate: 'No Certificate Found On Phone',
  phoneRejected: 'Phone Failed To Store Certificate',
  phoneDeleteFailed: 'Phone Failed To Delete Certificate',
  connectionLost: 'Connection Lost Before Completion',
  timeout: 'Phone Did Not Respond In Time',
  capfExpired: 'CAPF Certificate Expired',
  protocol: 'Protocol Error',
} as const;

interface Row {
  status: string;
  certOperation: string;
  code: { operation: string; outcome: string; reason: string | null };
}

/** Every (sentence, scheduled operation) the old code could leave on a phone, with the code it must become. */
function oldRows(): Row[] {
  const rows: Row[] = [
    { status: 'None', certOperation: 'none', code: { operation: 'none', outcome: 'none', reason: null } },
  ];
  for (const op of ['install', 'delete', 'troubleshoot'] as const) {
    rows.push({
      status: 'Operation Pending',
      certOperation: op,
      code: { operation: op, outcome: 'pending', reason: null },
    });
    rows.push({
      status: `${VERBS[op]} Success`,
      certOperation: 'none',
      code: { operation: op, outcome: 'success', reason: null },
    });
    for (const [r, text] of Object.entries(REASONS)) {
      // A failed operation stays scheduled (rescheduling resets the status): the operation column says so.
      rows.push({
        status: `${VERBS[op]} Failed: ${text}`,
        certOperation: op,
        code: { operation: op, outcome: 'failed', reason: r },
      });
    }
  }
  return rows;
}

const deviceName = (i: number) => `SEP0000${String(i).padStart(8, '0')}`;

async function writeOldDatabase(
  db: Kysely<any>,
  all: Record<string, Migration>,
  rows: Row[],
  extraStatus?: string,
): Promise<void> {
  const upTo0005 = Object.fromEntries(Object.entries(all).filter(([name]) => name < '0006'));
  assert.deepEqual(Object.keys(upTo0005), [
    '0001_initial',
    '0002_admin',
    '0003_enrollment_pages',
    '0004_unacknowledged_lscs',
    '0005_login_throttle',
  ]);
  const r = await new Migrator({ db, provider: { getMigrations: async () => upTo0005 } }).migrateToLatest();
  assert.equal(r.error, undefined);
  const all2 = extraStatus ? [...rows, { status: extraStatus, certOperation: 'install', code: rows[0]!.code }] : rows;
  for (const [i, row] of all2.entries()) {
    await sql`insert into phones (device_name, model, cert_operation, auth_mode, key_order, rsa_key_size, status,
                created_at, updated_at)
              values (${deviceName(i)}, 'Cisco 8845', ${row.certOperation}, 'null-string', 'rsa', 2048,
                ${row.status}, 'x', 'x')`.execute(db);
  }
  // A bulk job created with today's text filters (the worker resumes it with the stored filter).
  await sql`insert into bulk_jobs (kind, state, filter, request, created_by, source, created_at, updated_at, total)
            values ('capf', 'queued', ${JSON.stringify({ statusPrefix: 'Upgrade Failed', modelContains: '8845' })},
              '{}', 'admin', 'test', 'x', 'x', 0)`.execute(db);
  await sql`insert into bulk_jobs (kind, state, filter, request, created_by, source, created_at, updated_at, total)
            values ('capf', 'queued', ${JSON.stringify({ status: 'Operation Pending' })}, '{}', 'admin', 'test',
              'x', 'x', 0)`.execute(db);
}

const pgUp = await pgAvailable();

for (const driver of ['sqlite', 'postgres'] as const) {
  describe(`migration 0006 on ${driver}`, {
    skip: driver === 'postgres' && !pgUp ? `no PostgreSQL at ${PG_ADMIN_URL}` : false,
  }, () => {
    /** A data dir (and PostgreSQL database) holding an old database; `run` opens it with today's store. */
    async function withOldDatabase(
      extraStatus: string | undefined,
      run: (o: { dir: string; url: string | null; old: () => Kysely<any> }) => Promise<void>,
    ) {
      const dir = mkdtempSync(join(tmpdir(), 'opencapf-0006-'));
      let pgDb: { name: string; url: string } | null = null;
      const connect = (): Kysely<any> =>
        driver === 'sqlite'
          ? new Kysely<any>({ dialect: new SqliteDialect({ database: new SqliteDatabase(join(dir, 'opencapf.db')) }) })
          : new Kysely<any>({
              dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: pgDb!.url, max: 1 }) }),
            });
      try {
        if (driver === 'postgres') pgDb = await createTestDatabase('opencapf_0006');
        const old = connect();
        try {
          const types =
            driver === 'sqlite'
              ? ({ idType: 'integer', binaryType: 'blob' } as const)
              : ({ idType: 'bigserial', binaryType: 'bytea' } as const);
          await writeOldDatabase(old, migrations(types), oldRows(), extraStatus);
        } finally {
          await old.destroy();
        }
        await run({ dir, url: pgDb?.url ?? null, old: connect });
      } finally {
        rmSync(dir, { recursive: true, force: true });
        if (pgDb) await dropTestDatabase(pgDb.name);
      }
    }

    test(
      'every status the old code wrote becomes its code and prints the same sentence; ' +
        'text filters become code filters',
      async () => {
        const rows = oldRows();
        await withOldDatabase(undefined, async ({ dir, url }) => {
          const store = await openStore({ driver, dataDir: dir, postgresUrl: url });
          try {
            for (const [i, row] of rows.entries()) {
              const p = await store.phones.getPhone(deviceName(i));
              assert.deepEqual(p?.operationStatus, row.code, row.status);
              assert.equal(p?.status, row.status, 'the sentence shown is the one stored before');
            }
            const cols =
              driver === 'sqlite'
                ? (
                    await sql<{ name: string }>`select name from pragma_table_info('phones')`.execute(
                      rawDatabase(store),
                    )
                  ).rows
                : (
                    await sql<{
                      name: string;
                    }>`select column_name as name from information_schema.columns where table_name = 'phones'`.execute(
                      rawDatabase(store),
                    )
                  ).rows;
            assert.ok(!cols.some((c) => c.name === 'status'), 'the sentence column is gone');

            // The filters of today's text (as the API and CLI still accept them) pick the same phones as before.
            const names = async (status: Parameters<typeof store.phones.listPhones>[0]['status']) =>
              (await store.phones.listPhones({ status, limit: 1000 })).items.map((p) => p.status).sort();
            for (const prefix of [
              'Upgrade Failed',
              'Upgrade',
              'Operation',
              'Delete Failed: Phone',
              'None',
              'Troubleshoot Success',
              'X',
            ]) {
              const expected = rows
                .map((r) => r.status)
                .filter((s) => s.startsWith(prefix))
                .sort();
              assert.deepEqual(await names(statusFilter({ textPrefix: prefix })), expected, `prefix "${prefix}"`);
            }
            assert.deepEqual(
              await names(statusFilter({ text: 'Operation Pending' })),
              rows.filter((r) => r.status === 'Operation Pending').map((r) => r.status),
            );

            const admin = store.admin;
            const [failedJob, pendingJob] = (await admin.listBulkJobs({ limit: 10 })).sort((a, b) => a.id - b.id);
            assert.deepEqual(failedJob!.filter, {
              modelContains: '8845',
              status: [{ operation: 'install', outcome: 'failed' }],
            });
            assert.equal((await admin.scanPhones(failedJob!.filter, null, 1000)).length, Object.keys(REASONS).length);
            assert.deepEqual(pendingJob!.filter, { status: [{ outcome: 'pending' }] });
            assert.equal(await admin.countPhones(pendingJob!.filter), 3);
          } finally {
            await store.close();
          }
        });
      },
    );

    test('a sentence no code prints stops the migration; the database is left as it was', async () => {
      await withOldDatabase('Upgrade Failed: Something New', async ({ dir, url, old }) => {
        await assert.rejects(
          openStore({ driver, dataDir: dir, postgresUrl: url }),
          /0006.*"Upgrade Failed: Something New" \(1 phone\)/,
        );
        const db = old();
        try {
          const n = await sql<{
            n: number | string;
          }>`select count(*) as n from phones where status = 'Upgrade Failed: Something New'`.execute(db);
          assert.equal(Number(n.rows[0]!.n), 1, 'the old column and its rows are untouched');
          const applied = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db);
          assert.equal(applied.rows.at(-1)?.name, '0005_login_throttle');
          await assert.rejects(sql`select status_outcome from phones`.execute(db), 'no code column was added');
        } finally {
          await db.destroy();
        }
      });
    });
  });
}

test('rows of a PostgreSQL backup written before 0006 are restored with the same codes the migration gives', () => {
  for (const row of oldRows()) {
    const dumped = {
      device_name: 'SEP000000000001',
      cert_operation: row.certOperation,
      status: row.status,
      model: 'Cisco 8845',
    };
    assert.deepEqual(
      rowAfter0006('phones', dumped),
      {
        device_name: 'SEP000000000001',
        cert_operation: row.certOperation,
        model: 'Cisco 8845',
        status_operation: row.code.operation,
        status_outcome: row.code.outcome,
        status_reason: row.code.reason,
      },
      row.status,
    );
  }
  const current = {
    device_name: 'SEP000000000001',
    status_operation: 'none',
    status_outcome: 'none',
    status_reason: null,
  };
  assert.equal(rowAfter0006('phones', current), current, 'a row dumped after 0006 is left alone');
  assert.throws(
    () =>
      rowAfter0006('phones', {
        device_name: 'SEP000000000001',
        cert_operation: 'install',
        status: 'Upgrade Failed: Something New',
      }),
    /Something New/,
  );
  const job = rowAfter0006('bulk_jobs', {
    id: 1,
    filter: JSON.stringify({ statusPrefix: 'Delete', lscStatus: 'none' }),
  });
  assert.deepEqual(JSON.parse(job.filter as string), {
    lscStatus: 'none',
    status: [
      { operation: 'delete', outcome: 'success' },
      { operation: 'delete', outcome: 'failed' },
    ],
  });
});
