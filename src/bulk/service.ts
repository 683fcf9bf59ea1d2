// Owns Bulk Administration > Phones > Update Phones: query phones, apply a CAPF update to the result as a
// persisted job processed in batches (one transaction each, resumable from its cursor, cancellable), and
// export the (device, authentication string) list for the people who type the strings into phones.

import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { AppError } from '../shared/errors.ts';
import type { Clock } from '../shared/clock.ts';
import type { PhoneStore } from '../phones/index.ts';
import { recordAudit, type AuditEvent } from '../audit/index.ts';
import type { CapfUpdate, PhoneFilter } from '../phones/admin-ports.ts';
import type { BulkJob, BulkJobItem, BulkJobKind, BulkUnit } from './ports.ts';
import { resolveScheduleSettings, DEFAULT_DEADLINE_MS, type Actor, type ScheduleRequest } from '../phones/service.ts';
import { AUTH_MODES, DEFAULT_CAPF, STATUS, statusText, type AuthMode, type Phone } from '../phones/model.ts';
import { csvRow } from './csv-import-codec.ts';
import { assertFilterAllowed, type Viewer } from '../phones/filter-access.ts';
import { withFacts, type QueryFacts } from '../phones/query-fields.ts';

export interface BulkPreview {
  matched: number;
  /** Phones whose security profile's authentication mode contradicts the requested one, by profile. */
  mismatches: { profileName: string; profileMode: string; phones: number }[];
  sample: Phone[];
}

export interface BulkProgress {
  jobId: number;
  total: number;
  processed: number;
  succeeded: number;
  failed: number;
}

export interface RunOptions {
  onProgress?: (p: BulkProgress) => void;
  /** Stop after this many batches (tests of resumption). */
  maxBatches?: number;
}

export interface BulkService {
  /** `viewer`: who asks; a filter on a secret it may not read is refused (ERR_FORBIDDEN). */
  preview(filter: PhoneFilter, viewer: Viewer, req?: ScheduleRequest): Promise<BulkPreview>;
  createJob(
    filter: PhoneFilter,
    req: ScheduleRequest,
    actor: Actor,
    viewer: Viewer,
    kind?: BulkJobKind,
  ): Promise<BulkJob>;
  runJob(id: number, opts?: RunOptions): Promise<BulkJob>;
  cancel(id: number, actor: Actor): Promise<BulkJob>;
  get(id: number): Promise<BulkJob>;
  list(q?: { active?: boolean; limit?: number }): Promise<BulkJob[]>;
  items(id: number, q: { onlyFailed?: boolean; after?: string | null; limit: number }): Promise<BulkJobItem[]>;
  /** CSV of Device Name, Authentication String (and the outcome) for every processed phone. */
  exportCsv(id: number): AsyncIterable<string>;
  /** CSV of Device Name, Error code, Reason for every phone the job could not update (no secrets). */
  failuresCsv(id: number): AsyncIterable<string>;
  /** Runs queued jobs and resumes interrupted ones until stopped. */
  startWorker(o?: { pollMs?: number; onError?: (e: unknown) => void }): { stop(): Promise<void>; wake(): void };
}

export const BULK_BATCH = 1000;
const LEASE_MS = 60_000;

function validateFilter(f: PhoneFilter): PhoneFilter {
  const out: PhoneFilter = { ...f };
  for (const k of ['lscExpiresBefore', 'lscExpiresAfter'] as const) {
    const v = f[k];
    if (v !== undefined) {
      const t = Date.parse(v);
      if (Number.isNaN(t)) throw new AppError('ERR_BAD_REQUEST', `${k} "${v}" is not a date/time (ISO 8601)`);
      out[k] = new Date(t).toISOString();
    }
  }
  if (f.authString !== undefined && !/^\d{4,10}$/.test(f.authString))
    throw new AppError('ERR_AUTH_STRING_FORMAT', 'authentication string must be 4 to 10 digits');
  return out;
}

