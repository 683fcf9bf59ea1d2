import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isoString } from './clock.ts';

test('isoString matches Date#toISOString for any time, in any order (property, fixed seed)', () => {
  fc.assert(
    fc.property(
      fc.array(fc.oneof(fc.integer({ min: -8.64e15, max: 8.64e15 }), fc.integer({ min: 1.7e12, max: 1.7e12 + 5000 })), {
        minLength: 1,
        maxLength: 20,
      }),
      (times) => {
        for (const t of times) {
          assert.equal(isoString(t), new Date(t).toISOString());
          assert.equal(isoString(new Date(t)), new Date(t).toISOString());
        }
      },
    ),
    { seed: 20261127, numRuns: 2000 },
  );
});

test('isoString: edges of the fast path and invalid times', () => {
  for (const t of [
    0,
    999,
    1000,
    1001,
    1.7e12 + 9,
    1.7e12 + 10,
    1.7e12 + 99,
    1.7e12 + 100,
    253_402_300_799_999,
    253_402_300_800_000,
    -1,
    1.5,
    -62_198_755_200_000,
  ]) {
    assert.equal(isoString(t), new Date(t).toISOString(), String(t));
  }
  assert.throws(() => isoString(Number.NaN), RangeError);
  assert.throws(() => isoString(new Date('x')), RangeError);
});
