import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CodecError } from '../shared/errors.ts';
import {
  decodeHeader,
  decodeTlvFile,
  encodeRecord,
  encodeTlvFile,
  layoutHeader,
  type HeaderInit,
} from './tlv-codec.ts';

const init: HeaderInit = {
  version: { major: 1, minor: 2 },
  signerVersion: { major: 1, minor: 1 },
  signerName: 'CN=SAST;OU=X',
  issuerName: 'CN=SAST;OU=X',
  serialNumber: Buffer.from('0a0b0c', 'hex'),
  hashAlgorithm: 3,
  fileName: 'ITLFile.tlv',
  timestamp: 1_800_000_000,
};
const sig = Buffer.alloc(64, 0x5a);
const record = [
  { tag: 2, value: Buffer.alloc(2) },
  { tag: 3, value: Buffer.from('CN=A\0') },
  { tag: 4, value: Buffer.of(0, 4) },
  { tag: 9, value: Buffer.from('not really a certificate') },
];
const good = encodeTlvFile(init, sig, [record, record]);

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof CodecError, `expected CodecError, got ${String(e)}`);
    return e.code;
  }
  return 'no error';
}

test('header length is a multiple of 4 for every file-name length and signature size (§2.2)', () => {
  for (const sigLen of [64, 128, 256, 512]) {
    for (let n = 1; n < 12; n++) {
      const l = layoutHeader({ ...init, fileName: 'x'.repeat(n) }, sigLen);
      assert.equal(l.headerLength % 4, 0);
      assert.equal(l.headerLength, l.before.length + l.after.length + 3 + sigLen);
      const pads = l.after.length - (3 + n + 1) - 7;
      assert.ok(pads >= 0 && pads <= 3, `padding ${pads}`);
    }
  }
});

test('signature sizes outside SIGNATURE_MODULUS (e.g. RSA-3072) are refused', () => {
  assert.throws(() => layoutHeader(init, 384), { code: 'ERR_PKI_BAD_KEY' });
});

test('decodes what it encodes, keeping offsets (BYTEPOS) and raw values', () => {
  const f = decodeTlvFile(good);
  assert.equal(f.records.length, 2);
  assert.equal(f.records[0]!.offset, f.header.headerLength);
  assert.equal(f.records[1]!.offset, f.header.headerLength + f.records[0]!.length);
  assert.equal(f.records[0]!.role, 4);
  assert.equal(f.records[0]!.dnsName, '');
  assert.deepEqual(f.header.signerVersion, { major: 1, minor: 1 });
  for (const e of f.header.elements) assert.equal(good[e.offset], e.tag);
  for (const e of f.records[1]!.elements) assert.equal(good[e.offset], e.tag);
  assert.equal(f.header.signature.toString('hex'), sig.toString('hex'));
});

test('hostile inputs give precise CodecErrors', () => {
  const hl = good.readUInt16BE(8);
  const cases: [string, Buffer, string][] = [
    ['empty', Buffer.alloc(0), 'ERR_CODEC_TRUNCATED'],
    ['first tag not VERSION', Buffer.concat([Buffer.of(2), good.subarray(1)]), 'ERR_CODEC_BAD_MAGIC'],
    [
      'second tag not HEADER_LENGTH',
      (() => {
        const b = Buffer.from(good);
        b[5] = 3;
        return b;
      })(),
      'ERR_CODEC_BAD_ELEMENT',
    ],
    [
      'VERSION length 3',
      (() => {
        const b = Buffer.from(good);
        b[2] = 3;
        return b;
      })(),
      'ERR_CODEC_BAD_VALUE',
    ],
    ['header longer than file', good.subarray(0, hl - 1), 'ERR_CODEC_TRUNCATED'],
    [
      'header length not a multiple of 4',
      (() => {
        const b = Buffer.from(good);
        b.writeUInt16BE(hl + 1, 8);
        return b;
      })(),
      'ERR_CODEC_BAD_VALUE',
    ],
    ['record truncated', good.subarray(0, good.length - 1), 'ERR_CODEC_TRUNCATED'],
    [
      'record not starting with RECORD_LENGTH',
      Buffer.concat([good, Buffer.of(2, 0, 2, 0, 5)]),
      'ERR_CODEC_BAD_ELEMENT',
    ],
    ['record length below 5', Buffer.concat([good, Buffer.of(1, 0, 2, 0, 4)]), 'ERR_CODEC_BAD_VALUE'],
    ['overlong record length', Buffer.concat([good, Buffer.of(1, 0, 2, 0xff, 0xff)]), 'ERR_CODEC_TRUNCATED'],
    [
      'record without FUNCTION',
      Buffer.concat([good, encodeRecord([{ tag: 3, value: Buffer.from('x\0') }])]),
      'ERR_CODEC_MISSING_ELEMENT',
    ],
    [
      'unknown record tag 13',
      Buffer.concat([
        good,
        encodeRecord([
          { tag: 4, value: Buffer.of(0, 0) },
          { tag: 13, value: Buffer.alloc(0) },
        ]),
      ]),
      'ERR_CODEC_BAD_ELEMENT',
    ],
    [
      'duplicate record tag',
      Buffer.concat([
        good,
        encodeRecord([
          { tag: 4, value: Buffer.of(0, 0) },
          { tag: 4, value: Buffer.of(0, 0) },
        ]),
      ]),
      'ERR_CODEC_BAD_ELEMENT',
    ],
    [
      'FUNCTION of length 1',
      Buffer.concat([good, encodeRecord([{ tag: 4, value: Buffer.of(0) }])]),
      'ERR_CODEC_BAD_VALUE',
    ],
    [
      'element crossing record end',
      Buffer.concat([good, Buffer.of(1, 0, 2, 0, 9, 3, 0, 5, 0)]),
      'ERR_CODEC_BAD_ELEMENT',
    ],
  ];
  for (const [what, bytes, code] of cases)
    assert.equal(
      codeOf(() => decodeTlvFile(bytes)),
      code,
      what,
    );
});

