// Owns the Kysely implementation of the AdminStore port (SQLite and PostgreSQL): batch phone updates,
// bulk jobs and report aggregates (users, tokens, sessions and the throttle are store/access-store.ts).

import { sql, type Generated, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Database } from './tables.ts';
import { applyPhoneFilter, createKyselyPhoneStore, toPhone } from './phone-store.ts';
import { runTransaction } from './transaction.ts';
import { createKyselyAuditStore } from './audit-store.ts';
import type {
  AdminStore,
  BulkJob,
  BulkJobItem,
  BulkJobKind,
  BulkJobState,
  PhoneFilter,
} from '../phones/admin-ports.ts';
import type { ScheduleRequest } from '../phones/service.ts';

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
interface BulkJobItemsTable {
  job_id: number;
  device_name: string;
  ok: number;
  auth_string: string | null;
  code: string | null;
  message: string | null;
}

/** The bulk tables of migration 0002 (tables.ts holds 0001's; access-store.ts the users' tables). */
export interface AdminDatabase extends Database {
  bulk_jobs: BulkJobsTable;
  bulk_job_items: BulkJobItemsTable;
}

/** Every table a backup must hold, parents before children. */
export const ALL_TABLES = [
  'security_profiles',
  'phones',
  'certificates',
  'capf_sessions',
  'audit_log',
  'users',
  'api_tokens',
  'web_sessions',
  'bulk_jobs',
  'bulk_job_items',
] as const;

const ROW_BATCH = 200;

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

export function createKyselyAdminStore(
  base: Kysely<Database> | Transaction<Database>,
  inTransaction = false,
): AdminStore {
  const db = base as unknown as Kysely<AdminDatabase>;
  const phonesDb = base as Kysely<Database>;
  const audit = createKyselyAuditStore(base);
  const self: AdminStore = {
    async scanPhones(filter, after, limit) {
      let qb = applyPhoneFilter(phonesDb.selectFrom('phones'), filter);
      if (after) qb = qb.where('device_name', '>', after);
      const rows = await qb.selectAll().orderBy('device_name').limit(limit).execute();
      return rows.map(toPhone);
    },
    async countPhones(filter) {
      const r = await applyPhoneFilter(phonesDb.selectFrom('phones'), filter)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
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
    appendAuditMany: (entries) => audit.appendAuditMany(entries),
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
      return rows.map((r) => ({
        model: r.model,
        none: Number(r.none),
        expired: Number(r.expired),
        within30: Number(r.within30),
        within90: Number(r.within90),
        valid: Number(r.valid),
      }));
    },
    async applyProfileDefaults(profileName, s, now) {
      const r = await phonesDb
        .updateTable('phones')
        .set({
          auth_mode: s.authMode,
          key_order: s.keyOrder,
          rsa_key_size: s.rsaKeySize,
          ec_key_size: s.ecKeySize,
          updated_at: now,
          config_version: sql<number>`config_version + 1`,
        })
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
      return (
        await qb
          .orderBy('id', 'desc')
          .limit(q.limit ?? 100)
          .execute()
      ).map(toJob);
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
        const rows = items.slice(i, i + ROW_BATCH).map((it) => ({
          job_id: jobId,
          device_name: it.deviceName,
          ok: it.ok ? 1 : 0,
          auth_string: it.authString,
          code: it.code,
          message: it.message,
        }));
        if (rows.length)
          await db
            .insertInto('bulk_job_items')
            .values(rows)
            .onConflict((oc) => oc.columns(['job_id', 'device_name']).doNothing())
            .execute();
      }
    },
    async listBulkJobItems(jobId, q) {
      let qb = db.selectFrom('bulk_job_items').selectAll().where('job_id', '=', jobId);
      if (q.onlyFailed) qb = qb.where('ok', '=', 0);
      if (q.after) qb = qb.where('device_name', '>', q.after);
      const rows = await qb.orderBy('device_name').limit(q.limit).execute();
      return rows.map(
        (r): BulkJobItem => ({
          deviceName: r.device_name,
          ok: Number(r.ok) === 1,
          authString: r.auth_string,
          code: r.code,
          message: r.message,
        }),
      );
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
