// Property tests of the CAPF codec: the decoder returns messages or throws CodecError, nothing else.
//
// Fixed seed so failures reproduce; no catch-all: anything but CodecError fails the property.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CodecError } from '../../src/shared/errors.ts';
import { hexToBytes } from '../../src/shared/bytes.ts';
import {
  CAPF_ELEMENT_ORDER,
  createCapfDecoder,
  decodeMessage,
  encodeMessage,
  isInterpretedTag,
} from '../../src/capf/codec.ts';
import type {
  CapfCertificate,
  CapfElements,
  CapfMessage,
  CapfSha2SignedData,
  CapfSudiData,
  CapfUnknownElement,
} from '../../src/capf/codec.ts';
import { CAPF_VECTORS } from '../vectors/capf-vectors.ts';

const PARAMS = { seed: 0xc4bf, numRuns: 2000 } as const;

// ------------------------------------------------------------------ arbitraries

const bytes = (maxLength: number): fc.Arbitrary<Buffer> => fc.uint8Array({ maxLength }).map((u) => Buffer.from(u));
const u8 = fc.integer({ min: 0, max: 0xff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const cString = fc.oneof(
  fc.string({ maxLength: 24 }),
  fc.string({ maxLength: 8, unit: 'grapheme' }),
  fc.constant('SEP001122334455'),
);
const uninterpretedTag = fc.constantFrom(
  ...Array.from({ length: 256 }, (_, t) => t).filter((t) => !isInterpretedTag(t)),
);

/** fast-check v4 records have a null prototype; deepStrictEqual compares prototypes, decode returns plain objects. */
function plain<T extends object>(arb: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return arb.map((o) => ({ ...o }));
}

const certificateArb: fc.Arbitrary<CapfCertificate> = plain(
  fc.record({ typeBytes: fc.uint8Array({ minLength: 2, maxLength: 2 }).map((u) => Buffer.from(u)), der: bytes(64) }),
);
const sudiArb: fc.Arbitrary<CapfSudiData> = plain(
  fc.record({ certDer: bytes(48), sigSha1: bytes(32), sigSha512: bytes(32) }),
);
const sha2Arb: fc.Arbitrary<CapfSha2SignedData> = plain(fc.record({ hashId: u8, signature: bytes(64) }));

const elementsArb: fc.Arbitrary<CapfElements> = plain(
  fc.record(
    {
      reason: u8,
      reasonInfo: bytes(8),
      certificateType: u8,
      certificate: certificateArb,
      signedData: bytes(64),
      version: u8,
      authType: u8,
      publicKey: bytes(64),
      keySize: fc.integer({ min: 0, max: 0xffff }),
      password: cString,
      deviceName: cString,
      sudiData: sudiArb,
      keyType: u8,
      curve: u8,
      sha2SignedData: sha2Arb,
    },
    { requiredKeys: [] },
  ),
);

const unknownArb: fc.Arbitrary<CapfUnknownElement> = plain(fc.record({ tag: uninterpretedTag, value: bytes(16) }));

const messageArb: fc.Arbitrary<CapfMessage> = plain(
  fc.record({
    command: u8,
    sessionId: u32,
    elements: elementsArb,
    unknownElements: fc.array(unknownArb, { maxLength: 3 }),
  }),
);

function tlv(tag: number, value: Uint8Array): Buffer {
  return Buffer.concat([Buffer.of(tag, value.length >> 8, value.length & 0xff), value]);
}

/** `id | u16 len | bytes` with the length sometimes a little off, as in nested certificates and SUDI blocks. */
const innerBlockArb: fc.Arbitrary<Buffer> = fc
  .tuple(
    fc.oneof(fc.constantFrom(0, 1, 3), u8),
    fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: -3, max: 2 }) }),
    bytes(8),
  )
  .map(([id, delta, v]) => {
    const len = Math.max(0, v.length + delta);
    return Buffer.concat([Buffer.of(id, len >> 8, len & 0xff), v]);
  });

/** Cuts `data` at the given (unsorted, possibly out of range) offsets. */
function split(data: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const p of points) {
    out.push(data.subarray(prev, p));
    prev = p;
  }
  out.push(data.subarray(prev));
  return out;
}

/** Feeds chunks; returns the messages, or the CodecError that stopped it. Any other throw fails the test. */
function feed(chunks: Uint8Array[], maxBodyBytes = 0xffff): { messages: CapfMessage[]; error?: CodecError } {
  const decoder = createCapfDecoder({ maxBodyBytes });
  const messages: CapfMessage[] = [];
  try {
    for (const c of chunks) messages.push(...decoder.push(c));
    decoder.end();
  } catch (e) {
    if (e instanceof CodecError) return { messages, error: e };
    throw e;
  }
  return { messages };
}

/** decodeMessage, with the same contract: a message or a CodecError. */
function tryDecode(frame: Uint8Array): CapfMessage | CodecError {
  try {
    return decodeMessage(frame);
  } catch (e) {
    if (e instanceof CodecError) return e;
    throw e;
  }
}

const VECTOR_FRAMES = CAPF_VECTORS.map((v) => hexToBytes(v.hex));

type Mutation =
  | { kind: 'flip'; at: number; xor: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'insert'; at: number; data: Uint8Array }
  | { kind: 'delete'; at: number; count: number }
  | { kind: 'truncate'; at: number };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: u8 }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    data: fc.uint8Array({ minLength: 1, maxLength: 4 }),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);

