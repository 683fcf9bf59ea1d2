// Checks when a monitor rule sends: windows of a rule, days before expiry, daily slots, hourly on a cluster
// certificate's last day (never for fleets), and over a simulated timeline the exact number of slots a rule uses.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DAY_MS, HOUR_MS, isDue, slotOf, windowIndex, windowsOf, type RuleSchedule } from './schedule.ts';
import { CERT_CLASS_NAMES, CERT_CLASSES, type CertClass } from './classes.ts';

const rule = (over: Partial<RuleSchedule> = {}): RuleSchedule => ({
  classes: [],
  startDaysBefore: 30,
  hourlyLastDay: true,
  ...over,
});
const NOW = new Date('2026-03-10T09:30:00.000Z');
const at = (ms: number) => ({ class: 'capf-ca' as CertClass, notAfterMs: NOW.getTime() + ms });

test('windows of a rule: expired, then 1, 7, 30 … days below the start, the last ending at the start', () => {
  assert.deepEqual(
    windowsOf(30).map((w) => [w.key, w.label]),
    [
      ['expired', 'expired'],
      ['le1d', 'within 1 day'],
      ['le7d', 'in 2 to 7 days'],
      ['le30d', 'in 8 to 30 days'],
    ],
  );
  assert.deepEqual(
    windowsOf(45).map((w) => w.key),
    ['expired', 'le1d', 'le7d', 'le30d', 'le45d'],
  );
  assert.deepEqual(
    windowsOf(1).map((w) => w.key),
    ['expired', 'le1d'],
  );
  const w = windowsOf(90);
  assert.equal(w[windowIndex(w, -1)]!.key, 'expired');
  assert.equal(w[windowIndex(w, 0)]!.key, 'expired');
  assert.equal(w[windowIndex(w, 1)]!.key, 'le1d');
  assert.equal(w[windowIndex(w, DAY_MS)]!.key, 'le1d');
  assert.equal(w[windowIndex(w, DAY_MS + 1)]!.key, 'le7d');
  assert.equal(w[windowIndex(w, 7 * DAY_MS - 5)]!.key, 'le7d');
  assert.equal(w[windowIndex(w, 30 * DAY_MS - 5)]!.key, 'le30d');
  assert.equal(w[windowIndex(w, 90 * DAY_MS - 5)]!.key, 'le90d');
  assert.equal(windowIndex(w, 90 * DAY_MS + 1), -1);
});

test('days before: nothing is due before the start; at the start and after expiry it is', () => {
  const r = rule({ startDaysBefore: 30 });
  assert.equal(slotOf(r, [at(30 * DAY_MS + 1)], NOW), null);
  assert.equal(isDue(r, 30 * DAY_MS), true);
  assert.deepEqual(slotOf(r, [at(30 * DAY_MS)], NOW), { slot: 'day:2026-03-10', mode: 'daily' });
  assert.deepEqual(slotOf(r, [at(-400 * DAY_MS)], NOW), { slot: 'day:2026-03-10', mode: 'daily' });
  assert.equal(slotOf(r, [], NOW), null);
});

test('daily: the same slot all UTC day, a new one at midnight UTC', () => {
  const r = rule();
  const item = { class: 'identity' as CertClass, notAfterMs: Date.parse('2026-03-25T00:00:00Z') };
  assert.equal(slotOf(r, [item], new Date('2026-03-10T00:00:00.000Z'))!.slot, 'day:2026-03-10');
  assert.equal(slotOf(r, [item], new Date('2026-03-10T23:59:59.999Z'))!.slot, 'day:2026-03-10');
  assert.equal(slotOf(r, [item], new Date('2026-03-11T00:00:00.000Z'))!.slot, 'day:2026-03-11');
});

