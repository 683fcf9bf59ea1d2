// Certificate Operation Status filters in the API and the CLI: the codes (statusOutcome, statusOperation,
// statusReason / --status-outcome, --status-operation, --status-reason), and today's sentence and prefix
// (status, statusPrefix / --status, --status-prefix) mapped to the same codes; responses keep CUCM's
// sentence and add the codes.

import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiLab, type ApiLab } from '../helpers/api-lab.ts';
import { cli } from '../helpers/cli.ts';
import { openStore } from '../../src/store/index.ts';
import { DEFAULT_CAPF, STATUS, statusText, type OperationStatusCode, type Phone } from '../../src/phones/index.ts';

/** One phone per status; the device name's last digits index this list. */
const STATUSES: OperationStatusCode[] = [
  STATUS.none,
  STATUS.pending('install'),
  STATUS.pending('delete'),
  STATUS.success('install'),
  STATUS.success('delete'),
  STATUS.failed('install', 'timeout'),
  STATUS.failed('install', 'badAuthString'),
  STATUS.failed('delete', 'timeout'),
  STATUS.failed('troubleshoot', 'noCertificate'),
];
const name = (i: number) => `SEP00C0FFEE00${String(i).padStart(2, '0')}`;
const t = '2026-01-01T00:00:00.000Z';
const phones: Phone[] = STATUSES.map((s, i) => ({
  deviceName: name(i),
  model: 'Cisco 8845',
  description: 'status-filters',
  profileName: null,
  capf: { ...DEFAULT_CAPF, operation: s.outcome === 'pending' || s.outcome === 'failed' ? s.operation : 'none' },
  operationStatus: s,
  status: statusText(s),
  authFailures: 0,
  lsc: null,
  mic: null,
  lastSessionAt: null,
  configVersion: 1,
  createdAt: t,
  updatedAt: t,
}));
/** The sentences of the phones the old text filter would have found, sorted. */
const sentences = (keep: (s: string) => boolean) =>
  phones
    .map((p) => p.status)
    .filter(keep)
    .sort();

describe('API', () => {
  let lab: ApiLab;
  before(async () => {
    lab = await startApiLab();
    await lab.ctx.store.phones.insertPhones(phones);
  });
  after(async () => {
    await lab.close();
  });
  const find = async (query: string) => {
    const r = await lab.call('GET', `/api/v1/phones?description=status-filters&limit=100&${query}`);
    assert.equal(r.statusCode, 200, r.body);
    return (JSON.parse(r.body) as { items: { status: string; operationStatus: OperationStatusCode }[] }).items;
  };
  const found = async (query: string) => (await find(query)).map((p) => p.status).sort();

  test('responses keep the sentence and add the codes', async () => {
    const items = await find('statusOutcome=failed&statusReason=badAuthString');
    assert.deepEqual(
      items.map((p) => [p.status, p.operationStatus]),
      [
        [
          'Upgrade Failed: Invalid Authentication String',
          { operation: 'install', outcome: 'failed', reason: 'badAuthString' },
        ],
      ],
    );
  });

  test('code filters', async () => {
    assert.deepEqual(
      await found('statusOutcome=failed&statusOperation=install'),
      sentences((s) => s.startsWith('Upgrade Failed')),
    );
    assert.deepEqual(await found('statusOutcome=pending'), ['Operation Pending', 'Operation Pending']);
    assert.deepEqual(await found('statusOutcome=pending&statusOperation=delete'), ['Operation Pending']);
    assert.deepEqual(await found('statusReason=timeout'), [
      'Delete Failed: Phone Did Not Respond In Time',
      'Upgrade Failed: Phone Did Not Respond In Time',
    ]);
    assert.deepEqual(await found('statusOutcome=none'), ['None']);
    const bad = await lab.call('GET', '/api/v1/phones?statusOutcome=Upgrade%20Failed');
    assert.equal(bad.statusCode, 400, 'codes are a closed list');
  });

  test("today's sentence and prefix still work, mapped to codes; with codes they must both hold", async () => {
    for (const prefix of [
      'Upgrade Failed',
      'Upgrade',
      'Delete',
      'Operation',
      'N',
      'Troubleshoot Failed: No Cert',
      'Nothing like it',
    ]) {
      assert.deepEqual(
        await found(`statusPrefix=${encodeURIComponent(prefix)}`),
        sentences((s) => s.startsWith(prefix)),
        prefix,
      );
    }
    assert.deepEqual(await found('status=Operation%20Pending'), ['Operation Pending', 'Operation Pending']);
    assert.deepEqual(await found(`status=${encodeURIComponent('Delete Success')}`), ['Delete Success']);
    assert.deepEqual(await found('status=Upgrade%20Failed'), [], 'exactly: a prefix is not a sentence');
    assert.deepEqual(await found('statusPrefix=Upgrade&statusOutcome=success'), ['Upgrade Success']);
    assert.deepEqual(
      await found('statusPrefix=Upgrade&statusOutcome=pending'),
      [],
      '"Operation Pending" does not start with "Upgrade"',
    );
    const bulk = await lab.call('POST', '/api/v1/bulk/query', {
      filter: { description: 'status-filters', statusPrefix: 'Delete' },
    });
    assert.equal(bulk.statusCode, 200, bulk.body);
    assert.equal(JSON.parse(bulk.body).matched, sentences((s) => s.startsWith('Delete')).length);
  });
});

describe('CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'opencapf-status-filters-'));
  const D = ['--data-dir', dir];
  before(async () => {
    const store = await openStore({ driver: 'sqlite', dataDir: dir });
    try {
      await store.phones.insertPhones(phones);
    } finally {
      await store.close();
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  const found = async (...args: string[]) => {
    const r = await cli([
      ...D,
      'phone',
      'find',
      '--description',
      'status-filters',
      '--limit',
      '100',
      '--json',
      ...args,
    ]);
    assert.equal(r.code, 0, r.stderr);
    return (JSON.parse(r.stdout) as { items: { status: string }[] }).items.map((p) => p.status).sort();
  };

  test(
    '--status-outcome / --status-operation / --status-reason, ' + 'and --status / --status-prefix mapped to codes',
    async () => {
      assert.deepEqual(
        await found('--status-outcome', 'failed', '--status-operation', 'install'),
        sentences((s) => s.startsWith('Upgrade Failed')),
      );
      assert.deepEqual(await found('--status-reason', 'timeout', '--status-operation', 'delete'), [
        'Delete Failed: Phone Did Not Respond In Time',
      ]);
      assert.deepEqual(
        await found('--status-prefix', 'Upgrade Failed'),
        sentences((s) => s.startsWith('Upgrade Failed')),
      );
      assert.deepEqual(await found('--status', 'Operation Pending'), ['Operation Pending', 'Operation Pending']);
      assert.deepEqual(await found('--status-prefix', 'Upgrade', '--status-outcome', 'success'), ['Upgrade Success']);
      const bad = await cli([...D, 'phone', 'find', '--status-outcome', 'Failed']);
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, /Allowed choices are none, pending, success, failed/);
      const human = await cli([
        ...D,
        'phone',
        'find',
        '--description',
        'status-filters',
        '--status-outcome',
        'failed',
        '--status-operation',
        'troubleshoot',
      ]);
      assert.match(
        human.stdout,
        /SEP00C0FFEE0008 .*Troubleshoot Failed: No Certificate Found On Phone/,
        'tables print the sentence',
      );
    },
  );
});
