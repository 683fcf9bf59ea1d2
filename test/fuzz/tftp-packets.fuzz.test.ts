// Property tests of the TFTP codec and transfer: decode returns a packet or throws CodecError, nothing else.
//
// Fixed seed so failures reproduce; no catch-all: anything but CodecError fails the property.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CodecError } from '../../src/shared/errors.ts';
import { decodePacket, encodePacket, TFTP_MODES, type TftpPacket } from '../../src/provisioning/tftp/packets.ts';
import { negotiateReadOptions } from '../../src/provisioning/tftp/options.ts';
import { ReadTransfer } from '../../src/provisioning/tftp/transfer.ts';

const PARAMS = { seed: 0x7f7d, numRuns: 3000 } as const;

const wireString = (maxLength: number): fc.Arbitrary<string> =>
  fc
    .uint8Array({ minLength: 1, maxLength })
    .map((u) => Buffer.from(u.map((b) => (b === 0 ? 0x41 : b))).toString('latin1'));
const u16 = fc.integer({ min: 0, max: 0xffff });
const options = fc
  .uniqueArray(
    fc.tuple(
      wireString(10).map((s) => s.toLowerCase()),
      fc.oneof(wireString(8), fc.constant('')),
    ),
    {
      maxLength: 5,
      selector: ([k]) => k,
    },
  )
  .map((pairs) => new Map(pairs));

const packetArb: fc.Arbitrary<TftpPacket> = fc
  .oneof(
    fc.record({
      op: fc.constantFrom('RRQ' as const, 'WRQ' as const),
      filename: wireString(60),
      mode: fc.constantFrom(...TFTP_MODES),
      options,
    }),
    fc.record({ op: fc.constant('DATA' as const), block: u16, data: fc.uint8Array({ maxLength: 600 }) }),
    fc.record({ op: fc.constant('ACK' as const), block: u16 }),
    fc.record({ op: fc.constant('ERROR' as const), code: u16, message: fc.oneof(wireString(40), fc.constant('')) }),
    fc.record({ op: fc.constant('OACK' as const), options }),
  )
  .map((p) => ({ ...p }) as TftpPacket);

function decodeOrCodecError(bytes: Uint8Array): TftpPacket | CodecError {
  try {
    return decodePacket(bytes);
  } catch (e) {
    if (e instanceof CodecError) return e;
    throw e;
  }
}

describe('tftp packets (fuzz)', () => {
  it('decode of random bytes returns a packet or throws CodecError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 700 }), (bytes) => {
        decodeOrCodecError(bytes);
      }),
      PARAMS,
    );
  });

  it('decode of random bytes behind a valid opcode returns a packet or throws CodecError', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 8 }), fc.uint8Array({ maxLength: 600 }), (op, body) => {
        decodeOrCodecError(Buffer.concat([Buffer.from([0, op]), body]));
      }),
      PARAMS,
    );
  });

  it('encode then decode is the identity for well-formed packets (when within size limits)', () => {
    fc.assert(
      fc.property(packetArb, (p) => {
        let bytes: Buffer;
        try {
          bytes = encodePacket(p);
        } catch (e) {
          // Only an over-long request may be refused by the encoder (RFC 2347 512-byte limit).
          assert.ok(e instanceof CodecError && e.code === 'ERR_CODEC_TOO_LARGE');
          return;
        }
        const back = decodePacket(bytes);
        const norm = (x: TftpPacket): unknown => (x.op === 'DATA' ? { ...x, data: Buffer.from(x.data) } : x);
        assert.deepEqual(norm(back), norm(p));
      }),
      PARAMS,
    );
  });

  it('truncating a valid packet at any offset gives a packet or CodecError', () => {
    fc.assert(
      fc.property(packetArb, fc.nat(), (p, cut) => {
        let bytes: Buffer;
        try {
          bytes = encodePacket(p);
        } catch {
          return;
        }
        decodeOrCodecError(bytes.subarray(0, cut % (bytes.length + 1)));
      }),
      PARAMS,
    );
  });

  it('option negotiation never grants values outside the RFC ranges', () => {
    fc.assert(
      fc.property(options, fc.nat(), (opts, size) => {
        const { negotiated } = negotiateReadOptions(opts, size, { maxBlksize: 1468, maxWindow: 64 });
        assert.ok(negotiated.blksize >= 8 && negotiated.blksize <= 1468);
        assert.ok(negotiated.windowsize >= 1 && negotiated.windowsize <= 64);
      }),
      PARAMS,
    );
  });

  it('a transfer fed random datagrams never throws and never sends more than a window per event', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.uint8Array({ maxLength: 20 }),
            u16.map((b) => Buffer.from([0, 4, b >> 8, b & 0xff])),
          ),
          { maxLength: 50 },
        ),
        (msgs) => {
          let sends = 0;
          let done = 0;
          const t = new ReadTransfer({
            peer: { address: '127.0.0.1', port: 9 },
            data: Buffer.alloc(5000),
            blksize: 64,
            windowsize: 4,
            timeoutMs: 1000,
            retries: 2,
            oack: null,
            io: { send: () => void sends++, armTimer: () => {}, clearTimer: () => {} },
            onDone: () => void done++,
          });
          t.start();
          for (const m of msgs) {
            sends = 0;
            t.onDatagram(m, { address: '127.0.0.1', port: 9 });
            assert.ok(sends <= 4);
          }
          assert.ok(done <= 1);
        },
      ),
      PARAMS,
    );
  });
});
