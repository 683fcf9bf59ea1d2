// Rate-limited logging: the burst is written, the rest counted, and the summary accounts for every event.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRateLimitedLog } from './rate-limited-log.ts';

test('a flood writes the burst, then one summary with the count and the top clients', () => {
  const out: Array<{ obj: Record<string, unknown>; msg: string }> = [];
  const log = createRateLimitedLog({ warn: (obj, msg) => out.push({ obj, msg }) }, { burst: 3, topClients: 2 });
  for (let i = 0; i < 1000; i++)
    log.warn('refused', i % 10 === 0 ? '10.0.0.2' : '10.0.0.1', { i }, 'connection refused');
  log.warn('other', '10.0.0.3', {}, 'handshake failed');
  log.flush();
  assert.equal(out.filter((l) => l.msg === 'connection refused').length, 3);
  const summaries = out.filter((l) => l.obj.event !== undefined);
  assert.equal(summaries.length, 1, 'an event that stayed within its burst gets no summary');
  assert.deepEqual(summaries[0]!.obj, {
    event: 'refused',
    total: 1000,
    logged: 3,
    suppressed: 997,
    intervalMs: 10_000,
    topClients: [
      { client: '10.0.0.1', count: 900 },
      { client: '10.0.0.2', count: 100 },
    ],
  });
  log.flush();
  assert.equal(out.length, 5, 'a second flush has nothing left to report');
});

test('info-level events stay at info; the summary is at warn', () => {
  const levels: string[] = [];
  const log = createRateLimitedLog({ warn: () => levels.push('warn'), info: () => levels.push('info') }, { burst: 1 });
  log.info('wrq', 'a', {}, 'write refused');
  log.info('wrq', 'a', {}, 'write refused');
  log.flush();
  assert.deepEqual(levels, ['info', 'warn']);
});

test('error-level events (a failing store) stay at error, and so does their summary', () => {
  const levels: string[] = [];
  const log = createRateLimitedLog(
    { warn: () => levels.push('warn'), error: () => levels.push('error') },
    { burst: 2 },
  );
  for (let i = 0; i < 10; i++) log.error('http request failed', '127.0.0.1', {}, 'http request failed');
  log.flush();
  assert.deepEqual(levels, ['error', 'error', 'error']);
});
