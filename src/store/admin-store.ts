// Owns the Kysely implementation of the AdminStore port (SQLite and PostgreSQL): batch phone updates,
// bulk jobs, report aggregates, users, tokens, web sessions and the login throttle.

import { sql, type Generated, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Database } from './tables.ts';
import { applyPhoneFilter, createKyselyPhoneStore, toPhone } from './phone-store.ts';
import { runTransaction } from './transaction.ts';
import type {
  AdminStore, ApiTokenRecord, BulkJob, BulkJobItem, BulkJobKind, BulkJobState, LoginThrottleRecord, PhoneFilter, Role, UserRecord,
} from '../phones/admin-ports.ts';
import type { ScheduleRequest } from '../phones/service.ts';

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
interface BulkJobsTable {
  id: Generated<number>;
  kind: string;
  state: string;
  filter: string;
  request: string;
  created_by: string;
  source: string;
  created_at: string;
  updated_at: string;
  total: number;
  processed: number;
  succeeded: number;
  failed: number;
  cursor: string | null;
  error: string | null;
  runner: string | null;
  lease_until: string | null;
}
interface LoginThrottleTable {
  key: string;
  failures: number;
  first_failure_at: string;
  locked_until: string | null;
}
interface BulkJobItemsTable {
  job_id: number;
  device_name: string;
  ok: number;
  auth_string: string | null;
  code: string | null;
  message: string | null;
}

/** The schema after migrations 0002 and 0005 (tables.ts holds 0001's). */
export interface AdminDatabase extends Database {
  login_throttle: LoginThrottleTable;
  users: UsersTable;
  api_tokens: ApiTokensTable;
  web_sessions: WebSessionsTable;
  bulk_jobs: BulkJobsTable;
  bulk_job_items: BulkJobItemsTable;
}

/** Every table a backup must hold, parents before children. */
export const ALL_TABLES = ['security_profiles', 'phones', 'certificates', 'capf_sessions', 'audit_log', 'users', 'api_tokens', 'web_sessions', 'bulk_jobs', 'bulk_job_items'] as const;

const ROW_BATCH = 200;

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
    id: r.id, username: r.username, name: r.name, secretHash: r.secret_hash, scopes: JSON.parse(r.scopes) as string[],
    createdAt: r.created_at, expiresAt: r.expires_at, lastUsedAt: r.last_used_at,
  };
}

function toJob(r: Selectable<BulkJobsTable>): BulkJob {
  return {
    id: Number(r.id),
    kind: r.kind as BulkJobKind,
    state: r.state as BulkJobState,
    filter: JSON.parse(r.filter) as PhoneFilter,
    request: JSON.parse(r.request) as ScheduleRequest,
    createdBy: r.created_by,
    source: r.source,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    total: Number(r.total),
    processed: Number(r.processed),
    succeeded: Number(r.succeeded),
    failed: Number(r.failed),
    cursor: r.cursor,
    error: r.error,
    runner: r.runner,
    leaseUntil: r.lease_until,
  };
}

function jobColumns(p: Partial<Omit<BulkJob, 'id'>>): Partial<Omit<BulkJobsTable, 'id'>> {
  const o: Partial<Omit<BulkJobsTable, 'id'>> = {};
  if (p.kind !== undefined) o.kind = p.kind;
  if (p.state !== undefined) o.state = p.state;
  if (p.filter !== undefined) o.filter = JSON.stringify(p.filter);
  if (p.request !== undefined) o.request = JSON.stringify(p.request);
  if (p.createdBy !== undefined) o.created_by = p.createdBy;
  if (p.source !== undefined) o.source = p.source;
  if (p.createdAt !== undefined) o.created_at = p.createdAt;
  if (p.updatedAt !== undefined) o.updated_at = p.updatedAt;
  if (p.total !== undefined) o.total = p.total;
  if (p.processed !== undefined) o.processed = p.processed;
  if (p.succeeded !== undefined) o.succeeded = p.succeeded;
  if (p.failed !== undefined) o.failed = p.failed;
  if (p.cursor !== undefined) o.cursor = p.cursor;
  if (p.error !== undefined) o.error = p.error;
  if (p.runner !== undefined) o.runner = p.runner;
  if (p.leaseUntil !== undefined) o.lease_until = p.leaseUntil;
  return o;
}

