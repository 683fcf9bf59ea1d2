// The phone's rule 6 (tlv-files.md §9.6: a phone holding an empty ITL accepts the next one as on first use), the
// reasons a refusal carries (signer not trusted, TVS did not vouch, TVS unreachable), and liberal parsing of
// CUCM-style empty records.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildItl, cucmItlMembers } from './itl.ts';
import { buildCtl } from './ctl.ts';
import { FILE_VERSION, RecordTag, ROLES, SIGNER_VERSIONS } from './constants.ts';
import { recordElements, parseTrustList } from './trust-list.ts';
import { ROLLBACK_BLANK_ROLES, isEmptyRecord, isRollbackTrustList } from './rollback.ts';
import { signFile } from './signed-file.ts';
import { encodeCString, encodeRecord } from './tlv-codec.ts';
import { createPhoneTrustStore, trustRefusalOf, type TrustRefusalDetails } from './trust-rules.ts';
import { signSgn, verifySgn } from './sgn.ts';
import { FIXTURE_NOW, trustFixtures, type TrustFixtures } from './test-fixtures.ts';

const later = (s: number) => new Date(FIXTURE_NOW.getTime() + s * 1000);

/** Cluster A's normal ITL: CAPF, TVS, ITLRecovery (SAST), CallManager (SAST + TFTP). */
function normalItl(f: TrustFixtures): Buffer {
  const members = cucmItlMembers({
    itlRecovery: f.itlRecovery.certificate,
    signer: f.callManager.certificate,
    capf: f.capf.certificate,
    tvs: [f.tvsPub],
  });
  return buildItl({ members, signer: f.callManager, now: FIXTURE_NOW });
}

/** Cluster A in rollback mode: the same signer, CAPF kept, TVS and TFTP records blank (§9.6). */
function rollbackItl(f: TrustFixtures): Buffer {
  const members = [
    { certificate: f.capf.certificate, roles: ['CAPF'] as const },
    { certificate: f.itlRecovery.certificate, roles: ['SAST'] as const },
    { certificate: f.callManager.certificate, roles: ['SAST'] as const },
  ];
  return buildItl({ members, signer: f.callManager, now: later(60), emptyRoles: ROLLBACK_BLANK_ROLES });
}

/** Cluster B's ITL: a signer the phone has never seen. */
function foreignItl(f: TrustFixtures, at = 120): Buffer {
  const stranger = { certificate: f.phone.certificate, privateKey: f.phone.privateKey };
  return buildItl({
    members: [
      { certificate: f.capf.certificate, roles: ['CAPF'] },
      { certificate: f.phone.certificate, roles: ['SAST', 'TFTP'] },
    ],
    signer: stranger,
    now: later(at),
  });
}

async function refusal(p: Promise<unknown>): Promise<TrustRefusalDetails> {
  const e = await p.then(
    () => assert.fail('expected a refusal'),
    (x: unknown) => x,
  );
  assert.equal((e as { code?: string }).code, 'ERR_TRUST_UNTRUSTED_SIGNER');
  const d = trustRefusalOf(e);
  assert.ok(d, 'the error carries the refusal');
  return d;
}

test('rollback ITL held: the next ITL from any signer is accepted (after-rollback), then the rules apply', async () => {
  const f = await trustFixtures();
  const store = createPhoneTrustStore();
  assert.equal((await store.installItl(normalItl(f))).reason, 'first-use');
  // A turns rollback on: its own signer signs the empty ITL, so rule 2 accepts it.
  assert.equal((await store.installItl(rollbackItl(f))).reason, 'trusted-signer');
  assert.equal(isRollbackTrustList(store.itl()!), true);
  assert.deepEqual(store.tftpSigners(), [], 'no TFTP certificate left: configuration files are taken unsigned');
  // The phone moves to B: B's ITL is accepted on first sight.
  assert.equal((await store.installItl(foreignItl(f))).reason, 'after-rollback');
  assert.equal(isRollbackTrustList(store.itl()!), false);
  assert.deepEqual(
    store.tftpSigners().map((c) => c.sha1),
    [f.phone.certificate.sha1],
  );
  // Holding B's normal ITL, a list from yet another signer is refused again.
  const third = buildItl({ members: [], signer: f.itlRecovery, now: later(180) });
  await store.installItl(third).then(
    () => assert.fail('refused'),
    () => undefined,
  );
  // ...whereas B's own signer still may (rule 2).
  assert.equal((await store.installItl(foreignItl(f, 240))).reason, 'trusted-signer');
});

