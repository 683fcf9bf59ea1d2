// Attack: SIGTERM while a slow API upload and a silent CAPF client hold connections (issue 15, item 8).
// Every listener must stop accepting at once (a new CAPF, TVS, HTTP connection or TFTP request right after
// SIGTERM is refused) and `serve` must exit by itself with code 0 once the drain timeout has passed,
// whatever the clients do. The test's own timeout is the only clock.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnServe, type ServeProcess } from '../helpers/serve-process.ts';

// Also runs when the test times out (a serve that never exits would otherwise keep the runner alive).
const started: ServeProcess[] = [];
after(async () => {
  for (const s of started) await s.kill();
});

/** Resolves with the error code of a TCP connection attempt ('connected' if it was accepted). */
function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve('connected');
    });
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

/** A TFTP RRQ from a connected UDP socket: a closed port comes back as ECONNREFUSED (ICMP unreachable). */
function tryTftp(port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    s.once('error', (e: NodeJS.ErrnoException) => {
      s.close();
      resolve(e.code ?? e.message);
    });
    s.once('message', () => {
      s.close();
      resolve('answered');
    });
    s.connect(port, '127.0.0.1', () => s.send(Buffer.from('\x00\x01SEPDEFAULT.cnf.xml\x00octet\x00', 'latin1')));
  });
}

test('SIGTERM: every listener stops accepting at once and serve exits within the drain timeout despite held clients', {
  timeout: 90_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'opencapf-sigterm-'));
  const serve = spawnServe({
    dataDir: dir,
    env: {
      OPENCAPF_CAPF_DRAIN_TIMEOUT_MS: '1500',
      // Generous client timeouts: only the drain may end these clients here.
      OPENCAPF_API_BODY_TIMEOUT_MS: '600000',
      OPENCAPF_API_REQUEST_TIMEOUT_MS: '3600000',
      OPENCAPF_CAPF_RESPONSE_TIMEOUT_MS: '600000',
    },
  });
  started.push(serve);
  const cleanup: Array<() => void> = [];
  try {
    await serve.ready();
    const { capf, tvs, http, tftp, api } = serve.ports;
    assert.ok(capf && tvs && http && tftp && api, serve.output());

    // A slow upload to a public route: authentication does not end it, only the drain can.
    const upload = net.connect({ host: '127.0.0.1', port: api });
    upload.on('error', () => undefined);
    cleanup.push(() => upload.destroy());
    const uploadClosed = new Promise<void>((r) => upload.once('close', () => r()));
    await new Promise<void>((r) => upload.once('connect', () => r()));
    upload.write(
      'POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: ' +
        'application/json\r\nContent-Length: 1000000\r\n\r\n{"username":"',
    );
    const trickle = setInterval(() => upload.writable && upload.write('a'), 100);
    cleanup.push(() => clearInterval(trickle));

    // A CAPF client that finishes TLS and then never answers AUTH_REQUEST: a session in flight.
    const silent = tls.connect({ host: '127.0.0.1', port: capf, rejectUnauthorized: false });
    silent.on('error', () => undefined);
    cleanup.push(() => silent.destroy());
    const silentClosed = new Promise<void>((r) => silent.once('close', () => r()));
    await new Promise<void>((r) => silent.once('data', () => r())); // the server's AUTH_REQUEST

    serve.proc.kill('SIGTERM');
    await serve.waitFor(/stopped accepting on every listener/);
    assert.deepEqual(
      {
        capf: await tryConnect(capf),
        tvs: await tryConnect(tvs),
        http: await tryConnect(http),
        tftp: await tryTftp(tftp),
      },
      { capf: 'ECONNREFUSED', tvs: 'ECONNREFUSED', http: 'ECONNREFUSED', tftp: 'ECONNREFUSED' },
    );
    const exit = await serve.exited;
    assert.deepEqual(exit, { code: 0, signal: null }, serve.output());
    await Promise.all([uploadClosed, silentClosed]);
    assert.match(serve.output(), /OpenCAPF stopped/);
  } finally {
    for (const f of cleanup) f();
    await serve.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});
