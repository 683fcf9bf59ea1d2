// Owns the Kysely implementation of the AccessStore port (SQLite and PostgreSQL): users, API tokens, browser
// sessions and the login throttle (migrations 0002 and 0005), with the audit append on the same connection.

import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Database } from './tables.ts';
import { runTransaction } from './transaction.ts';
import { createKyselyAuditStore } from './audit-store.ts';
import type { AccessStore, ApiTokenRecord, LoginThrottleRecord, UserRecord } from '../access/ports.ts';
import type { Role } from '../access/roles.ts';

interface UsersTable {
  username: string;
  role: string;
  password_hash: string;
  must_change_password: number;
  disabled: number;
  created_at: string;
  updated_at: string;
  last_login_at: string | null;
}
interface ApiTokensTable {
  id: string;
  username: string;
  name: string;
  secret_hash: string;
  scopes: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
}
interface WebSessionsTable {
  id_hash: string;
  username: string;
  created_at: string;
  expires_at: string;
  source: string;
}
interface LoginThrottleTable {
  key: string;
  failures: number;
  first_failure_at: string;
  locked_until: string | null;
}
/** The tables of migrations 0002 (users, tokens, sessions) and 0005 (login throttle). */
export interface AccessDatabase extends Database {
  users: UsersTable;
  api_tokens: ApiTokensTable;
  web_sessions: WebSessionsTable;
  login_throttle: LoginThrottleTable;
}

function toUser(r: Selectable<UsersTable>): UserRecord {
  return {
    username: r.username,
    role: r.role as Role,
    passwordHash: r.password_hash,
    mustChangePassword: Number(r.must_change_password) === 1,
    disabled: Number(r.disabled) === 1,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    lastLoginAt: r.last_login_at,
  };
}

function toToken(r: Selectable<ApiTokensTable>): ApiTokenRecord {
  return {
    id: r.id,
    username: r.username,
    name: r.name,
    secretHash: r.secret_hash,
    scopes: JSON.parse(r.scopes) as string[],
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    lastUsedAt: r.last_used_at,
  };
}

