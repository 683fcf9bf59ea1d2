// The foreign TVS trust (provisioning/foreign-trust.ts) over the real store on SQLite and PostgreSQL: an import is
// all or nothing; each bad input (not a certificate, a private key, expired / not yet valid, ours or a CA we hold,
// already imported) is refused with its code and leaves the table and the audit log exactly as they were; list,
// remove by SHA-1 or SHA-256 prefix; the TVS source vouches only for valid entries.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type OpenStore } from '../../src/store/index.ts';
import { createTestDatabase, dropTestDatabase, PG_ADMIN_URL, pgAvailable } from '../helpers/test-databases.ts';
import {
  createForeignTrust,
  parseForeignRoles,
  type ForeignTrust,
  type OwnCertificate,
} from '../../src/provisioning/foreign-trust.ts';
import { adjustableClock } from '../../src/shared/clock.ts';
import { isAppError } from '../../src/shared/errors.ts';
import {
  createSelfSignedIdentity,
  derToPem,
  generateKeyPair,
  privateKeyPem,
  subjectAttributes,
  type CertificateInfo,
  type KeyPair,
} from '../../src/pki/index.ts';
import { TvsRole } from '../../src/tvs/index.ts';

const actor = { name: 'cli:tester', source: 'cli' };
const NOW = new Date('2026-03-01T12:00:00Z');
const DAY = 86_400_000;

async function cert(cn: string, o: { keys?: KeyPair; from?: Date; days?: number; ca?: boolean } = {}) {
  const keys = o.keys ?? (await generateKeyPair({ type: 'ec', curve: 'P-256' }));
  const certificate = await createSelfSignedIdentity({
    role: o.ca ? 'capf' : 'tftp',
    subject: subjectAttributes(cn, { organization: 'Old Cluster', organizationalUnit: 'Voice' }),
    keys,
    validityDays: o.days ?? 365,
    now: o.from ?? new Date(NOW.getTime() - DAY),
  });
  return { certificate, keys };
}

const file = (name: string, text: string | Buffer) => ({ name, bytes: Buffer.from(text) });

/** Refused with `code`, and nothing changed: same rows, same audit count. */
async function refusedAndUnchanged(
  store: OpenStore,
  ft: ForeignTrust,
  run: () => Promise<unknown>,
  code: string,
  message?: RegExp,
): Promise<Error> {
  const rows = (await store.foreignTrust.listForeignTrust()).map((e) => e.sha256);
  const audit = await store.audit.countAudit({});
  let caught: unknown;
  await assert.rejects(run(), (e) => {
    caught = e;
    return true;
  });
  assert.ok(isAppError(caught), String(caught));
  assert.equal(caught.code, code, caught.message);
  if (message) assert.match(caught.message, message);
  assert.deepEqual(
    (await store.foreignTrust.listForeignTrust()).map((e) => e.sha256),
    rows,
    'the foreign trust is unchanged',
  );
  assert.equal(await store.audit.countAudit({}), audit, 'no audit row was written');
  assert.deepEqual(
    (await ft.list()).map((e) => e.sha256),
    rows,
  );
  return caught;
}

