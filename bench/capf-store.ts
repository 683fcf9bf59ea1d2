// bench/capf-store: the recording side of CAPF enrollments in one process, without sockets or signing:
// the real authority (src/phones/capf-operations) over the real SQLite store, C sessions interleaved as
// on a busy server (authenticate -> issue -> finish). The CA signs nothing here (a canned certificate
// with a fresh serial), so what is timed is reading the phone and recording certificate, audit, status
// and session. Baseline in the same run: the same authority over an in-memory PhoneStore stand-in that
// keeps nothing (the cost of the domain logic alone). Prints CPU per enrollment and the ratio.
//
//   npx tsx bench/capf-store.ts [--n 20000] [--concurrency 32] [--rounds 3]

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { loadConfig } from '../src/config/index.ts';
import { createLogger } from '../src/shared/logger.ts';
import { openContext } from '../src/app/context.ts';
import { createCapfOperations } from '../src/phones/capf-operations.ts';
import { certificateReader } from '../src/pki/index.ts';
import { systemClock } from '../src/shared/clock.ts';
import type { CertificateAuthorityPort, PhoneStore } from '../src/phones/ports.ts';
import type { CapfAuthority } from '../src/capf/ports.ts';
import { addScheduledPhones } from './lib/scheduled-phones.ts';
import { rawDatabase } from '../src/store/raw.ts';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2)
  args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const N = Number(args.get('n') ?? 20000);
const C = Number(args.get('concurrency') ?? 32);
const ROUNDS = Number(args.get('rounds') ?? 3);

const dir = mkdtempSync(join(tmpdir(), 'opencapf-store-bench-'));
const config = loadConfig({ env: process.env, overrides: { dataDir: dir, 'log.level': 'warn' } });
const ctx = await openContext(config, createLogger('warn'));
const total = N * ROUNDS + 2000;
const names = await addScheduledPhones(ctx, total);
const spki = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'der', type: 'spki' });
const canned = await ctx.ca.issueLsc('SEP0000000000AA', spki, new Date());
const ca: CertificateAuthorityPort = {
  capfNotAfter: () => ctx.ca.capfNotAfter(),
  issueLsc: async () => ({ ...canned, serialHex: randomBytes(16).toString('hex') }),
  isOurLsc: () => true,
};
const manufacturing = { issuerOf: async () => null };

/** A PhoneStore that answers the hot-path calls from memory and keeps nothing: the baseline. */
function nullStore(real: PhoneStore): PhoneStore {
  const phones = new Map<string, Awaited<ReturnType<PhoneStore['getPhone']>>>();
  const s: PhoneStore = {
    ...real,
    getPhone: async (n) => phones.get(n) ?? null,
    patchPhone: async () => true,
    insertCertificate: async () => undefined,
    setCertificateState: async () => undefined,
    revokeUnacknowledgedLscs: async () => [],
    getCertificate: async () => null,
    insertSession: async () => undefined,
    appendAudit: async () => undefined,
    transaction: (fn) => fn(s),
    groupTransaction: (fn) => fn(s),
  };
  return Object.assign(s, {
    preload: async (ns: string[]) => {
      for (const n of ns) phones.set(n, await real.getPhone(n));
    },
  });
}

