// Benchmark: K concurrent TFTP clients each fetching an ITL (~10 KB) and a config (~4 KB), against our
// server and against Debian's tftpd-hpa (in.tftpd) serving the same files in the same run.
//
//   npx tsx bench/tftp-storm.ts [--downloads 2000] [--concurrency 100] [--rounds 2] [--blksize N] [--windowsize N]
//                               [--catalogue]
//
// --catalogue: our side is the real provisioning path (a full OpenCAPF: generated ITL and SEP<MAC>.cnf.xml
// from the database, through the file catalogue and the TFTP listener); tftpd-hpa serves copies of those bytes.
//
// Both servers run in their own processes on 127.0.0.1 (ours via bench/tftp-storm-server.ts); the same
// client (ours, in this process) drives both. Rounds alternate ours/tftpd-hpa; the best round of each counts.

import { fork, spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tftpGet } from '../src/provisioning/tftp/index.ts';
import type { TftpServerStats } from '../src/provisioning/tftp/index.ts';

const IN_TFTPD = '/usr/sbin/in.tftpd';
const HOST = '127.0.0.1';

function arg(name: string, fallback?: number): number | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name} needs a positive integer`);
  return v;
}
const downloads = arg('downloads', 2000)!;
const concurrency = arg('concurrency', 100)!;
const rounds = arg('rounds', 2)!;
const blksize = arg('blksize');
const windowsize = arg('windowsize');

const catalogue = process.argv.includes('--catalogue');
const FILES: Record<'ITLSEP001122334455.tlv' | 'SEP001122334455.cnf.xml', Buffer> = {
  'ITLSEP001122334455.tlv': randomBytes(10 * 1024),
  'SEP001122334455.cnf.xml': randomBytes(4 * 1024),
};
const NAMES = Object.keys(FILES) as (keyof typeof FILES)[];

async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, HOST, () => r()));
  const { port } = s.address();
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function waitUntilServing(port: number): Promise<void> {
  for (let i = 0; i < 50; i++) {
    try {
      await tftpGet({ host: HOST, port, filename: NAMES[0]!, timeoutMs: 200, retries: 1, dallyMs: 0 });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`no TFTP server answering on ${HOST}:${port}`);
}

interface RoundResult {
  ms: number;
  ok: number;
  failed: number;
  firstError: string | null;
}

/** `concurrency` clients; each session fetches the ITL then the config, until `downloads` files are fetched. */
async function storm(port: number): Promise<RoundResult> {
  let next = 0;
  let ok = 0;
  let failed = 0;
  let firstError: string | null = null;
  const started = performance.now();
  async function client(): Promise<void> {
    for (;;) {
      const n = next++;
      if (n >= downloads) return;
      const name = NAMES[n % NAMES.length]!;
      try {
        const data = await tftpGet({ host: HOST, port, filename: name, blksize, windowsize });
        if (data.equals(FILES[name])) ok++;
        else {
          failed++;
          firstError ??= `${name}: content differs`;
        }
      } catch (e) {
        failed++;
        firstError ??= `${name}: ${(e as Error).message}`;
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, client));
  return { ms: performance.now() - started, ok, failed, firstError };
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

async function main(): Promise<void> {
  if (!existsSync(IN_TFTPD))
    throw new Error(`${IN_TFTPD} missing: apt-get install tftpd-hpa (listed in .ci/apt/tftp.txt)`);
  const dir = await mkdtemp(join(tmpdir(), 'tftp-storm-'));
  await chmod(dir, 0o755); // in.tftpd drops privileges to "nobody" when started as root
  const ours = fork(
    new URL('./tftp-storm-server.ts', import.meta.url).pathname,
    [dir, ...(catalogue ? ['--catalogue'] : [])],
    { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  const oursPort = await new Promise<number>((resolve, reject) => {
    ours.once('message', (m) => {
      const msg = m as { port: number; files?: Record<string, string> };
      // Catalogue mode: the generated files are what both servers must deliver.
      if (msg.files)
        for (const [name, b64] of Object.entries(msg.files))
          FILES[name as keyof typeof FILES] = Buffer.from(b64, 'base64');
      resolve(msg.port);
    });
    ours.once('exit', (code) => reject(new Error(`our server exited with ${code}`)));
  });
  for (const [name, data] of Object.entries(FILES)) await writeFile(join(dir, name), data, { mode: 0o644 });
  const hpaPort = await freeUdpPort();
  const hpa = spawn(IN_TFTPD, ['--foreground', '--listen', '--address', `${HOST}:${hpaPort}`, '--secure', dir], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });

  try {
    await waitUntilServing(oursPort);
    await waitUntilServing(hpaPort);
    const itlBytes = FILES['ITLSEP001122334455.tlv'].length;
    const configBytes = FILES['SEP001122334455.cnf.xml'].length;
    console.log(
      `tftp-storm: ${downloads} downloads per round (ITL ${itlBytes} B + config ${configBytes} B alternating), ` +
        `${concurrency} concurrent clients, ${rounds} round(s), blksize ${blksize ?? 'default (512)'}, ` +
        `windowsize ${windowsize ?? 'default (1)'}`,
    );
    const best = { ours: Infinity, hpa: Infinity };
    let failures = { ours: 0, hpa: 0 };
    for (let r = 1; r <= rounds; r++) {
      for (const [label, port] of [
        ['ours', oursPort],
        ['hpa', hpaPort],
      ] as const) {
        const res = await storm(port);
        const rate = (res.ok / res.ms) * 1000;
        best[label] = Math.min(best[label], res.ms);
        failures = { ...failures, [label]: failures[label] + res.failed };
        const who = label === 'ours' ? 'opencapf  ' : 'tftpd-hpa ';
        const firstError = res.firstError ? ` (first error: ${res.firstError})` : '';
        console.log(
          `  round ${r} ${who}: ${res.ok} ok, ${res.failed} failed in ${res.ms.toFixed(0)} ms = ` +
            `${rate.toFixed(0)} downloads/s${firstError}`,
        );
      }
    }
    const oursRate = (downloads / best.ours) * 1000;
    const hpaRate = (downloads / best.hpa) * 1000;
    const stats = await new Promise<TftpServerStats>((resolve) => {
      ours.once('message', (m) => resolve((m as { stats: TftpServerStats }).stats));
      ours.send('stats');
    });
    console.log(`opencapf  : ${oursRate.toFixed(0)} downloads/s (best round), failed transfers ${failures.ours}`);
    console.log(`tftpd-hpa : ${hpaRate.toFixed(0)} downloads/s (best round), failed transfers ${failures.hpa}`);
    console.log(`ratio opencapf / tftpd-hpa = ${(oursRate / hpaRate).toFixed(2)}`);
    console.log(
      `opencapf server stats: completed ${stats.completed}, timed out ${stats.timedOut}, ` +
        `active ${stats.activeTransfers}, requests ${stats.requests}`,
    );
    if (failures.ours > 0 || failures.hpa > 0) process.exitCode = 1;
  } finally {
    ours.send('stop');
    await stopChild(ours);
    await stopChild(hpa);
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
