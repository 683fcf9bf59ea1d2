// One contract suite for the stores (PhoneStore, AdminStore, AccessStore, AuditStore), run against SQLite
// and PostgreSQL.
// PostgreSQL: a database created for this run on 127.0.0.1:5432 (user postgres) and dropped after;
// skipped with a message when no server answers.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type OpenStore } from '../../src/store/index.ts';
import { createTestDatabase, dropTestDatabase, PG_ADMIN_URL, pgAvailable } from '../helpers/test-databases.ts';
import { createKyselyPhoneStore } from '../../src/store/phone-store.ts';
import type { AdminStore } from '../../src/store/admin-ports.ts';
import { DEFAULT_CAPF, OperationStatus, STATUS, statusText, type Phone } from '../../src/phones/index.ts';
import { rawDatabase } from '../../src/store/raw.ts';

function phone(n: number, over: Partial<Phone> = {}): Phone {
  const t = '2026-01-01T00:00:00.000Z';
  return {
    deviceName: `SEP0000${String(n).padStart(8, '0')}`,
    model: n % 2 ? 'Cisco 7841' : 'Cisco 8845',
    description: `desk_${n} 100%`,
    profileName: null,
    capf: { ...DEFAULT_CAPF },
    operationStatus: STATUS.none,
    status: statusText(STATUS.none),
    authFailures: 0,
    lsc: null,
    mic: null,
    lastSessionAt: null,
    configVersion: 1,
    createdAt: t,
    updatedAt: t,
    ...over,
  };
}

const pgUp = await pgAvailable();

