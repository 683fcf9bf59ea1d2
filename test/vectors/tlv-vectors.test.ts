// Annotated byte vectors for the .tlv / .sgn header and records (tlv-files.md §1-§4): decode, encode, round trip,
// every prefix.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hexToBytes } from '../../src/shared/bytes.ts';
import { CodecError } from '../../src/shared/errors.ts';
import {
  decodeHeader,
  decodeTlvFile,
  encodeTlvFile,
  headerInitOf,
  recordElementsOf,
} from '../../src/trust/tlv-codec.ts';

interface Vector {
  title: string;
  source: string;
  hex: string;
  decoded: Record<string, unknown>;
}

const SIG64 = 'aa'.repeat(64);
const SIG128 = 'bb'.repeat(128);

const vectors: Vector[] = [
  {
    title: 'ITL: header (signer version 1.0, SHA-1, 64-byte signature, 2 padding bytes) + one hash-only SAST record',
    source:
      'tlv-files.md §2.1 element order, ' +
      '§2.2 padding (79 + 3 + 64 = 146 -> 2 pads -> 148), §4 record layout in CUCM order',
    hex: `
      01 0002 01 02                     # 0   VERSION 1.2
      02 0002 0094                      # 5   HEADER_LENGTH 148
      1c 0002 01 00                     # 10  SIGNER_VERSION 1.0
      03 0015                           # 15  SIGNER_INFO container, 21 bytes of children
        04 0005 434e3d5300              # 18  SIGNER_NAME "CN=S\\0"
        06 0005 434e3d5300              # 26  ISSUER_NAME "CN=S\\0"
        05 0002 0123                    # 34  SERIAL_NUMBER 01 23
      07 000f                           # 39  SIGNATURE_INFO container (always 15)
        08 0001 01                      # 42  HASH_ALGORITHM SHA-1
        09 0008                         # 46  SIGNATURE_ALGORITHM_INFO container (always 8)
          0a 0001 00                    # 49  SIGNATURE_ALGORITHM 0 (RSA)
          0b 0001 00                    # 53  SIGNATURE_MODULUS index 0 = 64 bytes
      0c 0040 ${SIG64}                  # 57  SIGNATURE (not part of the signed message)
      0e 000c 49544c46696c652e746c7600  # 124 FILENAME "ITLFile.tlv\\0"
      0f 0004 65a51c40                  # 139 TIMESTAMP 1705319488
      0d 0d                             # 146 PADDING x2 -> header ends at 148
      01 0002 004b                      # 148 RECORD_LENGTH 75 (counts itself)
      02 0002 0000                      #     DNSNAME empty (two NULs, as CUCM's length 2)
      03 0005 434e3d5300                #     SUBJECTNAME "CN=S"
      04 0002 0000                      #     FUNCTION 0 = SAST
      05 0005 434e3d5300                #     ISSUERNAME "CN=S"
      06 0002 0123                      #     SERIALNUMBER 01 23
      07 0004 deadbeef                  #     PUBLICKEY (opaque here)
      08 0002 cafe                      #     SIGNATURE (certificate's, opaque here)
      0b 0014 00112233445566778899aabbccddeeff00112233  # CERTHASH (SHA-1)
      0c 0001 00                        #     HASH ALGORITHM ("null")
    `,
    decoded: {
      version: { major: 1, minor: 2 },
      headerLength: 148,
      signerVersion: { major: 1, minor: 0 },
      signerName: 'CN=S',
      issuerName: 'CN=S',
      serialNumber: '0123',
      hashAlgorithm: 1,
      signatureModulus: 0,
      signatureOffset: 57,
      fileName: 'ITLFile.tlv',
      timestamp: 1705319488,
      paddingBytes: 2,
      records: [
        {
          offset: 148,
          length: 75,
          role: 0,
          dnsName: '',
          subjectName: 'CN=S',
          certificateHash: '00112233445566778899aabbccddeeff00112233',
          hashAlgorithm: 0,
        },
      ],
    },
  },
  {
    title: '.sgn: header (VERSION 1.0, no SIGNER_VERSION, SHA-512, 128-byte signature, 1 padding byte) + payload',
    source: 'tlv-files.md §10 (header of §2 with VERSION 1.0, no tag 28), §2.2 (72 + 3 + 128 = 203 -> 1 pad -> 204)',
    hex: `
      01 0002 01 00                     # 0   VERSION 1.0
      02 0002 00cc                      # 5   HEADER_LENGTH 204
      03 0015                           # 10  SIGNER_INFO
        04 0005 434e3d5400              #     SIGNER_NAME "CN=T"
        06 0005 434e3d5400              #     ISSUER_NAME "CN=T"
        05 0002 7f01                    #     SERIAL_NUMBER 7F 01
      07 000f                           # 34  SIGNATURE_INFO
        08 0001 03                      #     HASH_ALGORITHM 3 = SHA-512
        09 0008
          0a 0001 00
          0b 0001 01                    #     SIGNATURE_MODULUS index 1 = 128 bytes
      0c 0080 ${SIG128}                 # 52  SIGNATURE
      0e 000a 612e786d6c2e73676e00      # 183 FILENAME "a.xml.sgn\\0"
      0f 0004 00000000                  # 196 TIMESTAMP 0
      0d                                # 203 PADDING
      3c782f3e                          # 204 payload "<x/>"
    `,
    decoded: {
      version: { major: 1, minor: 0 },
      headerLength: 204,
      signerName: 'CN=T',
      issuerName: 'CN=T',
      serialNumber: '7f01',
      hashAlgorithm: 3,
      signatureModulus: 1,
      signatureOffset: 52,
      fileName: 'a.xml.sgn',
      timestamp: 0,
      paddingBytes: 1,
      payload: '<x/>',
    },
  },
];

