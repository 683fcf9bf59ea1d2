// Property: the .tlv decoder returns a file or throws CodecError, for random and for mutated valid inputs;
// show itl never throws; verification of a mutated file never succeeds.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CodecError } from '../../src/shared/errors.ts';
import { decodeHeader, decodeTlvFile, encodeTlvFile } from '../../src/trust/tlv-codec.ts';
import { buildItl } from '../../src/trust/itl.ts';
import { parseTrustList, verifyTrustList } from '../../src/trust/trust-list.ts';
import { showItl, showItlJson } from '../../src/trust/show-itl.ts';
import { FIXTURE_NOW, trustFixtures } from '../../src/trust/test-fixtures.ts';

const SEED = 0x171;

function decodesOrCodecError(bytes: Uint8Array): boolean {
  try {
    decodeTlvFile(bytes);
    return true;
  } catch (e) {
    if (e instanceof CodecError) return true;
    throw e;
  }
}

const small = encodeTlvFile(
  {
    version: { major: 1, minor: 2 },
    signerVersion: { major: 1, minor: 0 },
    signerName: 'CN=S',
    issuerName: 'CN=S',
    serialNumber: Buffer.of(1),
    hashAlgorithm: 1,
    fileName: 'ITLFile.tlv',
    timestamp: 1,
  },
  Buffer.alloc(64, 1),
  [
    [
      { tag: 2, value: Buffer.alloc(2) },
      { tag: 3, value: Buffer.from('CN=S\0') },
      { tag: 4, value: Buffer.of(0, 0) },
      { tag: 11, value: Buffer.alloc(20, 3) },
      { tag: 12, value: Buffer.of(0) },
    ],
    [
      { tag: 4, value: Buffer.of(0, 4) },
      { tag: 9, value: Buffer.from('x') },
    ],
  ],
);

type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'cut'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'u16'; at: number; value: number };

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
  }),
  fc.record({ kind: fc.constant('u16' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 0xffff }) }),
);

function mutate(base: Buffer, ms: Mutation[]): Buffer {
  let b = Buffer.from(base);
  for (const m of ms) {
    if (b.length === 0) break;
    const at = m.at % b.length;
    if (m.kind === 'flip') b[at] = b[at]! ^ (1 << m.bit);
    else if (m.kind === 'set') b[at] = m.value;
    else if (m.kind === 'cut') b = b.subarray(0, at);
    else if (m.kind === 'insert') b = Buffer.concat([b.subarray(0, at), m.bytes, b.subarray(at)]);
    else if (at + 1 < b.length) b.writeUInt16BE(m.value, at);
  }
  return b;
}

test('random bytes: decode returns a file or throws CodecError', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), decodesOrCodecError), { seed: SEED, numRuns: 1000 });
  // Random bytes behind a plausible start, so the walk gets past the first two elements.
  const prefix = fc
    .tuple(fc.integer({ min: 10, max: 400 }), fc.uint8Array({ maxLength: 600 }))
    .map(([hl, rest]) => Buffer.concat([Buffer.of(1, 0, 2, 1, 2, 2, 0, 2, hl >> 8, hl & 0xfc), rest]));
  fc.assert(fc.property(prefix, decodesOrCodecError), { seed: SEED, numRuns: 1000 });
});

test('mutated small file: decode returns a file or throws CodecError; header alone too', () => {
  fc.assert(
    fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (ms) => {
      const b = mutate(small, ms);
      decodesOrCodecError(b);
      try {
        decodeHeader(b);
      } catch (e) {
        if (!(e instanceof CodecError)) throw e;
      }
      return true;
    }),
    { seed: SEED, numRuns: 1000 },
  );
});

test('mutated signed ITL: parse gives CodecError or a list that does not verify; show itl never throws', async () => {
  const f = await trustFixtures();
  const itl = buildItl({
    members: [{ certificate: f.capf.certificate, roles: ['CAPF'] }],
    signer: f.callManager,
    now: FIXTURE_NOW,
    certificateForm: 'cucm',
  });
  fc.assert(
    fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (ms) => {
      const b = mutate(itl, ms);
      if (b.equals(itl)) return true; // e.g. a u16 write of the same value
      let verified = false;
      try {
        verified = verifyTrustList(parseTrustList(b)).ok;
      } catch (e) {
        if (!(e instanceof CodecError)) throw e;
      }
      assert.equal(verified, false);
      assert.equal(typeof showItl(b), 'string');
      assert.equal(typeof showItlJson(b).parsed, 'boolean');
      return true;
    }),
    { seed: SEED, numRuns: 1000 },
  );
});
