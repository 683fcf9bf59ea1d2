import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createSelfSignedIdentity, subjectAttributes } from '../pki/index.ts';
import { buildItl, cucmItlMembers, itlWarnings, parseItl } from './itl.ts';
import { buildCtl, ctlWarnings } from './ctl.ts';
import { openTrustList, verifyTrustList } from './trust-list.ts';
import { certificateSignatureValue } from './certificate-fields.ts';
import { FIXTURE_NOW, trustFixtures } from './test-fixtures.ts';

test('build -> parse -> verify round trip, full certificates, SHA-1 and SHA-512, signer versions', async () => {
  const f = await trustFixtures();
  for (const hash of ['sha1', 'sha512'] as const) {
    const bytes = buildItl({
      members: [
        { certificate: f.itlRecovery.certificate, roles: ['SAST'] },
        { certificate: f.capf.certificate.der, roles: ['CAPF'] },
        { certificate: f.callManager.certificate, roles: ['SAST', 'TFTP', 'TFTP'] },
      ],
      signer: f.callManager,
      now: FIXTURE_NOW,
      hash,
    });
    const list = openTrustList(bytes);
    assert.equal(list.header.hashAlgorithm, hash === 'sha1' ? 1 : 3);
    assert.deepEqual(list.header.signerVersion, { major: 1, minor: 0 }, 'RSA only -> 1.0');
    assert.equal(list.header.fileName, 'ITLFile.tlv');
    assert.deepEqual(
      list.records.map((r) => r.roleName),
      ['SAST', 'CAPF', 'SAST', 'TFTP'],
      'one record per role, duplicates dropped',
    );
    assert.equal(list.signerRecordIndex, 2);
    const capf = list.records[1]!;
    assert.ok(capf.certificate?.equals(f.capf.certificate.der));
    assert.equal(capf.certificateSha1, f.capf.certificate.sha1);
    assert.equal(capf.subjectName, 'CN=CAPF-7f0ae8d7;OU=TAC;O=Cisco Systems;L=Boxborough;ST=MA;C=US');
    assert.equal(capf.serialNumber?.toString('hex').toUpperCase(), f.capf.certificate.serialHex);
    assert.equal(capf.publicKey?.length, 270, 'PKCS#1 RSAPublicKey of RSA-2048');
    assert.ok(capf.signature?.equals(certificateSignatureValue(f.capf.certificate.der)));
    assert.equal(capf.dnsName, '');
    assert.deepEqual(itlWarnings(list), []);
  }
});

test('EC members: PUBLICKEY is the uncompressed point, signer version defaults to 1.1', async () => {
  const f = await trustFixtures();
  const list = openTrustList(
    buildItl({
      members: [
        { certificate: f.tftpEc, roles: ['TFTP'], dnsName: 'ao115sub' },
        { certificate: f.capf.certificate, roles: ['CAPF'] },
      ],
      signer: f.callManager,
      now: FIXTURE_NOW,
    }),
  );
  assert.deepEqual(list.header.signerVersion, { major: 1, minor: 1 });
  const ec = list.records.find((r) => r.certificate?.equals(f.tftpEc.der))!;
  assert.equal(ec.publicKey?.length, 97);
  assert.equal(ec.publicKey?.[0], 4);
  assert.equal(ec.dnsName, 'ao115sub');
  assert.equal(ec.signature?.[0], 0x30, 'ECDSA signature kept as DER SEQUENCE');
  assert.equal(list.records[0]!.roleName, 'SAST', 'signer added as SAST first when not listed');
  const forced = parseItl(
    buildItl({
      members: [{ certificate: f.tftpEc, roles: ['TFTP'] }],
      signer: f.callManager,
      now: FIXTURE_NOW,
      signerVersion: '1.0',
    }),
  );
  assert.deepEqual(
    itlWarnings(forced).map((w) => w.code),
    ['EC_NEEDS_SIGNER_VERSION_1_1', 'NO_CAPF_OR_TVS'],
  );
});

test('CUCM form: CAPF and TVS hash-only, others full (seed layout); HASH ALGORITHM 0', async () => {
  const f = await trustFixtures();
  const list = openTrustList(
    buildItl({
      members: cucmItlMembers({
        capf: f.capf.certificate,
        tvs: [f.tvsPub],
        itlRecovery: f.itlRecovery.certificate,
        signer: f.callManager.certificate,
      }),
      signer: f.callManager,
      now: FIXTURE_NOW,
      certificateForm: 'cucm',
    }),
  );
  assert.deepEqual(
    list.records.map((r) => [r.roleName, !!r.certificate, r.certificateHash?.length ?? 0, r.hashAlgorithm]),
    [
      ['CAPF', false, 20, 0],
      ['TVS', false, 20, 0],
      ['SAST', true, 0, undefined],
      ['SAST', true, 0, undefined],
      ['TFTP', true, 0, undefined],
    ],
  );
  assert.equal(
    list.records[0]!.certificateHash?.toString('hex'),
    createHash('sha1').update(f.capf.certificate.der).digest('hex'),
  );
  assert.equal(list.records[0]!.length, 727, 'the seed CAPF record length for the same names and RSA-2048');
  assert.equal(list.signerRecordIndex, 3);
});