test('the rollback rule survives the saved state (a power cycle between the two downloads)', async () => {
  const f = await trustFixtures();
  const store = createPhoneTrustStore();
  await store.installItl(rollbackItl(f));
  const again = createPhoneTrustStore({}, JSON.parse(JSON.stringify(store.toJSON())));
  assert.equal((await again.installItl(foreignItl(f))).reason, 'after-rollback');
});

test('normal ITL held: a foreign ITL is refused and the refusal says why', async () => {
  const f = await trustFixtures();
  const none = createPhoneTrustStore();
  await none.installItl(normalItl(f));
  const held = none.itl()!.bytes;
  const a = await refusal(none.installItl(foreignItl(f)));
  assert.equal(a.refusal, 'signer-not-trusted');
  assert.equal(a.kind, 'ITL');
  assert.match(a.signer, /SEP001122334455/);
  assert.ok(none.itl()!.bytes.equals(held), 'old list kept');

  const noTvs = createPhoneTrustStore({ vouch: async () => ({ vouched: false, attempts: [] }) });
  await noTvs.installItl(normalItl(f));
  assert.equal((await refusal(noTvs.installItl(foreignItl(f)))).refusal, 'signer-not-trusted');

  const refused = createPhoneTrustStore({
    vouch: async () => ({
      vouched: false,
      attempts: [
        { server: 'sub.a.test:2445', result: 'unreachable', detail: 'ECONNREFUSED' },
        { server: 'pub.a.test:2445', result: 'not-vouched' },
      ],
    }),
  });
  await refused.installItl(normalItl(f));
  const r = await refusal(refused.installItl(foreignItl(f)));
  assert.equal(r.refusal, 'tvs-not-vouched');
  assert.deepEqual(
    r.tvs.map((t) => t.result),
    ['unreachable', 'not-vouched'],
  );

  const down = createPhoneTrustStore({
    vouch: async () => ({
      vouched: false,
      attempts: [
        { server: 'pub.a.test:2445', result: 'unresolvable' },
        { server: 'sub.a.test:2445', result: 'untrusted-server' },
      ],
    }),
  });
  await down.installItl(normalItl(f));
  const d = await refusal(down.installItl(foreignItl(f)));
  assert.equal(d.refusal, 'tvs-unreachable');
  assert.equal(d.tvs.length, 2);

  // A plain boolean answer (older callers) still means "TVS did not vouch".
  const legacy = createPhoneTrustStore({ vouch: async () => false });
  await legacy.installItl(normalItl(f));
  assert.equal((await refusal(legacy.installItl(foreignItl(f)))).refusal, 'tvs-not-vouched');
  // And a vouching TVS lets it in.
  const yes = createPhoneTrustStore({
    vouch: async () => ({ vouched: true, attempts: [{ server: 'pub.a.test:2445', result: 'vouched' }] }),
  });
  await yes.installItl(normalItl(f));
  assert.equal((await yes.installItl(foreignItl(f))).reason, 'vouched');
});