let sid = 1;
async function enrollOne(a: CapfAuthority, deviceName: string): Promise<void> {
  const sessionId = sid++;
  const startedAt = new Date().toISOString();
  const d = await a.authenticate({
    sessionId,
    peer: '127.0.0.1:40000',
    deviceName,
    protocolVersion: 3,
    password: null,
    certificate: null,
  });
  if (d.action !== 'install') throw new Error(`authenticate: ${JSON.stringify(d)}`);
  const r = await a.issue({ sessionId, peer: '127.0.0.1:40000', deviceName, publicKeySpki: spki });
  if (!r.ok) throw new Error(r.note);
  const at = new Date().toISOString();
  const log = [
    'AUTH_REQUEST',
    'AUTH_RESPONSE device=x version=3',
    'KEY_GENERATE_REQUEST RSA 2048',
    'KEY_GENERATE_RESPONSE public key 294 bytes',
    `LSC ${r.serialHex} issued and recorded`,
    'STORE_CERTIFICATE_REQUEST',
    'STORE_CERTIFICATE_RESPONSE reason=-',
    'END_SESSION reason=1',
  ].map((text, i) => ({ at, dir: (i % 2 ? 'P>S' : 'S>P') as 'P>S', text }));
  await a.finish(
    {
      sessionId,
      deviceName,
      peer: '127.0.0.1:40000',
      startedAt,
      endedAt: at,
      operation: 'install',
      authMode: 'null-string',
      outcome: 'success',
      reason: null,
      status: 'Upgrade Success',
      protocolVersion: 3,
      log,
    },
    { step: 'stored', serialHex: r.serialHex },
  );
}

let used = 0;
async function run(a: CapfAuthority, count: number, pick: () => string) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: C }, async () => {
      while (next++ < count) await enrollOne(a, pick());
    }),
  );
  const c = process.cpuUsage(c0);
  return { cpuUs: (c.user + c.system) / count, wallUs: ((performance.now() - t0) * 1000) / count };
}

const realAuthority = createCapfOperations({
  store: ctx.store.phones,
  ca,
  reader: certificateReader,
  manufacturing,
  clock: systemClock,
  authFailureLimit: 5,
});
const ns = nullStore(ctx.store.phones) as PhoneStore & { preload(ns: string[]): Promise<void> };
await ns.preload(names.slice(0, 2000));
const nullAuthority = createCapfOperations({
  store: ns,
  ca,
  reader: certificateReader,
  manufacturing,
  clock: systemClock,
  authFailureLimit: 5,
});
let nullPick = 0;
const pickNull = () => names[nullPick++ % 2000]!;
const pickReal = () => names[2000 + used++]!;
await run(nullAuthority, 5000, pickNull); // warm-up
const res: { base: number; store: number; wall: number }[] = [];
// Write volume: with automatic checkpoints off during a round, the WAL holds every page the round wrote.
await sql`pragma wal_autocheckpoint = 0`.execute(rawDatabase(ctx.store));
const walFrames = async () => {
  const log = (await sql<{ log: number }>`pragma wal_checkpoint(PASSIVE)`.execute(rawDatabase(ctx.store))).rows[0]!.log;
  await sql`pragma wal_checkpoint(TRUNCATE)`.execute(rawDatabase(ctx.store));
  return log;
};
for (let r = 0; r < ROUNDS; r++) {
  const base = await run(nullAuthority, N, pickNull);
  await walFrames();
  const st = await run(realAuthority, N, pickReal);
  const frames = await walFrames();
  res.push({ base: base.cpuUs, store: st.cpuUs, wall: st.wallUs });
  console.log(
    `round ${r + 1}: domain logic alone ${base.cpuUs.toFixed(1)} µs CPU/enrollment; ` +
      `with the SQLite store ${st.cpuUs.toFixed(1)} µs (wall ${st.wallUs.toFixed(1)} µs); ` +
      `store adds ${(st.cpuUs - base.cpuUs).toFixed(1)} µs; ` +
      `${(frames / N).toFixed(2)} WAL pages written per enrollment`,
  );
}
const best = res.reduce((a, b) => (b.store < a.store ? b : a));
console.log(
  `best: store adds ${(best.store - best.base).toFixed(1)} µs CPU per enrollment ` +
    `(${(best.store / best.base).toFixed(2)} × the domain logic alone), concurrency ${C}`,
);
const { total: upgraded } = await ctx.store.phones.listPhones({
  status: [{ operation: 'install', outcome: 'success' }],
  limit: 1,
});
console.log(`phones with Upgrade Success: ${upgraded} (expected ${N * ROUNDS})`);
await ctx.close();
rmSync(dir, { recursive: true, force: true });
