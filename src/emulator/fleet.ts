// Owns a fleet of emulated phones: N phones (models mixed) booted with bounded concurrency, optionally
// registered and scheduled first, retrying phones that could not connect, with progress callbacks and a
// summary (outcomes, failure reasons, retries, time per phase). It is also the load generator of the end-to-end
// benchmarks.

import { randomBytes } from 'node:crypto';
import { generateKeyPair, type KeyPair, type KeySpec } from '../pki/index.ts';
import { CISCO_CAPF_RETRY } from './durations.ts';
import {
  BOOT_OUTCOMES,
  bootPhone,
  type BootOutcome,
  type BootPhase,
  type BootResult,
  type PhoneDeps,
} from './phone.ts';

/** Models a fleet cycles through (all support Security By Default). */
export const FLEET_MODELS = ['8845', '8865', '8851', '8861', '7841', '7861', '8811', '9971'] as const;

export interface FleetPhone {
  deviceName: string;
  model: string;
  /** By Authentication String phones type this string. */
  authString: string | null;
}

/** Random, distinct SEP<MAC> names under a locally administered OUI prefix (02:…). */
export function fleetDeviceNames(count: number): string[] {
  const names = new Set<string>();
  while (names.size < count) names.add(`SEP02${randomBytes(5).toString('hex').toUpperCase()}`);
  return [...names];
}

/** Pre-generated keys handed out round-robin: what the server sees does not depend on key reuse across phones. */
export function createKeyPool(size: number): { take(spec: KeySpec): Promise<KeyPair> } {
  const pools = new Map<string, Promise<KeyPair>[]>();
  const next = new Map<string, number>();
  return {
    take(spec) {
      const k = JSON.stringify(spec);
      let pool = pools.get(k);
      if (!pool) {
        pool = Array.from({ length: size }, () => generateKeyPair(spec));
        pools.set(k, pool);
      }
      const i = next.get(k) ?? 0;
      next.set(k, i + 1);
      return pool[i % pool.length]!;
    },
  };
}

export interface FleetProgress {
  done: number;
  total: number;
  installed: number;
  failed: number;
  /** Phones booting right now (provisioning, CAPF session, key generation). */
  booting: number;
  /** Phones waiting to try again after a failed connection. */
  waitingToRetry: number;
  /** Phones that have not arrived yet (a wave spread over `arrivalMs`). */
  notArrived: number;
  /** Tries after the first, so far. */
  retries: number;
  elapsedMs: number;
}

export interface FleetSummary {
  total: number;
  wallMs: number;
  byOutcome: Partial<Record<BootOutcome, number>>;
  /** Phones that installed on their first try, and after one or more retries. */
  installedFirstTry: number;
  installedAfterRetry: number;
  /** Outcome + detail of every phone that did not install, counted. */
  failuresByReason: Record<string, number>;
  /** Per phase: sum over phones, mean and p95 per phone (ms). */
  phases: Record<BootPhase, { totalMs: number; meanMs: number; p95Ms: number }>;
  /** Phones that needed more than one try, and the tries after the first, over the fleet. */
  retriedPhones: number;
  retries: number;
  /** Since the fleet started, when the last phone finished with an LSC installed (ms; 0 when none did). */
  lastInstalledMs: number;
  results: BootResult[];
}

export interface FleetOptions {
  phones: FleetPhone[];
  /** Phones booting at once (a phone waiting to retry does not hold a place). */
  concurrency: number;
  /** Builds a phone's deps (the fleet passes its typed string through authString); `index` is the phone's. */
  deps: (phone: FleetPhone, index: number) => PhoneDeps;
  onProgress?(p: FleetProgress): void;
  /**
   * Tries after the first when a phone's boot ends in a connection failure (CAPF refused, reset or closed
   * without END_SESSION, TFTP/HTTP unreachable), as a phone tries again. Default: Cisco's documented CAPF client
   * behaviour, 3 tries 30 s apart (CISCO_CAPF_RETRY in durations.ts; UNCERTAIN for phone firmware).
   */
  retries?: number;
  /** Wait between tries of one phone (default 30 s, as above). */
  retryIntervalMs?: number;
  /** Phones arrive at uniformly random moments within this window (a site rebooting), not all at once. */
  arrivalMs?: number;
  random?: () => number;
}

