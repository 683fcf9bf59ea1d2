// Owns the CAPF wire format: bytes <-> CapfMessage, a bounded push decoder and builders for every §6 message.
//
// Pure: no sockets, no files, no domain imports (architecture §3 rule 1). Spec: shared/spec/capf-protocol.md.
//
// Frame (§2):
//   offset 0  u8      protocol id, always 0x55
//   offset 1  u8      command (§3)
//   offset 2  u32 BE  session id (server-chosen; the client echoes it)
//   offset 6  u16 BE  body length (0 allowed)
//   offset 8  ...     body: elements back to back, no padding
//
// Element (§4):
//   +0 u8 tag | +1 u16 BE length | +3 value (length bytes)
//
// Nested CERTIFICATE value (§4.1), outer length = 5 + N:
//   +0 u8 0x01 inner tag | +1 u16 BE inner length = 2 + N | +3 two bytes (00 01 = LSC seen) | +5 N bytes DER
//
// SUDI_DATA value (§5.5), three blocks of `id u8 | len u16 BE | bytes`:
//   0x00 SUDI cert DER, 0x01 SHA-1 signature, 0x03 SHA-512 signature
//
// SHA2_SIGNED_DATA value (§5.4):  +0 u8 hashId (3 = SHA-512) | +1 u16 BE sigLen | +3 signature

import { ByteReader, ByteWriter } from '../shared/bytes.ts';
import { CodecError } from '../shared/errors.ts';
import {
  CAPF_HEADER_BYTES,
  CAPF_MAX_BODY_BYTES,
  CAPF_PROTOCOL_ID,
  CAPF_PROTOCOL_VERSION,
  CapfCertificateType,
  CapfCommand,
  CapfCurve,
  CapfHashId,
  CapfKeyType,
  CapfReason,
  CapfTag,
  capfCommandName,
  capfTagName,
} from './constants.ts';
import type { CapfCurveName } from './constants.ts';

type CodecErrorCode = ConstructorParameters<typeof CodecError>[0];

// ---------------------------------------------------------------------------------------------
// Message model

/** §4.1. `typeBytes` are the two bytes between the inner length and the DER (`00 01` from capfd, CUCM). */
export interface CapfCertificate {
  typeBytes: Uint8Array;
  der: Uint8Array;
}

/** §5.5. The block ids are fixed on output (00, 01, 03); on input the first two are ignored as capfd does. */
export interface CapfSudiData {
  certDer: Uint8Array;
  sigSha1: Uint8Array;
  sigSha512: Uint8Array;
}

/** §5.4 tag 20. capfd requires hashId 3 (SHA-512); the codec keeps any value for the session to judge. */
export interface CapfSha2SignedData {
  hashId: number;
  signature: Uint8Array;
}

/**
 * Interpreted elements; each present at most once. Decoded byte fields are fresh `Buffer` copies
 * (never views into the decoder's buffers). Numbers are kept even when outside the known tables.
 */
export interface CapfElements {
  reason?: number;
  /** Raw bytes: the format is UNCERTAIN (§4, capfd keeps only the first character). */
  reasonInfo?: Uint8Array;
  certificateType?: number;
  certificate?: CapfCertificate;
  signedData?: Uint8Array;
  version?: number;
  authType?: number;
  /** DER SubjectPublicKeyInfo of the phone's new key (§8: also what Jabber sends). */
  publicKey?: Uint8Array;
  /** RSA modulus bits. */
  keySize?: number;
  /** Without the trailing NUL. */
  password?: string;
  /** Without the trailing NUL. */
  deviceName?: string;
  sudiData?: CapfSudiData;
  keyType?: number;
  curve?: number;
  sha2SignedData?: CapfSha2SignedData;
}

/** An element the codec does not interpret (tags 5, 12, 14, 15, 19, 21+), kept in arrival order. */
export interface CapfUnknownElement {
  tag: number;
  value: Uint8Array;
}

