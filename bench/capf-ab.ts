// bench/capf-ab: A/B of two CAPF server configurations in one run. Two bench servers (bench/capf-enroll-
// server.ts) start side by side, differing only in their environment (or in their checkout), and one client
// drives them in alternating rounds, so both see the same machine; it prints each side's median rate and
// CPU per enrollment and the B/A server CPU ratio of every round pair (the baseline is A, same run).
//
//   npx tsx bench/capf-ab.ts --envA OPENCAPF_STORE_COMMIT_DELAY_MS=0 --envB OPENCAPF_STORE_COMMIT_DELAY_MS=2
//   npx tsx bench/capf-ab.ts --envA UV_THREADPOOL_SIZE=4 --envB UV_THREADPOOL_SIZE=1 --rounds 8
//   npx tsx bench/capf-ab.ts --a /path/to/other/checkout        # code A/B (the checkout needs node_modules):
//                                                               # each side runs its own server AND phone client
//
// Options: --rounds R (6) pairs of --per N (1000) enrollments at concurrency 32; env lists are NAME=VALUE,...

import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { generateKeyPair } from 'node:crypto';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';

const { applyRuntimeEnv } = createRequire(import.meta.url)('../bin/runtime-env.cjs') as typeof import('../bin/runtime-env.cjs');

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const ROUNDS = Number(args.get('rounds') ?? 6);
const PER = Number(args.get('per') ?? 1000);
const C = 32;
const WARMUP = 3000;
const here = fileURLToPath(new URL('..', import.meta.url));
const parseEnv = (s?: string): Record<string, string> =>
  Object.fromEntries((s ?? '').split(',').filter(Boolean).map((kv) => {
    const i = kv.indexOf('=');
    if (i < 1) throw new Error(`--envA/--envB take NAME=VALUE[,NAME=VALUE]: ${kv}`);
    return [kv.slice(0, i), kv.slice(i + 1)];
  }));

async function start(root: string, env: Record<string, string>) {
  // Each side gets `opencapf`'s process settings unless its env says otherwise.
  const childEnv = applyRuntimeEnv({ ...process.env, ...env });
  const child = spawn(process.execPath, ['--import', 'tsx', `${root}/bench/capf-enroll-server.ts`, String(WARMUP + ROUNDS * PER + 100)], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'], env: childEnv });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const ready = JSON.parse((await lines.next()).value as string) as { capfPort: number; names: string[] };
  const cpu = async () => {
    child.stdin!.write('cpu\n');
    return JSON.parse((await lines.next()).value as string) as { cpuMs: number; diskBytes?: number };
  };
  const { runCapfClient } = (await import(pathToFileURL(`${root}/src/capf/client.ts`).href)) as typeof import('../src/capf/client.ts');
  return { child, lines, ready, cpu, used: 0, runCapfClient };
}
type Side = Awaited<ReturnType<typeof start>>;

const A = await start(args.get('a') ?? here, parseEnv(args.get('envA')));
const B = await start(args.get('b') ?? here, parseEnv(args.get('envB')));
const keys = await Promise.all(Array.from({ length: 64 }, () => promisify(generateKeyPair)('rsa', { modulusLength: 2048, publicExponent: 0x10001 })));

async function round(s: Side, count: number) {
  let next = 0;
  const c0 = process.cpuUsage();
  const s0 = await s.cpu();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: C }, async () => {
      while (next++ < count) {
        const deviceName = s.ready.names[s.used++]!;
        const r = await s.runCapfClient({ host: '127.0.0.1', port: s.ready.capfPort, deviceName, authMode: 'null-string', generateKey: async () => keys[s.used % keys.length]! });
        if (r.outcome !== 'installed') throw new Error(`${deviceName}: ${r.outcome}`);
      }
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  const s1 = await s.cpu();
  const c = process.cpuUsage(c0);
  return { rate: count / secs, client: (c.user + c.system) / 1000 / count, server: (s1.cpuMs - s0.cpuMs) / count, diskKiB: ((s1.diskBytes ?? 0) - (s0.diskBytes ?? 0)) / 1024 / count };
}

process.stdout.write(`warming up both sides (${WARMUP} enrollments each)...\n`);
await round(A, WARMUP);
await round(B, WARMUP);
const ra: Awaited<ReturnType<typeof round>>[] = [];
const rb: typeof ra = [];
for (let r = 0; r < ROUNDS; r++) {
  // ABBA order, so neither side always runs first.
  if (r % 2) {
    rb.push(await round(B, PER));
    ra.push(await round(A, PER));
  } else {
    ra.push(await round(A, PER));
    rb.push(await round(B, PER));
  }
}
const med = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
for (const [name, rs, env] of [['A', ra, args.get('envA') ?? args.get('a') ?? ''], ['B', rb, args.get('envB') ?? args.get('b') ?? '']] as const) {
  console.log(`${name} ${env || '(defaults)'}: ${med(rs.map((x) => x.rate)).toFixed(0)} enrollments/s, CPU per enrollment server ${med(rs.map((x) => x.server)).toFixed(3)} ms, client ${med(rs.map((x) => x.client)).toFixed(3)} ms, ${med(rs.map((x) => x.diskKiB)).toFixed(1)} KiB written to disk (medians of ${rs.length} rounds)`);
}
const ratios = ra.map((a, i) => rb[i]!.server / a.server);
console.log(`B/A server CPU per round pair: ${ratios.map((x) => x.toFixed(3)).join(' ')}  (median ${med(ratios).toFixed(3)}; B lower in ${ratios.filter((x) => x < 1).length} of ${ratios.length})`);
const totals = ra.map((a, i) => (rb[i]!.server + rb[i]!.client) / (a.server + a.client));
console.log(`B/A total CPU per round pair:  ${totals.map((x) => x.toFixed(3)).join(' ')}  (median ${med(totals).toFixed(3)}; B lower in ${totals.filter((x) => x < 1).length} of ${totals.length}; client and server together)`);
const rates = ra.map((a, i) => rb[i]!.rate / a.rate);
console.log(`B/A rate per round pair:       ${rates.map((x) => x.toFixed(3)).join(' ')}  (median ${med(rates).toFixed(3)})`);
for (const s of [A, B]) {
  s.child.stdin!.end();
  await s.lines.next();
}
process.exit(0);