export function createBulkService(
  phoneStore: PhoneStore,
  admin: BulkUnit,
  clock: Clock,
  facts: () => QueryFacts,
): BulkService {
  const now = () => clock.now().toISOString();
  const runnerId = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;

  async function profileModes(): Promise<Map<string, AuthMode>> {
    return new Map((await phoneStore.listProfiles()).map((p) => [p.name, p.authMode]));
  }

  /** Request-level checks (enums, string format, deadline) against a neutral phone, before any row is touched. */
  function checkRequest(req: ScheduleRequest): ScheduleRequest {
    const probe: Phone = {
      deviceName: 'SEP000000000000',
      model: '',
      description: '',
      profileName: null,
      capf: { ...DEFAULT_CAPF },
      operationStatus: STATUS.none,
      status: statusText(STATUS.none),
      authFailures: 0,
      lsc: null,
      mic: null,
      lastSessionAt: null,
      configVersion: 1,
      createdAt: '',
      updatedAt: '',
    };
    if (req.authMode === 'auth-string' && (req.authString === undefined || req.authString === null)) {
      throw new AppError(
        'ERR_AUTH_STRING_FORMAT',
        'By Authentication String needs a common authentication string ' +
          '(4 to 10 digits) or "generate" for a unique string per device',
      );
    }
    resolveScheduleSettings(probe, req, null, clock.now());
    // One deadline for the whole job, fixed now, so every phone shows the same Operation Completes By.
    const completesBy =
      req.operation === 'none'
        ? null
        : req.completesBy
          ? new Date(Date.parse(req.completesBy)).toISOString()
          : new Date(clock.now().getTime() + DEFAULT_DEADLINE_MS).toISOString();
    return { ...req, completesBy };
  }

  async function processBatch(
    job: BulkJob,
    modes: Map<string, AuthMode>,
  ): Promise<{ job: BulkJob; finished: boolean }> {
    return admin.transaction(async (tx) => {
      const current = await tx.getBulkJob(job.id);
      if (!current || current.state === 'cancelled' || current.state === 'done')
        return { job: current ?? job, finished: true };
      const phones = await tx.scanPhones(withFacts(current.filter, facts()), current.cursor, BULK_BATCH);
      const t = now();
      if (!phones.length) {
        await tx.updateBulkJob(job.id, { state: 'done', updatedAt: t, runner: null, leaseUntil: null });
        return { job: { ...current, state: 'done', updatedAt: t }, finished: true };
      }
      const nowDate = clock.now();
      const updates: CapfUpdate[] = [];
      const items: BulkJobItem[] = [];
      const audit: AuditEvent[] = [];
      for (const phone of phones) {
        try {
          const profileMode = phone.profileName ? (modes.get(phone.profileName) ?? null) : null;
          const capf = resolveScheduleSettings(phone, current.request, profileMode, nowDate);
          updates.push({
            deviceName: phone.deviceName,
            capf,
            operationStatus: capf.operation === 'none' ? STATUS.none : STATUS.pending(capf.operation),
          });
          items.push({
            deviceName: phone.deviceName,
            ok: true,
            authString: capf.authString,
            code: null,
            message: null,
          });
          audit.push({
            at: t,
            actor: { name: current.createdBy, source: current.source },
            action: 'capf.schedule',
            target: phone.deviceName,
            details: {
              bulkJob: job.id,
              operation: capf.operation,
              authMode: capf.authMode,
              keyOrder: capf.keyOrder,
              rsaKeySize: capf.rsaKeySize,
              ecKeySize: capf.ecKeySize,
              completesBy: capf.completesBy,
              authString: capf.authString ? 'set' : null,
            },
          });
        } catch (e) {
          if (!(e instanceof AppError)) throw e;
          items.push({ deviceName: phone.deviceName, ok: false, authString: null, code: e.code, message: e.message });
        }
      }
      await tx.applyCapfUpdates(updates, t);
      await tx.insertBulkJobItems(job.id, items);
      await recordAudit(tx, audit);
      const next: BulkJob = {
        ...current,
        state: 'running',
        cursor: phones[phones.length - 1]!.deviceName,
        processed: current.processed + phones.length,
        succeeded: current.succeeded + updates.length,
        failed: current.failed + (phones.length - updates.length),
        updatedAt: t,
        leaseUntil: new Date(nowDate.getTime() + LEASE_MS).toISOString(),
      };
      await tx.updateBulkJob(job.id, {
        state: next.state,
        cursor: next.cursor,
        processed: next.processed,
        succeeded: next.succeeded,
        failed: next.failed,
        updatedAt: t,
        leaseUntil: next.leaseUntil,
      });
      return { job: next, finished: false };
    });
  }

  const svc: BulkService = {
    async preview(filter, viewer, req) {
      assertFilterAllowed(filter, viewer);
      const f = withFacts(validateFilter(filter), facts());
      const [matched, sample, mismatches] = await Promise.all([
        admin.countPhones(f),
        admin.scanPhones(f, null, 20),
        req?.authMode && req.operation !== 'none' ? admin.profileMismatches(f, req.authMode) : Promise.resolve([]),
      ]);
      return { matched, mismatches, sample };
    },

    async createJob(filter, req, actor, viewer, kind = 'capf-update') {
      assertFilterAllowed(filter, viewer);
      // The job keeps the filter as given (shown in the job and the audit log); each query of it adds the
      // node's facts of that moment.
      const f = validateFilter(filter);
      const q = withFacts(f, facts());
      const request = checkRequest(req);
      if (request.authMode && request.operation !== 'none' && request.onProfileMismatch !== 'use-profile') {
        const mismatches = await admin.profileMismatches(q, request.authMode);
        if (mismatches.length) {
          const n = mismatches.reduce((a, m) => a + m.phones, 0);
          const which = mismatches
            .map(
              (m) =>
                `"${m.profileName}" (${AUTH_MODES[m.profileMode as AuthMode]?.label ?? m.profileMode}, ` +
                `${m.phones} phones)`,
            )
            .join(', ');
          throw new AppError(
            'ERR_PROFILE_MISMATCH',
            `Authentication Mode "${AUTH_MODES[request.authMode].label}" contradicts the ` +
              `phone security profile of ${n} selected phone${n === 1 ? '' : 's'}: ${which}. ` +
              `The operation could never complete on them. Select the profile's mode, ask to ` +
              `use each profile's mode (onProfileMismatch: use-profile), or narrow the query.`,
            { mismatches },
          );
        }
      }
      const t = now();
      const total = await admin.countPhones(q);
      const base: Omit<BulkJob, 'id'> = {
        kind,
        state: 'queued',
        filter: f,
        request,
        createdBy: actor.name,
        source: actor.source,
        createdAt: t,
        updatedAt: t,
        total,
        processed: 0,
        succeeded: 0,
        failed: 0,
        cursor: null,
        error: null,
        runner: null,
        leaseUntil: null,
      };
      const id = await admin.transaction(async (tx) => {
        const jobId = await tx.insertBulkJob(base);
        const { authString, ...shown } = request;
        const shownString = authString === 'generate' ? 'generate' : authString ? 'set' : null;
        const details = { kind, filter: f, request: { ...shown, authString: shownString }, total };
        await recordAudit(tx, { at: t, actor, action: 'bulk.create', target: `bulk-job:${jobId}`, details });
        return jobId;
      });
      worker?.wake();
      return { ...base, id };
    },

    async runJob(id, opts = {}) {
      let job = await svc.get(id);
      if (job.state === 'done' || job.state === 'cancelled' || job.state === 'failed') return job;
      const lease = new Date(clock.now().getTime() + LEASE_MS).toISOString();
      if (!(await admin.claimBulkJob(id, runnerId, now(), lease)))
        throw new AppError(
          'ERR_BULK_JOB_STATE',
          `bulk job ${id} is being run by ${job.runner} (lease until ${job.leaseUntil})`,
        );
      await admin.updateBulkJob(id, { state: 'running', updatedAt: now() });
      const modes = await profileModes();
      let batches = 0;
      try {
        for (;;) {
          const r = await processBatch(job, modes);
          job = r.job;
          opts.onProgress?.({
            jobId: id,
            total: job.total,
            processed: job.processed,
            succeeded: job.succeeded,
            failed: job.failed,
          });
          if (r.finished) break;
          if (opts.maxBatches !== undefined && ++batches >= opts.maxBatches) break;
        }
      } catch (e) {
        await admin.updateBulkJob(id, {
          state: 'failed',
          error: (e as Error).message,
          updatedAt: now(),
          runner: null,
          leaseUntil: null,
        });
        throw e;
      }
      return svc.get(id);
    },

    async cancel(id, actor) {
      const job = await svc.get(id);
      if (job.state !== 'queued' && job.state !== 'running')
        throw new AppError(
          'ERR_BULK_JOB_STATE',
          `bulk job ${id} is ${job.state}; only queued or running jobs can be cancelled`,
        );
      const t = now();
      await admin.transaction(async (tx) => {
        await tx.updateBulkJob(id, { state: 'cancelled', updatedAt: t, runner: null, leaseUntil: null });
        const details = { processed: job.processed, total: job.total };
        await recordAudit(tx, { at: t, actor, action: 'bulk.cancel', target: `bulk-job:${id}`, details });
      });
      return svc.get(id);
    },

    async get(id) {
      const job = await admin.getBulkJob(id);
      if (!job) throw new AppError('ERR_NOT_FOUND', `no bulk job ${id}`);
      return job;
    },

    list: (q = {}) =>
      admin.listBulkJobs({ ...(q.active ? { states: ['queued', 'running'] } : {}), limit: q.limit ?? 100 }),

    async items(id, q) {
      await svc.get(id);
      return admin.listBulkJobItems(id, q);
    },

    async *exportCsv(id) {
      await svc.get(id);
      yield csvRow(['Device Name', 'Authentication String', 'Result', 'Error']);
      let after: string | null = null;
      for (;;) {
        const items = await admin.listBulkJobItems(id, { after, limit: 5000 });
        if (!items.length) return;
        let chunk = '';
        for (const it of items)
          chunk += csvRow([
            it.deviceName,
            it.authString ?? '',
            it.ok ? 'scheduled' : 'failed',
            it.ok ? '' : `${it.code}: ${it.message}`,
          ]);
        yield chunk;
        after = items[items.length - 1]!.deviceName;
      }
    },

    async *failuresCsv(id) {
      await svc.get(id);
      yield csvRow(['Device Name', 'Error', 'Reason']);
      let after: string | null = null;
      for (;;) {
        const items = await admin.listBulkJobItems(id, { onlyFailed: true, after, limit: 5000 });
        if (!items.length) return;
        yield items.map((it) => csvRow([it.deviceName, it.code ?? '', it.message ?? ''])).join('');
        after = items[items.length - 1]!.deviceName;
      }
    },

    startWorker(o = {}) {
      const pollMs = o.pollMs ?? 2000;
      // A failed job is marked failed in the store by runJob; the worker reports and keeps polling.
      const report = (e: unknown) => o.onError?.(e);
      let stopped = false;
      let timer: NodeJS.Timeout | null = null;
      let running: Promise<void> = Promise.resolve();
      let again = false;
      const tick = async () => {
        do {
          again = false;
          const jobs = (await admin.listBulkJobs({ states: ['queued', 'running'], limit: 100 })).reverse();
          for (const j of jobs) {
            if (stopped) return;
            if (j.runner && j.runner !== runnerId && j.leaseUntil && j.leaseUntil > now()) continue;
            try {
              await svc.runJob(j.id);
            } catch (e) {
              if (!(e instanceof AppError && e.code === 'ERR_BULK_JOB_STATE')) throw e;
            }
          }
        } while (again && !stopped);
      };
      const schedule = () => {
        if (stopped) return;
        timer = setTimeout(() => {
          running = tick().catch(report).finally(schedule);
        }, pollMs);
        timer.unref();
      };
      const handle = {
        async stop() {
          stopped = true;
          if (timer) clearTimeout(timer);
          await running;
        },
        wake() {
          if (stopped) return;
          again = true;
          if (timer) clearTimeout(timer);
          running = running
            .then(() => tick().catch(report))
            .finally(() => {
              if (timer) clearTimeout(timer);
              schedule();
            });
        },
      };
      worker = handle;
      schedule();
      return handle;
    },
  };
  let worker: { wake(): void } | null = null;
  return svc;
}