export interface CapfMessage {
  command: number;
  sessionId: number;
  elements: CapfElements;
  unknownElements: CapfUnknownElement[];
}

export interface CapfHeader {
  command: number;
  sessionId: number;
  bodyLength: number;
}

export interface EncodeOptions {
  /**
   * Tags to write first, in this order (e.g. Jabber's VERSION, DEVICE_NAME, REASON). Present
   * elements not listed follow in capfd order; uninterpreted elements always come last.
   */
  elementOrder?: readonly number[];
}

// ---------------------------------------------------------------------------------------------
// Element value codecs: one table, in capfd's write order (§4 "Element order").

interface ValueCodec<T> {
  tag: number;
  encode(value: T): Uint8Array;
  /** `value` is a private copy; returning views of it is safe. */
  decode(value: Buffer): T;
}

function u8Codec(tag: number): ValueCodec<number> {
  return {
    tag,
    encode: (v) => Uint8Array.of(checkInt(v, 0xff, capfTagName(tag))),
    decode: (b) => {
      if (b.length !== 1) throw new CodecError('ERR_CODEC_BAD_ELEMENT', `length ${b.length}, expected 1`);
      return b[0]!;
    },
  };
}

function u16Codec(tag: number): ValueCodec<number> {
  return {
    tag,
    encode: (v) => new ByteWriter().u16(checkInt(v, 0xffff, capfTagName(tag))).finish(),
    decode: (b) => {
      if (b.length !== 2) throw new CodecError('ERR_CODEC_BAD_ELEMENT', `length ${b.length}, expected 2`);
      return b.readUInt16BE(0);
    },
  };
}

