// Server side of bench/capf-enroll and bench/capf-ab: a real OpenCAPF (CAPF listener, SQLite store) in its own
// process, plus a bare TLS server with the same certificate as the baseline. Prints one JSON line with ports.
// The product comes from dist/ (compiled, no tsx in this process) or src/ through tsx, as the parent chose
// (bench/lib/runtime.ts); `npx tsx bench/capf-enroll-server.ts` by hand runs src/.

import tls from 'node:tls';
import { spawn } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addScheduledPhones } from './lib/scheduled-phones.ts';
import { threadCpu } from './lib/thread-cpu.ts';
import { productModule } from './lib/product.ts';

const [{ loadConfig }, { createLogger }, { openContext }, { startServices }, { createCapfServer }] = await Promise.all([
  productModule<typeof import('../src/config/index.ts')>('config/index'),
  productModule<typeof import('../src/shared/logger.ts')>('shared/logger'),
  productModule<typeof import('../src/app/context.ts')>('app/context'),
  productModule<typeof import('../src/app/serve.ts')>('app/serve'),
  productModule<typeof import('../src/capf/server.ts')>('capf/server'),
]);

const phones = Number(process.argv[2] ?? 1000);
const dir = mkdtempSync(join(tmpdir(), 'opencapf-bench-'));
// OPENCAPF_* variables apply (e.g. OPENCAPF_STORE_COMMIT_DELAY_MS=0 to compare); the overrides below win.
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
const names = await addScheduledPhones(ctx, phones);
const running = await startServices(ctx);
const id = ctx.identities.get('capf');
const bare = tls.createServer({ cert: id.certPem, key: id.keyPem, minVersion: 'TLSv1.2' }, (s) => {
  s.on('error', () => undefined);
  s.end(Buffer.from([0x55, 0x01, 0, 0, 0, 1, 0, 0])); // "a few bytes", then close
});
await new Promise<void>((r) => bare.listen(0, '127.0.0.1', () => r()));
const barePort = (bare.address() as { port: number }).port;

