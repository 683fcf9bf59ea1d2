// Owns what the TFTP listener logs and counts: one 'tftp request' line per request becomes a transfer
// count by result, and the refusals and malformed-packet warnings a flood produces by the thousand are
// written through a rate limiter, so that a flood writes a bounded log.

import type { TftpLogger } from './tftp/index.ts';
import type { RateLimitedLog } from '../shared/rate-limited-log.ts';
import type { TransferResult } from './http-server.ts';

/**
 * Outcomes a flood of datagrams produces by the thousand ('error': while the store is down every request fails the same
 * way).
 */
const FLOODABLE = new Set(['busy', 'denied', 'refused', 'write-refused', 'error']);

export interface TftpLogSink {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export function countingTftpLogger(
  log: TftpLogSink,
  limited: RateLimitedLog,
  onTransfer: (result: TransferResult) => void,
): TftpLogger {
  const peerOf = (obj: object) => String((obj as { peer?: string }).peer ?? '?').replace(/:\d+$/, '');
  const count = (obj: object, msg: string) => {
    if (msg !== 'tftp request') return;
    const outcome = (obj as { outcome?: string }).outcome;
    onTransfer(
      outcome === 'complete'
        ? 'ok'
        : outcome === 'not-found'
          ? 'not-found'
          : outcome === 'denied' || outcome === 'refused' || outcome === 'write-refused'
            ? 'denied'
            : 'error',
    );
  };
  const write = (level: 'info' | 'warn', obj: object, msg: string) => {
    count(obj, msg);
    const outcome = (obj as { outcome?: string }).outcome;
    const fields = obj as Record<string, unknown>;
    if (msg === 'tftp malformed packet') limited[level]('tftp-malformed', peerOf(obj), fields, msg);
    else if (msg === 'tftp request' && outcome && FLOODABLE.has(outcome))
      limited[level](`tftp-${outcome}`, peerOf(obj), fields, msg);
    else log[level](obj, msg);
  };
  return {
    info: (obj, msg) => write('info', obj, msg),
    warn: (obj, msg) => write('warn', obj, msg),
  };
}