export function createKyselyAccessStore(
  base: Kysely<Database> | Transaction<Database>,
  inTransaction = false,
): AccessStore {
  const db = base as unknown as Kysely<AccessDatabase>;
  const audit = createKyselyAuditStore(base);
  const self: AccessStore = {
    async countUsers() {
      const r = await db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
    async getUser(username) {
      const r = await db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
      return r ? toUser(r) : null;
    },
    async listUsers() {
      return (await db.selectFrom('users').selectAll().orderBy('username').execute()).map(toUser);
    },
    async insertUser(u) {
      await db
        .insertInto('users')
        .values({
          username: u.username,
          role: u.role,
          password_hash: u.passwordHash,
          must_change_password: u.mustChangePassword ? 1 : 0,
          disabled: u.disabled ? 1 : 0,
          created_at: u.createdAt,
          updated_at: u.updatedAt,
          last_login_at: u.lastLoginAt,
        })
        .execute();
    },
    async updateUser(username, p) {
      const o: Partial<UsersTable> = {};
      if (p.role !== undefined) o.role = p.role;
      if (p.passwordHash !== undefined) o.password_hash = p.passwordHash;
      if (p.mustChangePassword !== undefined) o.must_change_password = p.mustChangePassword ? 1 : 0;
      if (p.disabled !== undefined) o.disabled = p.disabled ? 1 : 0;
      if (p.updatedAt !== undefined) o.updated_at = p.updatedAt;
      if (p.lastLoginAt !== undefined) o.last_login_at = p.lastLoginAt;
      const r = await db.updateTable('users').set(o).where('username', '=', username).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async deleteUser(username) {
      await db.deleteFrom('api_tokens').where('username', '=', username).execute();
      await db.deleteFrom('web_sessions').where('username', '=', username).execute();
      const r = await db.deleteFrom('users').where('username', '=', username).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    async insertToken(t) {
      await db
        .insertInto('api_tokens')
        .values({
          id: t.id,
          username: t.username,
          name: t.name,
          secret_hash: t.secretHash,
          scopes: JSON.stringify(t.scopes),
          created_at: t.createdAt,
          expires_at: t.expiresAt,
          last_used_at: t.lastUsedAt,
        })
        .execute();
    },
    async getToken(id) {
      const r = await db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst();
      return r ? toToken(r) : null;
    },
    async listTokens(username) {
      let qb = db.selectFrom('api_tokens').selectAll();
      if (username) qb = qb.where('username', '=', username);
      return (await qb.orderBy('created_at').execute()).map(toToken);
    },
    async deleteToken(id) {
      const r = await db.deleteFrom('api_tokens').where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    async touchToken(id, at) {
      await db.updateTable('api_tokens').set({ last_used_at: at }).where('id', '=', id).execute();
    },
    async insertWebSession(s) {
      await db
        .insertInto('web_sessions')
        .values({
          id_hash: s.idHash,
          username: s.username,
          created_at: s.createdAt,
          expires_at: s.expiresAt,
          source: s.source,
        })
        .execute();
    },
    async getWebSession(idHash) {
      const r = await db.selectFrom('web_sessions').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
      return r
        ? {
            idHash: r.id_hash,
            username: r.username,
            createdAt: r.created_at,
            expiresAt: r.expires_at,
            source: r.source,
          }
        : null;
    },
    async deleteWebSession(idHash) {
      await db.deleteFrom('web_sessions').where('id_hash', '=', idHash).execute();
    },
    async deleteWebSessionsOf(username) {
      await db.deleteFrom('web_sessions').where('username', '=', username).execute();
    },

    async getLoginThrottles(keys) {
      if (!keys.length) return [];
      const rows = await db
        .selectFrom('login_throttle')
        .selectAll()
        .where('key', 'in', [...keys])
        .execute();
      return rows.map(
        (r): LoginThrottleRecord => ({
          key: r.key,
          failures: Number(r.failures),
          firstFailureAt: r.first_failure_at,
          lockedUntil: r.locked_until,
        }),
      );
    },
    async recordLoginFailure(keys, o) {
      // One statement per key, so concurrent failures never lose a count (no read-then-write).
      const restarts = sql<boolean>`login_throttle.first_failure_at < ${o.windowStart}`;
      const counted = sql<number>`case when ${restarts} then 1 else login_throttle.failures + 1 end`;
      for (const key of keys) {
        await db
          .insertInto('login_throttle')
          .values({
            key,
            failures: 1,
            first_failure_at: o.now,
            locked_until: o.maxFailures <= 1 ? o.lockedUntil : null,
          })
          .onConflict((oc) =>
            oc.column('key').doUpdateSet({
              failures: counted,
              first_failure_at: sql<string>`case when ${restarts} then ${o.now}
                else login_throttle.first_failure_at end`,
              locked_until: sql<
                string | null
              >`case when ${counted} >= ${o.maxFailures} then ${o.lockedUntil} else login_throttle.locked_until end`,
            }),
          )
          .execute();
      }
    },
    async deleteLoginThrottles(keys) {
      if (keys.length)
        await db
          .deleteFrom('login_throttle')
          .where('key', 'in', [...keys])
          .execute();
    },
    async pruneLoginThrottles(before, now) {
      const r = await db
        .deleteFrom('login_throttle')
        .where('first_failure_at', '<', before)
        .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
        .executeTakeFirst();
      return Number(r.numDeletedRows);
    },

    appendAudit: (e) => audit.appendAudit(e),
    async transaction(fn) {
      if (inTransaction) return fn(self);
      return runTransaction(base as Kysely<Database>, (trx) => fn(createKyselyAccessStore(trx, true)));
    },
  };
  return self;
}
