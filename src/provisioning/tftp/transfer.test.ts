// Tests the read-transfer state machine with a fake socket and a fake timer (no real time passes).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodePacket, encodeAck, encodeError, encodePacket, type TftpPacket } from './packets.ts';
import { ReadTransfer, type TftpPeer, type TransferOutcome } from './transfer.ts';
import { fromNetascii, toNetascii } from './netascii.ts';

const PEER: TftpPeer = { address: '192.0.2.10', port: 50000 };
const STRANGER: TftpPeer = { address: '192.0.2.10', port: 50001 };

function harness(opts: {
  size: number;
  blksize?: number;
  windowsize?: number;
  retries?: number;
  oack?: Map<string, string> | null;
}) {
  const data = Buffer.alloc(opts.size);
  for (let i = 0; i < data.length; i++) data[i] = i % 251;
  const sent: { packet: TftpPacket; to: TftpPeer }[] = [];
  const timer = { armed: false, ms: 0, arms: 0 };
  const outcomes: TransferOutcome[] = [];
  const t = new ReadTransfer({
    peer: PEER,
    data,
    blksize: opts.blksize ?? 512,
    windowsize: opts.windowsize ?? 1,
    timeoutMs: 1000,
    retries: opts.retries ?? 3,
    oack: opts.oack ?? null,
    io: {
      send: (packet, to = PEER) => sent.push({ packet: decodePacket(packet), to }),
      armTimer: (ms) => Object.assign(timer, { armed: true, ms, arms: timer.arms + 1 }),
      clearTimer: () => Object.assign(timer, { armed: false }),
    },
    onDone: (o) => outcomes.push(o),
  });
  const take = () => sent.splice(0, sent.length);
  const dataBlocks = () => take().map((s) => (s.packet.op === 'DATA' ? s.packet.block : -1));
  const ack = (block: number, from = PEER) => t.onDatagram(encodeAck(block), from);
  return { t, data, sent, take, dataBlocks, ack, timer, outcomes };
}

test('lock-step transfer of a short file: one DATA, complete on its ACK', () => {
  const h = harness({ size: 100 });
  h.t.start();
  const [first] = h.take();
  assert.equal(first!.packet.op, 'DATA');
  assert.equal(first!.packet.op === 'DATA' && first!.packet.data.length, 100);
  assert.equal(h.timer.armed, true);
  h.ack(1);
  assert.deepEqual(h.outcomes, [{ status: 'complete', bytes: 100 }]);
  assert.equal(h.timer.armed, false);
  assert.equal(h.t.done, true);
});

test('exact multiple of blksize ends with a zero-length block', () => {
  const h = harness({ size: 1024 });
  h.t.start();
  assert.deepEqual(h.dataBlocks(), [1]);
  h.ack(1);
  assert.deepEqual(h.dataBlocks(), [2]);
  h.ack(2);
  const [last] = h.take();
  assert.deepEqual(last!.packet.op === 'DATA' && [last!.packet.block, last!.packet.data.length], [3, 0]);
  assert.equal(h.outcomes.length, 0);
  h.ack(3);
  assert.equal(h.outcomes[0]?.status, 'complete');
});

test('empty file: a single empty DATA block', () => {
  const h = harness({ size: 0 });
  h.t.start();
  const [only] = h.take();
  assert.equal(only!.packet.op === 'DATA' && only!.packet.data.length, 0);
  h.ack(1);
  assert.deepEqual(h.outcomes, [{ status: 'complete', bytes: 0 }]);
});

test("duplicate ACKs never trigger a resend (no Sorcerer's Apprentice)", () => {
  const h = harness({ size: 2000 });
  h.t.start();
  h.take();
  h.ack(1);
  assert.deepEqual(h.dataBlocks(), [2]);
  h.ack(1);
  h.ack(1);
  h.ack(0);
  assert.deepEqual(h.dataBlocks(), []);
  h.ack(2);
  assert.deepEqual(h.dataBlocks(), [3]);
});

test('an ACK for a block not yet sent is ignored', () => {
  const h = harness({ size: 5000 });
  h.t.start();
  h.take();
  h.ack(7);
  assert.deepEqual(h.dataBlocks(), []);
});

test('timeout retransmits the window, retries are bounded, then the transfer ends as timed out', () => {
  const h = harness({ size: 5000, retries: 2 });
  h.t.start();
  assert.deepEqual(h.dataBlocks(), [1]);
  h.t.onTimer();
  assert.deepEqual(h.dataBlocks(), [1]);
  h.t.onTimer();
  assert.deepEqual(h.dataBlocks(), [1]);
  h.t.onTimer();
  assert.deepEqual(h.dataBlocks(), []);
  assert.deepEqual(h.outcomes, [{ status: 'timeout', bytes: 0 }]);
  h.t.onTimer();
  h.ack(1);
  assert.equal(h.outcomes.length, 1);
});

test('progress resets the retry budget', () => {
  const h = harness({ size: 5000, retries: 1 });
  h.t.start();
  h.t.onTimer();
  h.ack(1);
  h.t.onTimer();
  assert.equal(h.outcomes.length, 0);
  h.take();
  h.t.onTimer();
  assert.equal(h.outcomes[0]?.status, 'timeout');
  assert.equal(h.outcomes[0]?.bytes, 512);
});