/** Outcomes a phone retries: it could not reach the server, or the server turned it away without an answer. */
export const RETRIED_OUTCOMES: ReadonlySet<BootOutcome> = new Set(['connection-failed', 'provisioning-unreachable']);

/**
 * A loopback source address of its own for phone `index` (127.1.0.1 upward; all of 127/8 is loopback on
 * Linux), so a fleet on one machine looks like phones on a site to per-address limits. Loopback labs only.
 */
export function loopbackSourceAddress(index: number): string {
  const n = index + 1;
  if (n >= 0xfe0000) throw new Error('more phones than loopback source addresses (16.6 million)');
  return `127.${1 + (n >> 16)}.${(n >> 8) & 0xff}.${n & 0xff}`;
}

function p95(xs: number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(s.length * 0.95) - 1)]!;
}

/** A counting semaphore whose waiters are served in arrival order. */
function slots(n: number): { take(): Promise<void>; give(): void } {
  let free = n;
  const waiting: (() => void)[] = [];
  return {
    take() {
      if (free > 0) {
        free--;
        return Promise.resolve();
      }
      return new Promise((r) => waiting.push(r));
    },
    give() {
      const next = waiting.shift();
      if (next) next();
      else free++;
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runFleet(o: FleetOptions): Promise<FleetSummary> {
  const t0 = performance.now();
  const total = o.phones.length;
  const results: BootResult[] = new Array(total);
  const progress: FleetProgress = {
    done: 0,
    total,
    installed: 0,
    failed: 0,
    booting: 0,
    waitingToRetry: 0,
    notArrived: total,
    retries: 0,
    elapsedMs: 0,
  };
  const report = () => o.onProgress?.({ ...progress, elapsedMs: performance.now() - t0 });
  const maxRetries = o.retries ?? CISCO_CAPF_RETRY.retries;
  const retryIntervalMs = o.retryIntervalMs ?? CISCO_CAPF_RETRY.intervalMs;
  const random = o.random ?? Math.random;
  const gate = slots(Math.max(1, Math.min(o.concurrency, total)));
  let retriedPhones = 0;
  let installedFirstTry = 0;
  let lastInstalledMs = 0;
  async function one(i: number): Promise<void> {
    const p = o.phones[i]!;
    if (o.arrivalMs) await sleep(random() * o.arrivalMs);
    progress.notArrived--;
    const deps = o.deps(p, i);
    let r: BootResult | null = null;
    let tried = 0;
    for (; ; tried++) {
      await gate.take();
      progress.booting++;
      report();
      try {
        // A phone whose CAPF exchange failed tries CAPF again on the configuration it has; one that never got a
        // configuration boots again from TFTP/HTTP.
        r = await bootPhone(
          { deviceName: p.deviceName, model: p.model, skipProvisioning: r?.outcome === 'connection-failed' },
          deps,
        );
      } finally {
        progress.booting--;
        gate.give();
      }
      if (tried >= maxRetries || !RETRIED_OUTCOMES.has(r.outcome)) break;
      if (tried === 0) retriedPhones++;
      progress.retries++;
      progress.waitingToRetry++;
      report();
      await sleep(retryIntervalMs);
      progress.waitingToRetry--;
    }
    results[i] = r;
    progress.done++;
    if (r.outcome === 'installed') {
      progress.installed++;
      lastInstalledMs = performance.now() - t0;
      if (tried === 0) installedFirstTry++;
    } else if (r.outcome !== 'no-operation' && r.outcome !== 'capf-skipped') progress.failed++;
    report();
  }
  await Promise.all(o.phones.map((_, i) => one(i)));
  const byOutcome: FleetSummary['byOutcome'] = {};
  const failuresByReason: Record<string, number> = {};
  for (const r of results) {
    byOutcome[r.outcome] = (byOutcome[r.outcome] ?? 0) + 1;
    if (r.outcome !== 'installed' && r.outcome !== 'no-operation') {
      const key = `${r.outcome}: ${r.detail.replace(/SEP[0-9A-F]{12}/g, 'SEP<MAC>').slice(0, 160)}`;
      failuresByReason[key] = (failuresByReason[key] ?? 0) + 1;
    }
  }
  const phases = {} as FleetSummary['phases'];
  for (const ph of ['tftp', 'trust', 'dns', 'capf'] as const) {
    const xs = results.map((r) => r.timingsMs[ph] ?? 0);
    const sum = xs.reduce((a, b) => a + b, 0);
    phases[ph] = { totalMs: sum, meanMs: xs.length ? sum / xs.length : 0, p95Ms: p95(xs) };
  }
  const installed = byOutcome.installed ?? 0;
  return {
    total,
    wallMs: performance.now() - t0,
    byOutcome,
    installedFirstTry,
    installedAfterRetry: installed - installedFirstTry,
    failuresByReason,
    phases,
    retriedPhones,
    retries: progress.retries,
    lastInstalledMs,
    results,
  };
}

/** The live progress line: where the fleet's phones are right now. */
export function renderFleetProgress(p: FleetProgress): string {
  const parts = [
    `${(p.elapsedMs / 1000).toFixed(0)} s`,
    `${p.done}/${p.total} done`,
    `installed ${p.installed}`,
    `failed ${p.failed}`,
    `booting ${p.booting}`,
  ];
  if (p.waitingToRetry || p.retries) parts.push(`waiting to retry ${p.waitingToRetry} (${p.retries} retries)`);
  if (p.notArrived) parts.push(`not arrived ${p.notArrived}`);
  return parts.join(' · ');
}

export function renderFleetSummary(s: FleetSummary): string {
  const pct = (n: number) => (s.total ? `${((n * 100) / s.total).toFixed(1)} %` : '-');
  const row = (label: string, n: number) => `  ${label.padEnd(44)} ${String(n).padStart(7)}  ${pct(n).padStart(7)}`;
  const lines = [`Fleet of ${s.total} phones in ${(s.wallMs / 1000).toFixed(1)} s`, 'Outcomes:'];
  lines.push(`  ${'outcome'.padEnd(44)} ${'phones'.padStart(7)}  ${'share'.padStart(7)}`);
  const installed = s.byOutcome.installed ?? 0;
  if (installed) {
    lines.push(row(`${BOOT_OUTCOMES.installed}, first try`, s.installedFirstTry));
    if (s.installedAfterRetry) lines.push(row(`${BOOT_OUTCOMES.installed}, after retrying`, s.installedAfterRetry));
  }
  for (const [k, v] of Object.entries(s.byOutcome).sort((a, b) => b[1] - a[1]))
    if (k !== 'installed') lines.push(row(BOOT_OUTCOMES[k as BootOutcome] ?? k, v));
  if (s.retries) lines.push(`Retried: ${s.retriedPhones} phones, ${s.retries} tries after the first`);
  if (installed) lines.push(`Last LSC installed after ${(s.lastInstalledMs / 1000).toFixed(1)} s`);
  if (Object.keys(s.failuresByReason).length) {
    lines.push('Failures by reason:');
    for (const [k, v] of Object.entries(s.failuresByReason).sort((a, b) => b[1] - a[1]))
      lines.push(`  ${String(v).padStart(6)}  ${k}`);
  }
  lines.push('Time per phase (per phone: mean / p95, ms):');
  for (const [k, v] of Object.entries(s.phases))
    lines.push(`  ${k.padEnd(6)} ${v.meanMs.toFixed(1).padStart(8)} / ${v.p95Ms.toFixed(1).padStart(8)}`);
  return lines.join('\n');
}