// Decomposition lanes (same certificate, same CAPF server code and settings), to show what each layer
// costs in the same run: "sign" issues real LSCs (DER template + RSA signature) but stores nothing;
// "protocol" answers with one canned certificate (no signing, no store). Bench-only authorities: the
// product always runs the full authority (the "CAPF enrollments" lane).
const laneSettings = {
  wireStyle: config['capf.wireStyle'],
  responseTimeoutMs: config['capf.responseTimeoutMs'],
  keyGenerationTimeoutMs: config['capf.keyGenerationTimeoutMs'],
};
const canned = await ctx.ca.issueLsc(
  'SEP0000000000AA',
  Buffer.from(createPublicKey(id.keyPem).export({ format: 'der', type: 'spki' })),
  new Date(),
);
const lane = async (issue: (deviceName: string, spki: Buffer) => Promise<{ der: Buffer; serialHex: string }>) => {
  const server = createCapfServer({
    host: '127.0.0.1',
    port: 0,
    credentials: () => ({ certPem: id.certPem, keyPem: id.keyPem }),
    settings: laneSettings,
    maxSessions: 4096,
    handshakeTimeoutMs: config['capf.handshakeTimeoutMs'],
    maxMessageBytes: config['capf.maxMessageBytes'],
    logger: ctx.logger.child({ component: 'capf-lane' }),
    authority: {
      authenticate: async () => ({ action: 'install', keyRequests: [{ type: 'rsa', bits: 2048 }] }),
      issue: async (c) => {
        const r = await issue(c.deviceName, c.publicKeySpki);
        return { ok: true, certDer: r.der, serialHex: r.serialHex };
      },
      finish: async () => undefined,
    },
  });
  return { server, port: (await server.start()).port };
};
const signLane = await lane((deviceName, spki) => ctx.ca.issueLsc(deviceName, spki, new Date()));
const protocolLane = await lane(async () => canned);
// `runtime`: what this process runs (the parent prints it); tsx's loader is in execArgv when it is tsx.
const runtime = process.env.BENCH_RUNTIME ?? 'tsx';
const ports = { capfPort: running.ports.capf, barePort, signPort: signLane.port, protocolPort: protocolLane.port };
process.stdout.write(`${JSON.stringify({ runtime, execArgv: process.execArgv, ...ports, names })}\n`);
// Control: each line "cpu" on stdin answers with this process's CPU time so far.
process.stdin.setEncoding('utf8');
// "prof-start" / "prof-stop FILE" write a CPU profile of just that phase (inspector, no restart).
const inspector = await import('node:inspector');
const prof = new inspector.Session();
prof.connect();
// With BENCH_PERF=1 the phase is recorded by Linux `perf record -g` instead (native frames included: TLS,
// OpenSSL, SQLite, kernel); start the server with BENCH_SERVER_NODE_ARGS=--perf-basic-prof for JS names.
let perf: import('node:child_process').ChildProcess | null = null;
process.stdin.on('data', (d: string) => {
  for (const line of d.split('\n')) {
    if (line.trim() === 'prof-start') {
      if (process.env.BENCH_PERF) {
        perf = spawn(
          'perf',
          [
            'record',
            '-g',
            '-F',
            '1999',
            '-p',
            String(process.pid),
            '-o',
            `${process.env.BENCH_PROFILE ?? '/tmp/opencapf'}.perf`,
          ],
          { stdio: 'ignore' },
        );
      } else if (process.env.BENCH_HEAP)
        prof.post('HeapProfiler.enable', () =>
          prof.post('HeapProfiler.startSampling', {
            samplingInterval: 256,
            includeObjectsCollectedByMajorGC: true,
            includeObjectsCollectedByMinorGC: true,
          } as never),
        );
      else
        prof.post('Profiler.enable', () =>
          prof.post('Profiler.setSamplingInterval', { interval: 100 }, () => prof.post('Profiler.start')),
        );
    } else if (line.startsWith('prof-stop ')) {
      const file = line.slice('prof-stop '.length).trim();
      if (perf) {
        perf.kill('SIGINT');
        perf = null;
      } else if (process.env.BENCH_HEAP)
        prof.post(
          'HeapProfiler.stopSampling',
          (_e, r) => void import('node:fs').then((fs) => fs.writeFileSync(`${file}.heap`, JSON.stringify(r.profile))),
        );
      else
        prof.post(
          'Profiler.stop',
          (_e, r) => void import('node:fs').then((fs) => fs.writeFileSync(file, JSON.stringify(r.profile))),
        );
    } else if (line.trim() === 'cpu') {
      const c = process.cpuUsage();
      const ru = process.resourceUsage();
      // Bytes this process caused to be written to storage (WAL, checkpoints), from Linux's /proc/self/io.
      let diskBytes = 0;
      let writeCalls = 0;
      try {
        const io = readFileSync('/proc/self/io', 'utf8');
        diskBytes = Number(/write_bytes: (\d+)/.exec(io)?.[1] ?? 0);
        writeCalls = Number(/syscw: (\d+)/.exec(io)?.[1] ?? 0);
      } catch {
        // not Linux: reported as 0
      }
      const cpuMs = (c.user + c.system) / 1000;
      const switches = ru.voluntaryContextSwitches + ru.involuntaryContextSwitches;
      process.stdout.write(`${JSON.stringify({ cpuMs, switches, diskBytes, writeCalls, ...threadCpu() })}\n`);
    }
  }
});
process.stdin.on('end', async () => {
  const cpu = process.cpuUsage();
  bare.close();
  await Promise.all([signLane.server.stop(), protocolLane.server.stop()]);
  await running.stop();
  const { total } = await ctx.store.phones.listPhones({
    status: [{ operation: 'install', outcome: 'success' }],
    limit: 1,
  });
  process.stdout.write(`${JSON.stringify({ upgraded: total, serverCpuMs: (cpu.user + cpu.system) / 1000 })}\n`);
  await ctx.close();
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
});