test('a corrupt list is an invalid-file refusal', async () => {
  const f = await trustFixtures();
  const store = createPhoneTrustStore();
  await store.installItl(normalItl(f));
  const bad = foreignItl(f);
  bad[bad.length - 1] = bad[bad.length - 1]! ^ 1;
  const e = await store.installItl(bad).then(
    () => null,
    (x: unknown) => x,
  );
  assert.equal(trustRefusalOf(e)?.refusal, 'invalid-file');
  assert.equal(trustRefusalOf(new Error('other')), null);
});

test('with a CTL installed the rollback ITL does not open the door: the CTL still checks the next ITL', async () => {
  const f = await trustFixtures();
  const store = createPhoneTrustStore();
  const ctl = buildCtl({
    members: [{ certificate: f.callManager.certificate, roles: ['SAST', 'CCM_TFTP'] }],
    signer: f.callManager,
    now: FIXTURE_NOW,
  });
  await store.installCtl(ctl);
  await store.installItl(rollbackItl(f));
  assert.equal((await refusal(store.installItl(foreignItl(f)))).refusal, 'signer-not-trusted');
});

test("liberal with CUCM's empty records: zero-length and all-zero elements stand for no certificate", async () => {
  const f = await trustFixtures();
  const code = (n: number) => Uint8Array.of(n >>> 8, n & 0xff);
  const cucmEmpty = (role: number) =>
    encodeRecord([
      { tag: RecordTag.DNS_NAME, value: Buffer.alloc(2) },
      { tag: RecordTag.SUBJECT_NAME, value: Buffer.alloc(0) },
      { tag: RecordTag.ROLE, value: code(role) },
      { tag: RecordTag.ISSUER_NAME, value: encodeCString('') },
      { tag: RecordTag.SERIAL_NUMBER, value: Buffer.alloc(0) },
      { tag: RecordTag.PUBLIC_KEY, value: Buffer.alloc(0) },
      { tag: RecordTag.SIGNATURE, value: Buffer.alloc(0) },
      { tag: RecordTag.CERTIFICATE, value: Buffer.alloc(0) },
      { tag: RecordTag.CERTIFICATE_HASH, value: Buffer.alloc(20) },
      { tag: RecordTag.HASH_ALGORITHM, value: Uint8Array.of(0) },
    ]);
  const body = Buffer.concat([
    encodeRecord(recordElements(f.callManager.certificate, 'SAST')),
    encodeRecord(recordElements(f.capf.certificate, 'CAPF')),
    cucmEmpty(ROLES.TVS.code),
    cucmEmpty(ROLES.CCM_TFTP.code),
  ]);
  const file = signFile(
    {
      version: FILE_VERSION.tlv,
      signerVersion: SIGNER_VERSIONS['1.0'],
      fileName: 'ITLFile.tlv',
      now: FIXTURE_NOW,
      hash: 'sha1',
      nameStyle: 'cucm',
    },
    body,
    f.callManager,
  );
  const list = parseTrustList(file);
  assert.deepEqual(
    list.records.map((r) => isEmptyRecord(r)),
    [false, false, true, true],
  );
  assert.equal(isRollbackTrustList(list), true);
  assert.equal(list.records[3]!.certificateSha1, undefined);
  const store = createPhoneTrustStore();
  await store.installItl(normalItl(f));
  assert.equal((await store.installItl(file)).reason, 'trusted-signer');
  assert.deepEqual(store.tftpSigners(), []);
  assert.equal(store.isTrusted(f.tvsPub.der, 'TVS'), false, 'a blank TVS entry trusts no TVS');
  assert.equal((await store.installItl(foreignItl(f))).reason, 'after-rollback');
  // What the phone then verifies configuration with: B's TFTP certificate.
  const sgn = signSgn({
    payload: Buffer.from('<device/>'),
    fileName: 'SEP001122334455.cnf.xml.sgn',
    signer: { certificate: f.phone.certificate, privateKey: f.phone.privateKey },
    now: FIXTURE_NOW,
  });
  assert.equal(verifySgn(sgn, store.tftpSigners()).signer.sha1, f.phone.certificate.sha1);
});
