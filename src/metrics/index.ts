// Owns the Prometheus metrics of a node: CAPF sessions (by operation and outcome, duration, active),
// TFTP/HTTP transfers (listeners call metrics.tftpTransfers.inc), refused connections by listener and reason,
// LSCs by days to expiry, CAPF CA expiry, the store's health.

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CapfSessionRecord } from '../capf/index.ts';
import { isStoreUnavailable } from '../shared/errors.ts';
import type { CapfAuthority } from '../capf/ports.ts';

export interface MetricsSources {
  activeCapfSessions(): number;
  /** CAPF connections by admission state (capf/admission.ts); absent: CAPF not running here. */
  capfAdmission?(): { held: number; queued: number; handshaking: number } | null;
  /** LSC counts by bucket (expired, 30, 90, valid = more than 90 days) and the CAPF CA's days left. */
  expiry(): Promise<{ expired: number; within30: number; within90: number; valid: number; capfDaysLeft: number }>;
}

/** What the certificate monitor's gauges read at scrape time (monitor/service.ts MonitorSnapshot by structure). */
export interface CertificateExpirySnapshot {
  certificates: readonly { class: string; name: string; notAfterMs: number }[];
  fleets: readonly { class: string; window: string; count: number; soonestNotAfterMs: number | null }[];
  sources: readonly { class: string; up: boolean }[];
}

export interface Metrics {
  registry: Registry;
  /** Certificate monitor delivery attempts: kind is email | webhook; status is sent | failed. */
  monitorDeliveries: Counter<'kind' | 'status'>;
  /** Attaches the certificate monitor's snapshot (opencapf_cert_expiry_seconds and friends). */
  bindMonitor(snapshot: () => Promise<CertificateExpirySnapshot>): void;
  capfSessions: Counter<'operation' | 'outcome'>;
  capfSessionDuration: Histogram<'operation'>;
  /** TFTP (and HTTP 6970) file transfers: result is ok | not-found | denied | error; transport is tftp | http. */
  tftpTransfers: Counter<'result' | 'transport'>;
  /** ITL File Status rows dropped because too many were waiting for the store. */
  itlStatusDropped: Counter;
  /** CAPF sessions refused without END_SESSION because the store could not be used (the phone retries). */
  capfRefused: Counter;
  /** Connections closed at accept: listener is capf | tvs | api; reason is global-cap | per-client-cap. */
  connectionsRefused: Counter<'listener' | 'reason'>;
  /** Seconds a CAPF connection waited in the admission queue before its TLS handshake started. */
  capfQueueWait: Histogram;
  recordCapfSession(s: Pick<CapfSessionRecord, 'operation' | 'outcome' | 'startedAt' | 'endedAt'>): void;
  /** Attaches the gauges read at scrape time. */
  bind(sources: MetricsSources): void;
  /** Attaches the store's health (opencapf_store_available, opencapf_store_unavailable_seconds). */
  bindStore(health: () => { available: boolean; since: string }): void;
}

