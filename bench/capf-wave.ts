// bench/capf-wave: a whole site at once (issue 20). N phones arrive within a window, each holds its CAPF session
// while it "generates" its key for a random time, RSA-2048, through the real protocol, against two server builds
// in the same run: a baseline commit (a temporary git worktree) and this checkout. Each phone connects from its
// own loopback address (127.1.x.y), as phones on a site each have their own; a refused or failed connection is
// retried like a phone does (--retries, --retry-interval; default Cisco's CAPF-client 3 x 30 s, src/emulator/
// durations.ts; phone firmware's counts are UNCERTAIN).
// Prints per build: enrolled / failed / retried, time until the last LSC, peak server RSS and RSS per held
// session, p50/p99 of the handshake wait as the phone sees it (TCP connect -> TLS secure), and the ratios.
//
//   npx tsx bench/capf-wave.ts                                   # 10,000 phones, 60 s arrival, 20..60 s keygen
//   npx tsx bench/capf-wave.ts --phones 2000 --arrival 20s --keygen 5s..15s --baseline-ref 30d57a6
//
// Options: --phones N (10000), --arrival D (60s), --keygen D[..D] (20s..60s), --retries N (3),
// --retry-interval D (30s), --baseline-ref REF (main~0 when omitted: the commit before admission is 30d57a6),
// --only current|baseline, --runtime dist|tsx (dist). Both sides' server processes run bench/capf-wave-server.ts
// of THIS checkout against their own product. Loopback only.

import { spawn, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { generateKeyPair, type KeyObject } from 'node:crypto';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  CISCO_CAPF_RETRY,
  formatDurationRange,
  loopbackSourceAddress,
  parseDuration,
  parseDurationRange,
  sampleDuration,
} from '../src/emulator/index.ts';
import { benchServerCommand, ensureBuilt, parseRuntime, productUrl, type Runtime } from './lib/runtime.ts';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2)
  args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');

const PHONES = Number(args.get('phones') ?? 10_000);
const ARRIVAL = parseDuration(args.get('arrival') ?? '60s');
const KEYGEN = parseDurationRange(args.get('keygen') ?? '20s..60s');
const RETRIES = Number(args.get('retries') ?? CISCO_CAPF_RETRY.retries);
const RETRY_INTERVAL = args.has('retry-interval')
  ? parseDuration(args.get('retry-interval')!)
  : CISCO_CAPF_RETRY.intervalMs;
const RUNTIME: Runtime = parseRuntime(args.get('runtime'), '--runtime');
const here = fileURLToPath(new URL('..', import.meta.url));

if (RUNTIME === 'dist') ensureBuilt(here);
const { runCapfClient } = (await import(
  productUrl(here, RUNTIME, 'capf/client')
)) as typeof import('../src/capf/client.ts');

interface Side {
  name: string;
  root: string;
}

