// Managing the manufacturing CAs that MICs are checked against (provisioning/manufacturing-trust.ts): over the real
// store on SQLite and PostgreSQL, then through the CLI (`opencapf capf manufacturing import|list|remove`) and the REST
// API on 127.0.0.1. Each bad input — a certificate that is not a CA, garbage PEM, a private key, a duplicate (of a
// managed entry, of the capf.manufacturingCaFile bundle, or twice in one import) — is refused with its code and
// leaves the table and the audit log as they were; the configured bundle is listed read-only and cannot be removed.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type OpenStore } from '../../src/store/index.ts';
import { createTestDatabase, dropTestDatabase, PG_ADMIN_URL, pgAvailable } from '../helpers/test-databases.ts';
import { createManufacturingTrust, type ManufacturingTrust } from '../../src/provisioning/manufacturing-trust.ts';
import { adjustableClock } from '../../src/shared/clock.ts';
import { isAppError } from '../../src/shared/errors.ts';
import {
  createSelfSignedIdentity,
  derToPem,
  generateKeyPair,
  privateKeyPem,
  subjectAttributes,
} from '../../src/pki/index.ts';
import { cli } from '../helpers/cli.ts';
import { startApiLab, type ApiLab } from '../helpers/api-lab.ts';

const actor = { name: 'cli:tester', source: 'cli' };
const NOW = new Date('2026-03-01T12:00:00Z');

async function cert(cn: string, o: { ca: boolean; days?: number; from?: Date }) {
  const keys = await generateKeyPair({ type: 'ec', curve: 'P-256' });
  const certificate = await createSelfSignedIdentity({
    role: o.ca ? 'capf' : 'tftp',
    subject: subjectAttributes(cn, { organization: 'Cisco Systems (test)' }),
    keys,
    validityDays: o.days ?? 3650,
    now: o.from ?? new Date(NOW.getTime() - 86_400_000),
  });
  return { pem: derToPem(certificate.der), keyPem: privateKeyPem(keys.privateKey), info: certificate };
}

const file = (name: string, text: string | Buffer) => ({ name, bytes: Buffer.from(text) });
const GARBAGE_PEM = '-----BEGIN CERTIFICATE-----\nthis is not base64 at all!\n-----END CERTIFICATE-----\n';

const fixtures = (async () => ({
  ca: await cert('Cisco Manufacturing CA SHA2 (test)', { ca: true }),
  ca2: await cert('CAP-RTP-002 (test)', { ca: true }),
  configured: await cert('Configured Manufacturing CA (test)', { ca: true }),
  leaf: await cert('CP-8845-SEP001122334455', { ca: false }),
  expiredCa: await cert('CAP-RTP-001 (test)', { ca: true, days: 365, from: new Date('2010-01-01T00:00:00Z') }),
}))();

const pgUp = await pgAvailable();