test('roles: default SAST CCM TFTP; names in any case and spelling, canonical order; unknown refused', () => {
  assert.deepEqual(parseForeignRoles(undefined), ['SAST', 'CCM', 'TFTP']);
  assert.deepEqual(parseForeignRoles([]), ['SAST', 'CCM', 'TFTP']);
  assert.deepEqual(parseForeignRoles(['tftp,sast']), ['SAST', 'TFTP']);
  assert.deepEqual(parseForeignRoles(['CCM+TFTP', 'app-server', 'TVS', 'capf']), [
    'CCM_TFTP',
    'CAPF',
    'APP_SERVER',
    'TVS',
  ]);
  assert.throws(() => parseForeignRoles(['SAST', 'ROOT']), /unknown TVS role "ROOT" \(one of SAST, CCM, CCM\+TFTP/);
});

const pgUp = await pgAvailable();

for (const driver of ['sqlite', 'postgres'] as const) {
  describe(`foreign TVS trust on ${driver}`, {
    skip: driver === 'postgres' && !pgUp ? `no PostgreSQL at ${PG_ADMIN_URL}` : false,
  }, () => {
    let store: OpenStore;
    let dir: string;
    let dbName = '';
    let ft: ForeignTrust;
    const clock = adjustableClock();
    clock.set(NOW);
    let ourTftp: CertificateInfo;
    let ourTftpKeys: KeyPair;
    let mfgCa: CertificateInfo;
    let ours: OwnCertificate[];

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'opencapf-foreign-'));
      let url: string | undefined;
      if (driver === 'postgres') ({ name: dbName, url } = await createTestDatabase('opencapf_foreign'));
      store = await openStore({ driver, dataDir: dir, postgresUrl: url ?? null });
      ({ certificate: ourTftp, keys: ourTftpKeys } = await cert('ourcluster-cm'));
      mfgCa = (await cert('Test Manufacturing CA', { ca: true, days: 3650 })).certificate;
      ours = [
        { label: "this cluster's CallManager certificate", certificate: ourTftp },
        { label: 'a manufacturing CA this CAPF already trusts (capf.manufacturingCaFile)', certificate: mfgCa },
      ];
      ft = createForeignTrust({ store: store.foreignTrust, clock, ours: () => ours });
    });
    after(async () => {
      await store?.close();
      rmSync(dir, { recursive: true, force: true });
      if (driver === 'postgres' && dbName) await dropTestDatabase(dbName);
    });

    test('a PEM bundle of two and a DER file import together, with roles, comment and audit rows', async () => {
      const rsaKeys = await generateKeyPair({ type: 'rsa', bits: 2048 });
      const a = (await cert('newcluster-pub', { keys: rsaKeys })).certificate;
      const b = (await cert('newcluster-sub')).certificate;
      const c = (await cert('newcluster-ITLRecovery')).certificate;
      const added = await ft.import(
        [file('bundle.pem', `${derToPem(a.der)}\n${derToPem(b.der)}`), file('recovery.der', c.der)],
        { comment: 'moving to the new cluster' },
        actor,
      );
      assert.deepEqual(
        added.map((e) => e.sha256),
        [a.sha256, b.sha256, c.sha256],
      );
      const listed = await ft.list();
      assert.equal(listed.length, 3);
      const first = listed.find((e) => e.sha256 === a.sha256)!;
      assert.deepEqual(first.roles, ['SAST', 'CCM', 'TFTP']);
      assert.equal(first.sha1, a.sha1);
      assert.equal(first.subject, a.subjectDn);
      assert.equal(first.serialHex, a.serialHex);
      assert.equal(first.state, 'valid');
      assert.equal(first.addedBy, 'cli:tester');
      assert.equal(first.comment, 'moving to the new cluster');
      assert.match(first.keyType, /RSA/);
      assert.equal(first.pem, derToPem(a.der));
      const rows = await store.audit.listAudit({ action: 'tvs.trust-import' });
      assert.equal(rows.length, 3);
      const row = rows.find((r) => r.target === a.sha1)!;
      assert.equal(row.actor, 'cli:tester');
      assert.deepEqual(row.details.roles, ['SAST', 'CCM', 'TFTP']);
      assert.equal(row.details.sha256, a.sha256);
      // The TVS source answers with the role codes.
      const v = await ft.tvsSource.find(a.sha256);
      assert.deepEqual(v?.roles, [TvsRole.SAST, TvsRole.CCM, TvsRole.TFTP]);
      assert.equal((await ft.tvsSource.all()).length, 3);
    });

    test('--role chooses the roles (a foreign CAPF)', async () => {
      const capf = (await cert('newcluster-CAPF', { ca: true })).certificate;
      const [e] = await ft.import([file('capf.pem', derToPem(capf.der))], { roles: ['capf'] }, actor);
      assert.deepEqual(e?.roles, ['CAPF']);
      assert.deepEqual((await ft.tvsSource.find(capf.sha256))?.roles, [TvsRole.CAPF]);
      assert.equal(e?.isCa, true);
    });

    test('not a certificate: garbage, empty, a CSR block, a truncated PEM, a PKCS#7/#12 look-alike', async () => {
      const good = derToPem((await cert('fine-but-with-bad-company')).certificate.der);
      for (const [name, bytes, msg] of [
        ['random.bin', Buffer.from('hello, this is not a certificate at all'), /neither PEM nor DER/],
        ['empty.pem', Buffer.alloc(0), /empty/],
        ['csr.pem', '-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n', /a CSR/],
        ['cut.pem', '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n', /no matching END/],
        ['notb64.pem', '-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n', /not base64/],
        ['seq.der', Buffer.from('3003020105', 'hex'), /not an X\.509 certificate/],
        ['p7.der', Buffer.from('300d06092a864886f70d010702a000', 'hex'), /PKCS#7/],
        ['p12.der', Buffer.from('3009020103300406022a03', 'hex'), /PKCS#12/],
      ] as const) {
        await refusedAndUnchanged(
          store,
          ft,
          () => ft.import([file('good.pem', good), file(name, bytes)], {}, actor),
          'ERR_FOREIGN_NOT_CERTIFICATE',
          new RegExp(`${name.replace('.', '\\.')}: .*${msg.source}.*nothing was imported`),
        );
      }
    });

    test('a private key by mistake (PEM, bundled, DER PKCS#8/#1/SEC1, encrypted): refused, never echoed', async () => {
      const ec = await generateKeyPair({ type: 'ec', curve: 'P-256' });
      const rsa = await generateKeyPair({ type: 'rsa', bits: 2048 });
      const c = (await cert('with-a-key', { keys: ec })).certificate;
      const pem = privateKeyPem(ec.privateKey);
      const inputs: [string, string | Buffer][] = [
        ['key.pem', pem],
        ['cert-and-key.pem', `${derToPem(c.der)}${pem}`],
        ['rsa.pem', rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()],
        ['key.der', ec.privateKey.export({ type: 'pkcs8', format: 'der' })],
        ['rsa1.der', rsa.privateKey.export({ type: 'pkcs1', format: 'der' })],
        ['sec1.der', ec.privateKey.export({ type: 'sec1', format: 'der' })],
        [
          'enc.pem',
          ec.privateKey
            .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret' })
            .toString(),
        ],
        [
          'enc.der',
          ec.privateKey.export({ type: 'pkcs8', format: 'der', cipher: 'aes-256-cbc', passphrase: 'secret' }),
        ],
        ['openssh', '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n'],
      ];
      const keyB64 = pem.split('\n')[1]!.slice(0, 24);
      for (const [name, bytes] of inputs) {
        const e = await refusedAndUnchanged(
          store,
          ft,
          () => ft.import([file(name, bytes)], {}, actor),
          'ERR_FOREIGN_PRIVATE_KEY',
          /this is a private key; give the certificate/,
        );
        assert.ok(!e.message.includes(keyB64), 'the key is not echoed');
        assert.ok(!JSON.stringify((e as { details?: unknown }).details).includes(keyB64));
      }
    });

    test('expired or not yet valid: refused with the date', async () => {
      const old = (await cert('expired-cm', { from: new Date(NOW.getTime() - 400 * DAY), days: 30 })).certificate;
      const future = (await cert('future-cm', { from: new Date(NOW.getTime() + 10 * DAY) })).certificate;
      await refusedAndUnchanged(
        store,
        ft,
        () => ft.import([file('old.pem', derToPem(old.der))], {}, actor),
        'ERR_FOREIGN_VALIDITY',
        new RegExp(`expired on ${old.notAfter.toISOString().slice(0, 10)}`),
      );
      await refusedAndUnchanged(
        store,
        ft,
        () => ft.import([file('future.pem', derToPem(future.der))], {}, actor),
        'ERR_FOREIGN_VALIDITY',
        /is not valid before/,
      );
    });

    test('ours: our own certificate, the same key under another certificate, a CA we already hold', async () => {
      await refusedAndUnchanged(
        store,
        ft,
        () => ft.import([file('mine.pem', derToPem(ourTftp.der))], {}, actor),
        'ERR_FOREIGN_OURS',
        /this cluster's CallManager certificate: this cluster trusts it already/,
      );
      const sameKey = (await cert('reissued', { keys: ourTftpKeys })).certificate;
      await refusedAndUnchanged(
        store,
        ft,
        () => ft.import([file('same-key.pem', derToPem(sameKey.der))], {}, actor),
        'ERR_FOREIGN_OURS',
        /\(the same key\)/,
      );
      await refusedAndUnchanged(
        store,
        ft,
        () => ft.import([file('mfg.pem', derToPem(mfgCa.der))], {}, actor),
        'ERR_FOREIGN_OURS',
        /a manufacturing CA this CAPF already trusts/,
      );
    });

    test('duplicates: already imported, or given twice in one import', async () => {
      const [existing] = await ft.list();
      await refusedAndUnchanged(
        store,
        ft,
        () => ft.import([file('again.pem', existing!.pem)], { roles: ['SAST'] }, actor),
        'ERR_FOREIGN_DUPLICATE',
        /already in the TVS trust .*remove it and import it again/,
      );
      const fresh = derToPem((await cert('twice')).certificate.der);
      await refusedAndUnchanged(
        store,
        ft,
        () => ft.import([file('a.pem', fresh), file('b.pem', fresh)], {}, actor),
        'ERR_FOREIGN_DUPLICATE',
        /given twice \(also a\.pem\)/,
      );
    });

    test('every problem of an import is named; the code is the first one', async () => {
      const old = (await cert('old-two', { from: new Date(NOW.getTime() - 400 * DAY), days: 30 })).certificate;
      const e = await refusedAndUnchanged(
        store,
        ft,
        () =>
          ft.import(
            [file('junk.txt', 'junk'), file('old.pem', derToPem(old.der)), file('mine.pem', derToPem(ourTftp.der))],
            {},
            actor,
          ),
        'ERR_FOREIGN_NOT_CERTIFICATE',
        /nothing was imported:\n {2}junk\.txt: .*\n {2}old\.pem: .*expired.*\n {2}mine\.pem: .*this cluster's/,
      );
      assert.equal(((e as { details?: { problems?: unknown[] } }).details?.problems ?? []).length, 3);
    });

    test('bad roles or comment change nothing', async () => {
      const pem = derToPem((await cert('roles-bad')).certificate.der);
      await refusedAndUnchanged(
        store,
        ft,
        () => ft.import([file('x.pem', pem)], { roles: ['SUPERUSER'] }, actor),
        'ERR_BAD_REQUEST',
      );
      await refusedAndUnchanged(
        store,
        ft,
        () => ft.import([file('x.pem', pem)], { comment: 'two\nlines' }, actor),
        'ERR_BAD_REQUEST',
      );
    });

    test('check validates like import and stores nothing', async () => {
      const c = (await cert('checked-only')).certificate;
      const before = await ft.list();
      const v = await ft.check([file('c.pem', derToPem(c.der))], { roles: ['SAST'] });
      assert.deepEqual(v[0]?.roles, ['SAST']);
      assert.deepEqual(await ft.list(), before);
    });

    test('remove by SHA-1, by SHA-256 prefix with colons; unknown and malformed selectors', async () => {
      const listed = await ft.list();
      const [a, b] = listed;
      const removed = await ft.remove(a!.sha1.toUpperCase(), actor);
      assert.equal(removed.sha256, a!.sha256);
      assert.equal(await ft.tvsSource.find(a!.sha256), null);
      const colons = b!.sha256.slice(0, 12).match(/../g)!.join(':').toUpperCase();
      assert.equal((await ft.remove(colons, actor)).sha256, b!.sha256);
      const rows = await store.audit.listAudit({ action: 'tvs.trust-remove' });
      assert.deepEqual(rows.map((r) => r.target).sort(), [a!.sha1, b!.sha1].sort());
      await refusedAndUnchanged(store, ft, () => ft.remove(a!.sha1, actor), 'ERR_NOT_FOUND');
      await refusedAndUnchanged(store, ft, () => ft.remove('abc', actor), 'ERR_BAD_REQUEST', /SHA-1/);
      await refusedAndUnchanged(store, ft, () => ft.remove('not hex at all', actor), 'ERR_BAD_REQUEST');
      assert.equal((await ft.list()).length, listed.length - 2);
    });

    test('the TVS source stops vouching once an entry expires; the list says expired', async () => {
      const short = (await cert('short-lived', { days: 2 })).certificate;
      await ft.import([file('short.pem', derToPem(short.der))], {}, actor);
      assert.ok(await ft.tvsSource.find(short.sha256));
      clock.set(new Date(NOW.getTime() + 5 * DAY));
      try {
        assert.equal(await ft.tvsSource.find(short.sha256), null);
        assert.ok(!(await ft.tvsSource.all()).some((e) => e.certificate.sha256 === short.sha256));
        assert.equal((await ft.list()).find((e) => e.sha256 === short.sha256)?.state, 'expired');
      } finally {
        clock.set(NOW);
      }
    });

    test('a concurrent import of the same certificate: one wins, the other is refused and adds nothing', async () => {
      const c = derToPem((await cert('raced')).certificate.der);
      const audit = await store.audit.countAudit({ action: 'tvs.trust-import' });
      const r = await Promise.allSettled([
        ft.import([file('one.pem', c)], {}, actor),
        ft.import([file('two.pem', c)], {}, actor),
      ]);
      assert.equal(r.filter((x) => x.status === 'fulfilled').length, 1);
      const failed = r.find((x) => x.status === 'rejected') as PromiseRejectedResult;
      assert.equal((failed.reason as { code?: string }).code, 'ERR_FOREIGN_DUPLICATE');
      assert.equal(await store.audit.countAudit({ action: 'tvs.trust-import' }), audit + 1);
    });
  });
}
