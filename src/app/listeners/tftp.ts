// Owns starting the TFTP provisioning listener (UDP 69) over the file catalogue, counting transfers in the
// metrics and rate-limiting the refusal lines a flood produces.

import { createTftpServer, type TftpLogger } from '../../provisioning/tftp/index.ts';
import type { Metrics } from '../metrics.ts';
import type { Logger } from '../logger.ts';
import { bindError } from './bind-error.ts';
import { createRateLimitedLog, type RateLimitedLog } from '../../shared/rate-limited-log.ts';
import type { ListenerFactory } from './types.ts';
import type { AppServices } from '../context.ts';

type TftpServices = Pick<AppServices, 'config' | 'logger' | 'metrics' | 'provisioning'>;

/** Outcomes a flood of datagrams produces by the thousand: logged through the rate limiter. */
// 'error': while the store is down every request fails the same way.
const FLOODABLE = new Set(['busy', 'denied', 'refused', 'write-refused', 'error']);

/**
 * The TFTP server logs one 'tftp request' line per request with its outcome; count those (every one), and
 * write refusals and malformed-packet warnings through `limited` so that a flood writes a bounded log.
 */
function countingLogger(log: Logger, metrics: Metrics, limited: RateLimitedLog): TftpLogger {
  const peerOf = (obj: object) => String((obj as { peer?: string }).peer ?? '?').replace(/:\d+$/, '');
  const count = (obj: object, msg: string) => {
    if (msg !== 'tftp request') return;
    const outcome = (obj as { outcome?: string }).outcome;
    const result = outcome === 'complete' ? 'ok' : outcome === 'not-found' ? 'not-found' : outcome === 'denied' || outcome === 'refused' || outcome === 'write-refused' ? 'denied' : 'error';
    metrics.tftpTransfers.inc({ result, transport: 'tftp' });
  };
  const write = (level: 'info' | 'warn', obj: object, msg: string) => {
    count(obj, msg);
    const outcome = (obj as { outcome?: string }).outcome;
    const fields = obj as Record<string, unknown>;
    if (msg === 'tftp malformed packet') limited[level]('tftp-malformed', peerOf(obj), fields, msg);
    else if (msg === 'tftp request' && outcome && FLOODABLE.has(outcome)) limited[level](`tftp-${outcome}`, peerOf(obj), fields, msg);
    else log[level](obj, msg);
  };
  return {
    info: (obj, msg) => write('info', obj, msg),
    warn: (obj, msg) => write('warn', obj, msg),
  };
}

export const startTftpListener: ListenerFactory<TftpServices> = async (ctx) => {
  const { config } = ctx;
  if (!config['tftp.enabled']) return null;
  const log = ctx.logger.child({ component: 'tftp' });
  const limited = createRateLimitedLog(log);
  const server = createTftpServer({
    host: config.host,
    port: config['tftp.port'],
    source: ctx.provisioning.catalogue.tftpSource(),
    logger: countingLogger(log, ctx.metrics, limited),
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
    stopAccepting: () => server.stopAccepting(),
    async stop(drainMs) {
      release();
      await server.stop(drainMs);
      limited.flush();
    },
  };
};
