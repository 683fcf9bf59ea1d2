// Owns starting the administration REST API listener from configuration: HTTPS with the node's tftp
// identity unless bound to loopback, its connection limits (api/server-limits.ts), and the API's view of
// the node (status, trust lists, doctor) from the services and the listener registry.

import { isIP } from 'node:net';
import { createApiApp, type ApiDeps } from '../../api/app.ts';
import { startApiServer } from '../../api/server.ts';
import { apiServerSettings, tlsPolicyOf } from '../../config/index.ts';
import { tlsServerOptions } from '../../shared/tls-policy.ts';
import type { RefusalReason } from '../../shared/connection-gate.ts';
import { describeCapfExpiry } from '../status.ts';
import type { AppServices } from '../context.ts';
import { createListenerRegistry, type ListenerFactory, type ListenerRegistry } from './types.ts';
import { runDoctor } from '../../doctor/index.ts';
import type { CapfListener } from './capf.ts';
import { itlSummary, trustListViews } from '../../provisioning/trust-views.ts';
import { doctorSourcesFromContext } from '../doctor-sources.ts';
import { DEFAULT_FOREIGN_ROLES, FOREIGN_ROLE_NAMES, foreignRoleText } from '../../provisioning/foreign-trust.ts';

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

/** The slice of the services the API uses. */
export type ApiServices = Pick<
  AppServices,
  | 'config'
  | 'logger'
  | 'clock'
  | 'store'
  | 'identities'
  | 'phones'
  | 'admin'
  | 'migration'
  | 'itlStatus'
  | 'metrics'
  | 'revocation'
  | 'provisioning'
  | 'trustAdmin'
  | 'signerRotation'
  | 'foreignTrust'
  | 'manufacturingTrust'
  | 'monitor'
>;

/** The API's dependencies from the composition root (also used by tests through createApiApp + inject). */
export function apiDepsFrom(s: ApiServices, o: { tls: boolean; running?: ListenerRegistry }): ApiDeps {
  const c = s.config;
  const running = o.running ?? createListenerRegistry();
  const networkListeners = () => running.list().filter((l) => !l.background);
  return {
    phones: s.phones,
    ...s.admin,
    metrics: s.metrics,
    metricsPublic: c['metrics.public'],
    secureCookies: o.tls,
    sessionTtlSeconds: c['api.sessionTtlMinutes'] * 60,
    maxImportBytes: c['api.maxImportBytes'],
    logger: s.logger.child({ component: 'api' }),
    revocation: s.revocation,
    doctor: (device) => runDoctor(doctorSourcesFromContext({ ...s, listeners: networkListeners() }), device),
    migration: s.migration,
    itlStatus: s.itlStatus,
    signerRotation: s.signerRotation,
    tvsTrust: s.foreignTrust,
    manufacturingCas: s.manufacturingTrust,
    monitor: s.monitor,
    tvsTrustRoles: {
      roles: FOREIGN_ROLE_NAMES.map(foreignRoleText),
      defaultRoles: DEFAULT_FOREIGN_ROLES.map(foreignRoleText),
    },
    trustLists: {
      lists: () => trustListViews(s.provisioning.trust, c['cluster.nodeName']),
      signingMode: () => s.provisioning.signingMode(),
      setSigningMode: (mode, actor) => s.trustAdmin.setSigningMode(mode, actor),
      rollback: () => s.provisioning.rollback(),
      setRollback: (on, actor) => s.trustAdmin.setRollback(on, actor),
      rebuild: (actor) => s.trustAdmin.rebuild(actor),
    },
    node: {
      trustAdmin: s.trustAdmin,
      nodeName: c['cluster.nodeName'],
      identities: s.identities,
      capfExpiry: () => describeCapfExpiry(s),
      listeners: networkListeners,
      activeCapfSessions: () => running.get('capf')?.activeSessions?.() ?? null,
      itl: () => itlSummary(s.provisioning.trust, s.identities.get('capf').certificate.sha1),
    },
  };
}

export function bindMetrics(
  s: Pick<AppServices, 'metrics' | 'admin'>,
  running: ListenerRegistry = createListenerRegistry(),
): void {
  s.metrics.bind({
    activeCapfSessions: () => running.get('capf')?.activeSessions?.() ?? 0,
    capfAdmission: () => (running.get('capf') as CapfListener | undefined)?.server.stats() ?? null,
    async expiry() {
      const r = await s.admin.reports.expirySummary();
      return {
        expired: r.totals.expired,
        within30: r.totals.within30,
        within90: r.totals.within90,
        valid: r.totals.valid,
        capfDaysLeft: r.capfCa.daysLeft,
      };
    },
  });
}

export const startApiListener: ListenerFactory<ApiServices> = async (s, running) => {
  const { config: c, logger } = s;
  if (!c['api.enabled']) return null;
  const host = c['api.host'];
  const tls = c['api.tls'] === 'on' || (c['api.tls'] === 'auto' && !isLoopback(host));
  const id = tls ? s.identities.get('tftp') : null;
  bindMetrics(s, running);
  const { timeouts, limits } = apiServerSettings(c);
  const policy = tlsServerOptions(tlsPolicyOf(c, 'api'));
  const https = id ? { https: { cert: id.certPem, key: id.keyPem, ...policy } } : {};
  const app = await createApiApp({ ...apiDepsFrom(s, { tls, running }), ...https }, timeouts);
  const log = logger.child({ component: 'api' });
  const onRefused = (reason: RefusalReason) => s.metrics.connectionsRefused.inc({ listener: 'api', reason });
  const listener = await startApiServer(app, { host, port: c['api.port'], limits: { ...limits, tls, log, onRefused } });
  logger.info(
    { tls, host },
    `REST API over ${tls ? 'HTTPS (tftp identity certificate)' : 'plain HTTP (loopback only)'}`,
  );
  return listener;
};
