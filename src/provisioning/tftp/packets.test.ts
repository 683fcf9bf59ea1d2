// Tests the TFTP codec against annotated byte vectors and malformed inputs.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hexToBytes } from '../../shared/bytes.ts';
import { CodecError } from '../../shared/errors.ts';
import {
  decodePacket,
  encodeAck,
  encodeData,
  encodeError,
  encodePacket,
  MAX_BLKSIZE,
  type TftpPacket,
} from './packets.ts';

interface Vector {
  title: string;
  source: string;
  hex: string;
  decoded: TftpPacket;
}

const vectors: Vector[] = [
  {
    title: 'RRQ octet, no options',
    source: 'RFC 1350 §5 figure 5-1',
    hex: `0001                         # opcode RRQ
          49544c46696c652e746c7600     # "ITLFile.tlv" NUL
          6f6374657400                 # "octet" NUL`,
    decoded: { op: 'RRQ', filename: 'ITLFile.tlv', mode: 'octet', options: new Map() },
  },
  {
    title: 'RRQ with blksize/tsize/windowsize, mode and option names in mixed case',
    source: 'RFC 2347 §2 example, RFC 7440 §3',
    hex: `0001 6100                  # RRQ "a"
          4f4354455400              # "OCTET" -> octet
          426c6b53697a6500 3134363800   # "BlkSize" "1468"
          7473697a6500 3000             # "tsize" "0"
          77696e646f7773697a6500 313600 # "windowsize" "16"`,
    decoded: {
      op: 'RRQ',
      filename: 'a',
      mode: 'octet',
      options: new Map([
        ['blksize', '1468'],
        ['tsize', '0'],
        ['windowsize', '16'],
      ]),
    },
  },
  {
    title: 'WRQ netascii',
    source: 'RFC 1350 §5',
    hex: `0002 782e74787400 6e65746173636969 00`,
    decoded: { op: 'WRQ', filename: 'x.txt', mode: 'netascii', options: new Map() },
  },
  {
    title: 'DATA block 1, three bytes',
    source: 'RFC 1350 §5 figure 5-2',
    hex: `0003 0001 616263`,
    decoded: { op: 'DATA', block: 1, data: Buffer.from('abc') },
  },
  {
    title: 'DATA block 65535, empty (final block of an exact multiple)',
    source: 'RFC 1350 §6',
    hex: `0003 ffff`,
    decoded: { op: 'DATA', block: 65535, data: Buffer.alloc(0) },
  },
  {
    title: 'ACK block 0 (answer to OACK)',
    source: 'RFC 2347 §2',
    hex: `0004 0000`,
    decoded: { op: 'ACK', block: 0 },
  },
  {
    title: 'ERROR 1 File not found',
    source: 'RFC 1350 §5 figure 5-4',
    hex: `0005 0001 46696c65206e6f7420666f756e64 00`,
    decoded: { op: 'ERROR', code: 1, message: 'File not found' },
  },
  {
    title: 'ERROR with empty message',
    source: 'RFC 1350 §5',
    hex: `0005 0008 00`,
    decoded: { op: 'ERROR', code: 8, message: '' },
  },
  {
    title: 'OACK blksize 1024',
    source: 'RFC 2347 §2',
    hex: `0006 626c6b73697a6500 3130323400`,
    decoded: { op: 'OACK', options: new Map([['blksize', '1024']]) },
  },
];

function normalise(p: TftpPacket): unknown {
  return p.op === 'DATA' ? { ...p, data: Buffer.from(p.data) } : p;
}

for (const v of vectors) {
  test(`vector: ${v.title} (${v.source})`, () => {
    const bytes = hexToBytes(v.hex);
    assert.deepEqual(normalise(decodePacket(bytes)), normalise(v.decoded));
    const reencoded = encodePacket(decodePacket(bytes));
    assert.deepEqual(normalise(decodePacket(reencoded)), normalise(v.decoded));
    // Mixed-case names and modes are normalised, so only lower-case vectors re-encode byte for byte.
    if (!/[A-Z]/.test(Buffer.from(bytes).toString('latin1'))) assert.deepEqual(reencoded, bytes);
  });
}

test('fast-path encoders agree with encodePacket', () => {
  assert.deepEqual(encodeData(7, Buffer.from('hi')), hexToBytes('0003 0007 6869'));
  assert.deepEqual(encodeAck(65535), hexToBytes('0004 ffff'));
  assert.deepEqual(
    encodeError(2, 'Access violation'),
    encodePacket({ op: 'ERROR', code: 2, message: 'Access violation' }),
  );
});

