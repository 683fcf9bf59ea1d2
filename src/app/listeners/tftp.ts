// Owns starting the TFTP provisioning listener (UDP 69) from configuration over the file catalogue.

import { createTftpServer } from '../../provisioning/tftp/index.ts';
import { countingTftpLogger } from '../../provisioning/tftp-log.ts';
import { createRateLimitedLog } from '../../shared/rate-limited-log.ts';
import { bindError } from '../../shared/bind-error.ts';
import { listenerOf } from '../../shared/listener.ts';
import type { AppServices } from '../context.ts';
import type { ListenerFactory } from './types.ts';

type TftpServices = Pick<AppServices, 'config' | 'logger' | 'metrics' | 'provisioning'>;

export const startTftpListener: ListenerFactory<TftpServices> = async (s) => {
  const { config: c, metrics } = s;
  if (!c['tftp.enabled']) return null;
  const log = s.logger.child({ component: 'tftp' });
  const limited = createRateLimitedLog(log);
  const server = createTftpServer({
    host: c.host,
    port: c['tftp.port'],
    source: s.provisioning.catalogue.tftpSource(),
    logger: countingTftpLogger(log, limited, (result) => metrics.tftpTransfers.inc({ result, transport: 'tftp' })),
    limits: { maxTransfers: c['tftp.maxTransfers'], maxPerClient: c['tftp.maxPerClient'] },
  });
  const { port } = await server.start().catch((e) => {
    throw bindError('TFTP', c.host, c['tftp.port'], 'tftp.port', '--tftp-port', e);
  });
  return listenerOf('tftp', { host: c.host, port }, server, { release: s.provisioning.watch(), flush: limited.flush });
};
