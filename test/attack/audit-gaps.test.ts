// Attack (issue #15 item 9), audit gaps: throttled (429) logins and logouts were not audited; the CLI actor
// came from $USER (spoofable; "cli:unknown" when unset); the login lockout was forgotten on restart.
// The restart test runs on SQLite and PostgreSQL, on a database first written by today's migrations
// (0001-0003) with a user in it, which migration 0005 then upgrades.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import { startApiLab, ADMIN_PASSWORD, type ApiLab } from '../helpers/api-lab.ts';
import { cli } from '../helpers/cli.ts';
import { createTestDatabase, dropTestDatabase, PG_ADMIN_URL, pgAvailable } from '../helpers/test-databases.ts';
import { migrations } from '../../src/store/migrations/index.ts';
import { createKyselyAccessStore } from '../../src/store/access-store.ts';
import { hashPassword } from '../../src/access/index.ts';
import { loadConfig } from '../../src/config/index.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { openContext } from '../../src/app/context.ts';
import type { AppError } from '../../src/shared/errors.ts';

const json = (r: { body: string }) => JSON.parse(r.body);

describe('audit of logins, refusals and logouts', () => {
  let lab: ApiLab;
  before(async () => {
    lab = await startApiLab();
  });
  after(async () => {
    await lab.close();
  });
  const login = (username: string, password: string, remoteAddress: string) =>
    lab.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password }, remoteAddress });
  const auditOf = async (action: string) =>
    json(await lab.call('GET', `/api/v1/audit?action=${action}&limit=100`)).items as {
      actor: string;
      source: string;
      target: string;
      details: Record<string, unknown>;
    }[];

  test('a throttled (429) login is audited, with the address and until when', async () => {
    for (let i = 0; i < 5; i++) assert.equal((await login('admin', 'wrong password!', '127.0.0.21')).statusCode, 401);
    const refused = await login('admin', ADMIN_PASSWORD, '127.0.0.21');
    assert.equal(refused.statusCode, 429, refused.body);
    const entries = (await auditOf('auth.login-throttled')).filter((e) => e.source === '127.0.0.21');
    assert.equal(entries.length, 1, 'the refused attempt is in the audit log');
    assert.equal(entries[0]!.target, 'admin');
    assert.match(String(entries[0]!.details.lockedUntil), /^\d{4}-\d\d-\d\dT/);
    // A flood of refusals is summarised, not one row per 429 (the next entry carries the count).
    for (let i = 0; i < 20; i++) assert.equal((await login('admin', ADMIN_PASSWORD, '127.0.0.21')).statusCode, 429);
    assert.equal((await auditOf('auth.login-throttled')).filter((e) => e.source === '127.0.0.21').length, 1);
  });

  test("a logout is audited as the session's user", async () => {
    await lab.ctx.admin.users.create('olga', 'operator', 'a long enough password', { name: 'test', source: 'test' });
    const r = await login('olga', 'a long enough password', '127.0.0.22');
    assert.equal(r.statusCode, 200, r.body);
    const cookie = String(r.headers['set-cookie']).split(';')[0]!;
    const out = await lab.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { cookie, 'x-requested-with': 't' },
      remoteAddress: '127.0.0.22',
    });
    assert.equal(out.statusCode, 204);
    const entries = (await auditOf('auth.logout')).filter((e) => e.target === 'olga');
    assert.equal(entries.length, 1);
    assert.equal(entries[0]!.actor, 'olga');
    assert.equal(entries[0]!.source, '127.0.0.22');
  });
});

