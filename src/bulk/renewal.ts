// Owns the renewal policy (beyond CUCM): schedule Install/Upgrade for LSCs that expire inside a window,
// through the same bulk job machinery, at most one renewal job at a time.

import type { Clock } from '../shared/clock.ts';
import { startPeriodic } from '../shared/periodic.ts';
import type { PhoneFilter } from '../phones/admin-ports.ts';
import type { BulkJob } from './ports.ts';
import type { BulkService } from './service.ts';
import type { AuthMode } from '../phones/model.ts';
import { LOCAL_VIEWER } from '../phones/filter-access.ts';

export interface RenewalPolicy {
  enabled: boolean;
  windowDays: number;
  authMode: AuthMode;
  /** Operation Completes By, from the time the renewal is scheduled. */
  deadlineHours: number;
}

export interface RenewalService {
  policy: RenewalPolicy;
  /** The phones a renewal run would select now. */
  filter(): PhoneFilter;
  /** Creates a renewal job when phones are due and none is active; returns it, or null. */
  runOnce(opts?: { force?: boolean }): Promise<BulkJob | null>;
  /** Runs runOnce periodically; onScheduled is told of each job it creates (serve logs it, wakes the worker). */
  start(intervalMs: number, onError?: (e: unknown) => void, onScheduled?: (job: BulkJob) => void): { stop(): void };
}

const RENEWAL_ACTOR = { name: 'renewal-policy', source: 'opencapf' };

export function createRenewalService(bulk: BulkService, policy: RenewalPolicy, clock: Clock): RenewalService {
  const svc: RenewalService = {
    policy,
    filter() {
      const until = new Date(clock.now().getTime() + policy.windowDays * 86_400_000).toISOString();
      return { lscStatus: 'installed', lscExpiresBefore: until, operation: 'none' };
    },
    async runOnce(opts = {}) {
      if (!policy.enabled && !opts.force) return null;
      const active = await bulk.list({ active: true });
      if (active.some((j) => j.kind === 'renewal')) return null;
      const filter = svc.filter();
      const { matched } = await bulk.preview(filter, LOCAL_VIEWER);
      if (matched === 0) return null;
      return bulk.createJob(
        filter,
        {
          operation: 'install',
          authMode: policy.authMode,
          ...(policy.authMode === 'auth-string' ? { authString: 'generate' } : {}),
          completesBy: new Date(clock.now().getTime() + policy.deadlineHours * 3_600_000).toISOString(),
          onProfileMismatch: 'use-profile',
        },
        RENEWAL_ACTOR,
        LOCAL_VIEWER,
        'renewal',
      );
    },
    start(intervalMs, onError, onScheduled) {
      return startPeriodic(
        async () => {
          const job = await svc.runOnce();
          if (job) onScheduled?.(job);
        },
        intervalMs,
        (e) => onError?.(e),
      );
    },
  };
  return svc;
}
