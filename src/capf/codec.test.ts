// Unit tests of the CAPF codec's error handling, limits and liberal parsing.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CodecError } from '../shared/errors.ts';
import { hexToBytes } from '../shared/bytes.ts';
import {
  CAPF_ELEMENT_ORDER,
  authRequest,
  authResponse,
  createCapfDecoder,
  decodeHeader,
  decodeMessage,
  encodeMessage,
  endSession,
  storeCertificateRequest,
} from './codec.ts';
import type { CapfMessage } from './codec.ts';
import { CAPF_COMMAND_NAMES, CapfCommand, CapfTag, capfCommandName, capfReasonName, capfTagName } from './constants.ts';

function codecError(code: string): (e: unknown) => boolean {
  return (e: unknown) => {
    assert.ok(e instanceof CodecError, `expected CodecError, got ${String(e)}`);
    assert.equal(e.code, code);
    return true;
  };
}

const END_SESSION_OK = hexToBytes('55 0f 00 00 00 07 00 04  01 00 01 01');

describe('constants', () => {
  it('derives names from the tables', () => {
    assert.equal(capfCommandName(17), 'REQUEST_IN_PROGRESS');
    assert.equal(capfCommandName(99), 'UNKNOWN(99)');
    assert.equal(capfTagName(20), 'SHA2_SIGNED_DATA');
    assert.equal(capfReasonName(9), 'UNKNOWN_DEVICE');
    assert.equal(CAPF_COMMAND_NAMES.size, 23);
    assert.equal(CapfCommand.ENCRYPT_RESPONSE, 5);
  });

  it('canonical order is capfd order merged with capfc order (§4)', () => {
    const capfd = [1, 3, 4, 7, 8, 10, 17, 18];
    const capfc = [1, 3, 4, 6, 7, 11, 13, 16, 9, 20];
    for (const order of [capfd, capfc]) {
      const positions = order.map((t) => CAPF_ELEMENT_ORDER.indexOf(t));
      assert.ok(
        positions.every((p, i) => p >= 0 && (i === 0 || p > positions[i - 1]!)),
        `order ${order}`,
      );
    }
  });
});

