// bench/capf-enroll: N CAPF enrollments (RSA-2048, null string) at concurrency C against a real
// OpenCAPF in another process, with pre-generated phone keys; and, in the same run against the same
// certificate and concurrency, bare TLS handshakes (connect, read a few bytes, close) as the floor.
//
//   npx tsx bench/capf-enroll.ts [--n 3000] [--concurrency 32] [--rounds 1]

import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import tls from 'node:tls';
import { generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import { runCapfClient } from '../src/capf/client.ts';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const N = Number(args.get('n') ?? 3000);
const C = Number(args.get('concurrency') ?? 32);
const genKey = promisify(generateKeyPair);

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function drive(count: number, concurrency: number, one: (i: number) => Promise<void>) {
  const lat: number[] = [];
  let failures = 0;
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        const s = performance.now();
        try {
          await one(i);
          lat.push(performance.now() - s);
        } catch {
          failures++;
        }
      }
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  return { rate: (count - failures) / secs, p50: pct(lat, 50), p99: pct(lat, 99), failures };
}

const bareContext = tls.createSecureContext({}); // same client setup as the CAPF client: one shared context
function bareHandshake(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, secureContext: bareContext });
    s.once('data', () => {
      s.destroy();
      resolve();
    });
    s.once('error', reject);
  });
}

const total = N * 2 + 64; // two enrollment passes (C and 1) plus warm-up
const child = spawn(process.execPath, [...(process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? []), '--import', 'tsx', new URL('./capf-enroll-server.ts', import.meta.url).pathname, String(total)], { stdio: ['pipe', 'pipe', 'inherit'] });
const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
const ready = JSON.parse((await lines.next()).value as string) as { capfPort: number; barePort: number; names: string[] };
console.log(`server ready: CAPF :${ready.capfPort}, bare TLS :${ready.barePort}; ${ready.names.length} phones scheduled`);
const keys = await Promise.all(Array.from({ length: 64 }, () => genKey('rsa', { modulusLength: 2048, publicExponent: 0x10001 })));
let used = 0;
const enroll = async () => {
  const deviceName = ready.names[used++]!;
  const r = await runCapfClient({
    host: '127.0.0.1', port: ready.capfPort, deviceName, authMode: 'null-string',
    generateKey: async () => keys[used % keys.length]!,
  });
  if (r.outcome !== 'installed') throw new Error(r.outcome);
};

await drive(64, 8, enroll); // warm-up (JIT, pools)
await drive(200, C, () => bareHandshake(ready.barePort));
const bare = await drive(N, C, () => bareHandshake(ready.barePort));
const serverCpu = async () => {
  child.stdin!.write('cpu\n');
  return (JSON.parse((await lines.next()).value as string) as { cpuMs: number }).cpuMs;
};
const cpu0 = process.cpuUsage();
const s0 = await serverCpu();
let clientProf: import('node:inspector').Session | null = null;
if (process.env.BENCH_PROFILE) {
  child.stdin!.write('prof-start\n');
  const inspector = await import('node:inspector');
  clientProf = new inspector.Session();
  clientProf.connect();
  await new Promise((r) => clientProf!.post('Profiler.enable', () => clientProf!.post('Profiler.start', r)));
}
const enr = await drive(N, C, enroll);
if (process.env.BENCH_PROFILE) {
  child.stdin!.write(`prof-stop ${process.env.BENCH_PROFILE}\n`);
  const { writeFileSync } = await import('node:fs');
  await new Promise<void>((r) => clientProf!.post('Profiler.stop', (_e, res) => { writeFileSync(`${process.env.BENCH_PROFILE}.client`, JSON.stringify(res.profile)); r(); }));
}
const sEnr = (await serverCpu()) - s0;
const cpuEnr = process.cpuUsage(cpu0);
const sb0 = await serverCpu();
const bareAgain = await drive(N, C, () => bareHandshake(ready.barePort));
const sBare = (await serverCpu()) - sb0;
const bare1 = await drive(Math.min(N, 1000), 1, () => bareHandshake(ready.barePort));
const enr1 = await drive(Math.min(N, 1000), 1, enroll);
child.stdin!.end();
const fin = JSON.parse((await lines.next()).value as string) as { upgraded: number; serverCpuMs: number };

const f = (x: number) => x.toFixed(1);
console.log(`\nconcurrency ${C}, ${N} each:`);
console.log(`  bare TLS handshakes : ${f(bare.rate)}/s  p50 ${f(bare.p50)} ms  p99 ${f(bare.p99)} ms  failures ${bare.failures}`);
console.log(`  CAPF enrollments    : ${f(enr.rate)}/s  p50 ${f(enr.p50)} ms  p99 ${f(enr.p99)} ms  failures ${enr.failures}`);
console.log(`  CPU per enrollment: client ${((cpuEnr.user + cpuEnr.system) / 1000 / N).toFixed(2)} ms, server ${(sEnr / N).toFixed(2)} ms; per bare handshake: server ${(sBare / N).toFixed(2)} ms (bare rate again: ${f(bareAgain.rate)}/s)`);
console.log(`  ratio enrollments/handshakes: ${(enr.rate / bare.rate).toFixed(2)}  (target >= 0.60)`);
console.log(`  target >= 500/s with p99 <= 150 ms: ${enr.rate >= 500 && enr.p99 <= 150 ? 'MET' : 'NOT MET'}`);
console.log(`concurrency 1:`);
console.log(`  bare TLS handshakes : ${f(bare1.rate)}/s  p50 ${f(bare1.p50)} ms`);
console.log(`  CAPF enrollments    : ${f(enr1.rate)}/s  p50 ${f(enr1.p50)} ms  p99 ${f(enr1.p99)} ms  (target p50 <= 10 ms: ${enr1.p50 <= 10 ? 'MET' : 'NOT MET'})`);
console.log(`server recorded ${fin.upgraded} phones with status Upgrade Success (expected ${64 + N + Math.min(N, 1000)})`);
console.log(`server process CPU total: ${fin.serverCpuMs.toFixed(0)} ms`);