function isCodecError(e: unknown): boolean {
  return e instanceof CodecError;
}

for (const v of vectors) {
  const bytes = hexToBytes(v.hex);
  const d = v.decoded;
  test(`decode: ${v.title}`, () => {
    const h = decodeHeader(bytes);
    assert.deepEqual(h.version, d.version);
    assert.equal(h.headerLength, d.headerLength);
    assert.deepEqual(h.signerVersion, d.signerVersion);
    assert.equal(h.signerName, d.signerName);
    assert.equal(h.issuerName, d.issuerName);
    assert.equal(h.serialNumber?.toString('hex'), d.serialNumber);
    assert.equal(h.hashAlgorithm, d.hashAlgorithm);
    assert.equal(h.signatureModulus, d.signatureModulus);
    assert.equal(h.signatureOffset, d.signatureOffset);
    assert.equal(h.fileName, d.fileName);
    assert.equal(h.timestamp, d.timestamp);
    assert.equal(h.paddingBytes, d.paddingBytes);
    assert.equal(h.headerLength % 4, 0);
    if (d.payload !== undefined) assert.equal(bytes.subarray(h.headerLength).toString('latin1'), d.payload);
    if (d.records) {
      const f = decodeTlvFile(bytes);
      const expected = d.records as Record<string, unknown>[];
      assert.equal(f.records.length, expected.length);
      f.records.forEach((r, i) => {
        const e = expected[i]!;
        assert.equal(r.offset, e.offset);
        assert.equal(r.length, e.length);
        assert.equal(r.role, e.role);
        assert.equal(r.dnsName, e.dnsName);
        assert.equal(r.subjectName, e.subjectName);
        assert.equal(r.certificateHash?.toString('hex'), e.certificateHash);
        assert.equal(r.hashAlgorithm, e.hashAlgorithm);
        assert.deepEqual(
          r.elements.map((x) => x.tag),
          [1, 2, 3, 4, 5, 6, 7, 8, 11, 12],
        );
      });
    }
  });

  test(`encode + round trip: ${v.title}`, () => {
    const h = decodeHeader(bytes);
    const body = bytes.subarray(h.headerLength);
    const records = d.records ? decodeTlvFile(bytes).records.map(recordElementsOf) : [];
    const encoded = d.records
      ? encodeTlvFile(headerInitOf(h), h.signature, records)
      : Buffer.concat([encodeTlvFile(headerInitOf(h), h.signature, []), body]);
    assert.equal(encoded.toString('hex'), bytes.toString('hex'));
  });

  test(`every prefix decodes to fewer records or throws CodecError: ${v.title}`, () => {
    for (let n = 0; n < bytes.length; n++) {
      const prefix = bytes.subarray(0, n);
      try {
        const f = decodeTlvFile(prefix);
        assert.ok(
          n >= f.header.headerLength,
          `prefix ${n} decoded although the header is ${f.header.headerLength} bytes`,
        );
      } catch (e) {
        assert.ok(isCodecError(e), `prefix ${n}: ${String(e)}`);
      }
    }
  });
}

test('vector 1: a record boundary prefix is a valid file with no records; one byte more is truncated', () => {
  const bytes = hexToBytes(vectors[0]!.hex);
  assert.equal(decodeTlvFile(bytes.subarray(0, 148)).records.length, 0);
  assert.throws(() => decodeTlvFile(bytes.subarray(0, 149)), { code: 'ERR_CODEC_TRUNCATED' });
});
