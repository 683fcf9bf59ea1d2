// bench/capf-pages: where the database pages of CAPF enrollments go. Runs a real OpenCAPF (CAPF listener,
// SQLite store, group commit) and, in the same process, N phone enrollments at concurrency 32 with
// automatic checkpoints off; then reads the WAL file frame by frame and names the table or index of each
// page (SQLite's dbstat). Prints commits and pages per enrollment, by table and index. Pages, not time:
// the counts do not depend on how busy the machine is (group sizes do, a little).
//
//   npx tsx bench/capf-pages.ts [--n 2000]

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { loadConfig } from '../src/config/index.ts';
import { createLogger } from '../src/shared/logger.ts';
import { openContext } from '../src/app/context.ts';
import { startServices } from '../src/app/serve.ts';
import { runCapfClient } from '../src/capf/client.ts';
import { addScheduledPhones } from './lib/scheduled-phones.ts';
import { rawDatabase } from '../src/store/raw.ts';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2)
  args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const N = Number(args.get('n') ?? 2000);
const WARMUP = 500;
const dir = mkdtempSync(join(tmpdir(), 'opencapf-pages-'));
const config = loadConfig({
  env: process.env,
  overrides: {
    dataDir: dir,
    host: '127.0.0.1',
    'capf.port': 0,
    'log.level': 'warn',
    'capf.maxSessions': 4096,
    'api.enabled': false,
    'tftp.enabled': false,
    'http.enabled': false,
    'https.enabled': false,
    'tvs.enabled': false,
  },
});
const ctx = await openContext(config, createLogger('warn'));
const names = await addScheduledPhones(ctx, N + WARMUP);
const running = await startServices(ctx);
const keys = await Promise.all(
  Array.from({ length: 16 }, () => promisify(generateKeyPair)('rsa', { modulusLength: 2048, publicExponent: 0x10001 })),
);
let used = 0;
async function drive(count: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next++ < count) {
        const deviceName = names[used++]!;
        const r = await runCapfClient({
          host: '127.0.0.1',
          port: running.ports.capf!,
          deviceName,
          authMode: 'null-string',
          generateKey: async () => keys[used % keys.length]!,
        });
        if (r.outcome !== 'installed') throw new Error(`${deviceName}: ${r.outcome}`);
      }
    }),
  );
}

await drive(WARMUP);
await sql`pragma wal_autocheckpoint = 0`.execute(rawDatabase(ctx.store));
await sql`pragma wal_checkpoint(TRUNCATE)`.execute(rawDatabase(ctx.store));
await drive(N);
await running.stop();

// WAL format (sqlite.org/fileformat2.html §4): 32-byte header; frames of a 24-byte header (page number,
// database size after commit for a commit frame, else 0) and one page.
const wal = readFileSync(join(dir, 'opencapf.db-wal'));
const pageSize = wal.readUInt32BE(8);
const owner = new Map<number, string>();
for (const r of (
  await sql<{ name: string; pageno: number }>`select name, pageno from dbstat`.execute(rawDatabase(ctx.store))
).rows)
  owner.set(r.pageno, r.name);
let commits = 0;
let frames = 0;
const byName = new Map<string, number>();
for (let off = 32; off + 24 + pageSize <= wal.length; off += 24 + pageSize) {
  const name = owner.get(wal.readUInt32BE(off)) ?? '(free or new)';
  byName.set(name, (byName.get(name) ?? 0) + 1);
  frames++;
  if (wal.readUInt32BE(off + 4) !== 0) commits++;
}
console.log(
  `${N} enrollments at concurrency 32: ${commits} commits (${(commits / N).toFixed(2)} per enrollment), ` +
    `${frames} pages written (${(frames / N).toFixed(2)} per enrollment, ` +
    `${(frames / Math.max(1, commits)).toFixed(1)} per commit)`,
);
for (const [k, v] of [...byName].sort((a, b) => b[1] - a[1]))
  console.log(
    `  ${k.padEnd(34)} ${(v / N).toFixed(2)} per enrollment  ${(v / Math.max(1, commits)).toFixed(2)} per commit`,
  );
await ctx.close();
rmSync(dir, { recursive: true, force: true });
