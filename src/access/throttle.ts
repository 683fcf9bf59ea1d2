// Owns the login throttle: failures counted per user name and per address in the store, logins refused while
// a key is locked, and the refusals audited at most once a minute per user name and address.

import type { Clock } from '../shared/clock.ts';
import { recordAudit } from '../audit/index.ts';
import type { AccessStore } from './ports.ts';

export interface LoginThrottleOptions {
  /** Failures allowed per key within the window before logins are refused. */
  maxFailures: number;
  failureWindowMs: number;
  lockoutMs: number;
}

export interface LoginThrottle {
  /** The keys a login attempt counts under. */
  keysFor(username: string, source: string): string[];
  /** Until when (epoch ms) logins under any of these keys are refused; 0 when none is locked. */
  lockedUntil(keys: string[]): Promise<number>;
  recordFailure(keys: string[]): Promise<void>;
  /** A successful login clears its keys. */
  clear(keys: string[]): Promise<void>;
  /** Audits a refused (429) login, at most once a minute per user name and address. */
  auditRefusal(username: string, source: string, until: number): Promise<void>;
}

const iso = (ms: number) => new Date(ms).toISOString();

export function createLoginThrottle(store: AccessStore, clock: Clock, o: LoginThrottleOptions): LoginThrottle {
  let lastPruneMs = 0;
  /** A locked-out attacker must not be able to turn each cheap 429 into a database write. */
  const refusalAudits = new Map<string, { atMs: number; refusedSince: number }>();
  return {
    keysFor: (username, source) => [`u:${String(username).toLowerCase()}`, `ip:${source}`],

    async lockedUntil(keys) {
      const t = clock.now().getTime();
      let until = 0;
      for (const f of await store.getLoginThrottles(keys)) {
        const lockedUntil = f.lockedUntil ? Date.parse(f.lockedUntil) : 0;
        if (lockedUntil > t) until = Math.max(until, lockedUntil);
      }
      return until;
    },

    async recordFailure(keys) {
      const t = clock.now().getTime();
      await store.recordLoginFailure(keys, {
        now: iso(t),
        windowStart: iso(t - o.failureWindowMs),
        maxFailures: o.maxFailures,
        lockedUntil: iso(t + o.lockoutMs),
      });
      // Stale records go at most once a minute: the table holds only recent failures and live lockouts.
      if (t - lastPruneMs > 60_000) {
        lastPruneMs = t;
        await store.pruneLoginThrottles(iso(t - Math.max(o.failureWindowMs, o.lockoutMs)), iso(t));
      }
    },

    clear: (keys) => store.deleteLoginThrottles(keys),

    async auditRefusal(username, source, until) {
      const t = clock.now().getTime();
      const key = `${username}\u0000${source}`;
      const seen = refusalAudits.get(key);
      if (seen && t - seen.atMs < 60_000) {
        seen.refusedSince++;
        return;
      }
      if (refusalAudits.size > 10_000) {
        for (const [k, v] of refusalAudits) if (t - v.atMs >= 60_000) refusalAudits.delete(k);
      }
      refusalAudits.set(key, { atMs: t, refusedSince: 0 });
      const details = { lockedUntil: iso(until), ...(seen ? { refusedInLastMinute: seen.refusedSince } : {}) };
      const actor = { name: username, source };
      await recordAudit(store, { at: iso(t), actor, action: 'auth.login-throttled', target: username, details });
    },
  };
}
