// TVS server and client over real TLS on 127.0.0.1 with an in-memory authority (tvs-protocol.md §1, §5, §6).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { createHash } from 'node:crypto';
import { hexToBytes } from '../../src/shared/bytes.ts';
import {
  generateKeyPair,
  createSelfSignedIdentity,
  subjectAttributes,
  derToPem,
  privateKeyPem,
  type CertificateInfo,
  type KeyPair,
} from '../../src/pki/index.ts';
import { formatDnCucm } from '../../src/pki/names.ts';
import {
  createTvsDecoder,
  createTvsServer,
  encodeTvsMessage,
  issuerSerialKey,
  tvsQuery,
  tvsVerify,
  TvsRole,
  type TvsAuthority,
  type TvsLogger,
  type TvsMessage,
  type TvsServer,
} from '../../src/tvs/index.ts';

const HOST = '127.0.0.1';
const template = {
  organization: 'OpenCAPF Test',
  organizationalUnit: 'Voice',
  locality: 'Wellington',
  state: 'WGN',
  country: 'NZ',
};

interface Entry {
  cert: CertificateInfo;
  roles: number[];
  ttlSeconds: number;
}

function createMemoryAuthority(entries: Entry[]): TvsAuthority {
  const bySha256 = new Map(entries.map((e) => [e.cert.sha256, e]));
  const byIssuerSerial = new Map(
    entries.map((e) => [issuerSerialKey(formatDnCucm(e.cert.issuer), e.cert.serialHex), e]),
  );
  return {
    async verify(certDer) {
      const e = bySha256.get(createHash('sha256').update(certDer).digest('hex'));
      return e
        ? { trusted: true, roles: e.roles, ttlSeconds: e.ttlSeconds }
        : { trusted: false, roles: [], ttlSeconds: 0 };
    },
    async query(q) {
      if (q.issuer === undefined || q.serial === undefined) return null;
      const e = byIssuerSerial.get(issuerSerialKey(q.issuer, q.serial));
      return e ? { certDer: e.cert.der, roles: e.roles, ttlSeconds: e.ttlSeconds } : null;
    },
  };
}

interface LogEntry {
  level: string;
  obj: Record<string, unknown>;
  msg: string;
}
const logs: LogEntry[] = [];
const logger: TvsLogger = {
  info: (obj, msg) => logs.push({ level: 'info', obj, msg }),
  warn: (obj, msg) => logs.push({ level: 'warn', obj, msg }),
  debug: (obj, msg) => logs.push({ level: 'debug', obj, msg }),
};

let keys: KeyPair;
let tvsIdentity: CertificateInfo;
let ccm: CertificateInfo;
let capf: CertificateInfo;
let stranger: CertificateInfo;
let server: TvsServer;
let port: number;
const extraServers: TvsServer[] = [];

/** The phone's check: is this the TVS certificate its ITL names (role 21)? */
const isOurTvs = (der: Uint8Array): boolean => createHash('sha256').update(der).digest('hex') === tvsIdentity.sha256;

function testAuthority(): TvsAuthority {
  return createMemoryAuthority([
    { cert: ccm, roles: [TvsRole.APP_SERVER, TvsRole.CCM, TvsRole.TFTP], ttlSeconds: 3600 },
    { cert: capf, roles: [TvsRole.CAPF], ttlSeconds: 86_400 },
  ]);
}

async function startServer(
  limits: Partial<Parameters<typeof createTvsServer>[0]['limits']> = {},
  authority: TvsAuthority = testAuthority(),
): Promise<{ server: TvsServer; port: number }> {
  const s = createTvsServer({
    host: HOST,
    port: 0,
    tls: { certPem: derToPem(tvsIdentity.der), keyPem: privateKeyPem(keys.privateKey) },
    authority,
    logger,
    limits: {
      maxConnections: 50,
      idleTimeoutMs: 1500,
      handshakeTimeoutMs: 1500,
      maxRequestsPerConnection: 3,
      ...limits,
    },
  });
  const { port: p } = await s.start();
  return { server: s, port: p };
}

before(async () => {
  keys = await generateKeyPair({ type: 'rsa', bits: 2048 }); // once per file; every test certificate shares it
  const now = new Date();
  const make = (role: 'tvs' | 'tftp' | 'capf', cn: string) =>
    createSelfSignedIdentity({ role, subject: subjectAttributes(cn, template), keys, validityDays: 30, now });
  [tvsIdentity, ccm, capf, stranger] = await Promise.all([
    make('tvs', 'tvs-node1'),
    make('tftp', 'ccm-node1'),
    make('capf', 'CAPF-0a1b2c3d'),
    make('tftp', 'stranger'),
  ]);
  ({ server, port } = await startServer());
});

after(async () => {
  await server.stop();
  for (const s of extraServers) await s.stop();
  const leaked = logs.filter((l) => JSON.stringify(l.obj).includes('PRIVATE KEY'));
  assert.deepEqual(leaked, [], 'no private key material in logs');
});

const client = () => ({
  host: HOST,
  port,
  timeoutMs: 10_000,
  checkServerCertificate: isOurTvs,
  deviceName: 'CP-8845-SEP001122334455',
});