describe('decodeMessage errors', () => {
  it('rejects a bad protocol id', () => {
    assert.throws(
      () => decodeMessage(hexToBytes('56 0f 00 00 00 07 00 04  01 00 01 01')),
      codecError('ERR_CODEC_BAD_MAGIC'),
    );
  });

  it('rejects a truncated header and a truncated body', () => {
    assert.throws(() => decodeMessage(END_SESSION_OK.subarray(0, 5)), codecError('ERR_CODEC_TRUNCATED'));
    assert.throws(() => decodeMessage(END_SESSION_OK.subarray(0, 11)), codecError('ERR_CODEC_TRUNCATED'));
  });

  it('rejects bytes after the declared body', () => {
    assert.throws(
      () => decodeMessage(Buffer.concat([END_SESSION_OK, Buffer.of(0)])),
      codecError('ERR_CODEC_BAD_ELEMENT'),
    );
  });

  it('rejects an element length running past the body end', () => {
    // body of 4 holds REASON declaring 2 value bytes but only 1 follows
    assert.throws(
      () => decodeMessage(hexToBytes('55 0f 00 00 00 07 00 04  01 00 02 01')),
      codecError('ERR_CODEC_TRUNCATED'),
    );
    // unknown tag with a huge length
    assert.throws(
      () => decodeMessage(hexToBytes('55 0f 00 00 00 07 00 04  63 ff ff 01')),
      codecError('ERR_CODEC_TRUNCATED'),
    );
    // element header cut off
    assert.throws(() => decodeMessage(hexToBytes('55 0f 00 00 00 07 00 02  01 00')), codecError('ERR_CODEC_TRUNCATED'));
  });

  it('rejects fixed-size elements of the wrong size', () => {
    assert.throws(
      () => decodeMessage(hexToBytes('55 0f 00 00 00 07 00 05  01 00 02 00 01')),
      codecError('ERR_CODEC_BAD_ELEMENT'),
    );
    assert.throws(
      () => decodeMessage(hexToBytes('55 03 00 00 00 07 00 04  0a 00 01 08')),
      codecError('ERR_CODEC_BAD_ELEMENT'),
    );
  });

  it('rejects a repeated interpreted element', () => {
    assert.throws(
      () => decodeMessage(hexToBytes('55 02 00 00 00 07 00 0b  0d 00 02 41 00  0d 00 03 42 42 00')),
      codecError('ERR_CODEC_BAD_ELEMENT'),
    );
  });

  it('rejects invalid UTF-8 in a C-string', () => {
    assert.throws(
      () => decodeMessage(hexToBytes('55 02 00 00 00 07 00 05  0d 00 02 ff 00')),
      codecError('ERR_CODEC_BAD_VALUE'),
    );
  });

  it('rejects malformed nested certificates', () => {
    const frame = (value: string): Buffer => {
      const v = hexToBytes(value);
      return encodeRaw(9, [[4, v]]);
    };
    assert.throws(() => decodeMessage(frame('02 00 03 00 01 30')), codecError('ERR_CODEC_BAD_ELEMENT')); // inner tag 2
    assert.throws(() => decodeMessage(frame('01 00 01 00')), codecError('ERR_CODEC_BAD_ELEMENT')); // inner length < 2
    // inner runs past outer
    assert.throws(() => decodeMessage(frame('01 00 09 00 01 30')), codecError('ERR_CODEC_TRUNCATED'));
    // trailing byte
    assert.throws(() => decodeMessage(frame('01 00 03 00 01 30 ff')), codecError('ERR_CODEC_BAD_ELEMENT'));
  });

  it('rejects malformed SUDI_DATA and SHA2_SIGNED_DATA', () => {
    const sudi = (hex: string): Buffer => encodeRaw(2, [[16, hexToBytes(hex)]]);
    assert.doesNotThrow(() => decodeMessage(sudi('00 00 01 30  01 00 01 aa  03 00 01 bb')));
    assert.throws(
      () => decodeMessage(sudi('00 00 01 30  01 00 01 aa  02 00 01 bb')),
      codecError('ERR_CODEC_BAD_VALUE'),
    );
    assert.throws(() => decodeMessage(sudi('00 00 01 30  01 00 01 aa')), codecError('ERR_CODEC_TRUNCATED'));
    assert.throws(
      () => decodeMessage(sudi('00 00 01 30  01 00 01 aa  03 00 01 bb  00')),
      codecError('ERR_CODEC_BAD_ELEMENT'),
    );
    const sha2 = (hex: string): Buffer => encodeRaw(2, [[20, hexToBytes(hex)]]);
    assert.throws(() => decodeMessage(sha2('03 00 05 aa bb')), codecError('ERR_CODEC_TRUNCATED'));
    assert.throws(() => decodeMessage(sha2('03 00 01 aa bb')), codecError('ERR_CODEC_BAD_ELEMENT'));
  });

  it('error messages name the element', () => {
    assert.throws(() => decodeMessage(hexToBytes('55 02 00 00 00 07 00 05  0d 00 02 ff 00')), /DEVICE_NAME/);
  });
});

/** Frames raw elements without going through the typed encoder. */
function encodeRaw(command: number, elements: [number, Uint8Array][], sessionId = 7): Buffer {
  const body = Buffer.concat(
    elements.map(([tag, v]) => Buffer.concat([Buffer.of(tag, v.length >> 8, v.length & 0xff), v])),
  );
  const h = Buffer.alloc(8);
  h[0] = 0x55;
  h[1] = command;
  h.writeUInt32BE(sessionId, 2);
  h.writeUInt16BE(body.length, 6);
  return Buffer.concat([h, body]);
}