const malformed: { title: string; hex: string; code: string }[] = [
  { title: 'empty datagram', hex: '', code: 'ERR_CODEC_TRUNCATED' },
  { title: 'one byte', hex: '00', code: 'ERR_CODEC_TRUNCATED' },
  { title: 'unknown opcode 7', hex: '0007 0000', code: 'ERR_CODEC_BAD_VALUE' },
  { title: 'opcode 0', hex: '0000', code: 'ERR_CODEC_BAD_VALUE' },
  { title: 'RRQ without NUL after filename', hex: '0001 6162', code: 'ERR_CODEC_TRUNCATED' },
  { title: 'RRQ without mode', hex: '0001 6100', code: 'ERR_CODEC_MISSING_ELEMENT' },
  { title: 'RRQ mode without NUL', hex: '0001 6100 6f63746574', code: 'ERR_CODEC_TRUNCATED' },
  { title: 'RRQ empty filename', hex: '0001 00 6f6374657400', code: 'ERR_CODEC_BAD_ELEMENT' },
  { title: 'RRQ unknown mode', hex: '0001 6100 62696e61727900', code: 'ERR_CODEC_BAD_VALUE' },
  {
    title: 'RRQ option without value',
    hex: '0001 6100 6f6374657400 626c6b73697a6500',
    code: 'ERR_CODEC_MISSING_ELEMENT',
  },
  { title: 'RRQ empty option name', hex: '0001 6100 6f6374657400 00 3100', code: 'ERR_CODEC_BAD_ELEMENT' },
  { title: 'DATA without block', hex: '0003 00', code: 'ERR_CODEC_TRUNCATED' },
  { title: 'ACK without block', hex: '0004', code: 'ERR_CODEC_TRUNCATED' },
  { title: 'ERROR without NUL', hex: '0005 0001 6f6f7073', code: 'ERR_CODEC_TRUNCATED' },
  { title: 'ERROR with two strings', hex: '0005 0001 6100 6200', code: 'ERR_CODEC_BAD_ELEMENT' },
  { title: 'OACK odd strings', hex: '0006 6100', code: 'ERR_CODEC_MISSING_ELEMENT' },
];

for (const m of malformed) {
  test(`malformed: ${m.title} -> ${m.code}`, () => {
    assert.throws(
      () => decodePacket(hexToBytes(m.hex)),
      (e: unknown) => e instanceof CodecError && e.code === m.code,
    );
  });
}

test('oversize packets are refused before parsing', () => {
  const bigData = Buffer.alloc(4 + MAX_BLKSIZE + 1);
  bigData[1] = 3;
  assert.throws(
    () => decodePacket(bigData),
    (e: unknown) => e instanceof CodecError && e.code === 'ERR_CODEC_TOO_LARGE',
  );
  const bigRrq = Buffer.concat([hexToBytes('0001'), Buffer.alloc(600, 0x61), hexToBytes('00 6f6374657400')]);
  assert.throws(
    () => decodePacket(bigRrq),
    (e: unknown) => e instanceof CodecError && e.code === 'ERR_CODEC_TOO_LARGE',
  );
  assert.equal(decodePacket(encodeData(1, Buffer.alloc(MAX_BLKSIZE))).op, 'DATA');
});

test('padded ACK is tolerated; a repeated option keeps its first value', () => {
  assert.deepEqual(decodePacket(hexToBytes('0004 0002 0000')), { op: 'ACK', block: 2 });
  const p = decodePacket(hexToBytes('0001 6100 6f6374657400 7473697a6500 3000 5453495a4500 393900'));
  assert.equal(p.op === 'RRQ' && p.options.get('tsize'), '0');
});

test('encoder refuses what cannot be represented', () => {
  const bad = (p: TftpPacket): void => assert.throws(() => encodePacket(p), CodecError);
  bad({ op: 'RRQ', filename: 'a\0b', mode: 'octet', options: new Map() });
  bad({ op: 'RRQ', filename: '', mode: 'octet', options: new Map() });
  bad({ op: 'ACK', block: 65536 });
  bad({ op: 'DATA', block: -1, data: Buffer.alloc(0) });
  bad({ op: 'ERROR', code: 1, message: 'x\0y' });
  bad({ op: 'OACK', options: new Map([['', '1']]) });
});
