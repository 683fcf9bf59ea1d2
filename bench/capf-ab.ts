// bench/capf-ab: A/B of two CAPF server configurations in one run. Two bench servers (bench/capf-enroll-
// server.ts) start side by side, differing only in their environment (or in their checkout), and one client
// drives them in alternating rounds, so both see the same machine; it prints each side's median rate and
// CPU per enrollment and the B/A server CPU ratio of every round pair (the baseline is A, same run).
//
//   npx tsx bench/capf-ab.ts --envA OPENCAPF_STORE_COMMIT_DELAY_MS=0 --envB OPENCAPF_STORE_COMMIT_DELAY_MS=2
//   npx tsx bench/capf-ab.ts --envA UV_THREADPOOL_SIZE=4 --envB UV_THREADPOOL_SIZE=1 --rounds 8
//   npx tsx bench/capf-ab.ts --a /path/to/other/checkout        # code A/B (the checkout needs node_modules):
//                                                               # each side runs its own server AND phone client
//   npx tsx bench/capf-ab.ts --runtimeA tsx --runtimeB dist     # src/ through tsx against compiled dist/
//
// Options: --rounds R (6) pairs of --per N (1000) enrollments at concurrency 32 after --warmup W (3000)
// enrollments per side; env lists are NAME=VALUE,...;
// --runtime dist|tsx for both sides, --runtimeA / --runtimeB for one. `dist` (the default) runs the compiled
// JavaScript of the side's checkout (built first with `npm run build` when missing or older than its src/),
// server and phone client; `tsx` runs its src/ through tsx (bench/lib/runtime.ts).

import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { generateKeyPair } from 'node:crypto';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { benchServerCommand, parseRuntime, productUrl, type Runtime } from './lib/runtime.ts';

const { applyRuntimeEnv } = createRequire(import.meta.url)(
  '../bin/runtime-env.cjs',
) as typeof import('../bin/runtime-env.cjs');

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2)
  args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const ROUNDS = Number(args.get('rounds') ?? 6);
const PER = Number(args.get('per') ?? 1000);
const C = 32;
const WARMUP = Number(args.get('warmup') ?? 3000);
const here = fileURLToPath(new URL('..', import.meta.url));
const parseEnv = (s?: string): Record<string, string> =>
  Object.fromEntries(
    (s ?? '')
      .split(',')
      .filter(Boolean)
      .map((kv) => {
        const i = kv.indexOf('=');
        if (i < 1) throw new Error(`--envA/--envB take NAME=VALUE[,NAME=VALUE]: ${kv}`);
        return [kv.slice(0, i), kv.slice(i + 1)];
      }),
  );

const runtimeOf = (side: 'A' | 'B') =>
  parseRuntime(args.get(`runtime${side}`) ?? args.get('runtime'), `--runtime${side}`);

async function start(root: string, env: Record<string, string>, runtime: Runtime) {
  // Each side gets `opencapf`'s process settings unless its env says otherwise.
  const server = benchServerCommand(root, runtime, 'capf-enroll-server');
  const childEnv = applyRuntimeEnv({ ...process.env, ...env, ...server.env });
  const argv = [...server.args, String(WARMUP + ROUNDS * PER + 100)];
  const child = spawn(process.execPath, argv, { cwd: root, stdio: ['pipe', 'pipe', 'inherit'], env: childEnv });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const ready = JSON.parse((await lines.next()).value as string) as { capfPort: number; names: string[] };
  const cpu = async () => {
    child.stdin!.write('cpu\n');
    return JSON.parse((await lines.next()).value as string) as { cpuMs: number; diskBytes?: number };
  };
  const client = (await import(productUrl(root, runtime, 'capf/client'))) as typeof import('../src/capf/client.ts');
  return { child, lines, ready, cpu, used: 0, runCapfClient: client.runCapfClient, runtime };
}
type Side = Awaited<ReturnType<typeof start>>;

const A = await start(args.get('a') ?? here, parseEnv(args.get('envA')), runtimeOf('A'));
const B = await start(args.get('b') ?? here, parseEnv(args.get('envB')), runtimeOf('B'));
const keys = await Promise.all(
  Array.from({ length: 64 }, () => promisify(generateKeyPair)('rsa', { modulusLength: 2048, publicExponent: 0x10001 })),
);

async function round(s: Side, count: number) {
  let next = 0;
  const c0 = process.cpuUsage();
  const s0 = await s.cpu();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: C }, async () => {
      while (next++ < count) {
        const deviceName = s.ready.names[s.used++]!;
        const r = await s.runCapfClient({
          host: '127.0.0.1',
          port: s.ready.capfPort,
          deviceName,
          authMode: 'null-string',
          generateKey: async () => keys[s.used % keys.length]!,
        });
        if (r.outcome !== 'installed') throw new Error(`${deviceName}: ${r.outcome}`);
      }
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  const s1 = await s.cpu();
  const c = process.cpuUsage(c0);
  return {
    rate: count / secs,
    client: (c.user + c.system) / 1000 / count,
    server: (s1.cpuMs - s0.cpuMs) / count,
    diskKiB: ((s1.diskBytes ?? 0) - (s0.diskBytes ?? 0)) / 1024 / count,
  };
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
const sides = [
  ['A', ra, A, args.get('envA') ?? args.get('a') ?? ''],
  ['B', rb, B, args.get('envB') ?? args.get('b') ?? ''],
] as const;
for (const [name, rs, side, env] of sides) {
  const label = `${name} [${side.runtime}] ${env || '(defaults)'}`;
  const m = (k: (x: (typeof rs)[number]) => number, digits: number) => med(rs.map(k)).toFixed(digits);
  console.log(
    `${label}: ${m((x) => x.rate, 0)} enrollments/s, CPU per enrollment server ${m((x) => x.server, 3)} ms, ` +
      `client ${m((x) => x.client, 3)} ms, ${m((x) => x.diskKiB, 1)} KiB written to disk ` +
      `(medians of ${rs.length} rounds)`,
  );
}
const ratios = ra.map((a, i) => rb[i]!.server / a.server);
const lowerRatios = ratios.filter((x) => x < 1).length;
console.log(
  `B/A server CPU per round pair: ${ratios.map((x) => x.toFixed(3)).join(' ')}  ` +
    `(median ${med(ratios).toFixed(3)}; B lower in ${lowerRatios} of ${ratios.length})`,
);
const totals = ra.map((a, i) => (rb[i]!.server + rb[i]!.client) / (a.server + a.client));
const lowerTotals = totals.filter((x) => x < 1).length;
console.log(
  `B/A total CPU per round pair:  ${totals.map((x) => x.toFixed(3)).join(' ')}  ` +
    `(median ${med(totals).toFixed(3)}; B lower in ${lowerTotals} of ${totals.length}; client and server together)`,
);
const rates = ra.map((a, i) => rb[i]!.rate / a.rate);
console.log(
  `B/A rate per round pair:       ${rates.map((x) => x.toFixed(3)).join(' ')}  (median ${med(rates).toFixed(3)})`,
);
for (const s of [A, B]) {
  s.child.stdin!.end();
  await s.lines.next();
}
process.exit(0);
