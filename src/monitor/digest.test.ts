// Checks the digest: fleets counted with only the soonest listed (the rest "… and N more"), an unreadable source
// named, empty classes left out, and the webhook JSON carrying the same windows as the mail text.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildDigest, digestMessage } from './digest.ts';
import { windowsOf, DAY_MS } from './schedule.ts';
import type { ClassReport } from './sources.ts';

const NOW = new Date('2026-05-01T12:00:00.000Z');
const at = (days: number) => new Date(NOW.getTime() + days * DAY_MS).toISOString();

test('fleet windows list the soonest and count the rest; errors are named; empty classes are left out', () => {
  const windows = windowsOf(30);
  const reports: ClassReport[] = [
    {
      class: 'lsc',
      windows: [
        { count: 0, items: [] },
        { count: 0, items: [] },
        { count: 120, items: [{ class: 'lsc', name: 'SEP000000000001', detail: 'Cisco 8845', notAfter: at(2) }] },
        { count: 0, items: [] },
      ],
    },
    { class: 'mic', windows: windows.map(() => ({ count: 0, items: [] })), error: 'Phone MICs could not be read: x' },
    { class: 'identity', windows: windows.map(() => ({ count: 0, items: [] })) },
  ];
  const d = buildDigest({
    node: 'n1',
    rule: { name: 'r', startDaysBefore: 30, hourlyLastDay: true },
    slot: { slot: 'day:2026-05-01', mode: 'daily' },
    now: NOW,
    windows,
    reports,
    renewal: null,
  });
  assert.deepEqual(
    d.classes.map((c) => [c.class, c.count, c.error]),
    [
      ['lsc', 120, null],
      ['mic', 0, 'Phone MICs could not be read: x'],
    ],
  );
  const m = digestMessage(d, 'id1');
  assert.match(
    m.text,
    /Phone LSCs: 120\n {2}in 2 to 7 days \(120\):\n {4}SEP000000000001 .*\(2 days left\)\n {4}… and 119 more/,
  );
  assert.match(m.text, /ERROR: Phone MICs could not be read: x/);
  assert.doesNotMatch(m.text, /^renewal \(/m);
  assert.match(m.subject, /\[OpenCAPF n1\] certificates expiring: 120 Phone LSCs \(1 source unreadable\)/);
  const json = m.json as { deliveryId: string; classes: { windows: { key: string; omitted: number }[] }[] };
  assert.equal(json.deliveryId, 'id1');
  assert.deepEqual(json.classes[0]!.windows, [
    {
      key: 'le7d',
      label: 'in 2 to 7 days',
      count: 120,
      omitted: 119,
      items: [{ name: 'SEP000000000001', detail: 'Cisco 8845', notAfter: at(2), daysLeft: 2 }],
    },
  ]);
});
