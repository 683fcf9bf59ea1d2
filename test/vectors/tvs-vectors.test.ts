// Annotated TVS frames (tvs-protocol.md §5, §6): decode, encode, round-trip, and push-decoding split at every offset.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hexToBytes } from '../../src/shared/bytes.ts';
import { CodecError } from '../../src/shared/errors.ts';
import { createTvsDecoder, decodeTvsFrame, encodeTvsMessage, type TvsMessage } from '../../src/tvs/codec.ts';
import { TvsRole, TvsStatus } from '../../src/tvs/constants.ts';

interface Vector {
  title: string;
  source: string;
  hex: string;
  /** Offsets and meaning of each field; `…` marks bytes the source elided. */
  layout: string;
  decoded: TvsMessage;
  /** When encode(decoded) differs from `hex` (non-canonical input), the bytes the encoder writes. */
  reencoded?: string;
}

/** Stand-in for a certificate the source elided: a DER SEQUENCE header `30 82 <len>` then a fixed pattern. */
function fakeCertificate(totalBytes: number): Uint8Array {
  const out = new Uint8Array(totalBytes);
  out[0] = 0x30;
  out[1] = 0x82;
  out[2] = ((totalBytes - 4) >> 8) & 0xff;
  out[3] = (totalBytes - 4) & 0xff;
  for (let i = 4; i < totalBytes; i++) out[i] = (i * 7 + 3) & 0xff;
  return out;
}
const hexOf = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const ascii = (s: string): string => Buffer.from(s, 'latin1').toString('hex');

const asteriskCert = fakeCertificate(897); // §5: CN=Asterisk, 897-byte DER, content not in the trace
const cucmSignerCert = fakeCertificate(1451); // §6: 1451-byte DER of the queried certificate, content not in the dump

