// Owns a fleet of emulated phones: N phones (models mixed) booted with bounded concurrency, optionally
// registered and scheduled first, retrying phones that could not connect, with progress callbacks and a
// summary (outcomes, failure reasons, retries, time per phase). It is also the load generator of the end-to-end
// benchmarks.

import { randomBytes } from 'node:crypto';
import { generateKeyPair, type KeyPair, type KeySpec } from '../pki/index.ts';
import { bootPhone, type BootOutcome, type BootPhase, type BootResult, type PhoneDeps } from './phone.ts';

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
}

export interface FleetSummary {
  total: number;
  wallMs: number;
  byOutcome: Partial<Record<BootOutcome, number>>;
  /** Outcome + detail of every phone that did not install, counted. */
  failuresByReason: Record<string, number>;
  /** Per phase: sum over phones, mean and p95 per phone (ms). */
  phases: Record<BootPhase, { totalMs: number; meanMs: number; p95Ms: number }>;
  /** Phones that needed more than one try, and the tries after the first, over the fleet. */
  retriedPhones: number;
  retries: number;
  results: BootResult[];
}

export interface FleetOptions {
  phones: FleetPhone[];
  concurrency: number;
  /** Builds a phone's deps (the fleet passes its typed string through authString). */
  deps: (phone: FleetPhone) => PhoneDeps;
  onProgress?(p: FleetProgress): void;
  /**
   * Tries after the first when a phone's boot ends in a connection failure (CAPF refused or closed without
   * END_SESSION, TFTP/HTTP unreachable), as a phone tries again; default 3. Cisco's own counts are not
   * modelled yet: these are the emulator's (docs/emulator.md).
   */
  retries?: number;
  /** Wait between tries of one phone (default 1000 ms). */
  retryIntervalMs?: number;
}

/** Outcomes a phone retries: it could not reach the server, or the server turned it away without an answer. */
export const RETRIED_OUTCOMES: ReadonlySet<BootOutcome> = new Set(['connection-failed', 'provisioning-unreachable']);

function p95(xs: number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(s.length * 0.95) - 1)]!;
}

export async function runFleet(o: FleetOptions): Promise<FleetSummary> {
  const t0 = performance.now();
  const results: BootResult[] = new Array(o.phones.length);
  let nextIndex = 0;
  const progress: FleetProgress = { done: 0, total: o.phones.length, installed: 0, failed: 0 };
  const maxRetries = o.retries ?? 3;
  const retryIntervalMs = o.retryIntervalMs ?? 1000;
  let retriedPhones = 0;
  let retries = 0;
  async function worker() {
    for (;;) {
      const i = nextIndex++;
      if (i >= o.phones.length) return;
      const p = o.phones[i]!;
      const deps = o.deps(p);
      let r = await bootPhone({ deviceName: p.deviceName, model: p.model }, deps);
      for (let tried = 0; tried < maxRetries && RETRIED_OUTCOMES.has(r.outcome); tried++) {
        if (tried === 0) retriedPhones++;
        retries++;
        await new Promise((res) => setTimeout(res, retryIntervalMs));
        // A phone whose CAPF exchange failed tries CAPF again on the configuration it has; one that never
        // got a configuration boots again from TFTP/HTTP.
        r = await bootPhone(
          { deviceName: p.deviceName, model: p.model, skipProvisioning: r.outcome === 'connection-failed' },
          deps,
        );
      }
      results[i] = r;
      progress.done++;
      if (r.outcome === 'installed') progress.installed++;
      else if (r.outcome !== 'no-operation' && r.outcome !== 'capf-skipped') progress.failed++;
      o.onProgress?.({ ...progress });
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(o.concurrency, o.phones.length)) }, worker));
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
    const total = xs.reduce((a, b) => a + b, 0);
    phases[ph] = { totalMs: total, meanMs: xs.length ? total / xs.length : 0, p95Ms: p95(xs) };
  }
  return {
    total: results.length,
    wallMs: performance.now() - t0,
    byOutcome,
    failuresByReason,
    phases,
    retriedPhones,
    retries,
    results,
  };
}

export function renderFleetSummary(s: FleetSummary): string {
  const lines = [`Fleet of ${s.total} phones in ${(s.wallMs / 1000).toFixed(1)} s`];
  if (s.retries) lines.push(`Retried: ${s.retriedPhones} phones, ${s.retries} tries after the first`);
  lines.push('Outcomes:');
  for (const [k, v] of Object.entries(s.byOutcome).sort((a, b) => b[1] - a[1]))
    lines.push(`  ${String(v).padStart(6)}  ${k}`);
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