function bytesCodec(tag: number): ValueCodec<Uint8Array> {
  return { tag, encode: (v) => v, decode: (b) => b };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * C-string (§4): written with one trailing NUL; on input one trailing NUL is stripped if present (capfd strips
 * blindly).
 */
function cStringCodec(tag: number): ValueCodec<string> {
  return {
    tag,
    encode: (v) => Buffer.concat([Buffer.from(v, 'utf8'), Uint8Array.of(0)]),
    decode: (b) => {
      const text = b.length > 0 && b[b.length - 1] === 0 ? b.subarray(0, b.length - 1) : b;
      try {
        return utf8.decode(text);
      } catch {
        throw new CodecError('ERR_CODEC_BAD_VALUE', 'text is not valid UTF-8');
      }
    },
  };
}

const certificateCodec: ValueCodec<CapfCertificate> = {
  tag: CapfTag.CERTIFICATE,
  encode: (v) => {
    if (v.typeBytes.length !== 2)
      throw new RangeError(`certificate typeBytes must be 2 bytes, got ${v.typeBytes.length}`);
    return new ByteWriter()
      .u8(1)
      .u16(2 + v.der.length)
      .bytes(v.typeBytes)
      .bytes(v.der)
      .finish();
  },
  decode: (b) => {
    const r = new ByteReader(b);
    const innerTag = r.u8('inner tag');
    if (innerTag !== 1) throw new CodecError('ERR_CODEC_BAD_ELEMENT', `inner tag ${innerTag}, expected 1`);
    const innerLength = r.u16('inner length');
    if (innerLength < 2)
      throw new CodecError(
        'ERR_CODEC_BAD_ELEMENT',
        `inner length ${innerLength} leaves no room for the two type bytes`,
      );
    const inner = r.bytes(innerLength, 'inner value');
    if (r.remaining !== 0)
      throw new CodecError('ERR_CODEC_BAD_ELEMENT', `${r.remaining} bytes after the inner element`);
    return { typeBytes: inner.subarray(0, 2) as Buffer, der: inner.subarray(2) as Buffer };
  },
};

const SUDI_BLOCK_CERT = 0x00;

const sudiCodec: ValueCodec<CapfSudiData> = {
  tag: CapfTag.SUDI_DATA,
  encode: (v) =>
    new ByteWriter()
      .u8(SUDI_BLOCK_CERT)
      .u16(v.certDer.length)
      .bytes(v.certDer)
      .u8(CapfHashId.SHA1)
      .u16(v.sigSha1.length)
      .bytes(v.sigSha1)
      .u8(CapfHashId.SHA512)
      .u16(v.sigSha512.length)
      .bytes(v.sigSha512)
      .finish(),
  decode: (b) => {
    const r = new ByteReader(b);
    const block = (what: string): { id: number; bytes: Buffer } => {
      const id = r.u8(`${what} id`);
      const bytes = r.bytes(r.u16(`${what} length`), what) as Buffer;
      return { id, bytes };
    };
    const cert = block('SUDI certificate');
    const sha1 = block('SHA-1 signature');
    const sha512 = block('SHA-512 signature');
    // §5.5: capfd ignores the first two ids and requires the third to be 3.
    if (sha512.id !== CapfHashId.SHA512)
      throw new CodecError('ERR_CODEC_BAD_VALUE', `third block id ${sha512.id}, expected 3`);
    if (r.remaining !== 0) throw new CodecError('ERR_CODEC_BAD_ELEMENT', `${r.remaining} bytes after the third block`);
    return { certDer: cert.bytes, sigSha1: sha1.bytes, sigSha512: sha512.bytes };
  },
};

const sha2SignedCodec: ValueCodec<CapfSha2SignedData> = {
  tag: CapfTag.SHA2_SIGNED_DATA,
  encode: (v) =>
    new ByteWriter()
      .u8(checkInt(v.hashId, 0xff, 'hashId'))
      .u16(v.signature.length)
      .bytes(v.signature)
      .finish(),
  decode: (b) => {
    const r = new ByteReader(b);
    const hashId = r.u8('hash id');
    const signature = r.bytes(r.u16('signature length'), 'signature') as Buffer;
    if (r.remaining !== 0) throw new CodecError('ERR_CODEC_BAD_ELEMENT', `${r.remaining} bytes after the signature`);
    return { hashId, signature };
  },
};

type ElementCodecTable = { [K in keyof CapfElements]-?: ValueCodec<NonNullable<CapfElements[K]>> };

/**
 * Key order is the canonical write order: capfd's (REASON, CERTIFICATE_TYPE, CERTIFICATE, VERSION,
 * AUTH_TYPE, KEY_SIZE, KEY_TYPE, CURVE) merged with capfc's (REASON, CERTIFICATE_TYPE, CERTIFICATE,
 * SIGNED_DATA, VERSION, PASSWORD, DEVICE_NAME, SUDI_DATA, PUBLIC_KEY, SHA2_SIGNED_DATA), §4. The two
 * orders agree where they overlap, so output is byte-identical to either program. REASON_INFO is
 * never written by either; it goes right after REASON.
 */
const ELEMENT_CODECS: ElementCodecTable = {
  reason: u8Codec(CapfTag.REASON),
  reasonInfo: bytesCodec(CapfTag.REASON_INFO),
  certificateType: u8Codec(CapfTag.CERTIFICATE_TYPE),
  certificate: certificateCodec,
  signedData: bytesCodec(CapfTag.SIGNED_DATA),
  version: u8Codec(CapfTag.VERSION),
  authType: u8Codec(CapfTag.AUTH_TYPE),
  password: cStringCodec(CapfTag.PASSWORD),
  deviceName: cStringCodec(CapfTag.DEVICE_NAME),
  keySize: u16Codec(CapfTag.KEY_SIZE),
  sudiData: sudiCodec,
  publicKey: bytesCodec(CapfTag.PUBLIC_KEY),
  keyType: u8Codec(CapfTag.KEY_TYPE),
  curve: u8Codec(CapfTag.CURVE),
  sha2SignedData: sha2SignedCodec,
};

type ElementKey = keyof CapfElements;

/** Canonical element order as tags (derived from the table above). */
export const CAPF_ELEMENT_ORDER: readonly number[] = (Object.keys(ELEMENT_CODECS) as ElementKey[]).map(
  (k) => ELEMENT_CODECS[k].tag,
);

const KEY_BY_TAG: ReadonlyMap<number, ElementKey> = new Map(
  (Object.keys(ELEMENT_CODECS) as ElementKey[]).map((k) => [ELEMENT_CODECS[k].tag, k]),
);

/** True if the codec decodes this tag into a typed field (so it can never be an unknown element). */
export function isInterpretedTag(tag: number): boolean {
  return KEY_BY_TAG.has(tag);
}

function checkInt(v: number, max: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new RangeError(`${what} out of range 0..${max}: ${v}`);
  return v;
}

// ---------------------------------------------------------------------------------------------
// Encoding

const ELEMENT_KEYS = Object.keys(ELEMENT_CODECS) as ElementKey[];
/** Position of each element in the canonical order (the order of ELEMENT_CODECS). */
const KEY_RANK = new Map<string, number>(ELEMENT_KEYS.map((k, i) => [k, i]));

/** Encodes one frame (header + body) for a single write (§1: never split header and body). */
export function encodeMessage(msg: CapfMessage, options: EncodeOptions = {}): Buffer {
  checkInt(msg.command, 0xff, 'command');
  checkInt(msg.sessionId, 0xffffffff, 'sessionId');
  let order: ElementKey[];
  if (options.elementOrder?.length) {
    order = [];
    for (const tag of options.elementOrder) {
      const key = KEY_BY_TAG.get(tag);
      if (key !== undefined && msg.elements[key] !== undefined && !order.includes(key)) order.push(key);
    }
    for (const key of ELEMENT_KEYS) if (msg.elements[key] !== undefined && !order.includes(key)) order.push(key);
  } else {
    // The elements present (a message has one to five of some twenty), in canonical order.
    order = [];
    for (const key in msg.elements) {
      if (KEY_RANK.has(key) && msg.elements[key as ElementKey] !== undefined) order.push(key as ElementKey);
    }
    // Insertion sort: one to five keys (Array#sort allocates a work array per call).
    for (let i = 1; i < order.length; i++) {
      const k = order[i]!;
      const r = KEY_RANK.get(k)!;
      let j = i - 1;
      for (; j >= 0 && KEY_RANK.get(order[j]!)! > r; j--) order[j + 1] = order[j]!;
      order[j + 1] = k;
    }
  }
  // Encode every value first, then write header and elements into one buffer (one allocation, one copy).
  const tags: number[] = [];
  const values: Uint8Array[] = [];
  let bodyLength = 0;
  for (const key of order) {
    const codec = ELEMENT_CODECS[key] as ValueCodec<unknown>;
    const value = codec.encode(msg.elements[key]);
    if (value.length > 0xffff)
      throw new RangeError(`${capfTagName(codec.tag)} value of ${value.length} bytes does not fit u16`);
    tags.push(codec.tag);
    values.push(value);
    bodyLength += 3 + value.length;
  }
  for (const u of msg.unknownElements) {
    checkInt(u.tag, 0xff, 'unknown element tag');
    if (isInterpretedTag(u.tag)) throw new RangeError(`tag ${capfTagName(u.tag)} must be given as a typed element`);
    if (u.value.length > 0xffff)
      throw new RangeError(`${capfTagName(u.tag)} value of ${u.value.length} bytes does not fit u16`);
    tags.push(u.tag);
    values.push(u.value);
    bodyLength += 3 + u.value.length;
  }
  if (bodyLength > CAPF_MAX_BODY_BYTES) throw new RangeError(`body of ${bodyLength} bytes does not fit u16`);
  const out = Buffer.allocUnsafe(CAPF_HEADER_BYTES + bodyLength);
  out[0] = CAPF_PROTOCOL_ID;
  out[1] = msg.command;
  out.writeUInt32BE(msg.sessionId, 2);
  out.writeUInt16BE(bodyLength, 6);
  let p = CAPF_HEADER_BYTES;
  for (let i = 0; i < tags.length; i++) {
    const v = values[i]!;
    out[p] = tags[i]!;
    out.writeUInt16BE(v.length, p + 1);
    out.set(v, p + 3);
    p += 3 + v.length;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Decoding

/** Parses the 8-byte header; checks the protocol id (§2). */
export function decodeHeader(bytes: Uint8Array): CapfHeader {
  const r = new ByteReader(bytes);
  const magic = r.u8('protocol id');
  if (magic !== CAPF_PROTOCOL_ID) {
    throw new CodecError('ERR_CODEC_BAD_MAGIC', `protocol id 0x${magic.toString(16).padStart(2, '0')}, expected 0x55`);
  }
  const command = r.u8('command');
  const sessionId = r.u32('session id');
  const bodyLength = r.u16('body length');
  return { command, sessionId, bodyLength };
}

/**
 * Decodes a body of elements. Order is never relied on (§4). Unknown tags are skipped and
 * recorded; a repeated interpreted tag is rejected, since two DEVICE_NAMEs (say) are ambiguous.
 */
export function decodeBody(
  command: number,
  sessionId: number,
  body: Uint8Array,
  opts: { bodyIsPrivate?: boolean } = {},
): CapfMessage {
  const elements: CapfElements = {};
  const unknownElements: CapfUnknownElement[] = [];
  const r = new ByteReader(body);
  // Values are private to the message: copied, unless the body itself is a private copy (the push decoder's).
  const own =
    opts.bodyIsPrivate !== true
      ? null
      : Buffer.isBuffer(body)
        ? body
        : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  while (r.remaining > 0) {
    const at = r.offset;
    const tag = r.u8('element tag');
    // Element names go into error messages only when a read fails (building them per element costs).
    const length = r.remaining >= 2 ? r.u16() : r.u16(`${capfTagName(tag)} length`);
    const start = r.offset;
    if (r.remaining < length) r.skip(length, `${capfTagName(tag)} value`);
    r.skip(length);
    const value = own ? own.subarray(start, start + length) : Buffer.from(body.subarray(start, start + length));
    const key = KEY_BY_TAG.get(tag);
    if (key === undefined) {
      unknownElements.push({ tag, value });
      continue;
    }
    if (elements[key] !== undefined) {
      throw new CodecError('ERR_CODEC_BAD_ELEMENT', `${capfTagName(tag)} repeated at body offset ${at}`, { tag });
    }
    const codec = ELEMENT_CODECS[key] as ValueCodec<unknown>;
    try {
      (elements as Record<ElementKey, unknown>)[key] = codec.decode(value);
    } catch (e) {
      if (e instanceof CodecError) {
        throw new CodecError(e.code as CodecErrorCode, `${capfTagName(tag)} at body offset ${at}: ${e.message}`, {
          tag,
        });
      }
      throw e;
    }
  }
  return { command, sessionId, elements, unknownElements };
}

/** Decodes exactly one complete frame; bytes after the declared body are an error. */
export function decodeMessage(frame: Uint8Array): CapfMessage {
  const header = decodeHeader(frame);
  const available = frame.length - CAPF_HEADER_BYTES;
  if (available < header.bodyLength) {
    throw new CodecError('ERR_CODEC_TRUNCATED', `body declares ${header.bodyLength} bytes, have ${available}`);
  }
  if (available > header.bodyLength) {
    throw new CodecError('ERR_CODEC_BAD_ELEMENT', `${available - header.bodyLength} bytes after the declared body`);
  }
  return decodeBody(header.command, header.sessionId, frame.subarray(CAPF_HEADER_BYTES));
}

// ---------------------------------------------------------------------------------------------
// Push decoder

export interface CapfDecoderOptions {
  /** Largest body accepted; checked on the header, before any body byte is buffered. Default 65535. */
  maxBodyBytes?: number;
}

export interface CapfDecoder {
  /**
   * Feeds bytes as they arrive; returns the messages completed by them, in order. Throws
   * CodecError on malformed input, after which every call throws (the decoder is poisoned).
   * Messages completed earlier in the same failing chunk are discarded with the error.
   */
  push(chunk: Uint8Array): CapfMessage[];
  /** Bytes of a partial frame held right now (0 between frames). */
  readonly bufferedBytes: number;
  /** Call at end of stream: throws ERR_CODEC_TRUNCATED if a frame is incomplete. */
  end(): void;
}

/**
 * The push decoder (architecture §4: check declared lengths before buffering; never read past a frame).
 * A class rather than closures: one is made per connection on both sides of every CAPF session.
 */
class CapfStreamDecoder implements CapfDecoder {
  private readonly header = new Uint8Array(CAPF_HEADER_BYTES);
  private headerFill = 0;
  private current: CapfHeader | undefined;
  private body: Uint8Array | undefined;
  private bodyFill = 0;
  private failure: CodecError | undefined;

  constructor(private readonly maxBodyBytes: number) {}

  get bufferedBytes(): number {
    return this.current === undefined ? this.headerFill : CAPF_HEADER_BYTES + this.bodyFill;
  }

  private checkPoisoned(): void {
    if (this.failure) {
      throw new CodecError(
        this.failure.code as CodecErrorCode,
        `decoder unusable after an earlier error: ${this.failure.message}`,
        {
          poisoned: true,
        },
      );
    }
  }

  push(chunk: Uint8Array): CapfMessage[] {
    this.checkPoisoned();
    const out: CapfMessage[] = [];
    try {
      let pos = 0;
      while (pos < chunk.length) {
        if (this.current === undefined) {
          const take = Math.min(CAPF_HEADER_BYTES - this.headerFill, chunk.length - pos);
          this.header.set(chunk.subarray(pos, pos + take), this.headerFill);
          // Reject a wrong protocol id on the first byte, without waiting for the rest.
          if (this.headerFill === 0 && this.header[0] !== CAPF_PROTOCOL_ID) decodeHeader(this.header);
          this.headerFill += take;
          pos += take;
          if (this.headerFill < CAPF_HEADER_BYTES) break;
          const h = decodeHeader(this.header);
          if (h.bodyLength > this.maxBodyBytes) {
            throw new CodecError(
              'ERR_CODEC_TOO_LARGE',
              `${capfCommandName(h.command)} declares a body of ${h.bodyLength} bytes, maximum is ${this.maxBodyBytes}`,
              {
                command: h.command,
                bodyLength: h.bodyLength,
                maxBodyBytes: this.maxBodyBytes,
              },
            );
          }
          this.current = h;
          // Off the V8 heap (Node's buffer pool for small bodies): a small Uint8Array lives on the heap and
          // is copied out again as soon as anything asks for its ArrayBuffer (the element values do).
          this.body = Buffer.allocUnsafe(h.bodyLength);
          this.bodyFill = 0;
        }
        const need = this.current.bodyLength - this.bodyFill;
        const take = Math.min(need, chunk.length - pos);
        this.body!.set(chunk.subarray(pos, pos + take), this.bodyFill);
        this.bodyFill += take;
        pos += take;
        // An empty body completes together with its header.
        if (this.bodyFill < this.current.bodyLength) break;
        out.push(decodeBody(this.current.command, this.current.sessionId, this.body!, { bodyIsPrivate: true }));
        this.current = undefined;
        this.body = undefined;
        this.headerFill = 0;
        this.bodyFill = 0;
      }
    } catch (e) {
      this.failure =
        e instanceof CodecError ? e : new CodecError('ERR_CODEC_BAD_ELEMENT', `decoder failed: ${String(e)}`);
      throw e;
    }
    return out;
  }

  end(): void {
    this.checkPoisoned();
    if (this.headerFill > 0) {
      const e = new CodecError(
        'ERR_CODEC_TRUNCATED',
        `stream ended inside a frame (${this.bufferedBytes} bytes buffered)`,
      );
      this.failure = e;
      throw e;
    }
  }
}

/** Creates a push decoder (architecture §4: check declared lengths before buffering; never read past a frame). */
export function createCapfDecoder(options: CapfDecoderOptions = {}): CapfDecoder {
  const maxBodyBytes = options.maxBodyBytes ?? CAPF_MAX_BODY_BYTES;
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 0)
    throw new RangeError(`maxBodyBytes must be a non-negative integer: ${maxBodyBytes}`);
  return new CapfStreamDecoder(maxBodyBytes);
}

// ---------------------------------------------------------------------------------------------
// Builders for the §6 messages

function message(command: number, sessionId: number, elements: CapfElements = {}): CapfMessage {
  return { command, sessionId, elements, unknownElements: [] };
}

/** The two nested-certificate bytes capfd and CUCM write, `00 01` (§4.1); a fresh Buffer per call. */
export function lscTypeBytes(): Buffer {
  return Buffer.from([0x00, CapfCertificateType.LSC]);
}

/**
 * §6.1 / §8 AUTH_REQUEST. With `authType` (capfd sends 0): VERSION + AUTH_TYPE, body 8 bytes.
 * Without it: VERSION only, body 4 bytes, the CUCM-identical form.
 */
export function authRequest(sessionId: number, opts: { version?: number; authType?: number } = {}): CapfMessage {
  const elements: CapfElements = { version: opts.version ?? CAPF_PROTOCOL_VERSION };
  if (opts.authType !== undefined) elements.authType = opts.authType;
  return message(CapfCommand.AUTH_REQUEST, sessionId, elements);
}

/**
 * §6.2 / §8 KEY_GENERATE_REQUEST for RSA. `sendKeyType: true` is capfd's form (KEY_SIZE + KEY_TYPE=0);
 * false (default) is the CUCM-identical form, KEY_SIZE only.
 */
export function keyGenerateRequestRsa(
  sessionId: number,
  opts: { keySizeBits: number; sendKeyType?: boolean },
): CapfMessage {
  const elements: CapfElements = { keySize: opts.keySizeBits };
  if (opts.sendKeyType) elements.keyType = CapfKeyType.RSA;
  return message(CapfCommand.KEY_GENERATE_REQUEST, sessionId, elements);
}

/** §6.3 KEY_GENERATE_REQUEST for EC: KEY_TYPE=1 and CURVE. */
export function keyGenerateRequestEc(sessionId: number, opts: { curve: CapfCurveName }): CapfMessage {
  return message(CapfCommand.KEY_GENERATE_REQUEST, sessionId, {
    keyType: CapfKeyType.EC,
    curve: CapfCurve[opts.curve],
  });
}

/** §6.2 STORE_CERTIFICATE_REQUEST: CERTIFICATE_TYPE (default LSC) + nested CERTIFICATE (`00 01` + DER). */
export function storeCertificateRequest(
  sessionId: number,
  opts: { der: Uint8Array; certificateType?: number; typeBytes?: Uint8Array },
): CapfMessage {
  return message(CapfCommand.STORE_CERTIFICATE_REQUEST, sessionId, {
    certificateType: opts.certificateType ?? CapfCertificateType.LSC,
    certificate: { typeBytes: opts.typeBytes ?? lscTypeBytes(), der: opts.der },
  });
}

/** §6.4 FETCH_CERTIFICATE_REQUEST, empty body. */
export function fetchCertificateRequest(sessionId: number): CapfMessage {
  return message(CapfCommand.FETCH_CERTIFICATE_REQUEST, sessionId);
}

/** §6.5 DELETE_CERTIFICATE_REQUEST, empty body. */
export function deleteCertificateRequest(sessionId: number): CapfMessage {
  return message(CapfCommand.DELETE_CERTIFICATE_REQUEST, sessionId);
}

/** §6 END_SESSION with one REASON (0 none/fetch, 1 done, 7 failure, 9 unknown device). */
export function endSession(sessionId: number, reason: number): CapfMessage {
  return message(CapfCommand.END_SESSION, sessionId, { reason });
}

export interface AuthResponseFields {
  deviceName: string;
  /** capfc copies the server's 3; Jabber sends 2 (§8). */
  version?: number;
  /** Default 1 (OK), as both capfc and Jabber send. */
  reason?: number;
  /** capfc sends "" in null-string mode; Jabber omits it. */
  password?: string;
  /** Certificate mode (§5.4): the presented LSC/MIC DER (typeBytes default `00 01`). */
  certificate?: { der: Uint8Array; typeBytes?: Uint8Array };
  signedData?: Uint8Array;
  sudiData?: CapfSudiData;
  sha2Signature?: Uint8Array;
}

/** §6.1 / §5.4 AUTH_RESPONSE as capfc builds it (encode with `elementOrder` for Jabber's order). */
export function authResponse(sessionId: number, f: AuthResponseFields): CapfMessage {
  const elements: CapfElements = { reason: f.reason ?? CapfReason.UPDATE_CERTIFICATE };
  if (f.certificate)
    elements.certificate = { typeBytes: f.certificate.typeBytes ?? lscTypeBytes(), der: f.certificate.der };
  if (f.signedData) elements.signedData = f.signedData;
  elements.version = f.version ?? CAPF_PROTOCOL_VERSION;
  if (f.password !== undefined) elements.password = f.password;
  elements.deviceName = f.deviceName;
  if (f.sudiData) elements.sudiData = f.sudiData;
  if (f.sha2Signature) elements.sha2SignedData = { hashId: CapfHashId.SHA512, signature: f.sha2Signature };
  return message(CapfCommand.AUTH_RESPONSE, sessionId, elements);
}

/** §6.2 KEY_GENERATE_RESPONSE: PUBLIC_KEY (SPKI DER); a phone that fails may send a REASON instead. */
export function keyGenerateResponse(sessionId: number, f: { publicKey?: Uint8Array; reason?: number }): CapfMessage {
  const elements: CapfElements = {};
  if (f.reason !== undefined) elements.reason = f.reason;
  if (f.publicKey !== undefined) elements.publicKey = f.publicKey;
  return message(CapfCommand.KEY_GENERATE_RESPONSE, sessionId, elements);
}

/** §6.8 REQUEST_IN_PROGRESS, empty body. */
export function requestInProgress(sessionId: number): CapfMessage {
  return message(CapfCommand.REQUEST_IN_PROGRESS, sessionId);
}

/** §6.2 STORE_CERTIFICATE_RESPONSE: REASON 1 stored. */
export function storeCertificateResponse(sessionId: number, reason: number): CapfMessage {
  return message(CapfCommand.STORE_CERTIFICATE_RESPONSE, sessionId, { reason });
}

/** §6.4 FETCH_CERTIFICATE_RESPONSE: REASON 1 + CERTIFICATE, or REASON 7 alone when there is no LSC. */
export function fetchCertificateResponse(
  sessionId: number,
  f: { reason: number; der?: Uint8Array; typeBytes?: Uint8Array },
): CapfMessage {
  const elements: CapfElements = { reason: f.reason };
  if (f.der !== undefined) elements.certificate = { typeBytes: f.typeBytes ?? lscTypeBytes(), der: f.der };
  return message(CapfCommand.FETCH_CERTIFICATE_RESPONSE, sessionId, elements);
}

/** §6.5 DELETE_CERTIFICATE_RESPONSE: REASON 1 deleted, 7 nothing to delete. */
export function deleteCertificateResponse(sessionId: number, reason: number): CapfMessage {
  return message(CapfCommand.DELETE_CERTIFICATE_RESPONSE, sessionId, { reason });
}