const vectors: Vector[] = [
  {
    title: 'VERIFY_REQUEST from tvsc (session 1, 897-byte certificate)',
    source: 'tvs-protocol.md §5 loopback trace (certificate bytes after `30 82 03 7d` elided there, synthetic here)',
    hex: `57 01 01 00 00 00 00 01 03 9f
          01 00 18 01 ${ascii('CP-8845-SEP001122334455')}
          02 03 81 ${hexOf(asteriskCert)}`,
    layout: `0  57 protocol | 1 01 version | 2 01 VERIFY_REQUEST | 3 00 reserved
4  00000001 request id | 8 039f body 927
10 01 0018 DEVICE_NAME: 01 + "CP-8845-SEP001122334455" (1 + 23)
37 02 0381 CERTIFICATE: 897 bytes DER (30 82 03 7d …)`,
    decoded: {
      command: 'VERIFY_REQUEST',
      requestId: 1,
      deviceName: 'CP-8845-SEP001122334455',
      certificate: asteriskCert,
    },
  },
  {
    title: 'VERIFY_RESPONSE trusted: CCM, TFTP, APP-SERVER for 3600 s',
    source: 'tvs-protocol.md §5 loopback trace and §8 item 3',
    hex: `57 01 02 00 00 00 00 01 00 11
          07 00 01 00
          08 00 03 01 03 07
          09 00 04 00 00 0e 10`,
    layout: `0  57 01 02 00 | 4 00000001 request id (copied) | 8 0011 body 17
10 07 0001 STATUS 00 valid
14 08 0003 ROLES 01 CCM, 03 TFTP, 07 APP-SERVER
20 09 0004 TTL 00000e10 = 3600`,
    decoded: {
      command: 'VERIFY_RESPONSE',
      requestId: 1,
      status: TvsStatus.VALID,
      roles: [TvsRole.CCM, TvsRole.TFTP, TvsRole.APP_SERVER],
      ttlSeconds: 3600,
    },
  },
  {
    title: 'VERIFY_RESPONSE unknown certificate: STATUS only',
    source: 'tvs-protocol.md §5 ("Unknown certificate") and §8 item 3',
    hex: '57 01 02 00 00 00 00 01 00 04  07 00 01 01',
    layout: `0  57 01 02 00 | 4 00000001 | 8 0004 body 4
10 07 0001 STATUS 01 invalid (no ROLES, no TTL)`,
    decoded: { command: 'VERIFY_RESPONSE', requestId: 1, status: TvsStatus.INVALID },
  },
  {
    title: 'QUERY_REQUEST from a real 8861 to CUCM (TVS_MSG_QUERY_CERT_REQ, 153 bytes)',
    source:
      'Cisco doc 213407 via tvs-protocol.md §6; tag bytes 04 (issuer) ' +
      'and 05 (serial) are not in the dump and are INFERRED',
    hex: `57 01 03 00 00 00 03 e9 00 8f
          01 00 18 01 ${ascii('CP-8861-SEPB000B4BA0AEE')}
          03 00 42 ${ascii('CN=ucm11pub.stormin.local;OU=IST;O=Stormin;L=Brisbane;ST=QLD;C=AU')} 00
          04 00 16 ${ascii('CN=stormin-WIN2012-CA')} 00
          05 00 13 24 00 00 00 17 94 79 b8 f1 24 ac 3f 3b 00 00 00 00 00 17`,
    layout: `0  57 01 03 00 | 4 000003e9 request id 1001 | 8 008f body 143
10  01 0018 DEVICE_NAME 01 + "CP-8861-SEPB000B4BA0AEE"          (27 bytes)
37  03 0042 SUBJECT_NAME "CN=ucm11pub…;C=AU" NUL (65 + 1)      (69 bytes)
106 04 0016 ISSUER_NAME "CN=stormin-WIN2012-CA" NUL (21 + 1)    (25 bytes, tag inferred)
131 05 0013 SERIAL_NUMBER 19 raw bytes                           (22 bytes, tag inferred)`,
    decoded: {
      command: 'QUERY_REQUEST',
      requestId: 1001,
      deviceName: 'CP-8861-SEPB000B4BA0AEE',
      subjectName: 'CN=ucm11pub.stormin.local;OU=IST;O=Stormin;L=Brisbane;ST=QLD;C=AU',
      issuerName: 'CN=stormin-WIN2012-CA',
      serialNumber: hexToBytes('24 00 00 00 17 94 79 b8 f1 24 ac 3f 3b 00 00 00 00 00 17'),
    },
  },
  {
    title: 'QUERY_RESPONSE from a real CUCM (TVS_MSG_QUERY_CERT_RES, 1480 bytes, reserved byte 0xF7)',
    source:
      'Cisco doc 213407 via tvs-protocol.md §6; certificate content not in the dump (synthetic here); ' +
      'last 12 bytes INFERRED from the log (rolecount 2: 0, 3; TTL 00 01 51 80)',
    hex: `57 01 04 f7 00 00 03 e9 05 be
          07 00 01 00
          02 05 ab ${hexOf(cucmSignerCert)}
          08 00 02 00 03
          09 00 04 00 01 51 80`,
    layout: `0  57 01 04 f7 (reserved 0xF7: ignored) | 4 000003e9 request id echoed | 8 05be body 1470
10   07 0001 STATUS 00 valid                   (4)
14   02 05ab CERTIFICATE 1451 bytes (30 82 05 a7 …) (1454)
1468 08 0002 ROLES 00 SAST, 03 TFTP          (5, inferred)
1473 09 0004 TTL 00015180 = 86400             (7, inferred)`,
    decoded: {
      command: 'QUERY_RESPONSE',
      requestId: 1001,
      status: TvsStatus.VALID,
      certificate: cucmSignerCert,
      roles: [TvsRole.SAST, TvsRole.TFTP],
      ttlSeconds: 86_400,
    },
    reencoded: `57 01 04 00 00 00 03 e9 05 be
          07 00 01 00
          02 05 ab ${hexOf(cucmSignerCert)}
          08 00 02 00 03
          09 00 04 00 01 51 80`,
  },
  {
    title: 'QUERY_RESPONSE for an unknown certificate: STATUS only',
    source: 'tvs-protocol.md §6 last paragraph (UNCERTAIN, by analogy with VERIFY)',
    hex: '57 01 04 00 00 00 03 e9 00 04  07 00 01 01',
    layout: `0  57 01 04 00 | 4 000003e9 | 8 0004
10 07 0001 STATUS 01 invalid`,
    decoded: { command: 'QUERY_RESPONSE', requestId: 1001, status: TvsStatus.INVALID },
  },
  {
    title: 'VERIFY_REQUEST without DEVICE_NAME (minimal)',
    source: 'tvs-protocol.md §4 (CERTIFICATE is the only element the server needs)',
    hex: '57 01 01 00 ff ff ff ff 00 07  02 00 04 30 02 05 00',
    layout: `0  57 01 01 00 | 4 ffffffff largest request id | 8 0007
10 02 0004 CERTIFICATE 30 02 05 00`,
    decoded: { command: 'VERIFY_REQUEST', requestId: 0xffffffff, certificate: hexToBytes('30 02 05 00') },
  },
  {
    title: 'VERIFY_REQUEST liberal form: elements reversed, an unknown tag, reserved byte set',
    source: 'tvs-protocol.md §2 (reserved never checked) and §4 ("skip unknown tags instead, and accept any order")',
    hex: `57 01 01 5a 00 00 00 02 00 1e
          02 00 04 30 02 05 00
          06 00 03 aa bb cc
          01 00 0e 01 ${ascii('CP-7942-SEP')}  ${ascii('AB')}`,
    layout: `0  57 01 01 5a (reserved: ignored) | 4 00000002 | 8 001e body 30
10 02 0004 CERTIFICATE
17 06 0003 unknown tag 6: skipped
23 01 000e DEVICE_NAME 01 + "CP-7942-SEPAB" (does not match tvsd's pattern; the codec does not judge it)`,
    decoded: {
      command: 'VERIFY_REQUEST',
      requestId: 2,
      unknownTags: [6],
      deviceName: 'CP-7942-SEPAB',
      certificate: hexToBytes('30 02 05 00'),
    },
    reencoded: `57 01 01 00 00 00 00 02 00 18
          01 00 0e 01 ${ascii('CP-7942-SEPAB')}
          02 00 04 30 02 05 00`,
  },
];

