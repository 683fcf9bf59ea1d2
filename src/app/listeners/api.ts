// Owns starting the administration REST API listener (HTTPS with the node's tftp identity unless bound to
// loopback) with its connection caps and timeouts, and the background work its jobs need: the bulk job
// worker and the renewal policy timer.

import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';

import { isIP } from 'node:net';
import { createApiApp, type ApiDeps } from '../../api/app.ts';
import { AppError } from '../../shared/errors.ts';
import { describeCapfExpiry } from '../status.ts';
import type { AppContext } from '../context.ts';
import type { ListenerFactory } from './types.ts';
import { runDoctor } from '../../doctor/index.ts';
import { parseTrustList } from '../../trust/index.ts';
import { doctorSourcesFromContext } from '../doctor-sources.ts';
import { clientAddress, createConnectionGate } from '../../shared/connection-gate.ts';
import { createRateLimitedLog } from '../../shared/rate-limited-log.ts';
import { delay } from './http.ts';

/** True when the request announces a body (a length above 0, or chunked). */
function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

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
  const app = await createApiApp({ ...apiDepsFrom(ctx, { tls }), ...(id ? { https: { cert: id.certPem, key: id.keyPem } } : {}) }, {
    headersTimeoutMs: config['api.headersTimeoutMs'],
    requestTimeoutMs: config['api.requestTimeoutMs'],
    keepAliveTimeoutMs: config['api.keepAliveTimeoutMs'],
  });
  const apiLog = logger.child({ component: 'api' });
  const limitedLog = createRateLimitedLog(apiLog);
  const gate = createConnectionGate({ max: config['api.maxConnections'], maxPerClient: config['api.maxPerClient'] });
  app.server.on('connection', (socket: Socket) => {
    const refused = gate.admit(socket);
    if (!refused) return;
    ctx.metrics.connectionsRefused.inc({ listener: 'api', reason: refused });
    limitedLog.warn(`api-refused-${refused}`, clientAddress(socket), { peer: socket.remoteAddress, reason: refused }, refused === 'global-cap' ? 'API connection refused: connection cap reached' : 'API connection refused: per-client cap reached');
    socket.destroy();
  });
  if (tls) {
    app.server.on('tlsClientError', (e: Error, socket: Socket) => {
      limitedLog.warn('api-tls-failed', clientAddress(socket), { peer: socket.remoteAddress, err: e.message }, 'API TLS handshake failed');
    });
  }
  // Body-read timeout: while a body is being received the socket may not stay silent longer than
  // api.bodyTimeoutMs (Node then destroys it: nothing handles the timeout). Lifted once the body has ended;
  // a request answered before its body ends is closed by the API's onSend hook instead.
  const bodyTimeoutMs = config['api.bodyTimeoutMs'];
  app.server.on('request', (req: IncomingMessage) => {
    if (req.complete || !hasBody(req)) return;
    req.socket.setTimeout(bodyTimeoutMs);
    req.once('end', () => req.socket.setTimeout(0));
  });
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
  let closing: Promise<unknown> | null = null;
  const stopAccepting = (): Promise<unknown> => {
    if (!closing) {
      renewal.stop();
      // Stop listening now (resolves once every connection has closed); Fastify's close (its hooks) runs beside it.
      const serverClosed = new Promise<void>((resolve) => app.server.close(() => resolve()));
      closing = Promise.all([serverClosed, app.close()]);
    }
    return closing;
  };
  return {
    name: 'api',
    host,
    port,
    stopAccepting: () => void stopAccepting(),
    async stop(drainMs = 0) {
      const closed = stopAccepting();
      const workerStopped = worker.stop();
      const drained = Promise.all([closed, workerStopped]);
      await Promise.race([drained, delay(drainMs)]);
      app.server.closeAllConnections();
      await closed;
      // A bulk job still running past the drain is not waited for: serve exits within the drain timeout.
      const late = await Promise.race([workerStopped.then(() => false), delay(0).then(() => true)]);
      if (late) apiLog.warn({ drainMs }, 'a bulk job was still running when the drain timeout ended');
      limitedLog.flush();
    },
  };
};
