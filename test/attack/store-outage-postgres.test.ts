// Attack: PostgreSQL goes away under a running `serve` (a cluster this test creates on its own port).
// serve must never exit: started while the database is down it waits and comes up with it; a `stop -m
// fast` while idle and a `stop -m immediate` in the middle of a 1,000-phone storm leave it answering
// (CAPF refuses phones retryably, /metrics shows the store down), and after the restart every phone ends
// with an LSC that is the one the store holds for it.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type OpenStore } from '../../src/store/index.ts';
import { createPhoneService } from '../../src/phones/index.ts';
import { systemClock } from '../../src/shared/clock.ts';
import { runCapfClient } from '../../src/capf/index.ts';
import { parseCertificate, pemToDer } from '../../src/pki/index.ts';
import {
  createFileFetcher,
  createKeyPool,
  createManufacturingCa,
  createMemoryStateStore,
  createResolver,
  fleetDeviceNames,
  FLEET_MODELS,
  runFleet,
  type FleetPhone,
} from '../../src/emulator/index.ts';
import { spawnServe, type ServeProcess } from '../helpers/serve-process.ts';
import { cli } from '../helpers/cli.ts';
import { startPrivatePostgres, type PrivatePostgres } from '../helpers/private-postgres.ts';

const STORM = 1000;
const actor = { name: 'attack-test', source: 'test' };

let pg: PrivatePostgres;
let serve: ServeProcess;
let store: OpenStore | undefined;
const dataDir = mkdtempSync(join(tmpdir(), 'opencapf-pg-outage-'));
const keys = createKeyPool(8);

after(async () => {
  if (process.env.STORE_OUTAGE_SERVE_LOG) writeFileSync(process.env.STORE_OUTAGE_SERVE_LOG, serve?.output() ?? '');
  await serve?.kill();
  await store?.close();
  pg?.destroy();
  rmSync(dataDir, { recursive: true, force: true });
});

async function metric(name: string): Promise<number | null> {
  const r = await fetch(`http://127.0.0.1:${serve.ports.api}/metrics`);
  assert.equal(r.status, 200, 'GET /metrics answers while the store is down');
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(await r.text());
  return m ? Number(m[1]) : null;
}

async function schedule(names: string[]): Promise<void> {
  const phones = createPhoneService(store!.phones, systemClock);
  const added = await phones.addPhones(
    names.map((deviceName, i) => ({ deviceName, model: `Cisco ${FLEET_MODELS[i % FLEET_MODELS.length]}` })),
    actor,
  );
  assert.equal(added.filter((r) => r.ok).length, names.length);
  const r = await phones.schedule(names, { operation: 'install', authMode: 'null-string' }, actor);
  assert.equal(r.filter((x) => x.ok).length, names.length);
}

async function enrolOne(deviceName: string) {
  return runCapfClient({
    host: '127.0.0.1',
    port: serve.ports.capf!,
    deviceName,
    authMode: 'null-string',
    generateKey: (req) =>
      keys.take(req.type === 'rsa' ? { type: 'rsa', bits: req.bits } : { type: 'ec', curve: req.curve }),
    timeoutMs: 20_000,
  });
}

const spawn = () =>
  spawnServe({
    dataDir,
    args: ['--store', 'postgres', '--postgres-url', pg.url],
    env: { OPENCAPF_METRICS_PUBLIC: 'true', OPENCAPF_CLUSTER_PUBLIC_HOST: '127.0.0.1', OPENCAPF_API_TLS: 'off' },
  });

/** Each test stands alone: when an earlier one failed, start what it should have left running. */
async function ensureRunning(): Promise<void> {
  if (!serve?.running()) {
    serve = spawn();
    await serve.ready();
  }
  store ??= await openStore({ driver: 'postgres', dataDir, postgresUrl: pg.url });
}

test('serve started while PostgreSQL is down waits with backoff and starts once it is up', async () => {
  pg = await startPrivatePostgres();
  await pg.stop('fast');
  serve = spawn();
  try {
    // Two attempts logged means it is waiting, not exiting (before the change it exited with ERR_STORE).
    await serve.waitFor(
      new RegExp(`waiting for PostgreSQL at 127\\.0\\.0\\.1:${pg.port}, attempt 2, next in [\\d.]+s`),
    );
    assert.ok(serve.running(), serve.output());
  } finally {
    await pg.start();
  }
  await serve.ready();
  assert.ok(serve.running());
  // (from here on the cluster stays up for the next tests even if an assertion below fails)
  store = await openStore({ driver: 'postgres', dataDir, postgresUrl: pg.url });
  assert.equal(await metric('opencapf_store_available'), 1);
});

