// recordAudit writes inside the caller's transaction (it commits and rolls back with the change) through each
// transaction-scoped store that offers the audit append port: PhoneStore (plain and group commit),
// AccessStore and AdminStore; and the access store's transaction on its own. Run on SQLite and PostgreSQL.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type OpenStore } from '../../src/store/index.ts';
import { createTestDatabase, dropTestDatabase, PG_ADMIN_URL, pgAvailable } from '../helpers/test-databases.ts';
import { createAuditService, recordAudit, type AuditEvent, type AuditSink } from '../../src/audit/index.ts';
import { createUserService } from '../../src/access/index.ts';
import { fixedClock } from '../../src/shared/clock.ts';

const pgUp = await pgAvailable();
const at = '2026-01-01T00:00:00.000Z';
const actor = { name: 'tester', source: 'test' };

for (const driver of ['sqlite', 'postgres'] as const) {
  const skip = driver === 'postgres' && !pgUp ? `no PostgreSQL at ${PG_ADMIN_URL}` : false;
  describe(`audit rows in the caller's transaction on ${driver}`, { skip }, () => {
    let store: OpenStore;
    let dir: string;
    let dbName = '';
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'opencapf-audit-tx-'));
      let url: string | undefined;
      if (driver === 'postgres') ({ name: dbName, url } = await createTestDatabase('opencapf_audit'));
      store = await openStore({ driver, dataDir: dir, postgresUrl: url ?? null });
    });
    after(async () => {
      await store?.close();
      rmSync(dir, { recursive: true, force: true });
      if (driver === 'postgres' && dbName) await dropTestDatabase(dbName);
    });

    const targets = async (t: string) => (await store.audit.listAudit({ target: t, limit: 10 })).map((e) => e.action);

    /** Each way in to a transaction-scoped store that recordAudit can write through. */
    const scopes: Record<string, <T>(fn: (tx: AuditSink) => Promise<T>) => Promise<T>> = {
      'PhoneStore.transaction': (fn) => store.phones.transaction(fn),
      'PhoneStore.groupTransaction': (fn) => store.phones.groupTransaction(fn),
      'AccessStore.transaction': (fn) => store.access.transaction(fn),
      'AdminStore.transaction': (fn) => store.admin.transaction(fn),
    };
    for (const [name, inTx] of Object.entries(scopes)) {
      test(`${name}: the row commits with the transaction and rolls back with it`, async () => {
        const target = `tx-${name}`;
        await assert.rejects(
          inTx(async (tx) => {
            await recordAudit(tx, { at, actor, action: 'phone.add', target });
            throw new Error('caller fails after auditing');
          }),
          /caller fails/,
        );
        assert.deepEqual(await targets(target), [], 'rolled back with the transaction');
        const both: AuditEvent[] = [
          { at, actor, action: 'phone.add', target },
          { at, actor, action: 'phone.remove', target },
        ];
        await inTx((tx) => recordAudit(tx, both));
        assert.deepEqual(await targets(target), ['phone.remove', 'phone.add'], 'committed with it (newest first)');
      });
    }

    test('a refused action inside a transaction fails it: the change before it is rolled back too', async () => {
      const t = new Date().toISOString();
      await assert.rejects(
        store.access.transaction(async (tx) => {
          await tx.insertUser({
            username: 'ghost',
            role: 'operator',
            passwordHash: 'x',
            mustChangePassword: false,
            disabled: false,
            createdAt: t,
            updatedAt: t,
            lastLoginAt: null,
          });
          await recordAudit(tx, { at, actor, action: 'user.vanish' as 'user.create', target: 'ghost' });
        }),
        /unknown audit action "user\.vanish"/,
      );
      assert.equal(await store.access.getUser('ghost'), null);
    });

    test('access service: a user and its user.delete row go in one transaction; the list has actionText', async () => {
      const users = createUserService(store.access, fixedClock(new Date(at)), { scryptN: 1024 });
      await users.create('alice', 'operator', 'correct horse battery', actor);
      await users.create('root2', 'admin', 'correct horse battery', actor);
      await users.remove('alice', actor);
      assert.equal(await store.access.getUser('alice'), null);
      const page = await createAuditService(store.audit).list({ target: 'alice' });
      const shown = page.items.map((r) => [r.action, r.actionText]);
      assert.deepEqual(shown, [
        ['user.delete', 'User deleted'],
        ['user.create', 'User created'],
      ]);
      assert.equal(page.total, 2);
    });
  });
}