/** Uint8Array/Buffer fields as hex so deepEqual compares content, not prototypes. */
function plain(m: TvsMessage): Record<string, unknown> {
  return Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v instanceof Uint8Array ? hexOf(v) : v]));
}

for (const v of vectors) {
  test(`vector: ${v.title}`, () => {
    const bytes = hexToBytes(v.hex);
    const decoded = decodeTvsFrame(bytes);
    assert.deepEqual(plain(decoded), plain(v.decoded), 'decode');
    const encoded = encodeTvsMessage(v.decoded);
    assert.equal(hexOf(encoded), hexOf(hexToBytes(v.reencoded ?? v.hex)), 'encode');
    const { unknownTags: _skipped, ...canonical } = v.decoded; // the encoder never writes skipped tags
    assert.deepEqual(plain(decodeTvsFrame(encoded)), plain(canonical as TvsMessage), 'round-trip');
  });

  test(`vector split at every offset: ${v.title}`, () => {
    const bytes = hexToBytes(v.hex);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const decoder = createTvsDecoder();
      const first = decoder.push(bytes.subarray(0, cut));
      const second = decoder.push(bytes.subarray(cut));
      const all = [...first, ...second];
      assert.equal(all.length, 1, `cut at ${cut}`);
      assert.deepEqual(plain(all[0]!), plain(v.decoded), `cut at ${cut}`);
      assert.equal(decoder.bufferedBytes, 0);
      decoder.end();
    }
  });
}

test('every vector back to back, fed one byte at a time and in two halves at every offset', () => {
  const stream = Buffer.concat(vectors.map((v) => hexToBytes(v.hex)));
  const expected = vectors.map((v) => plain(v.decoded));
  const bytewise = createTvsDecoder();
  const got: TvsMessage[] = [];
  for (let i = 0; i < stream.length; i++) got.push(...bytewise.push(stream.subarray(i, i + 1)));
  assert.deepEqual(got.map(plain), expected);
  for (let cut = 0; cut <= stream.length; cut += 7) {
    const d = createTvsDecoder();
    const msgs = [...d.push(stream.subarray(0, cut)), ...d.push(stream.subarray(cut))];
    assert.deepEqual(msgs.map(plain), expected, `cut at ${cut}`);
  }
});

interface BadVector {
  title: string;
  hex: string;
  code: string;
  maxBodyBytes?: number;
}