for (const driver of ['sqlite', 'postgres'] as const) {
  describe(`manufacturing CAs on ${driver}`, {
    skip: driver === 'postgres' && !pgUp ? `no PostgreSQL at ${PG_ADMIN_URL}` : false,
  }, () => {
    let store: OpenStore;
    let dir: string;
    let dbName = '';
    let mt: ManufacturingTrust;
    const clock = adjustableClock();
    clock.set(NOW);

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'opencapf-mfg-'));
      let url: string | undefined;
      if (driver === 'postgres') ({ name: dbName, url } = await createTestDatabase('opencapf_mfg'));
      store = await openStore({ driver, dataDir: dir, postgresUrl: url ?? null });
      const f = await fixtures;
      mt = createManufacturingTrust({ store: store.manufacturingCas, clock, configuredPem: f.configured.pem });
      await mt.refresh();
    });
    after(async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
      if (dbName) await dropTestDatabase(dbName);
    });

    async function refused(run: () => Promise<unknown>, code: string, message: RegExp) {
      const rows = (await store.manufacturingCas.listManufacturingCas()).map((e) => e.sha256);
      const audit = await store.audit.countAudit({});
      await assert.rejects(run(), (e) => {
        assert.ok(isAppError(e), String(e));
        assert.equal(e.code, code, e.message);
        assert.match(e.message, message);
        return true;
      });
      assert.deepEqual(
        (await store.manufacturingCas.listManufacturingCas()).map((e) => e.sha256),
        rows,
      );
      assert.equal(await store.audit.countAudit({}), audit, 'no audit row was written');
    }

    test('the configured bundle is listed read-only; an import adds a managed entry, audited', async () => {
      const f = await fixtures;
      const before = await mt.list();
      assert.deepEqual(
        before.map((e) => [e.source, e.sha1]),
        [['config', f.configured.info.sha1]],
      );
      const [added] = await mt.import([file('cmca2.pem', f.ca.pem)], { comment: 'from cisco.com/security/pki' }, actor);
      assert.equal(added!.source, 'managed');
      assert.equal(added!.state, 'valid');
      const all = await mt.list();
      assert.deepEqual(
        all.map((e) => [e.source, e.sha1, e.comment]),
        [
          ['config', f.configured.info.sha1, ''],
          ['managed', f.ca.info.sha1, 'from cisco.com/security/pki'],
        ],
      );
      const audit = await store.audit.listAudit({ action: 'capf.manufacturing-ca-import', limit: 10, offset: 0 });
      assert.equal(audit.length, 1);
      assert.equal(audit[0]!.target, f.ca.info.sha1);
      assert.equal(audit[0]!.actor, actor.name);
    });

    test('refused, nothing stored: not a CA, garbage PEM, a private key, no PEM block, duplicates', async () => {
      const f = await fixtures;
      await refused(() => mt.import([file('leaf.pem', f.leaf.pem)], {}, actor), 'ERR_MFG_CA_NOT_CA', /not a CA/);
      await refused(
        () => mt.import([file('bad.pem', GARBAGE_PEM)], {}, actor),
        'ERR_MFG_CA_NOT_CERTIFICATE',
        /not base64/,
      );
      await refused(
        () => mt.import([file('random.der', Buffer.from([0x30, 0x03, 0x02, 0x01]))], {}, actor),
        'ERR_MFG_CA_NOT_CERTIFICATE',
        /nothing was imported/,
      );
      await refused(
        () => mt.import([file('key.pem', f.ca.keyPem)], {}, actor),
        'ERR_MFG_CA_PRIVATE_KEY',
        /private key/,
      );
      await refused(
        () => mt.import([file('notes.txt', 'hello')], {}, actor),
        'ERR_MFG_CA_NOT_CERTIFICATE',
        /no PEM block|not an X\.509/,
      );
      await refused(
        () => mt.import([file('again.pem', f.ca.pem)], {}, actor),
        'ERR_MFG_CA_DUPLICATE',
        /already a managed manufacturing CA/,
      );
      await refused(
        () => mt.import([file('configured.pem', f.configured.pem)], {}, actor),
        'ERR_MFG_CA_DUPLICATE',
        /already trusted through capf\.manufacturingCaFile/,
      );
      // All or nothing: a good CA beside a bad file is not added either.
      await refused(
        () => mt.import([file('ca2.pem', f.ca2.pem), file('leaf.pem', f.leaf.pem)], {}, actor),
        'ERR_MFG_CA_NOT_CA',
        /leaf\.pem/,
      );
      await refused(
        () => mt.import([file('twice.pem', f.ca2.pem + f.ca2.pem)], {}, actor),
        'ERR_MFG_CA_DUPLICATE',
        /given twice/,
      );
    });

    test('an expired CA imports, shown expired; removed by SHA-256 prefix; a configured one is read-only', async () => {
      const f = await fixtures;
      const [old] = await mt.import([file('cap-rtp-001.pem', f.expiredCa.pem)], {}, actor);
      assert.equal(old!.state, 'expired');
      const removed = await mt.remove(old!.sha256.slice(0, 12), actor);
      assert.equal(removed.sha1, f.expiredCa.info.sha1);
      await refused(
        () => mt.remove(f.configured.info.sha1, actor),
        'ERR_MFG_CA_READ_ONLY',
        /capf\.manufacturingCaFile/,
      );
      await refused(() => mt.remove('zz', actor), 'ERR_BAD_REQUEST', /SHA-1/);
      await refused(() => mt.remove('0123456789abcdef', actor), 'ERR_NOT_FOUND', /no manufacturing CA/);
      const audit = await store.audit.listAudit({ action: 'capf.manufacturing-ca-remove', limit: 10, offset: 0 });
      assert.deepEqual(
        audit.map((a) => a.target),
        [f.expiredCa.info.sha1],
      );
    });

    test('another node sees an import at its next MIC check (issuerOf reloads from the store)', async () => {
      const f = await fixtures;
      const other = createManufacturingTrust({ store: store.manufacturingCas, clock, configuredPem: null });
      await other.refresh();
      const ca2Der = f.ca2.info.der;
      // A certificate is its own issuer when self-signed: the CA itself stands in for a MIC it issued.
      assert.equal(await other.issuerOf(ca2Der), null);
      await mt.import([file('ca2.pem', f.ca2.pem)], {}, actor);
      assert.equal((await other.issuerOf(ca2Der))?.sha1, f.ca2.info.sha1);
      await mt.remove(f.ca2.info.sha1, actor);
      assert.equal(await other.issuerOf(ca2Der), null);
    });
  });
}