test('the CLI actor is the OS account of the process, whatever $USER says', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'opencapf-cli-actor-'));
  try {
    const D = ['--data-dir', dir];
    const me = `cli:${userInfo().username}`;
    assert.equal(
      (await cli([...D, 'phone', 'add', 'SEP00CC00000001'], '', { USER: 'mallory', LOGNAME: 'mallory' })).code,
      0,
    );
    assert.equal((await cli([...D, 'phone', 'add', 'SEP00CC00000002'], '', {})).code, 0);
    assert.equal(
      (await cli([...D, 'phone', 'add', 'SEP00CC00000003'], '', { USER: 'mallory', SUDO_USER: 'alice' })).code,
      0,
    );
    const a = JSON.parse((await cli([...D, 'audit', '--action', 'phone.add', '--json'])).stdout) as {
      items: { actor: string; source: string; target: string }[];
    };
    const by = (t: string) => a.items.find((e) => e.target === t)!;
    assert.equal(by('SEP00CC00000001').actor, me, '$USER is not the identity');
    assert.equal(by('SEP00CC00000002').actor, me, 'no "cli:unknown" without $USER');
    assert.equal(by('SEP00CC00000003').actor, me, 'SUDO_USER is not the identity either');
    assert.equal(by('SEP00CC00000003').source, 'cli; SUDO_USER=alice', '…only a detail');
    assert.ok(!a.items.some((e) => e.actor.includes('mallory')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const pgUp = await pgAvailable();
const PASSWORD = 'the right password';

for (const driver of ['sqlite', 'postgres'] as const) {
  test(`a login lockout survives a restart (${driver}, database written by today's migrations, upgraded by 0005)`, {
    skip: driver === 'postgres' && !pgUp ? `no PostgreSQL at ${PG_ADMIN_URL}` : false,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'opencapf-lockout-'));
    let dbName = '';
    let url: string | null = null;
    try {
      // 1. A database as today's code writes it: migrations 0001-0003, one user.
      let old: Kysely<any>;
      if (driver === 'postgres') {
        const db = await createTestDatabase('opencapf_lockout');
        dbName = db.name;
        url = db.url;
        old = new Kysely<any>({
          dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1 }) }),
        });
      } else {
        old = new Kysely<any>({
          dialect: new SqliteDialect({ database: new SqliteDatabase(join(dir, 'opencapf.db')) }),
        });
      }
      const all = migrations(
        driver === 'postgres'
          ? { idType: 'bigserial', binaryType: 'bytea' }
          : { idType: 'integer', binaryType: 'blob' },
      );
      const today = {
        '0001_initial': all['0001_initial']!,
        '0002_admin': all['0002_admin']!,
        '0003_enrollment_pages': all['0003_enrollment_pages']!,
      };
      const m = await new Migrator({ db: old, provider: { getMigrations: async () => today } }).migrateToLatest();
      assert.equal(m.error, undefined);
      const t = new Date().toISOString();
      await createKyselyAccessStore(old).insertUser({
        username: 'ursula',
        role: 'operator',
        passwordHash: await hashPassword(PASSWORD, 1024),
        mustChangePassword: false,
        disabled: false,
        createdAt: t,
        updatedAt: t,
        lastLoginAt: null,
      });
      await old.destroy();

      // 2. Open it with this code (runs 0005), get locked out, restart, still locked out.
      const open = () =>
        openContext(
          loadConfig({
            env: {},
            overrides: {
              dataDir: dir,
              'log.level': 'silent',
              'store.driver': driver,
              ...(url ? { 'store.postgresUrl': url } : {}),
            },
          }),
          createLogger('silent'),
        );
      let ctx = await open();
      try {
        const ok = await ctx.admin.users.login('ursula', PASSWORD, '127.0.0.31');
        assert.equal(ok.user.username, 'ursula', 'the user written before the migration logs in');
        for (let i = 0; i < 5; i++)
          await assert.rejects(
            ctx.admin.users.login('ursula', 'a wrong password', '127.0.0.31'),
            (e) => (e as AppError).code === 'ERR_UNAUTHENTICATED',
          );
        await assert.rejects(
          ctx.admin.users.login('ursula', PASSWORD, '127.0.0.31'),
          (e) => (e as AppError).code === 'ERR_THROTTLED',
        );
      } finally {
        await ctx.close();
      }
      ctx = await open();
      try {
        await assert.rejects(
          ctx.admin.users.login('ursula', PASSWORD, '127.0.0.31'),
          (e) => (e as AppError).code === 'ERR_THROTTLED',
          'the lockout of the user survives the restart',
        );
        await assert.rejects(
          ctx.admin.users.login('nobody', PASSWORD, '127.0.0.31'),
          (e) => (e as AppError).code === 'ERR_THROTTLED',
          '…and of the address',
        );
        // Another address may still log in as another user.
        await ctx.admin.users.create('viktor', 'read-only', 'another long password', { name: 'test', source: 'test' });
        assert.equal(
          (await ctx.admin.users.login('viktor', 'another long password', '127.0.0.32')).user.username,
          'viktor',
        );
      } finally {
        await ctx.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
      if (driver === 'postgres' && dbName) await dropTestDatabase(dbName);
    }
  });
}

test('concurrent failed logins are all counted (atomic upsert in the store)', async () => {
  const lab = await startApiLab({ 'api.loginMaxFailures': 8 });
  try {
    const tries = Array.from({ length: 8 }, () =>
      lab.ctx.admin.users.login('admin', 'wrong password!', '127.0.0.41').catch((e: AppError) => e.code),
    );
    assert.deepEqual(new Set(await Promise.all(tries)), new Set(['ERR_UNAUTHENTICATED']));
    await assert.rejects(
      lab.ctx.admin.users.login('admin', ADMIN_PASSWORD, '127.0.0.41'),
      (e) => (e as AppError).code === 'ERR_THROTTLED',
    );
  } finally {
    await lab.close();
  }
});