for (const driver of ['sqlite', 'postgres'] as const) {
  describe(`store contract on ${driver}`, {
    skip: driver === 'postgres' && !pgUp ? `no PostgreSQL at ${PG_ADMIN_URL}` : false,
  }, () => {
    let store: OpenStore;
    let admin: AdminStore;
    let dir: string;
    let dbName = '';
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'opencapf-contract-'));
      let url: string | undefined;
      if (driver === 'postgres') ({ name: dbName, url } = await createTestDatabase('opencapf_test'));
      store = await openStore({ driver, dataDir: dir, postgresUrl: url ?? null });
      admin = store.admin;
    });
    after(async () => {
      await store?.close();
      rmSync(dir, { recursive: true, force: true });
      if (driver === 'postgres' && dbName) await dropTestDatabase(dbName);
    });

    test(
      'migrations seed the default profile; phones insert, get, update (bumps config version), ' + 'duplicate refused',
      async () => {
        const profiles = await store.phones.listProfiles();
        assert.deepEqual(
          profiles.map((p) => p.name),
          ['Universal Device Template - Model-independent Security Profile'],
        );
        await store.phones.insertPhones(Array.from({ length: 1200 }, (_, i) => phone(i)));
        await assert.rejects(store.phones.insertPhones([phone(3)]), /already exists/);
        const p = await store.phones.getPhone('SEP000000000003');
        assert.equal(p?.model, 'Cisco 7841');
        const u = await store.phones.updatePhone(
          'SEP000000000003',
          { capf: { operation: 'install', authString: '1234' }, operationStatus: STATUS.pending('install') },
          '2026-01-02T00:00:00.000Z',
        );
        assert.equal(u?.capf.operation, 'install');
        assert.equal(u?.capf.authString, '1234');
        assert.ok(u!.configVersion >= 1);
      },
    );

    test('patchPhone updates without reading back and tells whether the phone exists', async () => {
      await store.phones.insertPhones([phone(7777)]);
      assert.equal(
        await store.phones.patchPhone(
          'SEP000000007777',
          { operationStatus: STATUS.success('install'), lastSessionAt: '2026-01-03T00:00:00.000Z' },
          '2026-01-03T00:00:00.000Z',
        ),
        true,
      );
      const p = await store.phones.getPhone('SEP000000007777');
      assert.equal(p?.status, OperationStatus.success('install'));
      assert.equal(p?.lastSessionAt, '2026-01-03T00:00:00.000Z');
      assert.equal(p?.configVersion, 1, 'status and sessions do not bump the configuration version');
      assert.equal(await store.phones.patchPhone('SEP0000DOESNOT', { operationStatus: STATUS.none }, 'now'), false);
      await store.phones.deletePhone('SEP000000007777');
    });

    test('group commit: concurrent callers share a commit; a failing caller fails alone', async () => {
      const seen: unknown[] = [];
      const ok = (n: number) =>
        store.phones.groupTransaction(async (tx) => {
          seen.push(tx);
          await tx.appendAudit({
            at: '2026-01-01T00:00:00.000Z',
            actor: 'group',
            source: 'test',
            action: 'group.item',
            target: `item-${n}`,
            details: {},
          });
          return n;
        });
      const bad = store.phones.groupTransaction(async (tx) => {
        await tx.appendAudit({
          at: '2026-01-01T00:00:00.000Z',
          actor: 'group',
          source: 'test',
          action: 'group.item',
          target: 'bad',
          details: {},
        });
        throw new Error('caller failed');
      });
      const results = await Promise.allSettled([ok(1), ok(2), bad, ok(3)]);
      assert.deepEqual(
        results.map((r) => r.status),
        ['fulfilled', 'fulfilled', 'rejected', 'fulfilled'],
      );
      assert.deepEqual(
        results.filter((r) => r.status === 'fulfilled').map((r) => (r as PromiseFulfilledResult<number>).value),
        [1, 2, 3],
      );
      const targets = (await store.audit.listAudit({ actor: 'group', limit: 10 })).map((e) => e.target).sort();
      assert.deepEqual(targets, ['item-1', 'item-2', 'item-3'], 'the failed caller left nothing; the others committed');
    });

    test('group commit never joins another open transaction (SQLite has one connection)', async () => {
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let outerWrote!: () => void;
      const wrote = new Promise<void>((r) => (outerWrote = r));
      const outer = store.phones.transaction(async (tx) => {
        await tx.appendAudit({
          at: '2026-01-01T00:00:00.000Z',
          actor: 'outer',
          source: 'test',
          action: 'group.item',
          target: 'rolled-back',
          details: {},
        });
        outerWrote();
        await gate;
        throw new Error('outer rolls back');
      });
      await wrote;
      // Submitted while the outer transaction is open: its row must not become part of it.
      const group = store.phones.groupTransaction(async (tx) => {
        await tx.appendAudit({
          at: '2026-01-01T00:00:00.000Z',
          actor: 'outer',
          source: 'test',
          action: 'group.item',
          target: 'group',
          details: {},
        });
      });
      await new Promise((r) => setTimeout(r, 20));
      release();
      await assert.rejects(outer, /outer rolls back/);
      await group;
      assert.deepEqual(
        (await store.audit.listAudit({ actor: 'outer', limit: 10 })).map((e) => e.target),
        ['group'],
      );
    });

    test("a read outside any transaction never sees another transaction's uncommitted writes", async () => {
      const name = phone(7).deviceName;
      const before = (await store.phones.getPhone(name))!.status;
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let outerWrote!: () => void;
      const wrote = new Promise<void>((r) => (outerWrote = r));
      const outer = store.phones.transaction(async (tx) => {
        await tx.patchPhone(
          name,
          { operationStatus: STATUS.failed('install', 'protocol') },
          '2026-01-01T00:00:00.000Z',
        );
        outerWrote();
        await gate;
        throw new Error('outer rolls back');
      });
      await wrote;
      const read = store.phones.getPhone(name); // SQLite: waits for the connection; PostgreSQL: another one
      await new Promise((r) => setTimeout(r, 20));
      release();
      await assert.rejects(outer, /outer rolls back/);
      assert.equal((await read)!.status, before);
    });

    test(
      'group commit delay: a caller with siblings in flight waits to share their commit; ' + 'a lone caller does not',
      async () => {
        // A delay no test would sit out: only the lone caller's immediate commit can end the wait.
        const delayed = createKyselyPhoneStore(rawDatabase(store), false, undefined, { commitDelayMs: 60_000 });
        const txOf: Record<string, unknown> = {};
        const settled: string[] = [];
        const item = (name: string, siblings: number) =>
          delayed
            .groupTransaction(
              async (tx) => {
                txOf[name] = tx;
                await tx.appendAudit({
                  at: '2026-01-01T00:00:00.000Z',
                  actor: 'delay',
                  source: 'test',
                  action: 'group.item',
                  target: name,
                  details: {},
                });
              },
              { siblings },
            )
            .then(() => void settled.push(name));
        const a = item('a', 3);
        await new Promise((r) => setTimeout(r, 20)); // a later event-loop turn: without the delay, a would commit alone
        const b = item('b', 3);
        await new Promise((r) => setTimeout(r, 20));
        assert.deepEqual(settled, [], 'a and b wait for their siblings');
        const lone = item('lone', 0);
        await Promise.all([a, b, lone]);
        assert.equal(txOf.a, txOf.b, 'a and b share one transaction');
        assert.equal(txOf.b, txOf.lone, 'the lone caller commits at once, taking the waiting work with it');
        assert.deepEqual((await store.audit.listAudit({ actor: 'delay', limit: 10 })).map((e) => e.target).sort(), [
          'a',
          'b',
          'lone',
        ]);
      },
    );

    test('listPhones: filters, literal LIKE metacharacters, paging, sorting, totals', async () => {
      const r = await store.phones.listPhones({
        modelContains: '8845',
        limit: 10,
        offset: 5,
        sort: 'deviceName',
        order: 'desc',
      });
      assert.equal(r.total, 600);
      assert.equal(r.items.length, 10);
      assert.equal(r.items[0]!.deviceName, 'SEP000000001188');
      assert.equal((await store.phones.listPhones({ descriptionContains: 'desk_1 1' })).total, 1, '_ is literal');
      assert.equal((await store.phones.listPhones({ descriptionContains: '100%' })).total, 1200, '% is literal');
      assert.equal((await store.phones.listPhones({ descriptionContains: 'desk%' })).total, 0);
      assert.equal((await store.phones.listPhones({ namePattern: 'sep00000000001*' })).total, 10);
      assert.equal((await store.phones.listPhones({ authString: '1234' })).items[0]!.deviceName, 'SEP000000000003');
      assert.equal((await store.phones.listPhones({ descriptionContains: "'; drop table phones; --" })).total, 0);
    });

    test('scan (keyset), count, batch CAPF updates and audit in one transaction; rollback leaves nothing', async () => {
      const first = await admin.scanPhones({ modelContains: '7841' }, null, 500);
      const second = await admin.scanPhones({ modelContains: '7841' }, first[first.length - 1]!.deviceName, 500);
      assert.equal(first.length + second.length, 600);
      assert.equal(await admin.countPhones({ lscStatus: 'none' }), 1200);
      await admin.transaction(async (tx) => {
        await tx.applyCapfUpdates(
          first.slice(0, 3).map((p) => ({
            deviceName: p.deviceName,
            capf: { ...p.capf, operation: 'delete', completesBy: '2030-01-01T00:00:00.000Z' },
            operationStatus: STATUS.pending('delete'),
          })),
          '2026-01-03T00:00:00.000Z',
        );
        await tx.appendAuditMany([
          {
            at: '2026-01-03T00:00:00.000Z',
            actor: 'a',
            source: 's',
            action: 'capf.schedule',
            target: first[0]!.deviceName,
            details: { x: 1 },
          },
        ]);
      });
      assert.equal(await admin.countPhones({ operation: 'delete' }), 3);
      await assert.rejects(
        admin.transaction(async (tx) => {
          await tx.applyCapfUpdates(
            [
              {
                deviceName: first[5]!.deviceName,
                capf: { ...first[5]!.capf, operation: 'delete' },
                operationStatus: STATUS.pending('delete'),
              },
            ],
            'x',
          );
          throw new Error('boom');
        }),
        /boom/,
      );
      assert.equal(await admin.countPhones({ operation: 'delete' }), 3);
      assert.equal(await store.audit.countAudit({ action: 'capf.schedule' }), 1);
    });

    test('expiry buckets by model; profile defaults and mismatch counts', async () => {
      const lsc = (days: number) => ({
        serialHex: `S${days}`,
        issuerDn: 'CN=CAPF',
        notBefore: '2025-01-01T00:00:00.000Z',
        notAfter: new Date(Date.parse('2026-06-01T00:00:00.000Z') + days * 86_400_000).toISOString(),
      });
      await store.phones.updatePhone('SEP000000000010', { lsc: lsc(-1) }, 'x');
      await store.phones.updatePhone('SEP000000000012', { lsc: lsc(20) }, 'x');
      await store.phones.updatePhone('SEP000000000011', { lsc: lsc(80) }, 'x');
      await store.phones.updatePhone('SEP000000000013', { lsc: lsc(200) }, 'x');
      assert.equal(await admin.countPhones({ lscStatus: 'installed' }), 4, 'LSC status follows the LSC written');
      assert.equal(await admin.countPhones({ lscStatus: 'none' }), 1196);
      await store.phones.updatePhone('SEP000000000013', { lsc: null }, 'x');
      assert.equal(await admin.countPhones({ lscStatus: 'installed' }), 3, 'and a removed LSC');
      await store.phones.updatePhone('SEP000000000013', { lsc: lsc(200) }, 'x');
      const rows = await admin.expiryBuckets(
        '2026-06-01T00:00:00.000Z',
        '2026-07-01T00:00:00.000Z',
        '2026-08-30T00:00:00.000Z',
      );
      const m8845 = rows.find((r) => r.model === 'Cisco 8845')!;
      const m7841 = rows.find((r) => r.model === 'Cisco 7841')!;
      assert.deepEqual([m8845.expired, m8845.within30, m8845.within90, m8845.valid, m8845.none], [1, 1, 0, 0, 598]);
      assert.deepEqual([m7841.expired, m7841.within30, m7841.within90, m7841.valid, m7841.none], [0, 0, 1, 1, 598]);
      const t = '2026-01-01T00:00:00.000Z';
      await store.phones.upsertProfile({
        name: 'P1',
        description: '',
        deviceSecurityMode: 'encrypted',
        authMode: 'existing-lsc',
        keyOrder: 'rsa',
        rsaKeySize: 2048,
        ecKeySize: null,
        encryptedConfig: false,
        acceptExpiredMic: false,
        createdAt: t,
        updatedAt: t,
      });
      await store.phones.updatePhone('SEP000000000020', { profileName: 'P1' }, t);
      await store.phones.updatePhone(
        'SEP000000000021',
        { profileName: 'P1', capf: { operation: 'install', authMode: 'null-string' } },
        t,
      );
      assert.deepEqual(await admin.profileMismatches({ namePattern: 'SEP00000000002*' }, 'null-string'), [
        { profileName: 'P1', profileMode: 'existing-lsc', phones: 2 },
      ]);
      assert.equal(
        await admin.applyProfileDefaults(
          'P1',
          { authMode: 'existing-mic', keyOrder: 'ec', rsaKeySize: 2048, ecKeySize: 384 },
          t,
        ),
        1,
      );
      assert.equal(await admin.countPendingWithProfile('P1', 'existing-mic'), 1);
      assert.equal((await store.phones.getPhone('SEP000000000020'))!.capf.ecKeySize, 384);
      // Migration 0009: the profile's expired-MIC policy and the MIC's not-after and SHA-1 round-trip.
      await store.phones.upsertProfile({ ...(await store.phones.getProfile('P1'))!, acceptExpiredMic: true });
      assert.equal((await store.phones.getProfile('P1'))!.acceptExpiredMic, true);
      const mic = {
        serialHex: '0a1b',
        subjectDn: 'CN=CP-8845-SEP000000000020',
        issuerDn: 'CN=Cisco Manufacturing CA SHA2, O=Cisco',
        notAfter: '2025-06-01T00:00:00.000Z',
        sha1: 'ab'.repeat(20),
        seenAt: t,
      };
      assert.equal(await store.phones.patchPhone('SEP000000000020', { mic }, t), true);
      assert.deepEqual((await store.phones.getPhone('SEP000000000020'))!.mic, mic);
      const expired = await store.phones.listPhones({
        micExpiresBefore: '2026-01-01T00:00:00.000Z',
        micIssuerContains: 'manufacturing ca sha2',
        limit: 10,
      });
      assert.deepEqual(
        expired.items.map((p) => p.deviceName),
        ['SEP000000000020'],
      );
      assert.equal((await store.phones.listPhones({ micStatus: 'none', namePattern: 'SEP00000000002*' })).total, 9);
    });

    test('bulk jobs: insert, claim with a lease, items, list by state', async () => {
      const base = {
        kind: 'capf-update' as const,
        state: 'queued' as const,
        filter: { modelContains: '7841' },
        request: { operation: 'install' as const },
        createdBy: 'a',
        source: 's',
        createdAt: 't',
        updatedAt: 't',
        total: 600,
        processed: 0,
        succeeded: 0,
        failed: 0,
        cursor: null,
        error: null,
        runner: null,
        leaseUntil: null,
      };
      const id = await admin.insertBulkJob(base);
      assert.ok(await admin.claimBulkJob(id, 'r1', '2026-01-01T00:00:00Z', '2026-01-01T00:01:00Z'));
      assert.equal(
        await admin.claimBulkJob(id, 'r2', '2026-01-01T00:00:30Z', '2026-01-01T00:01:30Z'),
        false,
        'lease held',
      );
      assert.ok(await admin.claimBulkJob(id, 'r2', '2026-01-01T00:02:00Z', '2026-01-01T00:03:00Z'), 'lease lapsed');
      await admin.insertBulkJobItems(id, [
        { deviceName: 'SEP000000000002', ok: true, authString: '12345678', code: null, message: null },
        { deviceName: 'SEP000000000001', ok: false, authString: null, code: 'ERR_PROFILE_MISMATCH', message: 'no' },
      ]);
      const items = await admin.listBulkJobItems(id, { limit: 10 });
      assert.deepEqual(
        items.map((i) => i.deviceName),
        ['SEP000000000001', 'SEP000000000002'],
      );
      assert.equal((await admin.listBulkJobItems(id, { onlyFailed: true, limit: 10 })).length, 1);
      await admin.updateBulkJob(id, { state: 'done', cursor: 'SEP000000000002', processed: 2 });
      const j = await admin.getBulkJob(id);
      assert.deepEqual(
        [j!.state, j!.cursor, j!.processed, j!.filter.modelContains, j!.request.operation],
        ['done', 'SEP000000000002', 2, '7841', 'install'],
      );
      assert.equal((await admin.listBulkJobs({ states: ['queued', 'running'] })).length, 0);
    });

    test('users, tokens, web sessions; deleting a user removes their tokens and sessions', async () => {
      const t = '2026-01-01T00:00:00.000Z';
      await store.access.insertUser({
        username: 'u1',
        role: 'operator',
        passwordHash: 'scrypt$x',
        mustChangePassword: true,
        disabled: false,
        createdAt: t,
        updatedAt: t,
        lastLoginAt: null,
      });
      assert.equal(await store.access.countUsers(), 1);
      await store.access.updateUser('u1', { role: 'admin', mustChangePassword: false });
      assert.deepEqual(
        [(await store.access.getUser('u1'))!.role, (await store.access.getUser('u1'))!.mustChangePassword],
        ['admin', false],
      );
      await store.access.insertToken({
        id: 'abcdef0123456789',
        username: 'u1',
        name: 'n',
        secretHash: 'ff',
        scopes: ['api', 'metrics'],
        createdAt: t,
        expiresAt: null,
        lastUsedAt: null,
      });
      assert.deepEqual((await store.access.getToken('abcdef0123456789'))!.scopes, ['api', 'metrics']);
      await store.access.insertWebSession({
        idHash: 'h1',
        username: 'u1',
        createdAt: t,
        expiresAt: '2030-01-01T00:00:00.000Z',
        source: '10.0.0.1',
      });
      assert.equal((await store.access.getWebSession('h1'))!.username, 'u1');
      assert.ok(await store.access.deleteUser('u1'));
      assert.equal(await store.access.getToken('abcdef0123456789'), null);
      assert.equal(await store.access.getWebSession('h1'), null);
    });

    test(
      'login throttle: failures count within the window, lock at the maximum, restart after it; ' + 'delete and prune',
      async () => {
        const at = (min: number) => new Date(Date.UTC(2026, 0, 1, 0, min)).toISOString();
        const fail = (min: number, keys = ['u:x', 'ip:10.0.0.9']) =>
          store.access.recordLoginFailure(keys, {
            now: at(min),
            windowStart: at(min - 15),
            maxFailures: 3,
            lockedUntil: at(min + 15),
          });
        await fail(0);
        await fail(1);
        const r = await store.access.getLoginThrottles(['u:x', 'ip:10.0.0.9', 'u:none']);
        assert.deepEqual(r.map((x) => [x.key, x.failures, x.firstFailureAt, x.lockedUntil]).sort(), [
          ['ip:10.0.0.9', 2, at(0), null],
          ['u:x', 2, at(0), null],
        ]);
        await fail(2);
        assert.deepEqual(
          (await store.access.getLoginThrottles(['u:x'])).map((x) => [x.failures, x.lockedUntil]),
          [[3, at(17)]],
        );
        await fail(40, ['u:x']); // the window (15 min) has passed: counting restarts, the old lockout has lapsed
        assert.deepEqual(
          (await store.access.getLoginThrottles(['u:x'])).map((x) => [x.failures, x.firstFailureAt]),
          [[1, at(40)]],
        );
        await Promise.all(Array.from({ length: 5 }, () => fail(41, ['ip:10.0.0.8'])));
        assert.equal(
          (await store.access.getLoginThrottles(['ip:10.0.0.8']))[0]!.failures,
          5,
          'concurrent failures are all counted',
        );
        assert.equal(
          await store.access.pruneLoginThrottles(at(30), at(41)),
          1,
          'only ip:10.0.0.9 is stale and unlocked',
        );
        await store.access.deleteLoginThrottles(['u:x', 'ip:10.0.0.8']);
        assert.deepEqual(await store.access.getLoginThrottles(['u:x', 'ip:10.0.0.8', 'ip:10.0.0.9']), []);
      },
    );

    test('certificate monitor: default rule seeded; rules, channels audited; one claim per notification', async () => {
      const m = store.monitor;
      const at = '2026-02-01T00:00:00.000Z';
      const audit = (target: string) =>
        ({ at, actor: { name: 't', source: 'test' }, action: 'monitor.rule-add', target, details: {} }) as const;
      const seeded = await m.getRule('default');
      assert.deepEqual(
        [seeded?.classes, seeded?.startDaysBefore, seeded?.hourlyLastDay, seeded?.channels],
        [[], 30, true, []],
      );
      const rule = { ...seeded!, name: 'lsc-90', classes: ['lsc' as const], startDaysBefore: 90, channels: ['ops'] };
      await m.insertRule(rule, audit('lsc-90'));
      await assert.rejects(m.insertRule(rule, audit('lsc-90')), /already exists/);
      assert.equal(await m.updateRule({ ...rule, enabled: false }, audit('lsc-90')), true);
      assert.equal((await m.getRule('lsc-90'))?.enabled, false);
      assert.equal(await m.updateRule({ ...rule, name: 'nope' }, audit('nope')), false);
      const channel = {
        name: 'ops',
        kind: 'webhook' as const,
        enabled: true,
        settings: { url: 'http://127.0.0.1:9/x', caPem: null },
        secret: 'sixteen-chars-secret',
        createdAt: at,
        updatedAt: at,
      };
      await m.insertChannel(channel, audit('ops'));
      assert.deepEqual(await m.getChannel('ops'), channel);
      const key = { rule: 'lsc-90', slot: 'day:2026-02-01', channel: 'ops' };
      const later = '2026-02-01T00:10:00.000Z';
      const claims = await Promise.all([
        m.claimNotification(key, 'a', at, later),
        m.claimNotification(key, 'b', at, later),
      ]);
      assert.deepEqual(claims.sort(), [false, true], 'two runners at once: one takes it');
      assert.equal(await m.claimNotification(key, 'c', '2026-02-01T00:05:00.000Z', later), false, 'lease held');
      assert.equal(await m.claimNotification(key, 'c', '2026-02-01T00:11:00.000Z', later), true, 'lease lapsed');
      await m.finishNotification(key, 'failed', 2, at);
      assert.equal(await m.claimNotification(key, 'd', at, later), true, 'a failed one is tried again');
      await m.finishNotification(key, 'sent', 1, at);
      assert.equal(await m.claimNotification(key, 'e', '2026-02-02T00:00:00.000Z', later), false, 'sent: never again');
      await m.appendDelivery({
        ...key,
        at,
        kind: 'webhook',
        attempt: 1,
        status: 'sent',
        detail: 'HTTP 200',
        subject: 's',
      });
      assert.deepEqual(
        (await m.listDeliveries({ limit: 10, channel: 'ops' })).map((d) => [d.rule, d.attempt, d.status, d.detail]),
        [['lsc-90', 1, 'sent', 'HTTP 200']],
      );
      assert.equal(await m.deleteRule('lsc-90', audit('lsc-90')), true);
      assert.equal(await m.deleteChannel('ops', audit('ops')), true);
      assert.equal(await m.deleteChannel('ops', audit('ops')), false);
      const rows = await store.audit.listAudit({ target: 'lsc-90', limit: 10 });
      assert.equal(rows.length, 3, 'insert, update and delete each audited (the refused ones not)');
      assert.deepEqual(await m.renewalSince('2099-01-01T00:00:00.000Z'), { jobs: 0, renewed: 0, failed: 0 });
    });

    test('certificate monitor: phone certificates per not-after range, counted and the soonest listed', async () => {
      const t0 = Date.parse('2091-01-01T00:00:00.000Z');
      const iso = (d: number) => new Date(t0 + d * 86_400_000).toISOString();
      const lscs = [-5, 3, 6, 20, 40];
      await store.phones.insertPhones(
        lscs.map((d, i) =>
          phone(91000 + i, { lsc: { serialHex: `AA${i}`, issuerDn: 'CN=x', notBefore: iso(-400), notAfter: iso(d) } }),
        ),
      );
      const found = await store.monitor.phoneCertificates(
        'lsc',
        [
          { afterIso: iso(-30), untilIso: iso(0) },
          { afterIso: iso(0), untilIso: iso(7) },
          { afterIso: iso(7), untilIso: iso(30) },
        ],
        1,
      );
      assert.deepEqual(
        found.map((f) => [f.count, f.items.map((p) => p.notAfter)]),
        [
          [1, [iso(-5)]],
          [2, [iso(3)]],
          [1, [iso(20)]],
        ],
      );
    });
  });
}