describe('CLI and REST API on 127.0.0.1', () => {
  let lab: ApiLab;
  let base: string;
  let files: string;

  before(async () => {
    const f = await fixtures;
    files = mkdtempSync(join(tmpdir(), 'opencapf-mfg-files-'));
    writeFileSync(join(files, 'configured.pem'), f.configured.pem);
    writeFileSync(join(files, 'ca.pem'), f.ca.pem);
    writeFileSync(join(files, 'ca2.pem'), f.ca2.pem);
    writeFileSync(join(files, 'leaf.pem'), f.leaf.pem);
    writeFileSync(join(files, 'garbage.pem'), GARBAGE_PEM);
    lab = await startApiLab({ 'capf.manufacturingCaFile': join(files, 'configured.pem') });
    base = await lab.app.listen({ host: '127.0.0.1', port: 0 });
  });
  after(async () => {
    await lab.close();
    rmSync(files, { recursive: true, force: true });
  });

  const run = (...args: string[]) =>
    cli(['--data-dir', lab.dir, '--config', join(lab.dir, 'none.json'), ...args].filter((a) => a !== ''));

  test('CLI: import, list, remove; not a CA, garbage PEM and duplicate refused with a non-zero exit', async () => {
    const f = await fixtures;
    writeFileSync(
      join(lab.dir, 'none.json'),
      JSON.stringify({ 'capf.manufacturingCaFile': join(files, 'configured.pem') }),
    );
    const imp = await run('capf', 'manufacturing', 'import', join(files, 'ca.pem'), '--comment', 'cmca2');
    assert.equal(imp.code, 0, imp.stderr);
    assert.match(imp.stdout, /Trusted 1 manufacturing CA/);
    const leaf = await run('capf', 'manufacturing', 'import', join(files, 'leaf.pem'));
    assert.notEqual(leaf.code, 0);
    assert.match(leaf.stderr, /not a CA certificate/);
    const garbage = await run('capf', 'manufacturing', 'import', join(files, 'garbage.pem'));
    assert.notEqual(garbage.code, 0);
    assert.match(garbage.stderr, /not base64/);
    const dup = await run('capf', 'manufacturing', 'import', join(files, 'ca.pem'));
    assert.notEqual(dup.code, 0);
    assert.match(dup.stderr, /already a managed manufacturing CA/);
    const list = await run('capf', 'manufacturing', 'list', '--json');
    assert.equal(list.code, 0, list.stderr);
    const items = JSON.parse(list.stdout) as { source: string; sha1: string }[];
    assert.deepEqual(
      items.map((i) => [i.source, i.sha1]),
      [
        ['config', f.configured.info.sha1],
        ['managed', f.ca.info.sha1],
      ],
    );
    const table = await run('capf', 'manufacturing', 'list');
    assert.match(table.stdout, /capf\.manufacturingCaFile/);
    const roRemove = await run('capf', 'manufacturing', 'remove', f.configured.info.sha1);
    assert.notEqual(roRemove.code, 0);
    assert.match(roRemove.stderr, /read-only/);
    // The per-profile policy: off by default, on with a warning about the risk, off again.
    const add = await run('profile', 'add', 'Old 79xx', '--auth-mode', 'existing-mic');
    assert.equal(add.code, 0, add.stderr);
    assert.match((await run('profile', 'show', 'Old 79xx')).stdout, /Accept expired MIC {5}no/);
    const on = await run('profile', 'edit', 'Old 79xx', '--accept-expired-mic', 'on');
    assert.equal(on.code, 0, on.stderr);
    assert.match(on.stderr, /WARNING: phones of this profile may now authenticate to CAPF with an expired MIC/);
    assert.match((await run('profile', 'show', 'Old 79xx')).stdout, /Accept expired MIC {5}yes \(RISK/);
    const off = await run('profile', 'edit', 'Old 79xx', '--accept-expired-mic', 'off');
    assert.equal(off.stderr, '');
    assert.equal((await lab.ctx.admin.profiles.get('Old 79xx')).acceptExpiredMic, false);
    const audit = await lab.ctx.admin.audit.list({ action: 'profile.update', target: 'Old 79xx' });
    assert.deepEqual(
      audit.items.map((i) => (i.details.after as { acceptExpiredMic: boolean }).acceptExpiredMic),
      [false, true],
    );
    const rm = await run('capf', 'manufacturing', 'remove', f.ca.info.sha1);
    assert.equal(rm.code, 0, rm.stderr);
    assert.match(rm.stdout, /No longer trusted/);
  });

  test('API: list for read-only, import/remove for admins, bad inputs with their codes', async () => {
    const f = await fixtures;
    const call = async (method: string, path: string, body?: unknown, token = lab.adminToken) => {
      const r = await fetch(`${base}/api/v1${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: r.status, json: (await r.json()) as Record<string, any> };
    };
    const viewer = await lab.tokenFor('viewer', 'read-only');
    const listed = await call('GET', '/capf/manufacturing-cas', undefined, viewer);
    assert.equal(listed.status, 200);
    assert.ok(listed.json.items.some((i: { source: string }) => i.source === 'config'));
    const forbidden = await call('POST', '/capf/manufacturing-cas', { files: [{ pem: f.ca2.pem }] }, viewer);
    assert.equal(forbidden.status, 403);

    const dry = await call('POST', '/capf/manufacturing-cas', {
      files: [{ name: 'ca2.pem', pem: f.ca2.pem }],
      dryRun: true,
    });
    assert.equal(dry.status, 200);
    assert.equal(dry.json.dryRun, true);
    assert.equal((await call('GET', '/capf/manufacturing-cas')).json.items.length, 1, 'a dry run stores nothing');

    const ok = await call('POST', '/capf/manufacturing-cas', { files: [{ name: 'ca2.pem', pem: f.ca2.pem }] });
    assert.equal(ok.status, 200, JSON.stringify(ok.json));
    assert.equal(ok.json.items[0].sha1, f.ca2.info.sha1);
    for (const [body, status, code] of [
      [{ files: [{ name: 'leaf.pem', pem: f.leaf.pem }] }, 400, 'ERR_MFG_CA_NOT_CA'],
      [{ files: [{ name: 'garbage.pem', pem: GARBAGE_PEM }] }, 400, 'ERR_MFG_CA_NOT_CERTIFICATE'],
      [
        { files: [{ name: 'b64', base64: Buffer.from('junk junk').toString('base64') }] },
        400,
        'ERR_MFG_CA_NOT_CERTIFICATE',
      ],
      [{ files: [{ name: 'ca2.pem', pem: f.ca2.pem }] }, 409, 'ERR_MFG_CA_DUPLICATE'],
      [{ files: [{ name: 'key.pem', pem: f.ca2.keyPem }] }, 400, 'ERR_MFG_CA_PRIVATE_KEY'],
    ] as const) {
      const r = await call('POST', '/capf/manufacturing-cas', body);
      assert.equal(r.status, status, JSON.stringify(r.json));
      assert.equal(r.json.code ?? r.json.error?.code, code, JSON.stringify(r.json));
    }
    const ro = await call('DELETE', `/capf/manufacturing-cas/${f.configured.info.sha1}`);
    assert.equal(ro.status, 409);
    const del = await call('DELETE', `/capf/manufacturing-cas/${f.ca2.info.sha1}`);
    assert.equal(del.status, 200);
    assert.equal(del.json.removed.sha1, f.ca2.info.sha1);
    // The MIC report over the API: phones with a recorded MIC, filtered by issuer and expiry.
    await lab.ctx.phones.addPhones(
      [
        { deviceName: 'SEP0000000000A1', model: 'Cisco 7965' },
        { deviceName: 'SEP0000000000A2', model: 'Cisco 8845' },
        { deviceName: 'SEP0000000000A3', model: 'Cisco 8845' },
      ],
      actor,
    );
    const mic = (serialHex: string, issuerDn: string, notAfter: string) => ({
      mic: {
        serialHex,
        subjectDn: 'CN=x',
        issuerDn,
        notAfter,
        sha1: serialHex.padEnd(40, '0'),
        seenAt: NOW.toISOString(),
      },
    });
    const now = new Date().toISOString();
    await lab.ctx.store.phones.patchPhone(
      'SEP0000000000A1',
      mic('01', 'CN=CAP-RTP-001', '2019-01-01T00:00:00.000Z'),
      now,
    );
    await lab.ctx.store.phones.patchPhone(
      'SEP0000000000A2',
      mic('02', 'CN=Cisco Manufacturing CA SHA2', '2099-01-01T00:00:00.000Z'),
      now,
    );
    const rep = await call('GET', `/reports/mic?micExpiresBefore=${encodeURIComponent(now)}`, undefined, viewer);
    assert.equal(rep.status, 200, JSON.stringify(rep.json));
    assert.deepEqual(
      rep.json.items.map(
        (i: { deviceName: string; state: string; issuer: string; serialHex: string; notAfter: string }) => [
          i.deviceName,
          i.state,
          i.issuer,
          i.serialHex,
          i.notAfter,
        ],
      ),
      [['SEP0000000000A1', 'expired', 'CN=CAP-RTP-001', '01', '2019-01-01T00:00:00.000Z']],
    );
    const all = await call('GET', '/reports/mic', undefined, viewer);
    assert.equal(all.json.total, 2, 'SEP0000000000A3 has no MIC: not in the report');
    assert.deepEqual(all.json.totals, { phones: 2, expired: 1, within90: 0, valid: 1, unknown: 0 });
    const byIssuer = await call(
      'GET',
      `/reports/mic?micIssuer=${encodeURIComponent('manufacturing ca sha2')}`,
      undefined,
      viewer,
    );
    assert.deepEqual(
      byIssuer.json.items.map((i: { deviceName: string }) => i.deviceName),
      ['SEP0000000000A2'],
    );
    const cliReport = await run('report', 'mic', '--mic-issuer', 'CAP-RTP', '--json');
    assert.equal(cliReport.code, 0, cliReport.stderr);
    assert.deepEqual(
      (JSON.parse(cliReport.stdout) as { items: { deviceName: string }[] }).items.map((i) => i.deviceName),
      ['SEP0000000000A1'],
    );
    const cliTable = await run('report', 'mic');
    assert.match(cliTable.stdout, /CN=CAP-RTP-001 .* 1 .* 1 /);
    assert.match(cliTable.stdout, /1 phone\(s\) hold an expired MIC/);

    const audit = await lab.ctx.admin.audit.list({ target: f.ca2.info.sha1 });
    assert.deepEqual(audit.items.map((i) => i.action).sort(), [
      'capf.manufacturing-ca-import',
      'capf.manufacturing-ca-remove',
    ]);
  });
});
