import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildItl } from './itl.ts';
import { buildCtl } from './ctl.ts';
import { createPhoneTrustStore, restorePhoneTrustStore } from './trust-rules.ts';
import { signSgn, verifySgn } from './sgn.ts';
import { FIXTURE_NOW, trustFixtures, type TrustFixtures } from './test-fixtures.ts';

function itlSignedBy(f: TrustFixtures, signer: TrustFixtures['callManager'], extra: 'old' | 'new' = 'old'): Buffer {
  const members = [
    { certificate: f.itlRecovery.certificate, roles: ['SAST'] as const },
    { certificate: f.capf.certificate, roles: ['CAPF'] as const },
    {
      certificate: f.callManager.certificate,
      roles: extra === 'old' ? (['SAST', 'TFTP'] as const) : (['TFTP'] as const),
    },
  ];
  return buildItl({ members, signer, now: FIXTURE_NOW });
}

test('first ITL is trusted on first use; later ones only from a trusted SAST', async () => {
  const f = await trustFixtures();
  const store = createPhoneTrustStore();
  const first = await store.installItl(itlSignedBy(f, f.callManager));
  assert.equal(first.reason, 'first-use');
  assert.equal((await store.installItl(itlSignedBy(f, f.callManager))).reason, 'unchanged');
  // Signed by the recovery SAST (listed in the installed ITL): accepted (the `itl reset localkey` path).
  const byRecovery = buildItl({
    members: [{ certificate: f.capf.certificate, roles: ['CAPF'] }],
    signer: f.itlRecovery,
    now: new Date(FIXTURE_NOW.getTime() + 1000),
  });
  assert.equal((await store.installItl(byRecovery)).reason, 'trusted-signer');
  // The new ITL lists only the recovery SAST: the CallManager key is no longer trusted to sign.
  await assert.rejects(store.installItl(itlSignedBy(f, f.callManager)), { code: 'ERR_TRUST_UNTRUSTED_SIGNER' });
  assert.equal(store.itl()?.bytes.equals(byRecovery), true, 'old list kept after a rejection');
});

test('untrusted SAST rejected unless TVS vouches', async () => {
  const f = await trustFixtures();
  const stranger = buildItl({
    members: [{ certificate: f.capf.certificate, roles: ['CAPF'] }],
    signer: { certificate: f.phone.certificate, privateKey: f.phone.privateKey },
    now: FIXTURE_NOW,
  });
  const plain = createPhoneTrustStore();
  await plain.installItl(itlSignedBy(f, f.callManager));
  await assert.rejects(plain.installItl(stranger), { code: 'ERR_TRUST_UNTRUSTED_SIGNER' });
  const asked: string[] = [];
  const vouching = createPhoneTrustStore({
    vouch: async (c) => {
      asked.push(c.sha1);
      return c.sha1 === f.phone.certificate.sha1;
    },
  });
  await vouching.installItl(itlSignedBy(f, f.callManager));
  assert.equal((await vouching.installItl(stranger)).reason, 'vouched');
  assert.deepEqual(asked, [f.phone.certificate.sha1]);
  const refusing = createPhoneTrustStore({ vouch: async () => false });
  await refusing.installItl(itlSignedBy(f, f.callManager));
  await assert.rejects(refusing.installItl(stranger), { code: 'ERR_TRUST_UNTRUSTED_SIGNER' });
});

test('a corrupt first ITL is not accepted even on first use', async () => {
  const f = await trustFixtures();
  const t = itlSignedBy(f, f.callManager);
  t[t.length - 1] = t[t.length - 1]! ^ 1;
  await assert.rejects(createPhoneTrustStore().installItl(t), { code: 'ERR_TRUST_BAD_SIGNATURE' });
  await assert.rejects(createPhoneTrustStore().installItl(Buffer.from('junk')), { code: 'ERR_CODEC_TRUNCATED' });
});

test('CTL installed first: the ITL must then be signed by a CTL SAST', async () => {
  const f = await trustFixtures();
  const store = createPhoneTrustStore();
  const ctl = buildCtl({
    members: [{ certificate: f.callManager.certificate, roles: ['SAST', 'CCM_TFTP'] }],
    signer: f.callManager,
    now: FIXTURE_NOW,
  });
  assert.equal((await store.installCtl(ctl)).reason, 'first-use');
  const byRecovery = buildItl({
    members: [{ certificate: f.capf.certificate, roles: ['CAPF'] }],
    signer: f.itlRecovery,
    now: FIXTURE_NOW,
  });
  await assert.rejects(store.installItl(byRecovery), { code: 'ERR_TRUST_UNTRUSTED_SIGNER' });
  assert.equal((await store.installItl(itlSignedBy(f, f.callManager))).reason, 'trusted-signer');
  assert.ok(store.isTrusted(f.callManager.certificate.der, 'CCM'), 'CCM+TFTP grants CCM');
  assert.ok(store.isTrusted(f.callManager.certificate.der, 'TFTP'));
});

test('queries, .sgn verification with the trusted TFTP certificates, and JSON state', async () => {
  const f = await trustFixtures();
  const store = createPhoneTrustStore();
  await store.installItl(itlSignedBy(f, f.callManager));
  assert.ok(store.isTrusted(f.capf.certificate.der, 'CAPF'));
  assert.ok(!store.isTrusted(f.capf.certificate.der, 'TFTP'));
  assert.ok(!store.isTrusted(f.phone.certificate.der, 'CAPF'));
  assert.deepEqual(store.roleOf(f.callManager.certificate.der).sort(), ['SAST', 'TFTP']);
  assert.deepEqual(store.roleOf(f.phone.certificate.der), []);
  assert.deepEqual(
    store.capfCertificates().map((c) => c.sha1),
    [f.capf.certificate.sha1],
  );
  const sgn = signSgn({ payload: Buffer.from('<x/>'), fileName: 'x.sgn', signer: f.callManager, now: FIXTURE_NOW });
  assert.equal(verifySgn(sgn, store.tftpSigners()).signer.sha1, f.callManager.certificate.sha1);

  const state = JSON.parse(JSON.stringify(store.toJSON()));
  const again = restorePhoneTrustStore(state);
  assert.ok(again.isTrusted(f.capf.certificate.der, 'CAPF'));
  const stranger = buildItl({
    members: [],
    signer: { certificate: f.phone.certificate, privateKey: f.phone.privateKey },
    now: FIXTURE_NOW,
  });
  await assert.rejects(again.installItl(stranger), { code: 'ERR_TRUST_UNTRUSTED_SIGNER' });
  again.erase();
  assert.deepEqual(again.toJSON(), { version: 1 });
  assert.equal((await again.installItl(stranger)).reason, 'first-use');
  assert.throws(() => restorePhoneTrustStore({ version: 2 } as never), { code: 'ERR_BAD_REQUEST' });
});
