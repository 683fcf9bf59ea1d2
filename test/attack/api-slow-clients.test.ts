// Attack: slow uploads, stalled bodies, slow headers and connection floods against the REST API (issue 15,
// item 7). Each client must be closed by the server (we await the close event; the test's own timeout is
// the only clock), and connections over the caps are refused without an answer.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startCapfLab, type CapfLab } from '../helpers/capf-lab.ts';

let lab: CapfLab;
let port: number;
const open = new Set<net.Socket>();

before(async () => {
  lab = await startCapfLab({
    'api.enabled': true,
    'api.port': 0,
    'api.host': '127.0.0.1',
    'capf.enabled': false,
    'tvs.enabled': false,
    'tftp.enabled': false,
    'http.enabled': false,
    'https.enabled': false,
    'api.headersTimeoutMs': 1000,
    'api.bodyTimeoutMs': 1000,
    'api.requestTimeoutMs': 3000,
    'api.keepAliveTimeoutMs': 60_000,
    'api.maxConnections': 6,
    'api.maxPerClient': 3,
  });
  port = lab.server.ports.api!;
});
after(async () => {
  for (const s of open) s.destroy();
  await lab.close();
});

interface Client {
  socket: net.Socket;
  /** Everything the server sent. */
  received(): string;
  /** Resolves when the server has closed the connection (or reset it). */
  closed: Promise<void>;
}

async function connect(localAddress = '127.0.0.1'): Promise<Client> {
  const socket = net.connect({ host: '127.0.0.1', port, localAddress });
  open.add(socket);
  let data = '';
  socket.on('data', (d) => (data += String(d)));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) =>
    socket.once('close', () => {
      open.delete(socket);
      resolve();
    }),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return { socket, received: () => data, closed };
}

/** Sends one byte every 100 ms until the socket closes: never idle, never finished. */
function trickle(socket: net.Socket): void {
  const t = setInterval(() => {
    if (socket.destroyed || !socket.writable) clearInterval(t);
    else socket.write('a');
  }, 100);
  socket.once('close', () => clearInterval(t));
}

test('an unauthenticated slow upload gets its 401 and is then disconnected, not held while it trickles', {
  timeout: 20_000,
}, async () => {
  const c = await connect();
  c.socket.write(
    'POST /api/v1/phones/import HTTP/1.1\r\nHost: x\r\nContent-Type: ' +
      'text/csv\r\nContent-Length: 100000000\r\n\r\ndeviceName\n',
  );
  trickle(c.socket); // active all the time: no idle or body timeout applies within the test
  await c.closed;
  assert.match(c.received(), /^HTTP\/1\.1 401 /);
  assert.match(c.received(), /connection: close/i);
});

test('a body that stops arriving is cut off by the body timeout', { timeout: 20_000 }, async () => {
  const c = await connect();
  c.socket.write(
    'POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: ' +
      'application/json\r\nContent-Length: 200\r\n\r\n{"username":',
  );
  await c.closed; // then silence
  // Destroyed without a word: the body timeout, not the request timeout (which answers 408 first).
  assert.equal(c.received(), '');
});

test('a body that keeps trickling is cut off by the request timeout', { timeout: 20_000 }, async () => {
  const c = await connect();
  c.socket.write(
    'POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: ' +
      'application/json\r\nContent-Length: 100000\r\n\r\n{"username":"',
  );
  trickle(c.socket);
  await c.closed;
  assert.match(c.received(), /^HTTP\/1\.1 408 /);
});

test('headers that never finish are cut off by the header timeout', { timeout: 20_000 }, async () => {
  const c = await connect();
  c.socket.write('GET /api/docs HTTP/1.1\r\nHost: x\r\n');
  await c.closed;
  assert.match(c.received(), /^HTTP\/1\.1 408 /);
});

/** A kept-alive connection that has had one answer: the server has certainly admitted it. */
async function admitted(localAddress: string): Promise<Client> {
  const c = await connect(localAddress);
  c.socket.write('GET /api/docs HTTP/1.1\r\nHost: x\r\n\r\n');
  await new Promise<void>((resolve, reject) => {
    const check = () => {
      if (/^HTTP\/1\.1 200 /.test(c.received())) resolve();
    };
    c.socket.on('data', check);
    void c.closed.then(() => reject(new Error(`closed before an answer: ${c.received().slice(0, 200)}`)));
  });
  return c;
}

async function refusedWithoutAnswer(localAddress: string): Promise<void> {
  const c = await connect(localAddress);
  c.socket.write('GET /api/docs HTTP/1.1\r\nHost: x\r\n\r\n');
  await c.closed;
  assert.equal(c.received(), '', 'a refused connection gets no answer');
}

test('connections over the per-client and the global cap are refused and counted', { timeout: 30_000 }, async () => {
  const mine = [await admitted('127.0.0.1'), await admitted('127.0.0.1'), await admitted('127.0.0.1')];
  await refusedWithoutAnswer('127.0.0.1'); // 4th from one address
  const theirs = [await admitted('127.0.0.2'), await admitted('127.0.0.2'), await admitted('127.0.0.2')];
  await refusedWithoutAnswer('127.0.0.3'); // 7th overall: the global cap
  const metrics = await lab.ctx.metrics.registry.metrics();
  assert.match(metrics, /^opencapf_connections_refused_total\{listener="api",reason="per-client-cap"\} 1$/m);
  assert.match(metrics, /^opencapf_connections_refused_total\{listener="api",reason="global-cap"\} 1$/m);
  for (const c of [...mine, ...theirs]) c.socket.destroy();
  await Promise.all([...mine, ...theirs].map((c) => c.closed));
  await admitted('127.0.0.1'); // slots come back once connections close
});
