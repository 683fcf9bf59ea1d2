// Integration tests of the TFTP server over real UDP on 127.0.0.1: our client, Debian's clients, raw packets.
//
// Debian clients (tftp-hpa `tftp`, `atftp`, `curl`) come from .ci/apt/tftp.txt. When one is missing the
// test fails under CI (process.env.CI) and is skipped locally with a message saying what to install.
// Nothing here asserts on durations; "eventually" conditions are polled until the test runner's timeout.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createDirectorySource,
  createLayeredSource,
  createMemorySource,
  createTftpServer,
  decodePacket,
  encodePacket,
  tftpGet,
  tftpGetDetailed,
  TftpClientError,
  type TftpPacket,
  type TftpServer,
  type TftpServerLimits,
} from '../../src/provisioning/tftp/index.ts';

const HOST = '127.0.0.1';

interface LogEntry {
  level: 'info' | 'warn';
  obj: Record<string, unknown>;
  msg: string;
}

let base: string;
let root: string;
const files: Record<string, Buffer> = {};
const GENERATED_ITL = Buffer.from('generated ITL wins over the static one');

async function startServer(limits: Partial<TftpServerLimits> = {}) {
  const logs: LogEntry[] = [];
  const server = createTftpServer({
    host: HOST,
    port: 0,
    source: createLayeredSource([createMemorySource({ 'ITLFile.tlv': GENERATED_ITL }), createDirectorySource(root)]),
    logger: {
      info: (obj, msg) => logs.push({ level: 'info', obj: obj as Record<string, unknown>, msg }),
      warn: (obj, msg) => logs.push({ level: 'warn', obj: obj as Record<string, unknown>, msg }),
    },
    limits: { maxWindow: 64, ...limits },
  });
  const { port } = await server.start();
  return { server, port, logs };
}

/** Polls until the server has no transfer left (the final ACK may still be in flight when a client returns). */
async function idle(server: TftpServer): Promise<void> {
  while (server.stats().activeTransfers > 0) await new Promise((r) => setTimeout(r, 5));
}

/** A raw UDP socket with a queue of received packets, for speaking TFTP by hand. */
async function rawSocket() {
  const sock = dgram.createSocket('udp4');
  const queue: { packet: TftpPacket; port: number }[] = [];
  const waiters: (() => void)[] = [];
  sock.on('message', (msg, rinfo) => {
    queue.push({ packet: decodePacket(msg), port: rinfo.port });
    for (const w of waiters.splice(0)) w();
  });
  await new Promise<void>((r) => sock.bind(0, HOST, () => r()));
  let inFlight = 0;
  let flushed: (() => void) | null = null;
  return {
    sock,
    send(packet: TftpPacket | Buffer, port: number): void {
      inFlight++;
      sock.send(Buffer.isBuffer(packet) ? packet : encodePacket(packet), port, HOST, () => {
        if (--inFlight === 0) flushed?.();
      });
    },
    async next(): Promise<{ packet: TftpPacket; port: number }> {
      while (queue.length === 0) await new Promise<void>((r) => waiters.push(r));
      return queue.shift()!;
    },
    /** Closes after queued datagrams have left (closing at once would drop them). */
    async close(): Promise<void> {
      if (inFlight > 0) await new Promise<void>((r) => (flushed = r));
      sock.close();
    },
  };
}

const rrq = (filename: string, options: [string, string][] = [], mode: 'octet' | 'netascii' = 'octet'): TftpPacket => ({
  op: 'RRQ',
  filename,
  mode,
  options: new Map(options),
});

