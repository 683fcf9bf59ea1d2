// Owns starting the TFTP provisioning listener (UDP 69) from configuration over the file catalogue.

import { createTftpServer } from '../../provisioning/tftp/index.ts';
import { countingTftpLogger } from '../../provisioning/tftp-log.ts';
import { createRateLimitedLog } from '../../shared/rate-limited-log.ts';
import type { AppServices } from '../context.ts';
import { bindError } from '../../shared/bind-error.ts';
import type { ListenerFactory } from './types.ts';

type TftpServices = Pick<AppServices, 'config' | 'logger' | 'metrics' | 'provisioning'>;

export const startTftpListener: ListenerFactory<TftpServices> = async (s) => {
  const { config } = s;
  if (!config['tftp.enabled']) return null;
  const log = s.logger.child({ component: 'tftp' });
  const limited = createRateLimitedLog(log);
  const server = createTftpServer({
    host: config.host,
    port: config['tftp.port'],
    source: s.provisioning.catalogue.tftpSource(),
    logger: countingTftpLogger(log, limited, (result) => s.metrics.tftpTransfers.inc({ result, transport: 'tftp' })),
    limits: { maxTransfers: config['tftp.maxTransfers'], maxPerClient: config['tftp.maxPerClient'] },
  });
  let port: number;
  try {
    ({ port } = await server.start());
  } catch (e) {
    throw bindError('TFTP', config.host, config['tftp.port'], 'tftp.port', '--tftp-port', e);
  }
  const release = s.provisioning.watch();
  return {
    name: 'tftp',
    host: config.host,
    port,
    stopAccepting: () => server.stopAccepting(),
    async stop(drainMs) {
      release();
      await server.stop(drainMs);
      limited.flush();
    },
  };
};