/** A raw TLS connection that collects decoded frames and tells when the server closes. */
async function openRaw(p = port): Promise<{
  socket: tls.TLSSocket;
  messages: TvsMessage[];
  next(n: number): Promise<TvsMessage[]>;
  closed: Promise<void>;
}> {
  const socket = tls.connect({ host: HOST, port: p, rejectUnauthorized: false });
  await new Promise<void>((resolve, reject) => {
    socket.once('secureConnect', resolve);
    socket.once('error', reject);
  });
  const decoder = createTvsDecoder();
  const messages: TvsMessage[] = [];
  const waiters: Array<() => void> = [];
  socket.on('data', (chunk: Buffer) => {
    messages.push(...decoder.push(chunk));
    for (const w of waiters.splice(0)) w();
  });
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  void closed.then(() => {
    for (const w of waiters.splice(0)) w();
  });
  let closedFlag = false;
  void closed.then(() => (closedFlag = true));
  const next = async (n: number): Promise<TvsMessage[]> => {
    while (messages.length < n && !closedFlag) await new Promise<void>((r) => waiters.push(r));
    return messages.slice(0, n);
  };
  return { socket, messages, next, closed };
}

test('VERIFY: a known certificate is trusted with its roles (canonical order) and TTL', async () => {
  const result = await tvsVerify({ ...client(), certDer: ccm.der });
  assert.deepEqual(result, {
    trusted: true,
    status: 0,
    roles: [TvsRole.CCM, TvsRole.TFTP, TvsRole.APP_SERVER],
    ttlSeconds: 3600,
  });
  const capfResult = await tvsVerify({ ...client(), certDer: capf.der, requestId: 1001 });
  assert.deepEqual(capfResult, { trusted: true, status: 0, roles: [TvsRole.CAPF], ttlSeconds: 86_400 });
  const logged = logs.find((l) => l.msg === 'TVS verify' && l.obj.certSha256 === ccm.sha256);
  assert.equal(logged?.obj.deviceName, 'CP-8845-SEP001122334455');
});

test('VERIFY: an unknown certificate is not trusted (STATUS 1 only)', async () => {
  const result = await tvsVerify({ ...client(), certDer: stranger.der });
  assert.deepEqual(result, { trusted: false, status: 1, roles: [], ttlSeconds: 0 });
});

test('QUERY: finds a certificate by CUCM-format issuer and raw serial; unknown serial is not found', async () => {
  const found = await tvsQuery({
    ...client(),
    subject: formatDnCucm(capf.subject),
    issuer: formatDnCucm(capf.issuer),
    serial: hexToBytes(capf.serialHex),
  });
  assert.equal(found.found, true);
  assert.equal(found.status, 0);
  assert.ok(Buffer.from(found.certDer!).equals(capf.der));
  assert.deepEqual(found.roles, [TvsRole.CAPF]);
  assert.equal(found.ttlSeconds, 86_400);
  const missing = await tvsQuery({ ...client(), issuer: formatDnCucm(capf.issuer), serial: Uint8Array.of(0x01, 0x02) });
  assert.deepEqual(missing, { found: false, status: 1, roles: [], ttlSeconds: 0 });
});

test('client fails closed when the server certificate is not the ITL TVS, or the check throws', async () => {
  await assert.rejects(tvsVerify({ ...client(), certDer: ccm.der, checkServerCertificate: () => false }), {
    code: 'ERR_PKI_CHAIN',
  });
  await assert.rejects(
    tvsVerify({
      ...client(),
      certDer: ccm.der,
      checkServerCertificate: () => {
        throw new Error('ITL unreadable');
      },
    }),
    { code: 'ERR_PKI_CHAIN' },
  );
});

test('overlong frame: the connection is closed without a response, and the next client is served', async () => {
  const raw = await openRaw();
  raw.socket.write(hexToBytes('57 01 01 00 00 00 00 05 ff ff')); // declares 65535 bytes, above the 16 KiB default
  await raw.closed;
  assert.deepEqual(raw.messages, []);
  assert.ok(logs.some((l) => l.level === 'warn' && l.obj.code === 'ERR_CODEC_TOO_LARGE'));
  const backwards = await openRaw();
  backwards.socket.write(hexToBytes('57 01 02 00 00 00 00 01 00 04 07 00 01 00')); // a response sent to the server
  await backwards.closed;
  assert.deepEqual(backwards.messages, []);
  const garbage = await openRaw();
  garbage.socket.write('GET / HTTP/1.0\r\n\r\n');
  await garbage.closed;
  assert.deepEqual(garbage.messages, []);
  const result = await tvsVerify({ ...client(), certDer: ccm.der });
  assert.equal(result.trusted, true);
});

test(
  'a client that connects and never handshakes does not block another; ' + 'the handshake timeout closes it',
  async () => {
    const stalled = net.connect({ host: HOST, port });
    await new Promise<void>((resolve, reject) => {
      stalled.once('connect', resolve);
      stalled.once('error', reject);
    });
    const stalledClosed = new Promise<void>((resolve) => stalled.once('close', () => resolve()));
    stalled.on('error', () => {});
    const result = await tvsVerify({ ...client(), certDer: capf.der });
    assert.equal(result.trusted, true);
    await stalledClosed;
  },
);