function run(cmd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 20_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

function binary(path: string): string | null {
  return existsSync(path) ? path : null;
}
const TFTP = binary('/usr/bin/tftp');
const ATFTP = binary('/usr/bin/atftp');
const CURL = binary('/usr/bin/curl');

/** Missing Debian client: a failure under CI, a skip (with what to install) locally. */
function needs(bin: string | null, pkg: string): { skip?: string } {
  if (bin) return {};
  if (process.env.CI) throw new Error(`${pkg} is not installed; .ci/run installs it from .ci/apt/tftp.txt`);
  return { skip: `${pkg} not installed (apt-get install ${pkg}); skipped locally, fails under CI` };
}

before(async () => {
  base = await mkdtemp(join(tmpdir(), 'tftp-it-'));
  root = join(base, 'root');
  await mkdir(join(root, 'firmware'), { recursive: true });
  files['small.bin'] = randomBytes(10_000);
  files['exact.bin'] = randomBytes(1024 * 4); // multiple of 512 and 1024: ends with an empty block
  files['empty.bin'] = Buffer.alloc(0);
  files['big.bin'] = randomBytes(1024 * 1024);
  files['wrap.bin'] = randomBytes(8 * 65_600 + 5); // > 65535 blocks at blksize 8
  files['firmware/sip78xx.loads'] = randomBytes(70_000);
  files['SEP001122334455.cnf.xml'] = Buffer.from('<device>\n  <fullConfig>true</fullConfig>\n</device>\n');
  for (const [name, data] of Object.entries(files)) await writeFile(join(root, name), data);
  await writeFile(join(root, 'ITLFile.tlv'), 'static ITL, shadowed by the generated layer');
  await writeFile(join(base, 'secret.txt'), 'must never be served');
  await symlink(join(base, 'secret.txt'), join(root, 'escape.txt'));
});

after(async () => {
  await rm(base, { recursive: true, force: true });
});

describe('tftp server with our client', () => {
  let s: Awaited<ReturnType<typeof startServer>>;
  before(async () => {
    s = await startServer();
  });
  after(async () => {
    await s.server.stop();
  });

  for (const [blksize, windowsize] of [
    [undefined, undefined],
    [1024, undefined],
    [1468, 16],
    [512, 4],
    [65464, 64],
  ] as const) {
    it(
      `small, exact-multiple and empty files arrive byte identical (blksize ${blksize ?? 'default'}, ` +
        `windowsize ${windowsize ?? 'default'})`,
      async () => {
        for (const name of ['small.bin', 'exact.bin', 'empty.bin', 'firmware/sip78xx.loads']) {
          const got = await tftpGet({ host: HOST, port: s.port, filename: name, blksize, windowsize });
          assert.ok(got.equals(files[name]!), name);
        }
      },
    );
  }

  it('negotiates options: blksize capped at 1468, windowsize capped, tsize answered with the real size', async () => {
    const r = await tftpGetDetailed({
      host: HOST,
      port: s.port,
      filename: 'big.bin',
      blksize: 65464,
      windowsize: 65535,
      tsize: true,
      timeoutS: 3,
    });
    assert.deepEqual(r.negotiated, { blksize: 1468, windowsize: 64, tsize: files['big.bin']!.length });
    assert.equal(r.oack?.get('timeout'), '3');
    assert.ok(r.data.equals(files['big.bin']!));
  });

  it('a transfer of more than 65535 blocks wraps the block number and arrives intact', async () => {
    const got = await tftpGet({ host: HOST, port: s.port, filename: 'wrap.bin', blksize: 8, windowsize: 64 });
    assert.ok(got.equals(files['wrap.bin']!));
  });

  it('netascii mode converts line ends on the wire and back', async () => {
    const got = await tftpGet({
      host: HOST,
      port: s.port,
      filename: 'SEP001122334455.cnf.xml',
      mode: 'netascii',
      tsize: true,
    });
    assert.ok(got.equals(files['SEP001122334455.cnf.xml']!));
  });

  it('the generated layer wins over the static directory; a leading slash names the root', async () => {
    assert.ok((await tftpGet({ host: HOST, port: s.port, filename: 'ITLFile.tlv' })).equals(GENERATED_ITL));
    assert.ok((await tftpGet({ host: HOST, port: s.port, filename: '/small.bin' })).equals(files['small.bin']!));
  });

  it('unknown files and traversal attempts get an ERROR packet', async () => {
    const expectRemote = async (filename: string, code: number): Promise<void> => {
      await assert.rejects(
        tftpGet({ host: HOST, port: s.port, filename }),
        (e: unknown) => e instanceof TftpClientError && e.kind === 'remote' && e.tftpCode === code,
      );
    };
    await expectRemote('SEPFFFFFFFFFFFF.cnf.xml', 1);
    await expectRemote('../secret.txt', 2);
    await expectRemote('firmware/../../secret.txt', 2);
    await expectRemote('escape.txt', 2);
    await expectRemote('/etc/passwd', 1);
    await expectRemote('firmware', 2);
  });

  it('every request is logged with the peer address, the file and the outcome', async () => {
    await idle(s.server);
    const served = s.logs.find((l) => l.obj.filename === 'small.bin' && l.obj.outcome === 'complete');
    assert.match(String(served?.obj.peer), /^127\.0\.0\.1:\d+$/);
    assert.equal(served?.obj.bytes, files['small.bin']!.length);
    assert.ok(s.logs.some((l) => l.obj.filename === 'SEPFFFFFFFFFFFF.cnf.xml' && l.obj.outcome === 'not-found'));
    assert.ok(
      s.logs.some((l) => l.obj.filename === '../secret.txt' && l.obj.outcome === 'denied' && l.level === 'warn'),
    );
  });
});

describe('tftp server with Debian clients', () => {
  let s: Awaited<ReturnType<typeof startServer>>;
  let out: string;
  before(async () => {
    s = await startServer();
    out = await mkdtemp(join(tmpdir(), 'tftp-it-out-'));
  });
  after(async () => {
    await s.server.stop();
    await rm(out, { recursive: true, force: true });
  });

  it('tftp-hpa: binary and ascii downloads are byte identical', needs(TFTP, 'tftp-hpa'), async () => {
    for (const name of ['small.bin', 'exact.bin', 'empty.bin', 'big.bin']) {
      const dest = join(out, `hpa-${name}`);
      const r = await run(TFTP!, [HOST, String(s.port), '-m', 'binary', '-c', 'get', name, dest]);
      assert.equal(r.stderr + r.stdout, '', name);
      assert.ok((await readFile(dest)).equals(files[name]!), name);
    }
    const dest = join(out, 'hpa.cnf.xml');
    await run(TFTP!, [HOST, String(s.port), '-m', 'ascii', '-c', 'get', 'SEP001122334455.cnf.xml', dest]);
    assert.ok((await readFile(dest)).equals(files['SEP001122334455.cnf.xml']!));
  });

  it(
    'tftp-hpa: unknown file, traversal and upload are refused with error packets',
    needs(TFTP, 'tftp-hpa'),
    async () => {
      const get = (name: string) =>
        run(TFTP!, [HOST, String(s.port), '-m', 'binary', '-c', 'get', name, join(out, 'refused')]);
      const nf = await get('nope.tlv');
      assert.match(nf.stdout + nf.stderr, /Error code 1: File not found/);
      const trav = await get('../secret.txt');
      assert.match(trav.stdout + trav.stderr, /Error code 2: Access violation/);
      const put = await run(TFTP!, [
        HOST,
        String(s.port),
        '-m',
        'binary',
        '-c',
        'put',
        join(root, 'small.bin'),
        'upload.bin',
      ]);
      assert.match(put.stdout + put.stderr, /Error code 2: Access violation/);
      assert.equal(existsSync(join(root, 'upload.bin')), false);
    },
  );

  it(
    'atftp: blksize, windowsize and tsize are negotiated and files are byte identical',
    needs(ATFTP, 'atftp'),
    async () => {
      for (const [name, opts] of [
        ['big.bin', ['--option', 'blksize 1024', '--option', 'windowsize 4', '--option', 'tsize enable']],
        ['exact.bin', ['--option', 'blksize 1024']],
        ['small.bin', ['--option', 'blksize 8', '--option', 'windowsize 16']],
        ['empty.bin', []],
        ['firmware/sip78xx.loads', ['--option', 'blksize 65464', '--option', 'windowsize 65535']],
      ] as const) {
        const dest = join(out, `atftp-${name.replace('/', '_')}`);
        const r = await run(ATFTP!, ['--verbose', ...opts, '--get', '-r', name, '-l', dest, HOST, String(s.port)]);
        assert.equal(r.code, 0, `${name}: ${r.stderr}`);
        assert.ok((await readFile(dest)).equals(files[name]!), name);
      }
      await idle(s.server);
      const log = s.logs.find((l) => l.obj.filename === 'big.bin' && l.obj.blksize === 1024 && l.obj.windowsize === 4);
      assert.equal(log?.obj.outcome, 'complete');
      const capped = s.logs.find((l) => l.obj.filename === 'firmware/sip78xx.loads' && l.obj.windowsize === 64);
      assert.equal(capped?.obj.blksize, 1468);
    },
  );

  it('atftp: unknown file, traversal and upload are refused', needs(ATFTP, 'atftp'), async () => {
    const nf = await run(ATFTP!, ['--get', '-r', 'nope.tlv', '-l', join(out, 'x'), HOST, String(s.port)]);
    assert.notEqual(nf.code, 0);
    assert.match(nf.stderr + nf.stdout, /File not found/);
    const trav = await run(ATFTP!, ['--get', '-r', '../secret.txt', '-l', join(out, 'x'), HOST, String(s.port)]);
    assert.match(trav.stderr + trav.stdout, /Access violation/);
    const put = await run(ATFTP!, ['--put', '-r', 'upload.bin', '-l', join(root, 'small.bin'), HOST, String(s.port)]);
    assert.notEqual(put.code, 0);
    assert.equal(existsSync(join(root, 'upload.bin')), false);
  });

  it(
    'curl: downloads with --tftp-blksize are byte identical; errors map to curl exit codes',
    needs(CURL, 'curl'),
    async () => {
      for (const [name, args] of [
        ['big.bin', ['--tftp-blksize', '1024']],
        ['exact.bin', ['--tftp-blksize', '1024']],
        ['small.bin', []],
        ['empty.bin', ['--tftp-no-options']],
      ] as const) {
        const dest = join(out, `curl-${name}`);
        const r = await run(CURL!, ['-sS', ...args, `tftp://${HOST}:${s.port}/${name}`, '-o', dest]);
        assert.equal(r.code, 0, `${name}: ${r.stderr}`);
        assert.ok((await readFile(dest)).equals(files[name]!), name);
      }
      const nf = await run(CURL!, ['-sS', `tftp://${HOST}:${s.port}/nope.tlv`, '-o', join(out, 'x')]);
      assert.equal(nf.code, 68); // CURLE_TFTP_NOTFOUND
      const trav = await run(CURL!, [
        '-sS',
        '--path-as-is',
        `tftp://${HOST}:${s.port}/../secret.txt`,
        '-o',
        join(out, 'x'),
      ]);
      assert.equal(trav.code, 69); // CURLE_REMOTE_ACCESS_DENIED (TFTP error 2)
      const put = await run(CURL!, ['-sS', '-T', join(root, 'small.bin'), `tftp://${HOST}:${s.port}/upload.bin`]);
      assert.equal(put.code, 69);
    },
  );
});

describe('tftp server under bad input and load', () => {
  // `s` retransmits quickly so timeouts happen within the test; `patient` never retransmits during a
  // test, so every DATA it sends was caused by a packet of ours.
  let s: Awaited<ReturnType<typeof startServer>>;
  let patient: Awaited<ReturnType<typeof startServer>>;
  before(async () => {
    s = await startServer({ timeoutMs: 40, retries: 2, maxPerClient: 4, maxTransfers: 64 });
    patient = await startServer({ timeoutMs: 60_000 });
  });
  after(async () => {
    await s.server.stop();
    await patient.server.stop();
  });

  it('malformed packets and unknown opcodes get ERROR 4; the server keeps serving', async () => {
    const raw = await rawSocket();
    const garbage = [
      Buffer.from([]),
      Buffer.from([0]),
      Buffer.from([0, 9, 1, 2]),
      Buffer.from([0, 1, 0x61, 0x62]),
      Buffer.from([0, 1, 0x61, 0, 0x78, 0]),
      Buffer.from([0, 4, 0, 1]),
    ];
    for (const g of garbage) {
      raw.send(g, s.port);
      const { packet } = await raw.next();
      assert.equal(packet.op === 'ERROR' && packet.code, 4, g.toString('hex'));
    }
    raw.send({ op: 'ERROR', code: 0, message: 'stray' }, s.port); // never answered
    raw.send(rrq('nope'), s.port);
    const { packet } = await raw.next();
    assert.deepEqual(packet, { op: 'ERROR', code: 1, message: 'File not found' });
    await raw.close();
    assert.ok((await tftpGet({ host: HOST, port: s.port, filename: 'small.bin' })).equals(files['small.bin']!));
  });

  it('a WRQ is refused with ERROR 2', async () => {
    const raw = await rawSocket();
    raw.send({ op: 'WRQ', filename: 'x.bin', mode: 'octet', options: new Map([['blksize', '1024']]) }, s.port);
    const { packet } = await raw.next();
    assert.equal(packet.op === 'ERROR' && packet.code, 2);
    await raw.close();
  });

  it('blksize 1 is ignored (512 used), windowsize 65535 is clamped to the cap', async () => {
    const raw = await rawSocket();
    raw.send(rrq('small.bin', [['blksize', '1']]), patient.port);
    const first = await raw.next();
    assert.equal(first.packet.op === 'DATA' && first.packet.data.length, 512);
    raw.send({ op: 'ERROR', code: 0, message: 'done' }, first.port);
    await raw.close();

    const raw2 = await rawSocket();
    raw2.send(
      rrq('small.bin', [
        ['windowsize', '65535'],
        ['blksize', '1'],
      ]),
      patient.port,
    );
    const oack = await raw2.next();
    assert.deepEqual(oack.packet, { op: 'OACK', options: new Map([['windowsize', '64']]) });
    raw2.send({ op: 'ERROR', code: 8, message: 'changed my mind' }, oack.port);
    await raw2.close();
    await idle(patient.server);
  });

  it("duplicate ACKs do not make the server resend (no Sorcerer's Apprentice)", async () => {
    const raw = await rawSocket();
    raw.send(rrq('small.bin', [['blksize', '4096']]), patient.port); // 10000 bytes, capped to 1468 -> 7 blocks
    const oack = await raw.next();
    assert.equal(oack.packet.op, 'OACK');
    const tid = oack.port;
    const blocks: number[] = [];
    raw.send({ op: 'ACK', block: 0 }, tid);
    for (;;) {
      const { packet } = await raw.next();
      assert.equal(packet.op, 'DATA');
      if (packet.op !== 'DATA') break;
      blocks.push(packet.block);
      // stale duplicates
      for (let i = 0; i < 3; i++) raw.send({ op: 'ACK', block: Math.max(packet.block - 1, 0) }, tid);
      raw.send({ op: 'ACK', block: packet.block }, tid);
      raw.send({ op: 'ACK', block: packet.block }, tid); // duplicate of the current one
      if (packet.data.length < 1468) break;
    }
    assert.deepEqual(blocks, [1, 2, 3, 4, 5, 6, 7]);
    await raw.close();
    await idle(patient.server);
    assert.equal(patient.server.stats().activeTransfers, 0);
  });

  it('a packet from a stranger gets ERROR 5 and the transfer goes on', async () => {
    const raw = await rawSocket();
    const stranger = await rawSocket();
    raw.send(rrq('small.bin'), patient.port);
    const first = await raw.next();
    stranger.send({ op: 'ACK', block: 1 }, first.port);
    assert.deepEqual((await stranger.next()).packet, { op: 'ERROR', code: 5, message: 'Unknown transfer ID' });
    raw.send({ op: 'ACK', block: 1 }, first.port);
    const second = await raw.next();
    assert.equal(second.packet.op === 'DATA' && second.packet.block, 2);
    raw.send({ op: 'ERROR', code: 0, message: 'bye' }, first.port);
    await raw.close();
    await stranger.close();
    await idle(patient.server);
  });

  it(
    'silent clients time out: the window is resent a bounded number of times, ' + 'then the transfer is freed',
    async () => {
      const before = s.server.stats().timedOut;
      const raw = await rawSocket();
      raw.send(rrq('small.bin'), s.port);
      raw.send(rrq('small.bin'), s.port); // retransmitted request: must not start a second transfer
      const seen: number[] = [];
      for (let i = 0; i < 3; i++) {
        const { packet } = await raw.next();
        if (packet.op === 'DATA') seen.push(packet.block);
      }
      assert.deepEqual(seen, [1, 1, 1]);
      await idle(s.server);
      assert.equal(s.server.stats().timedOut, before + 1);
      await raw.close();
    },
  );

  it(
    'a flood from one address is answered (busy errors past the per-client cap) ' + 'and leaves no transfer behind',
    async () => {
      const raw = await rawSocket();
      const sockets = await Promise.all(Array.from({ length: 20 }, () => rawSocket()));
      for (const sock of sockets) sock.send(rrq('big.bin'), s.port);
      const replies = await Promise.all(sockets.map((sock) => sock.next()));
      const busy = replies.filter((r) => r.packet.op === 'ERROR' && r.packet.code === 0);
      const served = replies.filter((r) => r.packet.op === 'DATA');
      assert.equal(served.length, 4);
      assert.equal(busy.length, 16);
      assert.equal(replies.length, served.length + busy.length);
      // Garbage in batches small enough for the socket buffers on both sides; every datagram gets an ERROR.
      for (let batch = 0; batch < 20; batch++) {
        for (let i = 0; i < 100; i++) raw.send(Buffer.from([0, 1, i & 0xff]), s.port);
        for (let i = 0; i < 100; i++) assert.equal((await raw.next()).packet.op, 'ERROR');
      }
      await Promise.all(sockets.map((sock) => sock.close()));
      await raw.close();
      await idle(s.server);
      const st = s.server.stats();
      assert.equal(st.activeTransfers, 0);
      assert.ok(st.malformed >= 2000);
      assert.ok((await tftpGet({ host: HOST, port: s.port, filename: 'small.bin' })).equals(files['small.bin']!));
    },
  );

  it('stop() aborts running transfers and frees them', async () => {
    const t = await startServer();
    const raw = await rawSocket();
    raw.send(rrq('big.bin'), t.port);
    const first = await raw.next();
    assert.equal(first.packet.op, 'DATA');
    await t.server.stop();
    assert.equal(t.server.stats().activeTransfers, 0);
    assert.deepEqual((await raw.next()).packet, { op: 'ERROR', code: 0, message: 'Server shutting down' });
    await raw.close();
  });
});

describe('tftp client input', () => {
  it('a port that is not 1..65535 is a rejected promise, not an exception thrown from a socket callback', async () => {
    for (const port of [0, -1, 70000, 1.5]) {
      await assert.rejects(
        tftpGet({ host: '127.0.0.1', port, filename: 'ITLFile.tlv' }),
        (e: unknown) => e instanceof TftpClientError && /no valid server port/.test(e.message),
      );
    }
  });
});
