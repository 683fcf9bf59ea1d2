// Owns the Kysely implementation of the BulkJobStore port: bulk jobs (with their lease, so one worker runs
// each) and the per-phone result of each.

import type { Generated, Kysely, Selectable, Transaction } from 'kysely';
import type { Database } from './tables.ts';
import type { BulkJob, BulkJobItem, BulkJobKind, BulkJobState, BulkJobStore } from '../bulk/ports.ts';
import type { PhoneFilter } from '../phones/admin-ports.ts';
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

export function createBulkJobRows(base: Kysely<Database> | Transaction<Database>): BulkJobStore {
  const db = base as unknown as Kysely<AdminDatabase>;
  return {
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
  };
}