export function createKyselyAdminStore(base: Kysely<Database> | Transaction<Database>, inTransaction = false): AdminStore {
  const db = base as unknown as Kysely<AdminDatabase>;
  const phonesDb = base as Kysely<Database>;
  const self: AdminStore = {
    async scanPhones(filter, after, limit) {
      let qb = applyPhoneFilter(phonesDb.selectFrom('phones'), filter);
      if (after) qb = qb.where('device_name', '>', after);
      const rows = await qb.selectAll().orderBy('device_name').limit(limit).execute();
      return rows.map(toPhone);
    },
    async countPhones(filter) {
      const r = await applyPhoneFilter(phonesDb.selectFrom('phones'), filter).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      return Number(r.n);
    },
    async profileMismatches(filter, authMode) {
      const rows = await applyPhoneFilter(phonesDb.selectFrom('phones'), filter)
        .innerJoin('security_profiles as sp', 'sp.name', 'phones.profile_name')
        .where('sp.auth_mode', '<>', authMode)
        .select(['sp.name as profileName', 'sp.auth_mode as profileMode', (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy(['sp.name', 'sp.auth_mode'])
        .orderBy('sp.name')
        .execute();
      return rows.map((r) => ({ profileName: r.profileName, profileMode: r.profileMode, phones: Number(r.n) }));
    },
    async applyCapfUpdates(updates, now) {
      for (const u of updates) {
        await phonesDb
          .updateTable('phones')
          .set({
            cert_operation: u.capf.operation,
            auth_mode: u.capf.authMode,
            auth_string: u.capf.authString,
            key_order: u.capf.keyOrder,
            rsa_key_size: u.capf.rsaKeySize,
            ec_key_size: u.capf.ecKeySize,
            completes_by: u.capf.completesBy,
            status_operation: u.operationStatus.operation,
            status_outcome: u.operationStatus.outcome,
            status_reason: u.operationStatus.reason,
            auth_failures: 0,
            updated_at: now,
            config_version: sql<number>`config_version + 1`,
          })
          .where('device_name', '=', u.deviceName)
          .execute();
      }
    },
    async appendAuditMany(entries) {
      for (let i = 0; i < entries.length; i += ROW_BATCH) {
        const rows = entries.slice(i, i + ROW_BATCH).map((e) => ({ at: e.at, actor: e.actor, source: e.source, action: e.action, target: e.target, details: JSON.stringify(e.details) }));
        if (rows.length) await phonesDb.insertInto('audit_log').values(rows).execute();
      }
    },
    async countAudit(q) {
      let qb = phonesDb.selectFrom('audit_log');
      if (q.actor) qb = qb.where('actor', '=', q.actor);
      if (q.action) qb = qb.where('action', '=', q.action);
      if (q.target) qb = qb.where('target', '=', q.target);
      if (q.since) qb = qb.where('at', '>=', q.since);
      const r = await qb.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      return Number(r.n);
    },
    async expiryBuckets(now, in30, in90) {
      const n = (cond: ReturnType<typeof sql>) => sql<number>`sum(case when ${cond} then 1 else 0 end)`;
      const rows = await phonesDb
        .selectFrom('phones')
        .select([
          'model',
          n(sql`lsc_not_after is null`).as('none'),
          n(sql`lsc_not_after is not null and lsc_not_after <= ${now}`).as('expired'),
          n(sql`lsc_not_after > ${now} and lsc_not_after <= ${in30}`).as('within30'),
          n(sql`lsc_not_after > ${in30} and lsc_not_after <= ${in90}`).as('within90'),
          n(sql`lsc_not_after > ${in90}`).as('valid'),
        ])
        .groupBy('model')
        .orderBy('model')
        .execute();
      return rows.map((r) => ({ model: r.model, none: Number(r.none), expired: Number(r.expired), within30: Number(r.within30), within90: Number(r.within90), valid: Number(r.valid) }));
    },
    async applyProfileDefaults(profileName, s, now) {
      const r = await phonesDb
        .updateTable('phones')
        .set({ auth_mode: s.authMode, key_order: s.keyOrder, rsa_key_size: s.rsaKeySize, ec_key_size: s.ecKeySize, updated_at: now, config_version: sql<number>`config_version + 1` })
        .where('profile_name', '=', profileName)
        .where('cert_operation', '=', 'none')
        .executeTakeFirst();
      return Number(r.numUpdatedRows);
    },
    async countPendingWithProfile(profileName, notAuthMode) {
      const r = await phonesDb
        .selectFrom('phones')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('profile_name', '=', profileName)
        .where('cert_operation', '<>', 'none')
        .where('auth_mode', '<>', notAuthMode)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },

    async insertBulkJob(job) {
      const row = jobColumns(job) as Omit<BulkJobsTable, 'id'>;
      const r = await db.insertInto('bulk_jobs').values(row).returning('id').executeTakeFirstOrThrow();
      return Number(r.id);
    },
    async getBulkJob(id) {
      const r = await db.selectFrom('bulk_jobs').selectAll().where('id', '=', id).executeTakeFirst();
      return r ? toJob(r) : null;
    },
    async listBulkJobs(q) {
      let qb = db.selectFrom('bulk_jobs').selectAll();
      if (q.states?.length) qb = qb.where('state', 'in', q.states);
      return (await qb.orderBy('id', 'desc').limit(q.limit ?? 100).execute()).map(toJob);
    },
    async updateBulkJob(id, patch) {
      await db.updateTable('bulk_jobs').set(jobColumns(patch)).where('id', '=', id).execute();
    },
    async claimBulkJob(id, runner, now, leaseUntil) {
      const r = await db
        .updateTable('bulk_jobs')
        .set({ runner, lease_until: leaseUntil, updated_at: now })
        .where('id', '=', id)
        .where('state', 'in', ['queued', 'running'])
        .where((eb) => eb.or([eb('runner', 'is', null), eb('runner', '=', runner), eb('lease_until', '<', now)]))
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async insertBulkJobItems(jobId, items) {
      for (let i = 0; i < items.length; i += ROW_BATCH) {
        const rows = items.slice(i, i + ROW_BATCH).map((it) => ({ job_id: jobId, device_name: it.deviceName, ok: it.ok ? 1 : 0, auth_string: it.authString, code: it.code, message: it.message }));
        if (rows.length) await db.insertInto('bulk_job_items').values(rows).onConflict((oc) => oc.columns(['job_id', 'device_name']).doNothing()).execute();
      }
    },
    async listBulkJobItems(jobId, q) {
      let qb = db.selectFrom('bulk_job_items').selectAll().where('job_id', '=', jobId);
      if (q.onlyFailed) qb = qb.where('ok', '=', 0);
      if (q.after) qb = qb.where('device_name', '>', q.after);
      const rows = await qb.orderBy('device_name').limit(q.limit).execute();
      return rows.map((r): BulkJobItem => ({ deviceName: r.device_name, ok: Number(r.ok) === 1, authString: r.auth_string, code: r.code, message: r.message }));
    },

    async countUsers() {
      const r = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
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
          username: u.username, role: u.role, password_hash: u.passwordHash, must_change_password: u.mustChangePassword ? 1 : 0,
          disabled: u.disabled ? 1 : 0, created_at: u.createdAt, updated_at: u.updatedAt, last_login_at: u.lastLoginAt,
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
        .values({ id: t.id, username: t.username, name: t.name, secret_hash: t.secretHash, scopes: JSON.stringify(t.scopes), created_at: t.createdAt, expires_at: t.expiresAt, last_used_at: t.lastUsedAt })
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
      await db.insertInto('web_sessions').values({ id_hash: s.idHash, username: s.username, created_at: s.createdAt, expires_at: s.expiresAt, source: s.source }).execute();
    },
    async getWebSession(idHash) {
      const r = await db.selectFrom('web_sessions').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
      return r ? { idHash: r.id_hash, username: r.username, createdAt: r.created_at, expiresAt: r.expires_at, source: r.source } : null;
    },
    async deleteWebSession(idHash) {
      await db.deleteFrom('web_sessions').where('id_hash', '=', idHash).execute();
    },
    async deleteWebSessionsOf(username) {
      await db.deleteFrom('web_sessions').where('username', '=', username).execute();
    },

    async getLoginThrottles(keys) {
      if (!keys.length) return [];
      const rows = await db.selectFrom('login_throttle').selectAll().where('key', 'in', [...keys]).execute();
      return rows.map((r): LoginThrottleRecord => ({ key: r.key, failures: Number(r.failures), firstFailureAt: r.first_failure_at, lockedUntil: r.locked_until }));
    },
    async recordLoginFailure(keys, o) {
      // One statement per key, so concurrent failures never lose a count (no read-then-write).
      const restarts = sql<boolean>`login_throttle.first_failure_at < ${o.windowStart}`;
      const counted = sql<number>`case when ${restarts} then 1 else login_throttle.failures + 1 end`;
      for (const key of keys) {
        await db
          .insertInto('login_throttle')
          .values({ key, failures: 1, first_failure_at: o.now, locked_until: o.maxFailures <= 1 ? o.lockedUntil : null })
          .onConflict((oc) =>
            oc.column('key').doUpdateSet({
              failures: counted,
              first_failure_at: sql<string>`case when ${restarts} then ${o.now} else login_throttle.first_failure_at end`,
              locked_until: sql<string | null>`case when ${counted} >= ${o.maxFailures} then ${o.lockedUntil} else login_throttle.locked_until end`,
            }),
          )
          .execute();
      }
    },
    async deleteLoginThrottles(keys) {
      if (keys.length) await db.deleteFrom('login_throttle').where('key', 'in', [...keys]).execute();
    },
    async pruneLoginThrottles(before, now) {
      const r = await db
        .deleteFrom('login_throttle')
        .where('first_failure_at', '<', before)
        .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
        .executeTakeFirst();
      return Number(r.numDeletedRows);
    },

    phoneStore() {
      return createKyselyPhoneStore(base, inTransaction);
    },
    async transaction(fn) {
      if (inTransaction) return fn(self);
      return runTransaction(base as Kysely<Database>, (trx) => fn(createKyselyAdminStore(trx, true)));
    },
  };
  return self;
}