test('header elements crossing containers, unknown header tags and a missing signature are rejected', () => {
  // A hand-made 16-byte header: VERSION, HEADER_LENGTH 16, then 6 bytes to vary.
  const mk = (tail: number[]): Buffer => Buffer.of(1, 0, 2, 1, 2, 2, 0, 2, 0, 16, ...tail);
  assert.equal(
    codeOf(() => decodeHeader(mk([0x0d, 0x0d, 0x0d, 0x0d, 0x0d, 0x0d]))),
    'ERR_CODEC_MISSING_ELEMENT',
  );
  assert.equal(
    codeOf(() => decodeHeader(mk([0x1d, 0, 0, 0x0d, 0x0d, 0x0d]))),
    'ERR_CODEC_BAD_ELEMENT',
  );
  assert.equal(
    codeOf(() => decodeHeader(mk([0x00, 0, 0, 0x0d, 0x0d, 0x0d]))),
    'ERR_CODEC_BAD_ELEMENT',
  );
  assert.equal(
    codeOf(() => decodeHeader(mk([0x0c, 0, 9, 1, 1, 1]))),
    'ERR_CODEC_BAD_ELEMENT',
  );
  assert.equal(
    codeOf(() => decodeHeader(mk([0x07, 0, 1, 0x08, 0, 1]))),
    'ERR_CODEC_BAD_ELEMENT',
  );
  assert.equal(
    codeOf(() => decodeHeader(mk([0x0d, 0x0d, 0x0d, 0x0d, 0x0d, 0x0c]))),
    'ERR_CODEC_BAD_ELEMENT',
  );
  assert.equal(
    codeOf(() => decodeHeader(mk([0x0c, 0, 1, 7, 0x0c, 0]))),
    'ERR_CODEC_BAD_ELEMENT',
  );
  assert.equal(
    codeOf(() => decodeHeader(mk([0x0c, 0, 1, 7, 0x0d, 0x0d]))),
    'no error',
  );
});

test('size limit: a 10 MB input is refused before parsing; the limit is configurable', () => {
  const big = Buffer.alloc(10 * 1024 * 1024);
  good.copy(big);
  const t0 = process.hrtime.bigint();
  assert.equal(
    codeOf(() => decodeTlvFile(big)),
    'ERR_CODEC_TOO_LARGE',
  );
  assert.ok(Number(process.hrtime.bigint() - t0) < 50e6);
  assert.equal(
    codeOf(() => decodeTlvFile(good, { maxBytes: good.length - 1 })),
    'ERR_CODEC_TOO_LARGE',
  );
  // Allowed through: the zero tail is then a precise record error, found in linear time.
  assert.equal(
    codeOf(() => decodeTlvFile(big, { maxBytes: 16 * 1024 * 1024 })),
    'ERR_CODEC_BAD_ELEMENT',
  );
});

test('allowUnalignedHeader accepts a header length that is not a multiple of 4', () => {
  const b = Buffer.concat([Buffer.from(good.subarray(0, good.readUInt16BE(8)))]);
  const unaligned = Buffer.concat([b, Buffer.of(0x0d)]);
  unaligned.writeUInt16BE(b.length + 1, 8);
  assert.equal(
    codeOf(() => decodeHeader(unaligned)),
    'ERR_CODEC_BAD_VALUE',
  );
  assert.equal(
    decodeHeader(unaligned, { allowUnalignedHeader: true }).paddingBytes,
    b.length - good.readUInt16BE(8) + 1 + decodeHeader(good).paddingBytes,
  );
});