describe('liberal parsing', () => {
  it('skips unknown tags (and unused defined ones) within bounds and records them', () => {
    const m = decodeMessage(
      hexToBytes(`55 02 00 00 00 07 00 17
        0c 00 02 00 3c        # RETRY_DELAY (12), uninterpreted
        0e 00 00              # tag 14, empty
        07 00 01 03           # VERSION
        ff 00 03 01 02 03     # tag 255
        0d 00 02 58 00        # DEVICE_NAME "X"`),
    );
    assert.deepStrictEqual(m.elements, { version: 3, deviceName: 'X' });
    assert.deepStrictEqual(m.unknownElements, [
      { tag: 12, value: hexToBytes('00 3c') },
      { tag: 14, value: Buffer.alloc(0) },
      { tag: 255, value: hexToBytes('01 02 03') },
    ]);
    // re-encoding keeps them, after the interpreted elements
    assert.deepStrictEqual(decodeMessage(encodeMessage(m)), m);
  });

  it('keeps odd nested-certificate type bytes (e.g. 00 02 for a MIC, or ff ff)', () => {
    for (const tb of ['00 02', 'ff ff', '01 00']) {
      const m = decodeMessage(encodeRaw(12, [[4, hexToBytes(`01 00 05 ${tb} 30 01 00`)]]));
      assert.deepStrictEqual(m.elements.certificate, { typeBytes: hexToBytes(tb), der: hexToBytes('30 01 00') });
      assert.equal(
        encodeMessage(m).toString('hex'),
        encodeRaw(12, [[4, hexToBytes(`01 00 05 ${tb} 30 01 00`)]]).toString('hex'),
      );
    }
  });

  it('accepts an empty DER in the nested certificate', () => {
    const m = decodeMessage(encodeRaw(12, [[4, hexToBytes('01 00 02 00 01')]]));
    assert.equal(m.elements.certificate?.der.length, 0);
  });

  it('C-strings: strips one trailing NUL only if present', () => {
    const name = (hex: string): string | undefined =>
      decodeMessage(encodeRaw(2, [[13, hexToBytes(hex)]])).elements.deviceName;
    assert.equal(name('41 42'), 'AB');
    assert.equal(name('41 42 00'), 'AB');
    assert.equal(name('41 42 00 00'), 'AB\0');
    assert.equal(name(''), '');
    assert.equal(name('00'), '');
  });

  it('keeps reason, version and key type values outside the known tables', () => {
    const m = decodeMessage(
      encodeRaw(15, [
        [1, Buffer.of(0x42)],
        [7, Buffer.of(9)],
        [17, Buffer.of(7)],
      ]),
    );
    assert.deepStrictEqual(m.elements, { reason: 0x42, version: 9, keyType: 7 });
  });

  it('decodes elements in any order', () => {
    const a = decodeMessage(
      encodeRaw(2, [
        [13, Buffer.from('A\0')],
        [1, Buffer.of(1)],
        [7, Buffer.of(2)],
      ]),
    );
    assert.deepStrictEqual(a.elements, { deviceName: 'A', reason: 1, version: 2 });
  });

  it('decodeHeader reads a u32 session id above 2^31', () => {
    assert.deepStrictEqual(decodeHeader(hexToBytes('55 01 ff ff ff ff 00 00')), {
      command: 1,
      sessionId: 0xffffffff,
      bodyLength: 0,
    });
  });
});

describe('encodeMessage limits', () => {
  it('throws RangeError when the body does not fit u16', () => {
    // 4 + 3 + 5 + DER = 0x10000: each element fits u16, the body does not
    const big = storeCertificateRequest(1, { der: Buffer.alloc(0x10000 - 12) });
    assert.throws(
      () => encodeMessage(big),
      (e: unknown) => e instanceof RangeError && /body of 65536 bytes/.test(e.message),
    );
  });

  it('throws RangeError when one element value does not fit u16', () => {
    const m: CapfMessage = {
      command: 9,
      sessionId: 1,
      elements: {},
      unknownElements: [{ tag: 99, value: Buffer.alloc(0x10000) }],
    };
    assert.throws(() => encodeMessage(m), RangeError);
  });

  it('throws RangeError for out-of-range numbers and bad type bytes', () => {
    assert.throws(() => encodeMessage(endSession(1, 256)), RangeError);
    assert.throws(() => encodeMessage(endSession(-1, 1)), RangeError);
    assert.throws(() => encodeMessage(endSession(2 ** 32, 1)), RangeError);
    assert.throws(() => encodeMessage({ ...endSession(1, 1), command: 300 }), RangeError);
    assert.throws(
      () => encodeMessage(storeCertificateRequest(1, { der: Buffer.of(0x30), typeBytes: Buffer.of(1) })),
      RangeError,
    );
    assert.throws(() => encodeMessage({ ...authRequest(1), elements: { keySize: 70000 } }), RangeError);
  });

  it('refuses an uninterpreted element that uses an interpreted tag', () => {
    const m: CapfMessage = {
      command: 2,
      sessionId: 1,
      elements: {},
      unknownElements: [{ tag: CapfTag.DEVICE_NAME, value: Buffer.of(0) }],
    };
    assert.throws(() => encodeMessage(m), RangeError);
  });

  it('builds a maximal body exactly at the u16 limit', () => {
    // CERTIFICATE_TYPE (4) + CERTIFICATE header (3 + 5) + DER = 0xffff
    const m = storeCertificateRequest(1, { der: Buffer.alloc(0xffff - 12, 0x30) });
    const bytes = encodeMessage(m);
    assert.equal(bytes.readUInt16BE(6), 0xffff);
    assert.deepStrictEqual(decodeMessage(bytes), m);
  });

  it('honours elementOrder and ignores absent or repeated tags in it', () => {
    const m = authResponse(1, { deviceName: 'CSF1', version: 2 });
    const bytes = encodeMessage(m, { elementOrder: [7, 99, 6, 13, 7] });
    assert.equal(
      bytes.subarray(8).toString('hex'),
      '07000102' + '0d0005' + Buffer.from('CSF1\0').toString('hex') + '01000101',
    );
  });
});