function mutate(frame: Uint8Array, mutations: Mutation[]): Buffer {
  let b = Buffer.from(frame);
  for (const m of mutations) {
    const at = b.length === 0 ? 0 : m.at % b.length;
    if (m.kind === 'flip' && b.length) b[at] = b[at]! ^ m.xor;
    else if (m.kind === 'set' && b.length) b[at] = m.value;
    else if (m.kind === 'insert') b = Buffer.concat([b.subarray(0, at), m.data, b.subarray(at)]);
    else if (m.kind === 'delete') b = Buffer.concat([b.subarray(0, at), b.subarray(at + m.count)]);
    else if (m.kind === 'truncate') b = b.subarray(0, at);
  }
  return b;
}

// ------------------------------------------------------------------ properties

describe('CAPF decoder fuzzing', () => {
  it('random bytes: messages or CodecError', () => {
    fc.assert(
      fc.property(
        bytes(300),
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.integer({ min: 0, max: 0xffff }),
        (data, cuts, max) => {
          feed(split(data, cuts), max);
        },
      ),
      PARAMS,
    );
  });

  it('random bodies under a valid header: messages or CodecError; what decodes re-encodes to an equal message', () => {
    const frameArb = fc
      .tuple(
        u8,
        u32,
        fc.array(
          fc.oneof(
            // element-shaped runs make deeper parsing reachable
            fc.tuple(fc.integer({ min: 0, max: 24 }), bytes(20)).map(([tag, v]) => tlv(tag, v)),
            // CERTIFICATE / SUDI_DATA / SHA2_SIGNED_DATA with nearly right inner blocks
            fc
              .tuple(fc.constantFrom(4, 16, 20), fc.array(innerBlockArb, { maxLength: 4 }))
              .map(([tag, blocks]) => tlv(tag, Buffer.concat(blocks))),
            bytes(6),
          ),
          { maxLength: 6 },
        ),
      )
      .map(([command, sessionId, parts]) => {
        const body = Buffer.concat(parts);
        const h = Buffer.alloc(8);
        h[0] = 0x55;
        h[1] = command;
        h.writeUInt32BE(sessionId, 2);
        h.writeUInt16BE(body.length, 6);
        return Buffer.concat([h, body]);
      });
    fc.assert(
      fc.property(frameArb, fc.array(fc.nat(), { maxLength: 4 }), (frame, cuts) => {
        const direct = tryDecode(frame);
        const pushed = feed(split(frame, cuts));
        if (direct instanceof CodecError) {
          assert.ok(pushed.error, 'push decoder must fail where decodeMessage fails');
          assert.equal(pushed.error.code, direct.code);
        } else {
          assert.equal(pushed.error, undefined);
          assert.deepStrictEqual(pushed.messages, [direct]);
          assert.deepStrictEqual(decodeMessage(encodeMessage(direct)), direct);
        }
      }),
      PARAMS,
    );
  });

  it('mutated valid frames: messages or CodecError', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...VECTOR_FRAMES),
        fc.array(mutationArb, { minLength: 1, maxLength: 4 }),
        fc.array(fc.nat(), { maxLength: 4 }),
        fc.integer({ min: 0, max: 2048 }),
        (frame, mutations, cuts, max) => {
          const mutated = mutate(frame, mutations);
          feed(split(mutated, cuts), max);
          // the frame followed by a valid one: the second is reached only if the first parsed
          feed(split(Buffer.concat([mutated, VECTOR_FRAMES[0]!]), cuts), max);
        },
      ),
      PARAMS,
    );
  });

  it('valid frames split randomly decode to exactly the encoded messages', () => {
    fc.assert(
      fc.property(
        fc.array(messageArb, { minLength: 1, maxLength: 4 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (messages, cuts) => {
          const stream = Buffer.concat(messages.map((m) => encodeMessage(m)));
          const { messages: got, error } = feed(split(stream, cuts));
          assert.equal(error, undefined);
          assert.deepStrictEqual(got, messages);
        },
      ),
      PARAMS,
    );
  });

  it('round trip: decode(encode(m)) deep-equals m', () => {
    fc.assert(
      fc.property(messageArb, (m) => {
        assert.deepStrictEqual(decodeMessage(encodeMessage(m)), m);
      }),
      PARAMS,
    );
  });

  it('the encoder writes elements in canonical order, whatever order their keys were set in', () => {
    fc.assert(
      fc.property(messageArb, fc.array(fc.nat(), { maxLength: 16 }), (m, swaps) => {
        const keys = Object.keys(m.elements);
        for (let i = 0; i < swaps.length && keys.length > 1; i++) {
          const a = i % keys.length;
          const b = swaps[i]! % keys.length;
          [keys[a], keys[b]] = [keys[b]!, keys[a]!];
        }
        const shuffled: Record<string, unknown> = {};
        for (const k of keys) shuffled[k] = (m.elements as Record<string, unknown>)[k];
        const frame = encodeMessage({ ...m, unknownElements: [], elements: shuffled as CapfElements });
        assert.deepStrictEqual(frame, encodeMessage({ ...m, unknownElements: [] }));
        // walk the body's TLVs: interpreted tags appear in CAPF_ELEMENT_ORDER's order
        const ranks: number[] = [];
        for (let p = 8; p < frame.length; p += 3 + frame.readUInt16BE(p + 1))
          ranks.push(CAPF_ELEMENT_ORDER.indexOf(frame[p]!));
        assert.equal(ranks.length, keys.length);
        assert.ok(
          ranks.every((r, i) => r >= 0 && (i === 0 || r > ranks[i - 1]!)),
          `tag order ${ranks}`,
        );
      }),
      PARAMS,
    );
  });
});
