import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildItl, cucmItlMembers } from './itl.ts';
import { showItl, showItlJson } from './show-itl.ts';
import { FIXTURE_NOW, trustFixtures, type TrustFixtures } from './test-fixtures.ts';

/**
 * The seed's `show itl` (CUCM 11.5, "Configure LSC on IP Phone with CUCM"), records 1-7, transcribed
 * with values replaced by placeholders: {n} number, {name} DN text, {serial} colon hex, {hex20} 20
 * spaced hex bytes. Role texts, structural lengths and sentences are literal. The seed is OCR'd: the
 * rule lines follow tlv-files.md §13 (the OCR shows "----- --- ----- -----").
 */
const SEED_LAYOUT = `
ITL Record #:1
----
BYTEPOS TAG LENGTH VALUE
------- --- ------ -----
1 RECORDLENGTH 2 {n}
2 DNSNAME 2
3 SUBJECTNAME {n} {name}
4 FUNCTION 2 CAPF
5 ISSUERNAME {n} {name}
6 SERIALNUMBER 16 {serial}
7 PUBLICKEY 270
8 SIGNATURE 256
11 CERTHASH 20 {hex20}
12 HASH ALGORITHM 1 null
ITL Record #:2
----
BYTEPOS TAG LENGTH VALUE
------- --- ------ -----
1 RECORDLENGTH 2 {n}
2 DNSNAME 2
3 SUBJECTNAME {n} {name}
4 FUNCTION 2 TVS
5 ISSUERNAME {n} {name}
6 SERIALNUMBER 16 {serial}
7 PUBLICKEY 270
8 SIGNATURE 256
11 CERTHASH 20 {hex20}
12 HASH ALGORITHM 1 null
ITL Record #:3
----
BYTEPOS TAG LENGTH VALUE
------- --- ------ -----
1 RECORDLENGTH 2 {n}
2 DNSNAME 2
3 SUBJECTNAME {n} {name}
4 FUNCTION 2 System Administrator Security Token
5 ISSUERNAME {n} {name}
6 SERIALNUMBER 16 {serial}
7 PUBLICKEY 270
8 SIGNATURE 256
9 CERTIFICATE {n} {hex20} (SHA1 Hash HEX)
This etoken was not used to sign the ITL file.
ITL Record #:4
----
BYTEPOS TAG LENGTH VALUE
------- --- ------ -----
1 RECORDLENGTH 2 {n}
2 DNSNAME 2
3 SUBJECTNAME {n} {name}
4 FUNCTION 2 TVS
5 ISSUERNAME {n} {name}
6 SERIALNUMBER 16 {serial}
7 PUBLICKEY 270
8 SIGNATURE 256
11 CERTHASH 20 {hex20}
12 HASH ALGORITHM 1 null
ITL Record #:5
----
BYTEPOS TAG LENGTH VALUE
------- --- ------ -----
1 RECORDLENGTH 2 {n}
2 DNSNAME 2
3 SUBJECTNAME {n} {name}
4 FUNCTION 2 System Administrator Security Token
5 ISSUERNAME {n} {name}
6 SERIALNUMBER 16 {serial}
7 PUBLICKEY 270
8 SIGNATURE 256
9 CERTIFICATE {n} {hex20} (SHA1 Hash HEX)
This etoken was used to sign the ITL file.
ITL Record #:6
----
BYTEPOS TAG LENGTH VALUE
------- --- ------ -----
1 RECORDLENGTH 2 {n}
2 DNSNAME 2
3 SUBJECTNAME {n} {name}
4 FUNCTION 2 TFTP
5 ISSUERNAME {n} {name}
6 SERIALNUMBER 16 {serial}
7 PUBLICKEY 270
8 SIGNATURE 256
9 CERTIFICATE {n} {hex20} (SHA1 Hash HEX)
ITL Record #:7
----
BYTEPOS TAG LENGTH VALUE
------- --- ------ -----
1 RECORDLENGTH 2 {n}
2 DNSNAME {n} {name}
3 SUBJECTNAME {n} {name}
4 FUNCTION 2 TFTP
5 ISSUERNAME {n} {name}
6 SERIALNUMBER 16 {serial}
7 PUBLICKEY 97
8 SIGNATURE {n}
9 CERTIFICATE {n} {hex20} (SHA1 Hash HEX)
The ITL file was verified successfully.
`;