function baselineCheckout(ref: string): Side {
  const dir = mkdtempSync(join(tmpdir(), 'opencapf-wave-base-'));
  execFileSync('git', ['worktree', 'add', '--detach', dir, ref], { cwd: here, stdio: 'ignore' });
  process.once('exit', () => {
    try {
      execFileSync('git', ['worktree', 'remove', '--force', dir], { cwd: here, stdio: 'ignore' });
    } catch {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  execFileSync('cp', ['-al', join(here, 'node_modules'), join(dir, 'node_modules')]); // hard links: instant
  // The wave server and its helpers come from this checkout, so both sides run the same bench code.
  for (const f of ['capf-wave-server.ts', ...readdirSync(join(here, 'bench', 'lib')).map((n) => `lib/${n}`)])
    cpSync(join(here, 'bench', f), join(dir, 'bench', f));
  return { name: `baseline ${ref}`, root: dir };
}

const keyPool: { privateKey: KeyObject; publicKey: KeyObject }[] = [];
const gen = promisify(generateKeyPair);
for (let i = 0; i < 32; i++) keyPool.push(await gen('rsa', { modulusLength: 2048 }));

interface PhoneResult {
  outcome: 'enrolled' | 'enrolled-after-retry' | 'connection-failed' | 'failed';
  attempts: number;
  handshakeWaits: number[];
  doneAt: number;
}

const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

async function phone(port: number, deviceName: string, i: number, t0: number): Promise<PhoneResult> {
  const localAddress = loopbackSourceAddress(i); // a source address of its own per phone, as on a site
  const waits: number[] = [];
  for (let attempt = 1; ; attempt++) {
    const started = performance.now();
    let secured = false;
    try {
      const r = await runCapfClient({
        host: '127.0.0.1',
        port,
        deviceName,
        authMode: 'null-string',
        // The client's wait for CAPF's next message does not run during key generation; the long wait covers a
        // handshake queued behind thousands of others (the server's own queue timeout decides first).
        timeoutMs: 120_000,
        localAddress,
        checkServerCertificate: () => {
          secured = true;
          waits.push(performance.now() - started);
          return true;
        },
        generateKey: async () => {
          await sleep(sampleDuration(KEYGEN));
          return keyPool[i % keyPool.length]!;
        },
      });
      if (r.outcome === 'installed')
        return {
          outcome: attempt === 1 ? 'enrolled' : 'enrolled-after-retry',
          attempts: attempt,
          handshakeWaits: waits,
          doneAt: performance.now() - t0,
        };
      if (secured && r.outcome !== 'dropped')
        return { outcome: 'failed', attempts: attempt, handshakeWaits: waits, doneAt: performance.now() - t0 };
    } catch {
      // refused, reset or timed out before the session ran: the phone retries
    }
    if (attempt > RETRIES)
      return { outcome: 'connection-failed', attempts: attempt, handshakeWaits: waits, doneAt: performance.now() - t0 };
    await sleep(RETRY_INTERVAL);
  }
}

function pct(xs: number[], p: number): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

async function wave(side: Side) {
  const server = benchServerCommand(side.root, RUNTIME, 'capf-wave-server');
  const child = spawn(process.execPath, ['--expose-gc', ...server.args, String(PHONES)], {
    cwd: side.root,
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, ...server.env },
  });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async () => JSON.parse(((await lines.next()).value as string) ?? 'null');
  const { capfPort, names } = (await next()) as { capfPort: number; names: string[] };
  const t0 = performance.now();
  let done = 0;
  const counts: Record<PhoneResult['outcome'], number> = {
    enrolled: 0,
    'enrolled-after-retry': 0,
    'connection-failed': 0,
    failed: 0,
  };
  const progress = setInterval(() => {
    process.stderr.write(
      `  ${side.name}: ${((performance.now() - t0) / 1000).toFixed(0)} s, ${done}/${PHONES} done ` +
        `(${counts.enrolled + counts['enrolled-after-retry']} enrolled, ` +
        `${counts['connection-failed']} Connection Failed)\n`,
    );
  }, 10_000);
  const results = await Promise.all(
    names.map(async (n, i) => {
      await sleep(Math.random() * ARRIVAL);
      const r = await phone(capfPort, n, i, t0);
      counts[r.outcome]++;
      done++;
      return r;
    }),
  );
  clearInterval(progress);
  child.stdin!.write('stats\n');
  const stats = (await next()) as {
    idleRss: number;
    peakRss: number;
    peakHeld: number;
    rssAtPeakHeld: number;
    stats: Record<string, number>;
  };
  child.stdin!.end();
  const { upgraded } = (await next()) as { upgraded: number };
  const waits = results.flatMap((r) => r.handshakeWaits);
  return {
    side: side.name,
    enrolled: counts.enrolled + counts['enrolled-after-retry'],
    retried: results.filter((r) => r.attempts > 1).length,
    connectionFailed: counts['connection-failed'],
    otherFailures: counts.failed,
    upgradedInStore: upgraded,
    lastLscS: Math.max(...results.filter((r) => r.outcome.startsWith('enrolled')).map((r) => r.doneAt), 0) / 1000,
    peakRssMiB: stats.peakRss / 2 ** 20,
    peakHeld: stats.peakHeld,
    // RSS growth while the most sessions were held, per held session (null when too few were held to tell).
    kibPerHeld:
      stats.peakHeld >= 1000 && stats.rssAtPeakHeld > stats.idleRss
        ? (stats.rssAtPeakHeld - stats.idleRss) / 1024 / stats.peakHeld
        : null,
    handshakeWaitP50ms: pct(waits, 50),
    handshakeWaitP99ms: pct(waits, 99),
    serverStats: stats.stats,
  };
}

const only = args.get('only');
const baseRef = args.get('baseline-ref') ?? 'main';
const sides: Side[] = [];
if (only !== 'current') sides.push(baselineCheckout(baseRef));
if (only !== 'baseline') sides.push({ name: 'current', root: here });
if (!existsSync(join(here, 'node_modules'))) throw new Error('run npm ci first');
process.stderr.write(
  `capf-wave: ${PHONES} phones arriving within ${ARRIVAL / 1000} s, key generation ${formatDurationRange(KEYGEN)}` +
    `, ${RETRIES} retries ${RETRY_INTERVAL / 1000} s apart, runtime ${RUNTIME}\n`,
);
const out = [];
for (const s of sides) {
  const r = await wave(s);
  out.push(r);
  const { serverStats, ...shown } = r;
  process.stdout.write(`${JSON.stringify(shown)}\n`);
}
if (out.length === 2) {
  const [a, b] = out as [Awaited<ReturnType<typeof wave>>, Awaited<ReturnType<typeof wave>>];
  process.stdout.write(
    `current/baseline: enrolled ${b.enrolled}/${a.enrolled}, Connection Failed ${b.connectionFailed}/` +
      `${a.connectionFailed}, time to last LSC ${(b.lastLscS / (a.lastLscS || 1)).toFixed(2)}, ` +
      `peak RSS ${(b.peakRssMiB / a.peakRssMiB).toFixed(2)}, ` +
      `KiB per held session ${b.kibPerHeld?.toFixed(1) ?? 'n/a'} ` +
      `vs ${a.kibPerHeld?.toFixed(1) ?? 'n/a'}\n`,
  );
}
process.exit(0);
