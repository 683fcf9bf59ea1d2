// Attack: one host holding connections must not exhaust the CAPF or TVS cap for everyone else (issue 15,
// item 6). The abusive host connects from 127.0.0.2 (a loopback source address) to the server on 127.0.0.1;
// the legitimate phone connects from 127.0.0.1. Refusals are counted in /metrics by listener and reason.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import tls from 'node:tls';
import { startCapfLab, newDeviceName, type CapfLab } from '../helpers/capf-lab.ts';
import { runCapfClient } from '../../src/capf/index.ts';
import { tvsVerify } from '../../src/tvs/index.ts';

const ABUSER = '127.0.0.2';
const actor = { name: 'test', source: 'test' };
let lab: CapfLab;
const held: tls.TLSSocket[] = [];

before(async () => {
  lab = await startCapfLab({
    'capf.maxSessions': 8,
    'capf.maxQueued': 0, // refusals at accept, not the admission queue (test/integration/capf-admission.test.ts)
    'capf.maxPerClient': 4,
    'tvs.maxConnections': 8,
    'tvs.maxPerClient': 4,
    'tftp.enabled': false,
    'http.enabled': false,
    'https.enabled': false,
  });
});
after(async () => {
  for (const s of held) s.destroy();
  await lab.close();
});

/**
 * Opens a TLS connection and settles once the server has either admitted it (handshake done: the server
 * holds it) or refused it (closed). Admitted sockets are kept open until the end of the file.
 */
function openHeld(port: number, localAddress: string): Promise<'held' | 'refused'> {
  return new Promise((resolve) => {
    const raw = net.connect({ host: '127.0.0.1', port, localAddress });
    raw.on('error', () => undefined);
    const s = tls.connect({ socket: raw, rejectUnauthorized: false });
    s.on('error', () => undefined);
    s.once('secureConnect', () => {
      held.push(s);
      resolve('held');
    });
    s.once('close', () => resolve('refused'));
  });
}

async function hold(port: number, localAddress: string, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(await openHeld(port, localAddress));
  return out;
}

function counter(metrics: string, listener: string, reason: string): number {
  const m = new RegExp(
    `^opencapf_connections_refused_total\\{listener="${listener}",reason="${reason}"\\} (\\d+)$`,
    'm',
  ).exec(metrics);
  return m ? Number(m[1]) : 0;
}

test('CAPF: a host holding every connection it can get does not stop another phone enrolling', {
  timeout: 60_000,
}, async () => {
  const got = await hold(lab.port, ABUSER, 8); // the whole global cap, if it were allowed
  const name = newDeviceName();
  await lab.ctx.phones.addPhones([{ deviceName: name }], actor);
  await lab.ctx.phones.schedule([name], { operation: 'install' }, actor);
  const r = await runCapfClient({
    host: '127.0.0.1',
    port: lab.port,
    deviceName: name,
    authMode: 'null-string',
    generateKey: () => lab.key({ type: 'rsa', bits: 2048 }),
  });
  assert.equal(r.outcome, 'installed', r.log.join('\n'));
  assert.deepEqual(got, ['held', 'held', 'held', 'held', 'refused', 'refused', 'refused', 'refused']);
  // The global cap still holds: 4 from the abuser + 4 from here fill it, the next is refused as global.
  assert.deepEqual(await hold(lab.port, '127.0.0.1', 5), ['held', 'held', 'held', 'held', 'refused']);
  const metrics = await lab.ctx.metrics.registry.metrics();
  assert.equal(counter(metrics, 'capf', 'per-client-cap'), 4, metrics);
  assert.equal(counter(metrics, 'capf', 'global-cap'), 1, metrics);
  assert.equal(lab.server.capfServer!.stats().rejectedPerClient, 4);
});

test("TVS: a host holding every connection it can get does not stop another phone's TVS check", {
  timeout: 60_000,
}, async () => {
  const port = lab.server.ports.tvs!;
  const got = await hold(port, ABUSER, 8);
  const tvsDer = lab.ctx.identities.get('tvs').certificate.der;
  const v = await tvsVerify({
    host: '127.0.0.1',
    port,
    timeoutMs: 10_000,
    certDer: lab.ctx.identities.get('capf').certificate.der,
    checkServerCertificate: (der: Uint8Array) => Buffer.from(der).equals(tvsDer),
  });
  assert.equal(v.trusted, true);
  assert.deepEqual(got, ['held', 'held', 'held', 'held', 'refused', 'refused', 'refused', 'refused']);
  const metrics = await lab.ctx.metrics.registry.metrics();
  assert.equal(counter(metrics, 'tvs', 'per-client-cap'), 4, metrics);
});
