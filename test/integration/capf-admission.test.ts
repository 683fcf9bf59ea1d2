// CAPF admission on a real server over 127.0.0.1: a wave larger than the session limit waits in the queue and
// every phone enrols (none reset); a silent TCP client and a stalled handshake from one host cannot take the
// handshake slots from others; a stop mid-wave closes the queued connections without a byte, lets the held
// sessions finish, and every LSC issued is recorded. Not timed: the assertions are about outcomes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type tls from 'node:tls';
import { parseCertificate } from '../../src/pki/index.ts';
import { startCapfLab, newDeviceName, type CapfLab } from '../helpers/capf-lab.ts';
import { runCapfClient, type CapfClientResult } from '../../src/capf/index.ts';

const actor = { name: 'test', source: 'test' };

async function scheduled(lab: CapfLab, n: number): Promise<string[]> {
  const names = Array.from({ length: n }, () => newDeviceName());
  await lab.ctx.phones.addPhones(
    names.map((deviceName) => ({ deviceName })),
    actor,
  );
  await lab.ctx.phones.schedule(names, { operation: 'install' }, actor);
  return names;
}

/** A phone that holds its session while it "generates" its key until `release` resolves. */
function phone(lab: CapfLab, deviceName: string, release: Promise<void>, localAddress = '127.0.0.1') {
  return runCapfClient({
    host: '127.0.0.1',
    port: lab.port,
    deviceName,
    authMode: 'null-string',
    tlsOptions: { localAddress } as tls.ConnectionOptions,
    timeoutMs: 120_000,
    generateKey: async (req) => {
      await release;
      return lab.key(req);
    },
  });
}

async function until(what: string, cond: () => boolean): Promise<void> {
  for (let i = 0; i < 2000 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), `timed out waiting for: ${what}`);
}

test('a session limit of 4 with 12 phones arriving at once: 8 queue, none is refused, all 12 enrol', async () => {
  const lab = await startCapfLab({ 'capf.maxSessions': 4, 'capf.maxPerClient': 100 });
  try {
    const names = await scheduled(lab, 12);
    let release!: () => void;
    const keys = new Promise<void>((r) => (release = r));
    const runs = names.map((n, i) => phone(lab, n, keys, `127.0.0.${2 + i}`));
    const stats = () => lab.server.capfServer!.stats();
    await until('4 held and 8 queued', () => stats().held === 4 && stats().queued === 8);
    assert.equal(stats().rejectedOverCap, 0);
    release();
    const results: CapfClientResult[] = await Promise.all(runs);
    assert.deepEqual(
      results.map((r) => r.outcome),
      Array(12).fill('installed'),
    );
    for (const n of names) assert.equal((await lab.ctx.phones.getPhone(n)).status, 'Upgrade Success');
    assert.equal(stats().rejectedOverCap, 0, 'nobody was refused');
    assert.equal(stats().queuedTotal, 8);
    assert.equal(stats().queueTimeouts, 0);
    const m = await lab.ctx.metrics.registry.metrics();
    assert.match(m, /^opencapf_capf_handshake_queue_wait_seconds_count 8$/m);
  } finally {
    await lab.close();
  }
});

test('a silent TCP client and a stalled handshake from one host cannot take every handshake slot', async () => {
  const lab = await startCapfLab({
    'capf.maxSessions': 8,
    'capf.maxHandshakes': 2,
    'capf.handshakeTimeoutMs': 600_000, // the stallers are never timed out during this test
  });
  try {
    const silent = net.connect({ host: '127.0.0.1', port: lab.port, localAddress: '127.0.0.9' });
    const stalled = net.connect({ host: '127.0.0.1', port: lab.port, localAddress: '127.0.0.9' });
    for (const s of [silent, stalled]) s.on('error', () => undefined);
    await Promise.all([silent, stalled].map((s) => new Promise((r) => s.once('connect', r))));
    stalled.write(Buffer.from([0x16, 0x03, 0x01])); // the start of a ClientHello, then silence
    const stats = () => lab.server.capfServer!.stats();
    await until('one staller handshaking, one queued', () => stats().handshaking === 1 && stats().queued === 1);
    const [name] = await scheduled(lab, 1);
    const r = await phone(lab, name!, Promise.resolve());
    assert.equal(r.outcome, 'installed', r.log.join('\n'));
    assert.ok(!silent.destroyed && !stalled.destroyed, 'both stallers are still connected');
    assert.equal(stats().queued, 1, 'the second staller still waits: its host has used its share');
    silent.destroy();
    stalled.destroy();
  } finally {
    await lab.close();
  }
});

test('stop mid-wave: queued connections closed without a byte, held sessions finish, every LSC recorded', async () => {
  const lab = await startCapfLab({ 'capf.maxSessions': 3, 'capf.maxPerClient': 100 });
  let closed = false;
  try {
    const names = await scheduled(lab, 3);
    let release!: () => void;
    const keys = new Promise<void>((r) => (release = r));
    const runs = names.map((n) => phone(lab, n, keys));
    const stats = () => lab.server.capfServer!.stats();
    await until('3 held', () => stats().held === 3);
    const queued = Array.from({ length: 4 }, () => net.connect({ host: '127.0.0.1', port: lab.port }));
    const got: Buffer[] = [];
    const gone = queued.map(
      (s) =>
        new Promise<void>((r) => {
          s.on('data', (d) => got.push(d));
          s.on('error', () => undefined);
          s.once('close', () => r());
        }),
    );
    await until('4 queued', () => stats().queued === 4);
    const stopping = lab.server.stop(60_000);
    await Promise.all(gone);
    assert.equal(Buffer.concat(got).length, 0, 'queued connections get no byte');
    release();
    const results = await Promise.all(runs);
    await stopping;
    closed = true;
    assert.deepEqual(
      results.map((r) => r.outcome),
      ['installed', 'installed', 'installed'],
    );
    for (const [i, n] of names.entries()) {
      const p = await lab.ctx.phones.getPhone(n);
      assert.equal(p.status, 'Upgrade Success');
      assert.equal(
        p.lsc?.serialHex,
        parseCertificate(results[i]!.lsc!.der).serialHex,
        'the LSC the phone got is recorded',
      );
    }
  } finally {
    if (!closed) await lab.server.stop(0);
    await lab.close();
  }
});