test('more than two SAST records and non-RSA signers are refused', async () => {
  const f = await trustFixtures();
  assert.throws(
    () =>
      buildItl({
        members: [
          { certificate: f.itlRecovery.certificate, roles: ['SAST'] },
          { certificate: f.capf.certificate, roles: ['SAST'] },
        ],
        signer: f.callManager,
        now: FIXTURE_NOW,
      }),
    { code: 'ERR_BAD_REQUEST' },
  );
  assert.throws(
    () =>
      buildItl({ members: [], signer: { certificate: f.tftpEc, privateKey: f.keys.ec.privateKey }, now: FIXTURE_NOW }),
    { code: 'ERR_PKI_BAD_KEY' },
  );
});

test('itlWarnings: above 39 certificates and above 64 KB', async () => {
  const f = await trustFixtures();
  const certs = await Promise.all(
    Array.from({ length: 40 }, (_, i) =>
      createSelfSignedIdentity({
        role: 'tvs',
        subject: subjectAttributes(`node${i}`, {}),
        keys: f.keys.other,
        validityDays: 30,
        now: FIXTURE_NOW,
      }),
    ),
  );
  const bytes = buildItl({
    members: [
      { certificate: f.capf.certificate, roles: ['CAPF'] },
      ...certs.map((c) => ({ certificate: c, roles: ['TVS', 'TFTP'] as const })),
    ],
    signer: f.callManager,
    now: FIXTURE_NOW,
  });
  const codes = itlWarnings(bytes).map((w) => w.code);
  assert.ok(codes.includes('TOO_MANY_CERTIFICATES'), codes.join());
  assert.ok(codes.includes('TOO_LARGE'), `${bytes.length} bytes: ${codes.join()}`);
  assert.equal(verifyTrustList(parseItl(bytes)).ok, true);
});

test('CTL: same format, CTLFile.tlv, CCM+TFTP role; per-phone files keep the generic FILENAME', async () => {
  const f = await trustFixtures();
  const bytes = buildCtl({
    members: [
      { certificate: f.callManager.certificate, roles: ['SAST', 'CCM_TFTP'] },
      { certificate: f.capf.certificate, roles: ['CAPF'] },
    ],
    signer: f.callManager,
    now: FIXTURE_NOW,
  });
  const list = openTrustList(bytes);
  assert.equal(list.kind, 'CTL');
  assert.equal(list.header.fileName, 'CTLFile.tlv');
  assert.deepEqual(
    list.records.map((r) => r.roleDisplay),
    ['System Administrator Security Token', 'CCM+TFTP', 'CAPF'],
  );
  assert.deepEqual(ctlWarnings(list), []);
  const noCcm = buildCtl({ members: [], signer: f.callManager, now: FIXTURE_NOW });
  assert.deepEqual(
    ctlWarnings(noCcm).map((w) => w.code),
    ['NO_CCM'],
  );
  const wrongName = buildItl({
    members: [{ certificate: f.capf.certificate, roles: ['CAPF'] }],
    signer: f.callManager,
    now: FIXTURE_NOW,
    fileName: 'ITLSEP001122334455.tlv',
  });
  assert.deepEqual(
    itlWarnings(wrongName).map((w) => w.code),
    ['UNEXPECTED_FILENAME'],
  );
});

test('a list whose signer serial matches no SAST record does not verify', async () => {
  const f = await trustFixtures();
  const bytes = buildItl({
    members: [{ certificate: f.callManager.certificate, roles: ['TFTP'] }],
    signer: f.callManager,
    now: FIXTURE_NOW,
  });
  const list = parseItl(bytes);
  // Turn the SAST record into a CCM record (FUNCTION 0 -> 1): the signer is no longer a SAST.
  const role = list.records[0]!.elements.find((e) => e.tag === 4)!;
  const t = Buffer.from(bytes);
  t[role.offset + 4] = 1;
  const v = verifyTrustList(parseItl(t));
  assert.deepEqual(v.ok ? 'ok' : v.code, 'ERR_TRUST_NO_SIGNER');
  assert.throws(() => openTrustList(t), { code: 'ERR_TRUST_NO_SIGNER' });
});
