// Owns starting the TVS listener (TLS 2445) with the tvs identity over the cluster's TVS authority.

import { createTvsServer } from '../../tvs/index.ts';
import { tlsPolicyOf, tvsLimits } from '../../config/index.ts';
import { tlsServerOptions } from '../../shared/tls-policy.ts';
import { bindError } from '../../shared/bind-error.ts';
import { listenerOf } from '../../shared/listener.ts';
import type { ListenerFactory } from './types.ts';
import type { AppServices } from '../context.ts';

type TvsServices = Pick<AppServices, 'config' | 'logger' | 'identities' | 'metrics' | 'provisioning'>;

export const startTvsListener: ListenerFactory<TvsServices> = async (s) => {
  const { config: c, identities } = s;
  if (!c['tvs.enabled']) return null;
  const creds = () => ({ certPem: identities.get('tvs').certPem, keyPem: identities.get('tvs').keyPem });
  const policy = tlsServerOptions(tlsPolicyOf(c, 'tvs'));
  const server = createTvsServer({
    host: c.host,
    port: c['tvs.port'],
    tls: { ...creds(), policy },
    authority: s.provisioning.tvsAuthority,
    logger: s.logger.child({ component: 'tvs' }),
    onRefused: (reason) => s.metrics.connectionsRefused.inc({ listener: 'tvs', reason }),
    limits: tvsLimits(c),
  });
  identities.onChange((name) => name === 'tvs' && server.reloadCredentials(creds()));
  const { port } = await server.start().catch((e) => {
    throw bindError('TVS', c.host, c['tvs.port'], 'tvs.port', '--tvs-port', e);
  });
  s.provisioning.advertise('tvs', port);
  return listenerOf('tvs', { host: c.host, port }, server, { release: s.provisioning.watch() });
};