test('windowed sending; a partial-window ACK restarts from the next block (RFC 7440 §4)', () => {
  const h = harness({ size: 512 * 10 + 3, windowsize: 4 });
  h.t.start();
  assert.deepEqual(h.dataBlocks(), [1, 2, 3, 4]);
  h.ack(4);
  assert.deepEqual(h.dataBlocks(), [5, 6, 7, 8]);
  h.ack(6); // 7 lost
  assert.deepEqual(h.dataBlocks(), [7, 8, 9, 10]);
  h.ack(6); // duplicate: nothing
  assert.deepEqual(h.dataBlocks(), []);
  h.t.onTimer();
  assert.deepEqual(h.dataBlocks(), [7, 8, 9, 10]);
  h.ack(10);
  assert.deepEqual(h.dataBlocks(), [11]);
  h.ack(11);
  assert.deepEqual(h.outcomes, [{ status: 'complete', bytes: 512 * 10 + 3 }]);
});

test('OACK first; ACK 0 starts the data; the OACK is retransmitted on timeout', () => {
  const h = harness({ size: 100, blksize: 64, oack: new Map([['blksize', '64']]) });
  h.t.start();
  assert.deepEqual(
    h.take().map((s) => s.packet),
    [{ op: 'OACK', options: new Map([['blksize', '64']]) }],
  );
  h.t.onTimer();
  assert.equal(h.take()[0]?.packet.op, 'OACK');
  h.ack(5);
  assert.deepEqual(h.dataBlocks(), []);
  h.ack(0);
  assert.deepEqual(h.dataBlocks(), [1]);
  h.ack(0);
  assert.deepEqual(h.dataBlocks(), []);
  h.ack(1);
  assert.deepEqual(h.dataBlocks(), [2]);
  h.ack(2);
  assert.equal(h.outcomes[0]?.status, 'complete');
});

test('the client refusing the OACK with ERROR 8 ends the transfer without an answer', () => {
  const h = harness({ size: 100, oack: new Map([['blksize', '64']]) });
  h.t.start();
  h.take();
  h.t.onDatagram(encodeError(8, 'nope'), PEER);
  assert.deepEqual(h.outcomes, [{ status: 'peer-error', bytes: 0, code: 8, message: 'nope' }]);
  assert.deepEqual(h.take(), []);
});

test("a stranger gets ERROR 5 and the transfer continues; a stranger's ERROR is not answered", () => {
  const h = harness({ size: 2000 });
  h.t.start();
  h.take();
  h.ack(1, STRANGER);
  const [reply] = h.take();
  assert.deepEqual(reply, { packet: { op: 'ERROR', code: 5, message: 'Unknown transfer ID' }, to: STRANGER });
  h.t.onDatagram(encodeError(0, 'x'), STRANGER);
  assert.deepEqual(h.take(), []);
  h.ack(1);
  assert.deepEqual(h.dataBlocks(), [2]);
});

test('garbage and non-ACK packets from the peer are ignored', () => {
  const h = harness({ size: 2000 });
  h.t.start();
  h.take();
  h.t.onDatagram(Buffer.from([0, 9, 1]), PEER);
  h.t.onDatagram(encodePacket({ op: 'DATA', block: 1, data: Buffer.alloc(3) }), PEER);
  h.t.onDatagram(encodePacket({ op: 'RRQ', filename: 'x', mode: 'octet', options: new Map() }), PEER);
  assert.deepEqual(h.take(), []);
  assert.equal(h.outcomes.length, 0);
});

test('block numbers wrap 65535 -> 0 and ACKs are mapped across the wrap', () => {
  const blksize = 8;
  const blocks = 65536 + 10;
  const h = harness({ size: blksize * blocks - 3, blksize, windowsize: 16 });
  h.t.start();
  let wire: number[] = h.dataBlocks();
  let abs = 0;
  const seen: number[] = [];
  while (h.outcomes.length === 0) {
    assert.ok(wire.length > 0);
    abs += wire.length;
    if (abs >= 65500 && abs <= 65600) seen.push(...wire);
    h.ack(wire[wire.length - 1]!);
    wire = h.dataBlocks();
  }
  assert.equal(abs, blocks);
  assert.ok(seen.includes(65535) && seen.includes(0) && seen.includes(1));
  assert.deepEqual(h.outcomes, [{ status: 'complete', bytes: blksize * blocks - 3 }]);
});

test('abort sends ERROR 0 to the peer and frees the transfer', () => {
  const h = harness({ size: 2000 });
  h.t.start();
  h.take();
  h.t.abort('Server shutting down');
  assert.deepEqual(h.take()[0]?.packet, { op: 'ERROR', code: 0, message: 'Server shutting down' });
  assert.equal(h.outcomes[0]?.status, 'aborted');
  assert.equal(h.timer.armed, false);
});

test('netascii: LF -> CR LF, CR -> CR NUL, and back', () => {
  const local = Buffer.from('a\nb\rc\r\n');
  const wire = toNetascii(local);
  assert.deepEqual(wire, Buffer.from('a\r\nb\r\0c\r\0\r\n'));
  assert.deepEqual(fromNetascii(wire), local);
  assert.deepEqual(toNetascii(Buffer.from('plain')), Buffer.from('plain'));
});