const bad: BadVector[] = [
  {
    title: 'TLS ClientHello sent to the wrong port',
    hex: '16 03 01 00 f1 01 00 00 ed 03 03',
    code: 'ERR_CODEC_BAD_MAGIC',
  },
  { title: 'version 2', hex: '57 02 01 00 00 00 00 01 00 00', code: 'ERR_CODEC_BAD_MAGIC' },
  { title: 'command NONE', hex: '57 01 00 00 00 00 00 01 00 00', code: 'ERR_CODEC_BAD_VALUE' },
  { title: 'command 5', hex: '57 01 05 00 00 00 00 01 00 00', code: 'ERR_CODEC_BAD_VALUE' },
  {
    title: 'declared body above the maximum',
    hex: '57 01 01 00 00 00 00 01 ff ff',
    code: 'ERR_CODEC_TOO_LARGE',
    maxBodyBytes: 16384,
  },
  {
    title: 'element longer than the body',
    hex: '57 01 01 00 00 00 00 01 00 05  02 00 09 30 00',
    code: 'ERR_CODEC_TRUNCATED',
  },
  {
    title: 'element header cut by the body end',
    hex: '57 01 01 00 00 00 00 01 00 02  02 00',
    code: 'ERR_CODEC_TRUNCATED',
  },
  {
    title: 'VERIFY_REQUEST without CERTIFICATE',
    hex: '57 01 01 00 00 00 00 01 00 06  01 00 03 01 41 42',
    code: 'ERR_CODEC_MISSING_ELEMENT',
  },
  {
    title: 'VERIFY_REQUEST with an empty CERTIFICATE',
    hex: '57 01 01 00 00 00 00 01 00 03  02 00 00',
    code: 'ERR_CODEC_BAD_VALUE',
  },
  {
    title: 'CERTIFICATE twice',
    hex: '57 01 01 00 00 00 00 01 00 0a  02 00 02 30 00  02 00 02 30 00',
    code: 'ERR_CODEC_BAD_ELEMENT',
  },
  {
    title: 'DEVICE_NAME with only the lead byte',
    hex: '57 01 01 00 00 00 00 01 00 09  01 00 01 01  02 00 02 30 00',
    code: 'ERR_CODEC_BAD_VALUE',
  },
  {
    title: 'DEVICE_NAME with a control character',
    hex: '57 01 01 00 00 00 00 01 00 0a  01 00 02 01 1b  02 00 02 30 00',
    code: 'ERR_CODEC_BAD_VALUE',
  },
  {
    title: 'QUERY_REQUEST naming nothing',
    hex: '57 01 03 00 00 00 00 01 00 06  01 00 03 01 41 42',
    code: 'ERR_CODEC_MISSING_ELEMENT',
  },
  {
    title: 'response without STATUS',
    hex: '57 01 02 00 00 00 00 01 00 04  08 00 01 01',
    code: 'ERR_CODEC_MISSING_ELEMENT',
  },
  { title: 'STATUS of two bytes', hex: '57 01 02 00 00 00 00 01 00 05  07 00 02 00 00', code: 'ERR_CODEC_BAD_ELEMENT' },
  {
    title: 'TTL of three bytes',
    hex: '57 01 02 00 00 00 00 01 00 0a  07 00 01 00  09 00 03 00 0e 10',
    code: 'ERR_CODEC_BAD_ELEMENT',
  },
  {
    title: 'frame shorter than its declared body',
    hex: '57 01 02 00 00 00 00 01 00 04  07 00',
    code: 'ERR_CODEC_TRUNCATED',
  },
  {
    title: 'bytes after the frame',
    hex: '57 01 02 00 00 00 00 01 00 04  07 00 01 01 57',
    code: 'ERR_CODEC_BAD_ELEMENT',
  },
];

for (const b of bad) {
  test(`rejects: ${b.title}`, () => {
    assert.throws(
      () => decodeTvsFrame(hexToBytes(b.hex), b.maxBodyBytes === undefined ? {} : { maxBodyBytes: b.maxBodyBytes }),
      (e: unknown) => {
        assert.ok(e instanceof CodecError, String(e));
        assert.equal(e.code, b.code);
        return true;
      },
    );
  });
}

