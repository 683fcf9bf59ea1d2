// Server side of bench/capf-wave: a real OpenCAPF (CAPF listener, SQLite store, every setting at its default
// except the port and the listeners the wave does not use) in its own process, so that its memory is measured
// alone. Prints one JSON line with the CAPF port and the device names; samples its RSS and concurrently held
// sessions every 100 ms; on the line "stats" on stdin prints idle/peak RSS, peak held sessions and the server's
// counters; on end of stdin stops and prints how many phones reached Upgrade Success.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addScheduledPhones } from './lib/scheduled-phones.ts';
import { productModule } from './lib/product.ts';

const [{ loadConfig }, { createLogger }, { openContext }, { startServices }] = await Promise.all([
  productModule<typeof import('../src/config/index.ts')>('config/index'),
  productModule<typeof import('../src/shared/logger.ts')>('shared/logger'),
  productModule<typeof import('../src/app/context.ts')>('app/context'),
  productModule<typeof import('../src/app/serve.ts')>('app/serve'),
]);

const phones = Number(process.argv[2] ?? 10_000);
const dir = mkdtempSync(join(tmpdir(), 'opencapf-wave-'));
const config = loadConfig({
  env: {},
  overrides: {
    dataDir: dir,
    host: '127.0.0.1',
    'capf.port': 0,
    'log.level': 'error',
    'api.enabled': false,
    'tftp.enabled': false,
    'http.enabled': false,
    'https.enabled': false,
    'tvs.enabled': false,
  },
});
const ctx = await openContext(config, createLogger('error'));
const names = await addScheduledPhones(ctx, phones);
const running = await startServices(ctx);
const capf = running.capfServer!;
global.gc?.();
const idleRss = process.memoryUsage().rss;
let peakRss = idleRss;
let peakHeld = 0;
let rssAtPeakHeld = idleRss;
const sampler = setInterval(() => {
  const rss = process.memoryUsage().rss;
  const s = capf.stats() as { sessions: number; held?: number };
  const held = s.held ?? s.sessions;
  peakRss = Math.max(peakRss, rss);
  if (held > peakHeld) {
    peakHeld = held;
    rssAtPeakHeld = rss;
  } else if (held === peakHeld) rssAtPeakHeld = Math.max(rssAtPeakHeld, rss);
}, 100);
process.stdout.write(`${JSON.stringify({ capfPort: running.ports.capf, names })}\n`);
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d: string) => {
  for (const line of d.split('\n'))
    if (line.trim() === 'stats')
      process.stdout.write(
        `${JSON.stringify({
          idleRss,
          peakRss,
          peakHeld,
          rssAtPeakHeld,
          maxRssKb: process.resourceUsage().maxRSS,
          stats: capf.stats(),
        })}\n`,
      );
});
process.stdin.on('end', async () => {
  clearInterval(sampler);
  await running.stop(0);
  const { total } = await ctx.store.phones.listPhones({
    status: [{ operation: 'install', outcome: 'success' }],
    limit: 1,
  });
  process.stdout.write(`${JSON.stringify({ upgraded: total })}\n`);
  await ctx.close();
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
});