test('hourly on the last day of a cluster certificate, daily again once it expired; never for phone fleets', () => {
  const r = rule();
  assert.deepEqual(slotOf(r, [at(5 * HOUR_MS)], NOW), { slot: 'hour:2026-03-10T09', mode: 'hourly' });
  assert.deepEqual(slotOf(r, [at(DAY_MS)], NOW), { slot: 'hour:2026-03-10T09', mode: 'hourly' });
  assert.equal(slotOf(r, [at(DAY_MS + 1)], NOW)!.mode, 'daily');
  assert.equal(slotOf(r, [at(0)], NOW)!.mode, 'daily');
  assert.equal(slotOf(r, [{ class: 'lsc', notAfterMs: NOW.getTime() + HOUR_MS }], NOW)!.mode, 'daily');
  assert.equal(slotOf(rule({ hourlyLastDay: false }), [at(HOUR_MS)], NOW)!.mode, 'daily');
});

test('a rule only looks at its classes (empty: all)', () => {
  assert.equal(slotOf(rule({ classes: ['lsc'] }), [at(HOUR_MS)], NOW), null);
  assert.equal(slotOf(rule({ classes: ['capf-ca'] }), [at(HOUR_MS)], NOW)!.mode, 'hourly');
  assert.equal(slotOf(rule({ classes: [] }), [at(HOUR_MS)], NOW)!.mode, 'hourly');
});

const PROPERTY =
  'property: over a timeline a certificate gets daily slots (one per UTC date), hourly ones only in its last ' +
  'day and only for cluster classes (fixed seed)';
test(PROPERTY, () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 60 }),
      // Expiry: any minute of a day, so the last day straddles two UTC dates.
      fc.integer({ min: 0, max: 24 * 60 - 1 }),
      fc.boolean(),
      fc.constantFrom(...CERT_CLASS_NAMES),
      (startDays, minuteOfDay, hourly, cls) => {
        const r = rule({ startDaysBefore: startDays, hourlyLastDay: hourly });
        const expiry = Date.parse('2026-06-01T00:00:00Z') + minuteOfDay * 60_000;
        const from = expiry - (startDays + 2) * DAY_MS;
        const to = expiry + 3 * DAY_MS;
        const slots = new Set<string>();
        let hourlySlots = 0;
        let firstDue: number | null = null;
        // Every 10 minutes: at least once in every hour and every day.
        for (let t = Math.floor(from / HOUR_MS) * HOUR_MS; t < to; t += 10 * 60_000) {
          const s = slotOf(r, [{ class: cls, notAfterMs: expiry }], new Date(t));
          if (s === null) {
            assert.ok(expiry - t > startDays * DAY_MS, 'nothing due only before the start');
            continue;
          }
          firstDue ??= t;
          assert.ok(expiry - t <= startDays * DAY_MS);
          if (!slots.has(s.slot) && s.mode === 'hourly') hourlySlots++;
          slots.add(s.slot);
          const expectHourly = hourly && !CERT_CLASSES[cls].fleet && expiry - t > 0 && expiry - t <= DAY_MS;
          assert.equal(s.mode, expectHourly ? 'hourly' : 'daily');
        }
        // Hourly slots: each UTC hour that overlaps the last day (24, or 25 when the expiry is not on the hour).
        const hoursInLastDay = Math.floor((expiry - 1) / HOUR_MS) - Math.floor((expiry - DAY_MS + 1) / HOUR_MS) + 1;
        const expectHourly = hourly && !CERT_CLASSES[cls].fleet ? hoursInLastDay : 0;
        // The coarse steps see every hour the certificate is in its last day except a partial one shorter than
        // 10 minutes at either end.
        assert.ok(hourlySlots <= expectHourly && hourlySlots >= expectHourly - 2, `${hourlySlots} vs ${expectHourly}`);
        const dailySlots = [...slots].filter((s) => s.startsWith('day:'));
        for (const s of dailySlots) assert.match(s, /^day:\d{4}-\d{2}-\d{2}$/);
        // Daily slots are distinct UTC dates: never two for the same day.
        assert.equal(new Set(dailySlots).size, dailySlots.length);
        assert.ok(firstDue !== null);
      },
    ),
    { seed: 0x22c1, numRuns: 300 },
  );
});
