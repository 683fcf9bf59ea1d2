// ITL File Status from what the real TFTP and HTTP servers answered on 127.0.0.1: an emulated phone's boot names
// it (ITLSEP<MAC>.tlv, SEP<MAC>.cnf.xml), a plain ITLFile.tlv is linked by client address, a changed ITL makes the
// phones "older" until they fetch it again, and the report reads the same through the CLI and the API.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTroubleshootingLab, type TroubleshootingLab } from '../e2e/troubleshooting-lab.ts';
import { tftpGet } from '../../src/provisioning/tftp/index.ts';
import { cli } from '../helpers/cli.ts';
import { createApiApp } from '../../src/api/app.ts';
import { apiDepsFrom } from '../../src/app/listeners/api.ts';
import { createListenerRegistry } from '../../src/shared/listener.ts';

let t: TroubleshootingLab;
const phones = ['SEP0017A0000001', 'SEP0017A0000002', 'SEP0017A0000003'];
const actor = { name: 'test', source: 'test' };

before(async () => {
  t = await startTroubleshootingLab();
  await t.lab.ctx.phones.addPhones(
    [...phones, 'SEP0017A00000FF'].map((deviceName) => ({ deviceName, model: 'Cisco 8845', profileName: null })),
    actor,
  );
});
after(async () => t.close());

test('phones booting over TFTP/HTTP become "current"; a phone that never booted is "never"', async () => {
  assert.deepEqual(await t.lab.ctx.itlStatus.counts(), { current: 0, older: 0, never: 4, total: 4, unlisted: 0 });
  for (const p of phones) await t.boot(p, { runCapf: false });
  const c = await t.lab.ctx.itlStatus.counts();
  assert.deepEqual(c, { current: 3, older: 0, never: 1, total: 4, unlisted: 0 });
  const row = await t.lab.ctx.itlStatus.get(phones[0]!);
  assert.equal(row?.status, 'current');
  assert.equal(row?.address, '127.0.0.1');
  assert.ok(row?.via === 'HTTP' || row?.via === 'TFTP');
  assert.match(row?.itlSha1 ?? '', /^[0-9a-f]{40}$/);
  assert.ok(row?.itlTimestamp);
});

test('a plain ITLFile.tlv is given to the phone that named itself from the same address', async () => {
  const before = (await t.lab.ctx.itlStatus.get(phones[1]!))!.servedCount;
  // Per-MAC config request first (names SEP…0002 for 127.0.0.1), then the plain ITL over real TFTP.
  await tftpGet({
    host: '127.0.0.1',
    port: t.lab.server.ports.tftp!,
    filename: `${phones[1]}.cnf.xml`,
    timeoutMs: 2000,
  });
  await tftpGet({ host: '127.0.0.1', port: t.lab.server.ports.tftp!, filename: 'ITLFile.tlv', timeoutMs: 2000 });
  const after = (await t.lab.ctx.itlStatus.get(phones[1]!))!;
  assert.equal(after.servedCount, before + 1);
  assert.equal(after.via, 'TFTP');
});

test('after the ITL changes, phones are "older" until they fetch the new one; CLI and API agree', async () => {
  await t.lab.ctx.trustAdmin.setSigningMode('localkey', actor); // a new ITL, signed by ITLRecovery
  assert.deepEqual(await t.lab.ctx.itlStatus.counts(), { current: 0, older: 3, never: 1, total: 4, unlisted: 0 });
  await t.boot(phones[2]!, { runCapf: false });
  const c = await t.lab.ctx.itlStatus.counts();
  assert.equal(c.current, 1);
  assert.equal(c.older, 2);

  const r = await cli(['--data-dir', t.lab.dir, 'report', 'itl-status', '--status', 'older', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.deepEqual(j.items.map((i: { deviceName: string }) => i.deviceName).sort(), [phones[0], phones[1]]);
  const text = await cli(['--data-dir', t.lab.dir, 'report', 'itl-status']);
  assert.match(text.stdout, /1 current, 2 older, 1 never seen, of 4 phones/);
  const found = await cli(['--data-dir', t.lab.dir, 'phone', 'find', '--itl-status', 'never', '--json']);
  assert.equal(found.code, 0, found.stderr);
  assert.match(found.stdout, /SEP0017A00000FF/);
  assert.doesNotMatch(found.stdout, /SEP0017A0000001/);
  const bad = await cli(['--data-dir', t.lab.dir, 'report', 'itl-status', '--status', 'stale']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /status must be current, older, never/);

  const app = await createApiApp(apiDepsFrom(t.lab.ctx, { tls: false, running: createListenerRegistry() }));
  try {
    await t.lab.ctx.admin.users.bootstrap('correct horse battery staple');
    const { token } = await t.lab.ctx.admin.users.createToken('admin', 't', ['api'], null, actor);
    const res = await app.inject({
      method: 'GET',
      url: '/api/v1/reports/itl-status?status=never',
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json().counts, { current: 1, older: 2, never: 1, total: 4, unlisted: 0 });
    assert.deepEqual(
      res.json().items.map((i: { deviceName: string }) => i.deviceName),
      ['SEP0017A00000FF'],
    );
    // The same states as a phone filter (the field table): API, bulk query and CLI.
    const find = await app.inject({
      method: 'GET',
      url: '/api/v1/phones?itlStatus=older',
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(find.statusCode, 200, find.body);
    assert.deepEqual(
      find
        .json()
        .items.map((i: { deviceName: string }) => i.deviceName)
        .sort(),
      [phones[0], phones[1]],
    );
    const cur = await app.inject({
      method: 'POST',
      url: '/api/v1/bulk/query',
      headers: { authorization: `Bearer ${token}` },
      payload: { filter: { itlStatus: 'current' } },
    });
    assert.equal(cur.statusCode, 200, cur.body);
    assert.equal(cur.json().matched, 1);
  } finally {
    await app.close();
  }
  await t.lab.ctx.trustAdmin.setSigningMode('normal', actor);
});
