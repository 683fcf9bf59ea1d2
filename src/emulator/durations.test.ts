import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  formatDurationRange,
  MAX_DURATION_MS,
  parseDuration,
  parseDurationRange,
  sampleDuration,
} from './durations.ts';

test('parseDuration: units, a bare number is seconds', () => {
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('20s'), 20_000);
  assert.equal(parseDuration('1.5s'), 1500);
  assert.equal(parseDuration('2m'), 120_000);
  assert.equal(parseDuration('3'), 3000);
  assert.equal(parseDuration(' 0ms '), 0);
});

test('parseDuration: bad text is refused with the text named', () => {
  for (const bad of ['', 'abc', '-1s', '1h', '1..2', '10 seconds', `${MAX_DURATION_MS + 1}ms`])
    assert.throws(
      () => parseDuration(bad),
      (e: Error) => e.message.includes(`"${bad}"`),
      bad,
    );
});

test('parseDurationRange: fixed, range, inverted, too many parts', () => {
  assert.deepEqual(parseDurationRange('20s'), { loMs: 20_000, hiMs: 20_000 });
  assert.deepEqual(parseDurationRange('20s..60s'), { loMs: 20_000, hiMs: 60_000 });
  assert.deepEqual(parseDurationRange('500ms..2s'), { loMs: 500, hiMs: 2000 });
  assert.throws(() => parseDurationRange('60s..20s'), /upper bound/);
  assert.throws(() => parseDurationRange('1s..2s..3s'), /range/);
});

test('property: a sample lies within its range, and format/parse round-trips', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 3_600_000 }),
      fc.integer({ min: 0, max: 3_600_000 }),
      fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
      (a, b, r) => {
        const range = { loMs: Math.min(a, b), hiMs: Math.max(a, b) };
        const v = sampleDuration(range, () => r);
        assert.ok(v >= range.loMs && v <= range.hiMs, `${v} outside ${range.loMs}..${range.hiMs}`);
        assert.deepEqual(parseDurationRange(formatDurationRange(range)), range);
      },
    ),
  );
});
