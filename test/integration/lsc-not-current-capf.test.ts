// The filter "LSC issuer is not the current CAPF" (API lscNotCurrentCapf, CLI --lsc-not-current-capf): the
// phones an administrator re-issues after a CA rollover, on SQLite and PostgreSQL, in find, search, the bulk
// query and the CAPF report; regenerating the CAPF certificate makes the LSCs of the one before it match.

import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startApiLab, type ApiLab } from '../helpers/api-lab.ts';
import { cli } from '../helpers/cli.ts';
import { createTestDatabase, dropTestDatabase, pgAvailable } from '../helpers/test-databases.ts';
import { DEFAULT_CAPF, STATUS, statusText, type LscSummary, type Phone } from '../../src/phones/index.ts';

const t = '2026-01-01T00:00:00.000Z';
const OLD_CA = 'CN=CAPF-0ld0ld00,OU=Voice,O=Example';
const phone = (deviceName: string, lsc: LscSummary | null): Phone => ({
  deviceName,
  model: 'Cisco 8845',
  description: 'rollover',
  profileName: null,
  capf: { ...DEFAULT_CAPF },
  operationStatus: STATUS.none,
  status: statusText(STATUS.none),
  authFailures: 0,
  lsc,
  mic: null,
  lastSessionAt: null,
  configVersion: 1,
  createdAt: t,
  updatedAt: t,
});
const lsc = (serialHex: string, issuerDn: string): LscSummary => ({
  serialHex,
  issuerDn,
  notBefore: t,
  notAfter: '2031-01-01T00:00:00.000Z',
});
const CURRENT = 'SEP00000000C001';
const OLD = 'SEP00000000C002';
const NONE = 'SEP00000000C003';

const drivers: { name: string; skip: boolean | string }[] = [
  { name: 'sqlite', skip: false },
  { name: 'postgres', skip: (await pgAvailable()) ? false : 'no PostgreSQL on 127.0.0.1:5432' },
];

for (const driver of drivers) {
  describe(`lscNotCurrentCapf on ${driver.name}`, { skip: driver.skip }, () => {
    let lab: ApiLab;
    let db: { name: string; url: string } | null = null;
    let env: NodeJS.ProcessEnv = {};
    before(async () => {
      if (driver.name === 'postgres') {
        db = await createTestDatabase('opencapf_lsc_issuer');
        env = { OPENCAPF_STORE_DRIVER: 'postgres', OPENCAPF_STORE_POSTGRES_URL: db.url };
      }
      lab = await startApiLab(db ? { 'store.driver': 'postgres', 'store.postgresUrl': db.url } : {});
      const id = await lab.call('GET', '/api/v1/identities/capf');
      const capf = JSON.parse(id.body) as { certificate: { subjectDn: string } };
      await lab.ctx.store.phones.insertPhones([
        phone(CURRENT, lsc('01', capf.certificate.subjectDn)),
        phone(OLD, lsc('02', OLD_CA)),
        phone(NONE, null),
      ]);
    });
    after(async () => {
      await lab.close();
      if (db) await dropTestDatabase(db.name);
    });
    const names = (body: string) =>
      (JSON.parse(body) as { items: { deviceName: string }[] }).items.map((p) => p.deviceName).sort();

    test('API: find, search, bulk query and report take it; false is no filter', async () => {
      let r = await lab.call('GET', '/api/v1/phones?description=rollover&lscNotCurrentCapf=true');
      assert.equal(r.statusCode, 200, r.body);
      assert.deepEqual(names(r.body), [OLD]);
      r = await lab.call('GET', '/api/v1/phones?description=rollover&lscNotCurrentCapf=false');
      assert.deepEqual(names(r.body), [CURRENT, OLD, NONE]);
      const filter = { description: 'rollover', lscNotCurrentCapf: true };
      r = await lab.call('POST', '/api/v1/phones/search', { filter });
      assert.deepEqual(names(r.body), [OLD]);
      r = await lab.call('POST', '/api/v1/bulk/query', { filter });
      assert.equal(r.statusCode, 200, r.body);
      assert.equal((JSON.parse(r.body) as { matched: number }).matched, 1);
      r = await lab.call('GET', '/api/v1/reports/capf?description=rollover&lscNotCurrentCapf=true');
      assert.equal(r.statusCode, 200, r.body);
      const rows = r.body.trim().split('\n').slice(1);
      assert.deepEqual(
        rows.map((l) => l.split(',')[0]),
        [OLD],
      );
      r = await lab.call('GET', '/api/v1/phones?lscNotCurrentCapf=maybe');
      assert.equal(r.statusCode, 400);
    });

    test('CLI: phone find --lsc-not-current-capf', async () => {
      const args = ['phone', 'find', '--description', 'rollover', '--lsc-not-current-capf', '--json'];
      const r = await cli(['--data-dir', lab.dir, ...args], '', env);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(names(r.stdout), [OLD]);
    });

    test('CLI: a bulk job on it runs over the matching phones; the job keeps the filter as given', async () => {
      const args = ['bulk', 'schedule', 'none', '--description', 'rollover', '--lsc-not-current-capf', '--json'];
      const r = await cli(['--data-dir', lab.dir, ...args], '', env);
      assert.equal(r.code, 0, r.stderr);
      const job = JSON.parse(r.stdout) as { state: string; total: number; processed: number; filter: object };
      assert.deepEqual([job.state, job.total, job.processed], ['done', 1, 1]);
      assert.deepEqual(job.filter, { descriptionContains: 'rollover', lscNotCurrentCapf: true });
    });

    test('after the CAPF certificate is regenerated, the LSCs of the one before match too', async () => {
      const r = await lab.call('POST', '/api/v1/identities/capf/regenerate');
      assert.equal(r.statusCode, 200, r.body);
      const found = await lab.call('GET', '/api/v1/phones?description=rollover&lscNotCurrentCapf=true');
      assert.deepEqual(names(found.body), [CURRENT, OLD]);
    });
  });
}