/** The expiry gauges run a query; cache it so a tight scrape interval does not load the database. */
const EXPIRY_CACHE_MS = 30_000;

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'opencapf_process_' });
  let sources: MetricsSources | null = null;
  let cached: { at: number; v: Awaited<ReturnType<MetricsSources['expiry']>> } | null = null;
  const expiry = async () => {
    if (!sources) return null;
    if (!cached || Date.now() - cached.at > EXPIRY_CACHE_MS) {
      try {
        cached = { at: Date.now(), v: await sources.expiry() };
      } catch (e) {
        // The store is down: the scrape still answers (opencapf_store_available says why), with the last values.
        if (!isStoreUnavailable(e)) throw e;
        return cached?.v ?? null;
      }
    }
    return cached.v;
  };
  const capfSessions = new Counter({
    name: 'opencapf_capf_sessions_total',
    help: 'CAPF sessions by operation and outcome',
    labelNames: ['operation', 'outcome'] as const,
    registers: [registry],
  });
  const capfSessionDuration = new Histogram({
    name: 'opencapf_capf_session_duration_seconds',
    help: 'CAPF session duration',
    labelNames: ['operation'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 180],
    registers: [registry],
  });
  const tftpTransfers = new Counter({
    name: 'opencapf_tftp_transfers_total',
    help: 'TFTP/HTTP file transfers by result',
    labelNames: ['result', 'transport'] as const,
    registers: [registry],
  });
  const itlStatusDropped = new Counter({
    name: 'opencapf_itl_status_dropped_total',
    help: 'ITL File Status rows dropped because too many were waiting for the store',
    registers: [registry],
  });
  const capfRefused = new Counter({
    name: 'opencapf_capf_refused_total',
    help: 'CAPF sessions refused without END_SESSION because the store was unavailable (phones retry)',
    registers: [registry],
  });
  const connectionsRefused = new Counter({
    name: 'opencapf_connections_refused_total',
    help: 'Connections closed at accept, by listener and reason (global-cap: slots and queue full; per-client-cap)',
    labelNames: ['listener', 'reason'] as const,
    registers: [registry],
  });
  const capfQueueWait = new Histogram({
    name: 'opencapf_capf_handshake_queue_wait_seconds',
    help: 'Time CAPF connections waited in the admission queue before their TLS handshake (queued ones only)',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60],
    registers: [registry],
  });
  for (const [name, help, key] of [
    ['opencapf_capf_held_sessions', 'CAPF sessions past the TLS handshake (counted against capf.maxSessions)', 'held'],
    ['opencapf_capf_queued_connections', 'CAPF connections waiting for a handshake slot (capf.maxQueued)', 'queued'],
    ['opencapf_capf_handshakes_in_progress', 'CAPF TLS handshakes in progress (capf.maxHandshakes)', 'handshaking'],
  ] as const)
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        const a = sources?.capfAdmission?.();
        if (a) this.set(a[key]);
      },
    });
  new Gauge({
    name: 'opencapf_capf_active_sessions',
    help: 'CAPF sessions in progress',
    registers: [registry],
    collect() {
      this.set(sources?.activeCapfSessions() ?? 0);
    },
  });
  new Gauge({
    name: 'opencapf_lscs',
    help: 'Phones with an LSC, by days to expiry (expired, le30, le90, gt90)',
    labelNames: ['days_to_expiry'] as const,
    registers: [registry],
    async collect() {
      const e = await expiry();
      if (!e) return;
      this.set({ days_to_expiry: 'expired' }, e.expired);
      this.set({ days_to_expiry: 'le30' }, e.within30);
      this.set({ days_to_expiry: 'le90' }, e.within90);
      this.set({ days_to_expiry: 'gt90' }, e.valid);
    },
  });
  new Gauge({
    name: 'opencapf_capf_ca_days_to_expiry',
    help: 'Days until the CAPF CA certificate expires',
    registers: [registry],
    async collect() {
      const e = await expiry();
      if (e) this.set(e.capfDaysLeft);
    },
  });
  let monitorSnapshot: (() => Promise<CertificateExpirySnapshot>) | null = null;
  let snapCache: { at: number; v: CertificateExpirySnapshot } | null = null;
  const snapshot = async (): Promise<CertificateExpirySnapshot | null> => {
    if (!monitorSnapshot) return null;
    if (!snapCache || Date.now() - snapCache.at > EXPIRY_CACHE_MS) {
      try {
        snapCache = { at: Date.now(), v: await monitorSnapshot() };
      } catch (e) {
        if (!isStoreUnavailable(e)) throw e;
        return snapCache?.v ?? null;
      }
    }
    return snapCache.v;
  };
  new Gauge({
    name: 'opencapf_cert_expiry_seconds',
    help:
      'Seconds until a certificate expires (negative: expired), by class (capf-ca, identity, chain, crl = next ' +
      'update, manufacturing-ca) and name; lsc-min / mic-min: the soonest phone LSC / MIC not yet expired',
    labelNames: ['class', 'name'] as const,
    registers: [registry],
    async collect() {
      const s = await snapshot();
      if (!s) return;
      this.reset();
      const now = Date.now();
      for (const c of s.certificates)
        this.set({ class: c.class, name: c.name }, Math.round((c.notAfterMs - now) / 1000));
      for (const cls of new Set(s.fleets.map((f) => f.class))) {
        const soonest = s.fleets.find((f) => f.class === cls && f.window !== 'expired' && f.soonestNotAfterMs !== null);
        if (soonest)
          this.set({ class: `${cls}-min`, name: 'soonest' }, Math.round((soonest.soonestNotAfterMs! - now) / 1000));
      }
    },
  });
  new Gauge({
    name: 'opencapf_cert_expiry_window_certificates',
    help:
      'Phone certificates by class (lsc, mic) and expiry window (expired, le1d, le7d, le30d, le90d, …): each ' +
      'window holds those not in a sooner one',
    labelNames: ['class', 'window'] as const,
    registers: [registry],
    async collect() {
      const s = await snapshot();
      if (!s) return;
      this.reset();
      for (const f of s.fleets) this.set({ class: f.class, window: f.window }, f.count);
    },
  });
  new Gauge({
    name: 'opencapf_cert_monitor_source_up',
    help: 'Whether the certificate monitor could read each certificate class (1) or not (0)',
    labelNames: ['class'] as const,
    registers: [registry],
    async collect() {
      const s = await snapshot();
      if (!s) return;
      for (const x of s.sources) this.set({ class: x.class }, x.up ? 1 : 0);
    },
  });
  const monitorDeliveries = new Counter({
    name: 'opencapf_cert_monitor_deliveries_total',
    help: 'Certificate monitor delivery attempts by channel kind (email, webhook) and status (sent, failed)',
    labelNames: ['kind', 'status'] as const,
    registers: [registry],
  });
  let storeHealth: (() => { available: boolean; since: string }) | null = null;
  new Gauge({
    name: 'opencapf_store_available',
    help: '1 while the database answers, 0 while it is unreachable or cannot write (disk full)',
    registers: [registry],
    collect() {
      if (storeHealth) this.set(storeHealth().available ? 1 : 0);
    },
  });
  new Gauge({
    name: 'opencapf_store_unavailable_seconds',
    help: 'Seconds the database has been unavailable (0 while available)',
    registers: [registry],
    collect() {
      const h = storeHealth?.();
      if (h) this.set(h.available ? 0 : Math.max(0, (Date.now() - Date.parse(h.since)) / 1000));
    },
  });
  return {
    registry,
    monitorDeliveries,
    bindMonitor(fn) {
      monitorSnapshot = fn;
      snapCache = null;
    },
    capfSessions,
    capfSessionDuration,
    tftpTransfers,
    itlStatusDropped,
    capfRefused,
    connectionsRefused,
    capfQueueWait,
    recordCapfSession(s) {
      const operation = s.operation ?? 'none';
      capfSessions.inc({ operation, outcome: s.outcome });
      const ms = Date.parse(s.endedAt) - Date.parse(s.startedAt);
      if (Number.isFinite(ms) && ms >= 0) capfSessionDuration.observe({ operation }, ms / 1000);
    },
    bind(s) {
      sources = s;
      cached = null;
    },
    bindStore(h) {
      storeHealth = h;
    },
  };
}

/** The CAPF authority, with every recorded session counted once committed (a refused session as refused). */
export function countingCapfAuthority(
  inner: CapfAuthority,
  metrics: Pick<Metrics, 'recordCapfSession' | 'capfRefused'>,
): CapfAuthority {
  return {
    ...inner,
    async finish(session, completion) {
      await inner.finish(session, completion);
      metrics.recordCapfSession(session);
    },
    release(sessionId) {
      metrics.capfRefused.inc();
      inner.release?.(sessionId);
    },
  };
}