const PLACEHOLDERS: Record<string, string> = {
  '{n}': '\\d+',
  '{name}': '\\S.*',
  '{serial}': '[0-9A-F]{2}(?::[0-9A-F]{2})*',
  '{hex20}': '[0-9A-F]{2}(?: [0-9A-F]{2}){19}',
};

function lineRegex(template: string): RegExp {
  const parts = template.split(/(\{n\}|\{name\}|\{serial\}|\{hex20\})/);
  const src = parts.map((p) => PLACEHOLDERS[p] ?? p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('');
  return new RegExp(`^${src}$`);
}

async function seedLikeItl(f: TrustFixtures): Promise<Buffer> {
  return buildItl({
    members: cucmItlMembers({
      capf: f.capf.certificate,
      tvs: [f.tvsPub, f.tvsSub],
      itlRecovery: f.itlRecovery.certificate,
      signer: f.callManager.certificate,
      tftp: [{ certificate: f.tftpEc, dnsName: 'ao115sub' }],
    }),
    signer: f.callManager,
    now: FIXTURE_NOW,
    certificateForm: 'cucm',
  });
}

test("show itl of an ITL with the seed's seven record kinds matches the seed layout line for line", async () => {
  const f = await trustFixtures();
  const text = showItl(await seedLikeItl(f));
  const lines = text
    .split('\n')
    .map((l) => l.trim().replace(/\s+/g, ' '))
    .filter(Boolean);
  const records = lines.slice(lines.indexOf('ITL Record #:1'));
  const template = SEED_LAYOUT.trim().split('\n');
  assert.equal(records.length, template.length, text);
  for (const [i, t] of template.entries()) {
    assert.match(records[i]!, lineRegex(t), `line ${i + 1}: "${records[i]}" vs template "${t}"`);
  }
  // values that equal the seed's because the fixture names are the seed's
  assert.ok(lines.includes('1 RECORDLENGTH 2 727'));
  assert.ok(lines.includes('3 SUBJECTNAME 64 CN=CAPF-7f0ae8d7;OU=TAC;O=Cisco Systems;L=Boxborough;ST=MA;C=US'));
  assert.ok(lines.includes('1 RECORDLENGTH 2 717'));
  assert.ok(lines.includes('3 SUBJECTNAME 71 CN=ITLRECOVERY_ao115pub;OU=TAC;O=Cisco Systems;L=Boxborough;ST=MA;C=US'));
  assert.ok(lines.includes('2 DNSNAME 9 ao115sub'));
  assert.equal(lines[0], `Length of ITL file: ${(await seedLikeItl(f)).length}`);
});

test('columns follow tlv-files.md §13 widths', async () => {
  const f = await trustFixtures();
  const text = showItl(await seedLikeItl(f));
  assert.ok(
    text.includes(
      '\nBYTEPOS TAG              LENGTH  VALUE\n------- ---              ' +
        '------  -----\n1       RECORDLENGTH     2       727\n',
    ),
  );
  assert.ok(text.includes('\n12      HASH ALGORITHM   1       null\n'));
});

test('header section and failure endings', async () => {
  const f = await trustFixtures();
  const itl = await seedLikeItl(f);
  const text = showItl(itl);
  assert.match(text, /\nVersion: 1\.2\nHeaderLength: \d+ \(BYTES\)\n/);
  assert.match(text, /\n4 {7}SIGNERNAME {7}59 {6}CN=ao115sub;OU=TAC;O=Cisco Systems;L=Boxborough;ST=MA;C=US\n/);
  assert.match(text, /\n14 {6}FILENAME {9}12 {6}ITLFile.tlv\n/);
  assert.match(text, /\n28 {6}SIGNERVERSION {4}2 {7}1\.1\n/);

  const tampered = Buffer.from(itl);
  tampered[tampered.length - 1] = tampered[tampered.length - 1]! ^ 1;
  assert.match(
    showItl(tampered),
    /\nThe ITL file could not be verified: signature does not verify \(ERR_TRUST_BAD_SIGNATURE\)\.\n$/,
  );
  assert.match(
    showItl(itl.subarray(0, 700)),
    new RegExp(
      [
        /^Length of ITL file: 700\nError parsing the ITL File\.\n/.source,
        /record 1 at offset \d+ declares \d+ bytes, only \d+ remain \(ERR_CODEC_TRUNCATED\)\.\n$/.source,
      ].join(''),
    ),
  );
  assert.equal(showItl(Buffer.alloc(0)).split('\n')[0], 'Length of ITL file: 0');
  assert.match(showItl(Buffer.alloc(0)), /Error parsing the ITL File\.\n$/);
});

test('reads tlvfile-style files (tlvfile names, no DNSNAME, full certificates) and CTLs', async () => {
  const f = await trustFixtures();
  const { buildCtl } = await import('./ctl.ts');
  const ctl = buildCtl({
    members: [{ certificate: f.callManager.certificate, roles: ['CCM_TFTP'] }],
    signer: f.callManager,
    now: FIXTURE_NOW,
    nameStyle: 'tlvfile',
    dnsNames: 'when-set',
    hash: 'sha512',
  });
  const text = showItl(ctl);
  assert.match(text, /\nCTL Record #:1\n/);
  assert.match(text, /This etoken was used to sign the CTL file\./);
  assert.match(text, /\n4 {7}FUNCTION {9}2 {7}CCM\+TFTP\n/);
  assert.match(text, /\n3 {7}SUBJECTNAME {6}\d+\s+CN=ao115sub,OU=TAC,O=Cisco Systems,L=Boxborough,ST=MA,C=US\n/);
  assert.doesNotMatch(text, /DNSNAME/);
  assert.match(text, /DIGESTALGORTITHM 1 {7}SHA512/);
  assert.match(text, /The CTL file was verified successfully\.\n$/);
});

test('JSON form carries the same facts', async () => {
  const f = await trustFixtures();
  const j = showItlJson(await seedLikeItl(f));
  assert.equal(j.parsed, true);
  assert.equal(j.kind, 'ITL');
  assert.deepEqual(j.verification, { ok: true });
  assert.equal(j.records?.length, 7);
  assert.deepEqual(
    j.records?.map((r) => r.function),
    [
      'CAPF',
      'TVS',
      'System Administrator Security Token',
      'TVS',
      'System Administrator Security Token',
      'TFTP',
      'TFTP',
    ],
  );
  assert.deepEqual(
    j.records?.map((r) => r.signer),
    [undefined, undefined, false, undefined, true, undefined, undefined],
  );
  assert.deepEqual(
    j.records?.map((r) => r.hashOnly),
    [true, true, false, true, false, false, false],
  );
  assert.equal(j.records?.[0]?.elements[0]?.tag, 'RECORDLENGTH');
  assert.equal(j.records?.[0]?.elements[0]?.value, '727');
  assert.equal(j.header?.fileName, 'ITLFile.tlv');
  assert.equal(j.header?.hashAlgorithm, 'SHA1');
  const bad = showItlJson(Buffer.from('nonsense'));
  assert.equal(bad.parsed, false);
  assert.equal(bad.error?.code, 'ERR_CODEC_TRUNCATED');
  assert.doesNotThrow(() => JSON.stringify(j));
});
