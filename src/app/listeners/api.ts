// Owns starting the administration REST API listener (HTTPS with the node's tftp identity unless bound to
// loopback), and the background work its jobs need: the bulk job worker and the renewal policy timer.

import { isIP } from 'node:net';
import { createApiApp, type ApiDeps } from '../../api/app.ts';
import { AppError } from '../../shared/errors.ts';
import { describeCapfExpiry } from '../status.ts';
import type { AppContext } from '../context.ts';
import type { ListenerFactory } from './types.ts';
import { runDoctor } from '../../doctor/index.ts';
import { parseTrustList } from '../../trust/index.ts';
import { doctorSourcesFromContext } from '../../doctor/from-context.ts';

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

/** The API's dependencies from the composition root (also used by tests through createApiApp + inject). */
export function apiDepsFrom(ctx: AppContext, o: { tls: boolean }): ApiDeps {
  const c = ctx.config;
  return {
    phones: ctx.phones,
    ...ctx.admin,
    metrics: ctx.metrics,
    metricsPublic: c['metrics.public'],
    secureCookies: o.tls,
    sessionTtlSeconds: c['api.sessionTtlMinutes'] * 60,
    maxImportBytes: c['api.maxImportBytes'],
    logger: ctx.logger.child({ component: 'api' }),
    revocation: ctx.revocation,
    doctor: (device) => runDoctor(doctorSourcesFromContext(ctx), device),
    trustLists: {
      lists: () => {
        const itl = ctx.provisioning.trust.itl();
        const ctl = ctx.provisioning.trust.ctl();
        const view = (kind: 'ITL' | 'CTL', b: typeof itl) => ({ node: c['cluster.nodeName'], kind, bytes: b.bytes, builtAt: b.builtAt, signedBy: b.signedBy, signerReason: b.signerReason, transitional: [...b.transitional] });
        return [view('ITL', itl), ...(ctl ? [view('CTL', ctl)] : [])];
      },
      signingMode: () => ctx.provisioning.signingMode(),
      async setSigningMode(mode, actor) {
        ctx.provisioning.setSigningMode(mode);
        await ctx.store.phones.appendAudit({ at: ctx.clock.now().toISOString(), actor: actor.name, source: actor.source, action: mode === 'localkey' ? 'itl.reset-localkey' : 'itl.reset-normal', target: 'ITLFile.tlv', details: {} });
      },
      async rebuild(actor) {
        const { identities } = ctx.provisioning.refreshFromDisk();
        await ctx.store.phones.appendAudit({ at: ctx.clock.now().toISOString(), actor: actor.name, source: actor.source, action: 'itl.rebuild', target: 'ITLFile.tlv', details: { changed: identities } });
        return identities;
      },
    },
    node: {
      recordAudit: (actor, action, target, details) => ctx.store.phones.appendAudit({ at: ctx.clock.now().toISOString(), actor: actor.name, source: actor.source, action, target, details }),
      nodeName: c['cluster.nodeName'],
      identities: ctx.identities,
      capfExpiry: () => describeCapfExpiry(ctx),
      listeners: () => ctx.listeners ?? [],
      activeCapfSessions: () => ctx.capfServer?.stats().sessions ?? null,
      itl: () => {
        const b = ctx.provisioning.trust.itl();
        const list = parseTrustList(b.bytes);
        const capfSha1 = ctx.identities.get('capf').certificate.sha1;
        return { builtAt: b.builtAt.toISOString(), signer: b.signedBy, records: list.records.length, includesCapf: list.records.some((r) => r.roleName === 'CAPF' && r.certificateSha1 === capfSha1) };
      },
    },
  };
}

export function bindMetrics(ctx: AppContext): void {
  ctx.metrics.bind({
    activeCapfSessions: () => ctx.capfServer?.stats().sessions ?? 0,
    async expiry() {
      const s = await ctx.admin.reports.expirySummary();
      return { expired: s.totals.expired, within30: s.totals.within30, within90: s.totals.within90, valid: s.totals.valid, capfDaysLeft: s.capfCa.daysLeft };
    },
  });
}

export const startApiListener: ListenerFactory = async (ctx) => {
  const { config, logger } = ctx;
  if (!config['api.enabled']) return null;
  const host = config['api.host'];
  const tls = config['api.tls'] === 'on' || (config['api.tls'] === 'auto' && !isLoopback(host));
  const id = tls ? ctx.identities.get('tftp') : null;
  bindMetrics(ctx);
  const app = await createApiApp({ ...apiDepsFrom(ctx, { tls }), ...(id ? { https: { cert: id.certPem, key: id.keyPem } } : {}) });
  const log = logger.child({ component: 'admin-jobs' });
  const worker = ctx.admin.bulk.startWorker({ pollMs: 2000, onError: (e) => log.error({ err: (e as Error).message }, 'bulk job failed') });
  const renewal = ctx.admin.renewal.start(config['renewal.checkIntervalMinutes'] * 60_000, (e) => log.error({ err: (e as Error).message }, 'renewal check failed'));
  try {
    await app.listen({ host, port: config['api.port'] });
  } catch (e) {
    renewal.stop();
    await worker.stop();
    await app.close();
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new AppError('ERR_PORT_IN_USE', `REST API port ${host}:${config['api.port']} is in use (api.port, --api-port)`, undefined, { cause: e });
    throw e;
  }
  logger.info({ tls, host }, `REST API over ${tls ? 'HTTPS (tftp identity certificate)' : 'plain HTTP (loopback only)'}`);
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config['api.port'];
  return {
    name: 'api',
    host,
    port,
    async stop() {
      renewal.stop();
      await worker.stop();
      await app.close();
    },
  };
};
