// Runs every annotated CAPF vector through decode, encode, round-trip, builders and the push decoder.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hexToBytes } from '../../src/shared/bytes.ts';
import { createCapfDecoder, decodeMessage, encodeMessage } from '../../src/capf/codec.ts';
import type { CapfMessage } from '../../src/capf/codec.ts';
import { CAPF_VECTORS } from './capf-vectors.ts';

function pushAll(chunks: Uint8Array[]): CapfMessage[] {
  const decoder = createCapfDecoder({ maxBodyBytes: 0xffff });
  const out: CapfMessage[] = [];
  for (const c of chunks) out.push(...decoder.push(c));
  decoder.end();
  assert.equal(decoder.bufferedBytes, 0);
  return out;
}

describe('CAPF vectors', () => {
  it('covers every §6 message command', () => {
    const commands = new Set(CAPF_VECTORS.map((v) => v.decoded.command));
    for (const c of [1, 2, 3, 4, 9, 10, 11, 12, 13, 14, 15, 17])
      assert.ok(commands.has(c), `command ${c} has a vector`);
  });

  for (const v of CAPF_VECTORS) {
    describe(v.title, () => {
      const bytes = hexToBytes(v.hex);

      it('header length matches the hex', () => {
        assert.equal(bytes.readUInt16BE(6), bytes.length - 8);
      });

      it('decodes', () => {
        assert.deepStrictEqual(decodeMessage(bytes), v.decoded);
      });

      it('encodes to the same bytes', () => {
        assert.equal(encodeMessage(v.decoded, v.encodeOptions).toString('hex'), bytes.toString('hex'));
      });

      it('round-trips decode(encode(x))', () => {
        assert.deepStrictEqual(decodeMessage(encodeMessage(v.decoded)), v.decoded);
      });

      if (v.build) {
        const build = v.build;
        it('builder produces the decoded message', () => {
          assert.deepStrictEqual(build(), v.decoded);
        });
      }

      it('push decoder: split at every byte offset', () => {
        for (let i = 0; i <= bytes.length; i++) {
          assert.deepStrictEqual(pushAll([bytes.subarray(0, i), bytes.subarray(i)]), [v.decoded], `split at ${i}`);
        }
      });

      it('push decoder: one byte at a time', () => {
        const chunks = Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
        assert.deepStrictEqual(pushAll(chunks), [v.decoded]);
      });

      it('push decoder: decoded values do not alias the input', () => {
        const copy = Buffer.from(bytes);
        const [m] = pushAll([copy]);
        copy.fill(0xee);
        assert.deepStrictEqual(m, v.decoded);
      });
    });
  }

  it('push decoder: all vectors concatenated, in one chunk and split at every offset', () => {
    const frames = CAPF_VECTORS.map((v) => hexToBytes(v.hex));
    const all = Buffer.concat(frames);
    const expected = CAPF_VECTORS.map((v) => v.decoded);
    assert.deepStrictEqual(pushAll([all]), expected);
    for (let i = 0; i <= all.length; i += 7) {
      assert.deepStrictEqual(pushAll([all.subarray(0, i), all.subarray(i)]), expected, `split at ${i}`);
    }
  });

  it('push decoder: short frames concatenated, split at every pair of offsets', () => {
    const small = CAPF_VECTORS.filter((v) => hexToBytes(v.hex).length < 64);
    const all = Buffer.concat(small.map((v) => hexToBytes(v.hex)));
    const expected = small.map((v) => v.decoded);
    for (let i = 0; i <= all.length; i++) {
      for (let j = i; j <= all.length; j += 3) {
        assert.deepStrictEqual(pushAll([all.subarray(0, i), all.subarray(i, j), all.subarray(j)]), expected);
      }
    }
  });
});
