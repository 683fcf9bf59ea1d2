// Fuzzes the TVS codec: the decoders return messages or throw CodecError, nothing else; encode/decode round-trips.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CodecError } from '../../src/shared/errors.ts';
import { createTvsDecoder, decodeTvsFrame, encodeTvsMessage, type TvsMessage } from '../../src/tvs/codec.ts';
import { TVS_HEADER_BYTES } from '../../src/tvs/constants.ts';

const SEED = 0x2445;
const COMMANDS = new Set(['VERIFY_REQUEST', 'VERIFY_RESPONSE', 'QUERY_REQUEST', 'QUERY_RESPONSE']);

/** Runs `fn`; a CodecError is an accepted outcome, any other throw fails the property. */
function messagesOrCodecError(fn: () => TvsMessage[]): void {
  let messages: TvsMessage[];
  try {
    messages = fn();
  } catch (e) {
    if (e instanceof CodecError) return;
    throw new Error(`decoder threw something other than CodecError: ${String(e)}`, { cause: e });
  }
  for (const m of messages) {
    assert.ok(COMMANDS.has(m.command), `unexpected command ${m.command}`);
    assert.ok(Number.isInteger(m.requestId) && m.requestId >= 0 && m.requestId <= 0xffffffff);
  }
}

/** Feeds `bytes` to a fresh push decoder in pieces cut at `cuts`; stops at the first error, as a socket would. */
function pushInPieces(bytes: Uint8Array, cuts: number[], maxBodyBytes: number): TvsMessage[] {
  const decoder = createTvsDecoder({ maxBodyBytes });
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: TvsMessage[] = [];
  let start = 0;
  for (const p of [...points, bytes.length]) {
    out.push(...decoder.push(bytes.subarray(start, p)));
    start = p;
  }
  decoder.end();
  assert.ok(decoder.bufferedBytes <= TVS_HEADER_BYTES + maxBodyBytes);
  return out;
}

const printableAscii = fc
  .array(fc.integer({ min: 0x20, max: 0x7e }), { minLength: 1, maxLength: 40 })
  .map((a) => String.fromCharCode(...a));
const cText = fc.string({ unit: 'grapheme', maxLength: 60 }).filter((s) => !s.includes('\0'));
const der = fc.uint8Array({ minLength: 1, maxLength: 1500 });
const requestId = fc.integer({ min: 0, max: 0xffffffff });
const roles = fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 8 });
const ttl = fc.integer({ min: 0, max: 0xffffffff });
const status = fc.integer({ min: 0, max: 255 });

const message: fc.Arbitrary<TvsMessage> = fc.oneof(
  fc.record(
    { command: fc.constant('VERIFY_REQUEST' as const), requestId, deviceName: printableAscii, certificate: der },
    { requiredKeys: ['command', 'requestId', 'certificate'] },
  ),
  fc.record(
    { command: fc.constant('VERIFY_RESPONSE' as const), requestId, status, roles, ttlSeconds: ttl },
    { requiredKeys: ['command', 'requestId', 'status'] },
  ),
  fc.record(
    {
      command: fc.constant('QUERY_REQUEST' as const),
      requestId,
      deviceName: printableAscii,
      subjectName: cText,
      issuerName: cText,
      serialNumber: fc.uint8Array({ minLength: 1, maxLength: 20 }),
    },
    { requiredKeys: ['command', 'requestId', 'issuerName'] },
  ),
  fc.record(
    { command: fc.constant('QUERY_RESPONSE' as const), requestId, status, certificate: der, roles, ttlSeconds: ttl },
    { requiredKeys: ['command', 'requestId', 'status'] },
  ),
);

/** A plausible header (right magic, version, a real command) over arbitrary body bytes, to reach element parsing. */
const framedGarbage = fc
  .tuple(
    fc.integer({ min: 1, max: 4 }),
    fc.integer({ min: 0, max: 255 }),
    requestId,
    fc.uint8Array({ maxLength: 200 }),
    fc.integer({ min: -3, max: 3 }),
  )
  .map(([command, reserved, id, body, lengthSkew]) => {
    const declared = Math.max(0, Math.min(0xffff, body.length + lengthSkew));
    const head = Buffer.alloc(TVS_HEADER_BYTES);
    head.writeUInt8(0x57, 0);
    head.writeUInt8(1, 1);
    head.writeUInt8(command, 2);
    head.writeUInt8(reserved, 3);
    head.writeUInt32BE(id, 4);
    head.writeUInt16BE(declared, 8);
    return new Uint8Array(Buffer.concat([head, body]));
  });

/** A valid frame with a few bytes overwritten, then possibly truncated. */
const mutatedFrame = fc
  .tuple(
    message,
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
    fc.option(fc.nat()),
  )
  .map(([m, edits, cut]) => {
    const bytes = new Uint8Array(encodeTvsMessage(m));
    for (const [at, value] of edits) bytes[at % bytes.length] = value;
    return cut === null ? bytes : bytes.subarray(0, cut % (bytes.length + 1));
  });

const anyInput = fc.oneof(fc.uint8Array({ maxLength: 300 }), framedGarbage, mutatedFrame);
const cuts = fc.array(fc.nat(), { maxLength: 6 });
const maxBodyBytes = fc.constantFrom(0, 16, 1024, 16_384, 0xffff);

test('decodeTvsFrame returns a message or throws CodecError, nothing else', () => {
  fc.assert(
    fc.property(anyInput, maxBodyBytes, (bytes, max) =>
      messagesOrCodecError(() => [decodeTvsFrame(bytes, { maxBodyBytes: max })]),
    ),
    { seed: SEED, numRuns: 3000 },
  );
});

test('push decoder returns messages or throws CodecError, however the input is cut', () => {
  fc.assert(
    fc.property(fc.array(anyInput, { minLength: 1, maxLength: 3 }), cuts, maxBodyBytes, (parts, at, max) =>
      messagesOrCodecError(() => pushInPieces(new Uint8Array(Buffer.concat(parts)), at, max)),
    ),
    { seed: SEED, numRuns: 3000 },
  );
});

test('push decoder is poisoned after an error: every later push throws CodecError', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), message, (garbage, m) => {
      fc.pre(garbage[0] !== 0x57);
      const decoder = createTvsDecoder();
      assert.throws(() => decoder.push(garbage), CodecError);
      assert.throws(() => decoder.push(encodeTvsMessage(m)), CodecError);
    }),
    { seed: SEED, numRuns: 300 },
  );
});

function plain(m: TvsMessage): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(m).map(([k, v]) => [k, v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v]),
  );
}

test('encode then decode gives the message back, also through the push decoder cut anywhere', () => {
  fc.assert(
    fc.property(fc.array(message, { minLength: 1, maxLength: 3 }), cuts, (messages, at) => {
      const frames = messages.map((m) => encodeTvsMessage(m));
      for (let i = 0; i < messages.length; i++)
        assert.deepEqual(plain(decodeTvsFrame(frames[i]!)), plain(messages[i]!));
      const streamed = pushInPieces(new Uint8Array(Buffer.concat(frames)), at, 0xffff);
      assert.deepEqual(streamed.map(plain), messages.map(plain));
    }),
    { seed: SEED, numRuns: 1000 },
  );
});
