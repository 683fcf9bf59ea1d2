import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDecipheriv, createHash } from 'node:crypto';
import { decryptConfig, encryptConfig, encryptedConfigStub } from './encrypted-config.ts';
import { decodeSgn, deviceCertHash, verifySgn } from './sgn.ts';
import { HeaderTag } from './constants.ts';
import { FIXTURE_NOW, trustFixtures } from './test-fixtures.ts';

const full = `<?xml version="1.0" encoding="UTF-8"?>
<device>
  <fullConfig>true</fullConfig>
  <ipAddressMode>0</ipAddressMode>
  <sipProfile><phoneLabel>secret</phoneLabel></sipProfile>
  <loadInformation>sip78xx.14-1-1-0001-136</loadInformation>
  <capfAuthMode>3</capfAuthMode>
  <capfList>
    <capf>
      <phonePort>3804</phonePort>
      <processNodeName>capf.example.net</processNodeName>
    </capf>
  </capfList>
  <certHash></certHash>
  <encrConfig>false</encrConfig>
</device>
`;

test(
  '.enc.sgn layout: VERSION 2.0, encryption elements after ' +
    'TIMESTAMP and before padding, AES-128-CBC with 0x0D padding',
  async () => {
    const f = await trustFixtures();
    const key = Buffer.alloc(16, 7);
    const iv = Buffer.alloc(16, 9);
    const out = encryptConfig({
      xml: full,
      deviceName: 'SEP001122334455',
      deviceCertificate: f.phone.certificate,
      signer: f.callManager,
      now: FIXTURE_NOW,
      keyAndIv: { key, iv },
    });
    assert.equal(out.encSgnFileName, 'SEP001122334455.cnf.xml.enc.sgn');
    const { header, payload } = decodeSgn(out.encSgn);
    assert.deepEqual(header.version, { major: 2, minor: 0 });
    assert.equal(header.fileName, out.encSgnFileName);
    assert.equal(header.headerLength % 4, 0);
    const tags = header.elements.map((e) => e.tag).filter((t) => t !== HeaderTag.PADDING);
    assert.deepEqual(
      tags,
      [1, 2, 3, 4, 6, 5, 7, 8, 9, 10, 11, 12, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27],
    );
    const ivInfo = header.elements.find((e) => e.tag === 17)!;
    assert.equal(ivInfo.length, 28);
    const enc = header.encryption!;
    assert.ok(enc.iv?.equals(iv));
    assert.equal(enc.keySize, 2048);
    assert.equal(enc.keyAlgorithm, 1);
    assert.equal(enc.wrappedKey?.length, 256);
    const plainLen = Buffer.byteLength(full);
    assert.equal(enc.paddingLength, 16 - (plainLen % 16));
    assert.ok(enc.digest?.equals(createHash('sha1').update(full).digest()));
    const d = createDecipheriv('aes-128-cbc', key, iv).setAutoPadding(false);
    const padded = Buffer.concat([d.update(payload), d.final()]);
    assert.equal(padded.subarray(0, plainLen).toString(), full);
    assert.ok(padded.subarray(plainLen).every((b) => b === 0x0d));
    verifySgn(out.encSgn, [f.callManager.certificate]);
  },
);

test('decrypt with the phone private key; wrong key and tampering are refused', async () => {
  const f = await trustFixtures();
  for (const hash of ['sha1', 'sha512'] as const) {
    const out = encryptConfig({
      xml: full,
      deviceName: 'SEP001122334455',
      deviceCertificate: f.phone.certificate.der,
      signer: f.callManager,
      now: FIXTURE_NOW,
      hash,
    });
    const dec = decryptConfig(out.encSgn, {
      privateKey: f.phone.privateKey,
      trustedSigners: [f.callManager.certificate],
    });
    assert.equal(dec.xml.toString(), full);
    assert.equal(dec.signer?.sha1, f.callManager.certificate.sha1);
    assert.throws(() => decryptConfig(out.encSgn, { privateKey: f.keys.recovery.privateKey }), {
      code: 'ERR_PKI_KEY_MISMATCH',
    });
    const t = Buffer.from(out.encSgn);
    t[t.length - 20] = t[t.length - 20]! ^ 1;
    assert.throws(
      () => decryptConfig(t, { privateKey: f.phone.privateKey, trustedSigners: [f.callManager.certificate] }),
      { code: 'ERR_TRUST_BAD_SIGNATURE' },
    );
    assert.throws(
      () => decryptConfig(t, { privateKey: f.phone.privateKey }),
      { code: 'ERR_TRUST_BAD_SIGNATURE' },
      'digest catches it without a signer',
    );
  }
});

test('an EC phone certificate cannot receive an encrypted config', async () => {
  const f = await trustFixtures();
  assert.throws(
    () =>
      encryptConfig({
        xml: full,
        deviceName: 'SEP001122334455',
        deviceCertificate: f.tftpEc,
        signer: f.callManager,
        now: FIXTURE_NOW,
      }),
    { code: 'ERR_PKI_BAD_KEY' },
  );
});

test(
  'stub: fullConfig false, the four kept elements in order, ' + 'certHash MD5, encrConfig true; signed .sgn',
  async () => {
    const f = await trustFixtures();
    const stub = encryptedConfigStub(full, f.phone.certificate.der);
    assert.equal(
      stub,
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<device>',
        '  <fullConfig>false</fullConfig>',
        '  <ipAddressMode>0</ipAddressMode>',
        '  <loadInformation>sip78xx.14-1-1-0001-136</loadInformation>',
        '  <capfAuthMode>3</capfAuthMode>',
        '  <capfList>\n    <capf>\n      <phonePort>3804</phonePort>\n      ' +
          '<processNodeName>capf.example.net</processNodeName>\n    </capf>\n  </capfList>',
        `  <certHash>${deviceCertHash(f.phone.certificate.der)}</certHash>`,
        '  <encrConfig>true</encrConfig>',
        '</device>',
        '',
      ].join('\n'),
    );
    assert.doesNotMatch(stub, /secret/);
    const out = encryptConfig({
      xml: full,
      deviceName: 'SEP001122334455',
      deviceCertificate: f.phone.certificate,
      signer: f.callManager,
      now: FIXTURE_NOW,
    });
    assert.equal(out.stubFileName, 'SEP001122334455.cnf.xml.sgn');
    assert.equal(verifySgn(out.stub, [f.callManager.certificate]).payload.toString(), out.stubXml);
  },
);
