// Owns starting the TFTP provisioning listener (UDP 69) over the file catalogue, counting transfers in the metrics.

import { createTftpServer, type TftpLogger } from '../../provisioning/tftp/index.ts';
import type { Metrics } from '../metrics.ts';
import type { Logger } from '../logger.ts';
import { bindError } from './bind-error.ts';
import type { ListenerFactory } from './types.ts';

/** The TFTP server logs one 'tftp request' line per request with its outcome; count those. */
function countingLogger(log: Logger, metrics: Metrics): TftpLogger {
  const count = (obj: object, msg: string) => {
    if (msg !== 'tftp request') return;
    const outcome = (obj as { outcome?: string }).outcome;
    const result = outcome === 'complete' ? 'ok' : outcome === 'not-found' ? 'not-found' : outcome === 'denied' || outcome === 'refused' || outcome === 'write-refused' ? 'denied' : 'error';
    metrics.tftpTransfers.inc({ result, transport: 'tftp' });
  };
  return {
    info(obj, msg) {
      count(obj, msg);
      log.info(obj, msg);
    },
    warn(obj, msg) {
      count(obj, msg);
      log.warn(obj, msg);
    },
  };
}

export const startTftpListener: ListenerFactory = async (ctx) => {
  const { config } = ctx;
  if (!config['tftp.enabled']) return null;
  const server = createTftpServer({
    host: config.host,
    port: config['tftp.port'],
    source: ctx.provisioning.catalogue.tftpSource(),
    logger: countingLogger(ctx.logger.child({ component: 'tftp' }), ctx.metrics),
    limits: { maxTransfers: config['tftp.maxTransfers'], maxPerClient: config['tftp.maxPerClient'] },
  });
  let port: number;
  try {
    ({ port } = await server.start());
  } catch (e) {
    throw bindError('TFTP', config.host, config['tftp.port'], 'tftp.port', '--tftp-port', e);
  }
  const release = ctx.provisioning.watch();
  return {
    name: 'tftp',
    host: config.host,
    port,
    async stop() {
      release();
      await server.stop();
    },
  };
};