test('pg_ctl stop -m fast while idle: serve stays up, answers errors, and works again after start', async () => {
  await ensureRunning();
  const [name] = fleetDeviceNames(1);
  await schedule([name!]);
  await store!.close();
  store = undefined;
  await pg.stop('fast');
  try {
    // CAPF: a retryable refusal (no END_SESSION), never a failure stored against the phone.
    await assert.rejects(enrolOne(name!), (e: Error) => /without END_SESSION|ECONNRESET|closed/i.test(e.message));
    await serve.waitFor(/store unavailable \((CONNECTION_LOST|ECONNREFUSED|57P01|ECONNRESET)\)/);
    assert.equal(await metric('opencapf_store_available'), 0);
    // The API answers (503, retryable) instead of failing or hanging.
    const login = await fetch(`http://127.0.0.1:${serve.ports.api}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'correct horse battery staple 1' }),
    });
    assert.equal(login.status, 503);
    assert.equal(((await login.json()) as { error: { code: string } }).error.code, 'ERR_STORE_UNAVAILABLE');
    // HTTP provisioning: phones get 503 + Retry-After (they retry), and the log gets a bounded number of lines.
    const failedLines = () =>
      serve
        .output()
        .split('\n')
        .filter((l) => l.includes('"msg":"http request failed"')).length;
    const linesBefore = failedLines();
    for (let i = 0; i < 30; i++) {
      const cnf = await fetch(`http://127.0.0.1:${serve.ports.http}/${name}.cnf.xml`);
      assert.equal(cnf.status, 503, `${name}.cnf.xml while the store is down`);
      assert.equal(cnf.headers.get('retry-after'), '5');
      await cnf.arrayBuffer();
    }
    assert.ok(
      failedLines() - linesBefore <= 5,
      `${failedLines() - linesBefore} "http request failed" lines for 30 requests`,
    );
    // A one-shot CLI command gives up (here after the 1 s configured) with the same code instead of waiting.
    const r = await cli(['--data-dir', dataDir, 'phone', 'list'], '', {
      OPENCAPF_STORE_DRIVER: 'postgres',
      OPENCAPF_STORE_POSTGRES_URL: pg.url,
      OPENCAPF_STORE_STARTUP_WAIT_SECONDS: '1',
    });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /ERR_STORE_UNAVAILABLE/);
    assert.ok(serve.running(), `serve exited:\n${serve.output()}`);
  } finally {
    await pg.start();
  }
  await serve.waitFor(/store available again/);
  const r = await enrolOne(name!);
  assert.equal(r.outcome, 'installed', r.log.join('\n'));
  store = await openStore({ driver: 'postgres', dataDir, postgresUrl: pg.url });
  const phone = await store.phones.getPhone(name!);
  assert.equal(phone?.status, 'Upgrade Success');
  assert.equal(phone?.lsc?.serialHex, parseCertificate(r.lsc!.der).serialHex);
  assert.equal(await metric('opencapf_store_available'), 1);
  assert.ok(serve.running());
});

test(`acceptance: ${STORM}-phone storm with pg_ctl stop -m immediate / start in the middle`, async () => {
  await ensureRunning();
  const names = fleetDeviceNames(STORM);
  await schedule(names);
  const phones: FleetPhone[] = names.map((deviceName, i) => ({
    deviceName,
    model: FLEET_MODELS[i % FLEET_MODELS.length]!,
    authString: null,
  }));
  const mfg = await createManufacturingCa();
  const states = createMemoryStateStore();
  const fetchFile = createFileFetcher({
    host: '127.0.0.1',
    tftpPort: serve.ports.tftp!,
    httpPort: serve.ports.http ?? null,
  });
  const resolve = createResolver({ hosts: new Map(), systemDns: false });
  const refusedBefore = (serve.output().match(/CAPF session refused/g) ?? []).length;
  let outage: Promise<void> | null = null;
  const summary = await runFleet({
    phones,
    concurrency: 32,
    retries: 30,
    retryIntervalMs: 300,
    deps: () => ({
      fetchFile,
      resolve,
      stateStore: states,
      manufacturingCa: mfg,
      micKey: () => keys.take({ type: 'ec', curve: 'P-256' }),
      generateKey: (req) =>
        keys.take(req.type === 'rsa' ? { type: 'rsa', bits: req.bits } : { type: 'ec', curve: req.curve }),
      capfTimeoutMs: 20_000,
    }),
    onProgress: (p) => {
      if (p.done === Math.floor(STORM / 3) && !outage) {
        const seen = serve.output().length;
        // Output printed after `seen` only (test 2 printed the same lines before).
        const printedAfter = (re: RegExp) => serve.waitFor(new RegExp(`[\\s\\S]{${seen}}[\\s\\S]*?(?:${re.source})`));
        outage = (async () => {
          await pg.stop('immediate');
          // Down until serve noticed and turned phones away (CAPF refused, or a configuration file failed),
          // so the outage hits the storm however the two processes are scheduled; then the server comes back.
          await printedAfter(/store unavailable/);
          await printedAfter(/CAPF session refused|http request failed|"outcome":"error"/);
          await pg.start();
        })();
      }
    },
  });
  assert.ok(outage, 'the outage ran');
  await outage;
  const refused = (serve.output().match(/CAPF session refused/g) ?? []).length - refusedBefore;
  console.log(
    `storm: ${STORM} phones, ${summary.retriedPhones} retried (${summary.retries} tries after the first), ` +
      `${refused} CAPF sessions refused, outcomes ${JSON.stringify(summary.byOutcome)}, ` +
      `${(summary.wallMs / 1000).toFixed(1)} s`,
  );
  assert.ok(serve.running(), `serve exited:\n${serve.output().slice(-4000)}`);
  assert.equal(summary.byOutcome.installed, STORM, JSON.stringify(summary.failuresByReason));
  assert.ok(summary.retries > 0, 'the outage turned some phones away (else it did not hit the storm)');
  const serials = new Set<string>();
  for (const r of summary.results) {
    const serial = parseCertificate(pemToDer(r.state.lsc!.certPem)).serialHex;
    assert.ok(!serials.has(serial), `duplicate serial ${serial}`);
    serials.add(serial);
    const p = await store!.phones.getPhone(r.deviceName);
    assert.equal(p?.status, 'Upgrade Success', r.deviceName);
    assert.equal(p?.lsc?.serialHex, serial, `${r.deviceName}: the store's LSC is the one the phone installed`);
  }
  assert.ok(serve.running());
  assert.doesNotMatch(serve.output(), /Connection terminated unexpectedly\n\s+at|Unhandled|uncaught/i);
});
