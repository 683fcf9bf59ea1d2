// Owns starting the TVS listener (TLS 2445) with the tvs identity over the cluster's TVS authority.

import { createTvsServer } from '../../tvs/index.ts';
import { bindError } from '../../shared/bind-error.ts';
import type { ListenerFactory } from './types.ts';
import type { AppServices } from '../context.ts';

type TvsServices = Pick<AppServices, 'config' | 'logger' | 'identities' | 'metrics' | 'provisioning'>;

export const startTvsListener: ListenerFactory<TvsServices> = async (ctx) => {
  const { config } = ctx;
  if (!config['tvs.enabled']) return null;
  const id = ctx.identities.get('tvs');
  const server = createTvsServer({
    host: config.host,
    port: config['tvs.port'],
    tls: { certPem: id.certPem, keyPem: id.keyPem, ...(config['capf.legacyTls'] ? { minVersion: 'TLSv1' as const, ciphers: 'DEFAULT:@SECLEVEL=0' } : {}) },
    authority: ctx.provisioning.tvsAuthority,
    logger: ctx.logger.child({ component: 'tvs' }),
    onRefused: (reason) => ctx.metrics.connectionsRefused.inc({ listener: 'tvs', reason }),
    limits: { maxConnections: config['tvs.maxConnections'], maxPerClient: config['tvs.maxPerClient'], idleTimeoutMs: 30_000, handshakeTimeoutMs: 10_000, maxRequestsPerConnection: 16 },
  });
  ctx.identities.onChange((name) => {
    if (name === 'tvs') {
      const n = ctx.identities.get('tvs');
      server.reloadCredentials({ certPem: n.certPem, keyPem: n.keyPem });
    }
  });
  let port: number;
  try {
    ({ port } = await server.start());
  } catch (e) {
    throw bindError('TVS', config.host, config['tvs.port'], 'tvs.port', '--tvs-port', e);
  }
  ctx.provisioning.advertise('tvs', port);
  const release = ctx.provisioning.watch();
  return {
    name: 'tvs',
    host: config.host,
    port,
    stopAccepting: () => server.stopAccepting(),
    async stop(drainMs) {
      release();
      await server.stop(drainMs);
    },
  };
};