test('several requests on one connection are answered in order with their request ids', async () => {
  const raw = await openRaw();
  raw.socket.write(
    Buffer.concat([
      encodeTvsMessage({
        command: 'VERIFY_REQUEST',
        requestId: 7,
        deviceName: 'CP-8861-SEPB000B4BA0AEE',
        certificate: ccm.der,
      }),
      encodeTvsMessage({ command: 'VERIFY_REQUEST', requestId: 8, certificate: stranger.der }),
    ]),
  );
  const firstTwo = await raw.next(2);
  assert.deepEqual(
    firstTwo.map((m) => [m.command, m.requestId, 'status' in m ? m.status : -1]),
    [
      ['VERIFY_RESPONSE', 7, 0],
      ['VERIFY_RESPONSE', 8, 1],
    ],
  );
  raw.socket.write(
    encodeTvsMessage({
      command: 'QUERY_REQUEST',
      requestId: 9,
      issuerName: formatDnCucm(ccm.issuer),
      serialNumber: hexToBytes(ccm.serialHex),
    }),
  );
  const all = await raw.next(3);
  const third = all[2];
  assert.equal(third?.command, 'QUERY_RESPONSE');
  assert.equal(third.requestId, 9);
  assert.ok(third.certificate && Buffer.from(third.certificate).equals(ccm.der));
  raw.socket.end();
  await raw.closed;
});

test(
  'after maxRequestsPerConnection the server answers what it accepted and closes; ' +
    'a half-closed client still gets answers',
  async () => {
    const raw = await openRaw();
    const requests = [1, 2, 3, 4].map((id) =>
      encodeTvsMessage({ command: 'VERIFY_REQUEST', requestId: id, certificate: capf.der }),
    );
    raw.socket.end(Buffer.concat(requests));
    await raw.closed;
    assert.deepEqual(
      raw.messages.map((m) => m.requestId),
      [1, 2, 3],
    );
  },
);

test('a client that half-closes right after its request still gets the answer from a slow authority', async () => {
  const fast = testAuthority();
  const slow: TvsAuthority = {
    verify: async (der) => {
      await new Promise((r) => setTimeout(r, 300)); // the client's FIN arrives while this is pending
      return fast.verify(der);
    },
    query: (q) => fast.query(q),
  };
  const s = await startServer({}, slow);
  extraServers.push(s.server);
  const raw = await openRaw(s.port);
  raw.socket.end(encodeTvsMessage({ command: 'VERIFY_REQUEST', requestId: 77, certificate: ccm.der }));
  await raw.closed;
  assert.deepEqual(
    raw.messages.map((m) => [m.requestId, 'status' in m ? m.status : -1]),
    [[77, 0]],
  );
});

test('a connected client that sends nothing is closed by the idle timeout', async () => {
  const raw = await openRaw();
  await raw.closed;
  assert.deepEqual(raw.messages, []);
});

test('maxConnections: an extra connection is refused while the cap is held', async () => {
  const limited = await startServer({ maxConnections: 1, idleTimeoutMs: 60_000, handshakeTimeoutMs: 60_000 });
  extraServers.push(limited.server);
  const holder = await openRaw(limited.port);
  await assert.rejects(tvsVerify({ ...client(), port: limited.port, certDer: ccm.der }), { code: 'ERR_INTERNAL' });
  holder.socket.write(encodeTvsMessage({ command: 'VERIFY_REQUEST', requestId: 42, certificate: ccm.der }));
  const [answer] = await holder.next(1);
  assert.equal(answer?.requestId, 42);
  holder.socket.destroy();
  await limited.server.stop(); // also proves stop() does not wait for idle peers
});

test('a client that sends FIN before finishing the handshake is dropped at once, ' +
  'not held until the handshake timeout', {
  timeout: 30_000,
}, async () => {
  const s = await startServer({ idleTimeoutMs: 600_000, handshakeTimeoutMs: 600_000 });
  extraServers.push(s.server);
  const quitter = net.connect({ host: HOST, port: s.port });
  quitter.on('error', () => {});
  await new Promise<void>((resolve) => quitter.once('connect', resolve));
  const closed = new Promise<void>((resolve) => quitter.once('close', () => resolve()));
  quitter.end();
  await closed; // with a half-open listener this would wait for the (10-minute) handshake timeout
});

test('stop() closes unfinished handshakes and open connections', async () => {
  const s = await startServer({ idleTimeoutMs: 60_000, handshakeTimeoutMs: 60_000 });
  const stalled = net.connect({ host: HOST, port: s.port });
  stalled.on('error', () => {});
  await new Promise<void>((resolve) => stalled.once('connect', resolve));
  const open = await openRaw(s.port);
  const stalledClosed = new Promise<void>((resolve) => stalled.once('close', () => resolve()));
  await s.server.stop();
  await Promise.all([stalledClosed, open.closed]);
});
