// Owns starting the CAPF TLS listener from configuration.

import { createCapfServer } from '../../capf/index.ts';
import type { ListenerFactory } from './types.ts';

export const startCapfListener: ListenerFactory = async (ctx) => {
  const { config, logger } = ctx;
  if (!config['capf.enabled']) return null;
  const server = createCapfServer({
    host: config.host,
    port: config['capf.port'],
    credentials: () => {
      const id = ctx.identities.get('capf');
      return { certPem: id.certPem, keyPem: id.keyPem };
    },
    authority: ctx.capfAuthority,
    settings: {
      wireStyle: config['capf.wireStyle'],
      responseTimeoutMs: config['capf.responseTimeoutMs'],
      keyGenerationTimeoutMs: config['capf.keyGenerationTimeoutMs'],
    },
    maxSessions: config['capf.maxSessions'],
    maxPerClient: config['capf.maxPerClient'],
    onRefused: (reason) => ctx.metrics.connectionsRefused.inc({ listener: 'capf', reason }),
    handshakeTimeoutMs: config['capf.handshakeTimeoutMs'],
    maxMessageBytes: config['capf.maxMessageBytes'],
    legacyTls: config['capf.legacyTls'],
    logger: logger.child({ component: 'capf' }),
    clock: ctx.clock,
  });
  ctx.identities.onChange((name) => {
    if (name === 'capf') server.reloadCredentials();
  });
  const { port } = await server.start();
  ctx.provisioning.advertise('capf', port);
  ctx.capfServer = server;
  // Orphaned LSCs (sent, never acknowledged) come from CAPF sessions, so every node running CAPF sweeps them.
  const log = logger.child({ component: 'revocation' });
  const sweep = ctx.revocation.startUnacknowledgedSweep(config['revocation.crlRefreshMinutes'] * 60_000, (e) => log.error({ err: (e as Error).message }, 'revoking unacknowledged LSCs failed'));
  return {
    name: 'capf',
    host: config.host,
    port,
    stopAccepting: () => {
      sweep.stop();
      server.stopAccepting();
    },
    stop: (drainMs) => {
      sweep.stop();
      return server.stop(drainMs);
    },
  };
};