test('push decoder refuses a declared length above the maximum before buffering the body, then stays poisoned', () => {
  const d = createTvsDecoder({ maxBodyBytes: 1024 });
  assert.deepEqual(d.push(hexToBytes('57 01 01 00 00 00')), []);
  assert.throws(() => d.push(hexToBytes('00 01 04 01')), { code: 'ERR_CODEC_TOO_LARGE' });
  assert.ok(d.bufferedBytes <= 10, 'only the header was held');
  assert.equal(d.poisoned, true);
  assert.throws(
    () => d.push(hexToBytes('57 01 02 00 00 00 00 01 00 04 07 00 01 01')),
    (e: unknown) => e instanceof CodecError && e.code === 'ERR_CODEC_TOO_LARGE',
  );
  assert.throws(() => d.end(), CodecError);
});

test('push decoder fails on the first wrong byte, not after ten', () => {
  assert.throws(() => createTvsDecoder().push(Uint8Array.of(0x16)), { code: 'ERR_CODEC_BAD_MAGIC' });
  assert.throws(() => createTvsDecoder().push(Uint8Array.of(0x57, 0x03)), { code: 'ERR_CODEC_BAD_MAGIC' });
  assert.throws(() => createTvsDecoder().push(Uint8Array.of(0x57, 0x01, 0x09)), { code: 'ERR_CODEC_BAD_VALUE' });
});

test('push decoder: end() inside a frame is a truncation; an empty body frame completes at once', () => {
  const d = createTvsDecoder();
  d.push(hexToBytes('57 01 02 00 00 00 00 01 00 04 07'));
  assert.equal(d.bufferedBytes, 11);
  assert.throws(() => d.end(), { code: 'ERR_CODEC_TRUNCATED' });
  const e = createTvsDecoder();
  assert.throws(() => e.push(hexToBytes('57 01 02 00 00 00 00 07 00 00')), { code: 'ERR_CODEC_MISSING_ELEMENT' });
});

test('decoded values are copies, not views of the input buffer', () => {
  const bytes = hexToBytes(vectors[0]!.hex);
  const m = decodeTvsFrame(bytes);
  assert.equal(m.command, 'VERIFY_REQUEST');
  const cert = (m as { certificate: Uint8Array }).certificate;
  assert.notEqual(cert.buffer, bytes.buffer);
  bytes.fill(0);
  assert.equal(cert[0], 0x30);
});

test('encoder refuses values the wire cannot carry', () => {
  assert.throws(
    () => encodeTvsMessage({ command: 'VERIFY_REQUEST', requestId: 2 ** 32, certificate: Uint8Array.of(0x30) }),
    { code: 'ERR_CODEC_BAD_VALUE' },
  );
  assert.throws(
    () => encodeTvsMessage({ command: 'VERIFY_REQUEST', requestId: 1, certificate: new Uint8Array(0x10000) }),
    { code: 'ERR_CODEC_TOO_LARGE' },
  );
  assert.throws(
    () =>
      encodeTvsMessage({
        command: 'VERIFY_REQUEST',
        requestId: 1,
        certificate: new Uint8Array(0xfff0),
        deviceName: 'CP-0000-SEP000000000000',
      }),
    { code: 'ERR_CODEC_TOO_LARGE' },
  );
  assert.throws(
    () =>
      encodeTvsMessage({
        command: 'VERIFY_REQUEST',
        requestId: 1,
        certificate: Uint8Array.of(0x30),
        deviceName: 'CP-é',
      }),
    { code: 'ERR_CODEC_BAD_VALUE' },
  );
  assert.throws(() => encodeTvsMessage({ command: 'VERIFY_RESPONSE', requestId: 1, status: 0, roles: [256] }), {
    code: 'ERR_CODEC_BAD_VALUE',
  });
  assert.throws(() => encodeTvsMessage({ command: 'VERIFY_RESPONSE', requestId: 1, status: 0, ttlSeconds: -1 }), {
    code: 'ERR_CODEC_BAD_VALUE',
  });
  assert.throws(() => encodeTvsMessage({ command: 'QUERY_REQUEST', requestId: 1, subjectName: 'a\0b' }), {
    code: 'ERR_CODEC_BAD_VALUE',
  });
});
