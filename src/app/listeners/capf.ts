// Owns starting the CAPF TLS listener from configuration.

import { createCapfServer } from '../../capf/index.ts';
import { capfServerSettings } from '../../config/index.ts';
import type { AppServices } from '../context.ts';
import type { ListenerFactory } from './types.ts';
import { listenerOf, type StartedListener } from '../../shared/listener.ts';
import type { CapfServer } from '../../capf/server.ts';

type CapfServices = Pick<
  AppServices,
  'config' | 'logger' | 'clock' | 'identities' | 'capfAuthority' | 'metrics' | 'provisioning'
>;

/** The CAPF entry of the registry also hands out its server (tests and the status page read its stats). */
export type CapfListener = StartedListener & { server: CapfServer };

export const startCapfListener: ListenerFactory<CapfServices> = async (s): Promise<CapfListener | null> => {
  const { config, logger } = s;
  if (!config['capf.enabled']) return null;
  const server = createCapfServer({
    ...capfServerSettings(config),
    credentials: () => {
      const id = s.identities.get('capf');
      return { certPem: id.certPem, keyPem: id.keyPem };
    },
    authority: s.capfAuthority,
    onRefused: (reason) => s.metrics.connectionsRefused.inc({ listener: 'capf', reason }),
    onQueueWait: (ms) => s.metrics.capfQueueWait.observe(ms / 1000),
    logger: logger.child({ component: 'capf' }),
    clock: s.clock,
  });
  s.identities.onChange((name) => name === 'capf' && server.reloadCredentials());
  const { port } = await server.start();
  s.provisioning.advertise('capf', port);
  return {
    ...listenerOf('capf', { host: config.host, port }, server),
    server,
    activeSessions: () => server.stats().sessions,
  };
};