describe('push decoder', () => {
  it('rejects a bad protocol id on the first byte', () => {
    const d = createCapfDecoder();
    assert.throws(() => d.push(Buffer.of(0x16)), codecError('ERR_CODEC_BAD_MAGIC')); // a TLS record by mistake
  });

  it('rejects a bad protocol id of the second frame', () => {
    const d = createCapfDecoder();
    assert.throws(() => d.push(Buffer.concat([END_SESSION_OK, Buffer.of(0x00)])), codecError('ERR_CODEC_BAD_MAGIC'));
  });

  it('rejects an oversized body from the header alone, before any body byte', () => {
    const d = createCapfDecoder({ maxBodyBytes: 1024 });
    assert.deepStrictEqual(d.push(hexToBytes('55 02 00 00 00 07 04')), []);
    assert.throws(
      () => d.push(hexToBytes('01')),
      (e: unknown) => {
        codecError('ERR_CODEC_TOO_LARGE')(e);
        assert.deepStrictEqual((e as CodecError).details, { command: 2, bodyLength: 1025, maxBodyBytes: 1024 });
        return true;
      },
    );
  });

  it('accepts a body exactly at maxBodyBytes', () => {
    const d = createCapfDecoder({ maxBodyBytes: 4 });
    assert.equal(d.push(END_SESSION_OK).length, 1);
    const tight = createCapfDecoder({ maxBodyBytes: 3 });
    assert.throws(() => tight.push(END_SESSION_OK.subarray(0, 8)), codecError('ERR_CODEC_TOO_LARGE'));
  });

  it('maxBodyBytes 0 still accepts empty-body messages', () => {
    const d = createCapfDecoder({ maxBodyBytes: 0 });
    assert.equal(d.push(hexToBytes('55 11 00 00 00 07 00 00  55 11 00 00 00 07 00 00')).length, 2);
  });

  it('reports truncation at end of stream', () => {
    const d = createCapfDecoder();
    assert.deepStrictEqual(d.push(END_SESSION_OK.subarray(0, 10)), []);
    assert.equal(d.bufferedBytes, 10);
    assert.throws(() => d.end(), codecError('ERR_CODEC_TRUNCATED'));
    const clean = createCapfDecoder();
    clean.push(END_SESSION_OK);
    assert.doesNotThrow(() => clean.end());
  });

  it('never reads across frames: a bad element in frame 2 does not affect frame 1 decoding', () => {
    const d = createCapfDecoder();
    assert.equal(d.push(END_SESSION_OK).length, 1);
    assert.equal(d.push(hexToBytes('55 0f 00 00 00 07 00 03')).length, 0);
    assert.throws(() => d.push(hexToBytes('01 00 05')), codecError('ERR_CODEC_TRUNCATED'));
  });

  it('is poisoned after an error: every later push and end throw', () => {
    const d = createCapfDecoder();
    assert.throws(() => d.push(Buffer.of(0x00)), codecError('ERR_CODEC_BAD_MAGIC'));
    assert.throws(
      () => d.push(END_SESSION_OK),
      (e: unknown) => {
        codecError('ERR_CODEC_BAD_MAGIC')(e);
        assert.equal((e as CodecError).details?.poisoned, true);
        return true;
      },
    );
    assert.throws(() => d.push(new Uint8Array(0)), CodecError);
    assert.throws(() => d.end(), CodecError);
  });

  it('empty chunks are harmless', () => {
    const d = createCapfDecoder();
    assert.deepStrictEqual(d.push(new Uint8Array(0)), []);
    assert.equal(d.push(END_SESSION_OK).length, 1);
    assert.deepStrictEqual(d.push(new Uint8Array(0)), []);
  });

  it('rejects a negative or fractional maxBodyBytes', () => {
    assert.throws(() => createCapfDecoder({ maxBodyBytes: -1 }), RangeError);
    assert.throws(() => createCapfDecoder({ maxBodyBytes: 1.5 }), RangeError);
  });
});
