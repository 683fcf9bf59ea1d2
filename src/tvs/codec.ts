// Owns TVS bytes <-> messages: the 10-byte header, TLV elements, and a bounded push decoder (pure; no I/O).
//
// Frame (tvs-protocol.md §2), integers big-endian:
//
//   offset  size  field
//   0       u8    protocol id   0x57
//   1       u8    version       0x01 (anything else is rejected, as tvsd does)
//   2       u8    command       §3: 1 VERIFY_REQUEST, 2 VERIFY_RESPONSE, 3 QUERY_REQUEST, 4 QUERY_RESPONSE
//   3       u8    reserved      written 0x00, never checked (CUCM sent 0xF7)
//   4       u32   request id    chosen by the client, copied by the server
//   8       u16   body length   bytes after the header
//   10      ...   body          elements: tag u8 | length u16 | value[length]
//
// Elements per message (§4–§6), in the order this encoder writes them:
//   VERIFY_REQUEST   DEVICE_NAME(1)? CERTIFICATE(2)
//   VERIFY_RESPONSE  STATUS(7) [ROLES(8) TTL(9)]            (only STATUS when not trusted)
//   QUERY_REQUEST    DEVICE_NAME(1)? SUBJECT_NAME(3)? ISSUER_NAME(4)? SERIAL_NUMBER(5)?
//   QUERY_RESPONSE   STATUS(7) [CERTIFICATE(2) ROLES(8) TTL(9)]
// Decoding accepts any order, skips tags that do not belong to the command (§4: "skip unknown tags
// instead, and accept any order") and rejects a repeated known tag.

import { ByteReader, ByteWriter } from '../shared/bytes.ts';
import { CodecError } from '../shared/errors.ts';
import {
  TVS_DEVICE_NAME_LEAD_BYTE,
  TVS_HEADER_BYTES,
  TVS_MAX_BODY_BYTES,
  TVS_PROTOCOL_ID,
  TVS_PROTOCOL_VERSION,
  TVS_RESERVED_BYTE,
  TVS_COMMAND_NAMES,
  TvsCommand,
  TvsTag,
  tvsTagName,
  type TvsCommandName,
  type TvsTagCode,
} from './constants.ts';

export interface TvsHeader {
  protocolId: number;
  version: number;
  command: number;
  /** Offset 3; reported for diagnostics only. */
  reserved: number;
  requestId: number;
  bodyLength: number;
}

interface TvsMessageBase {
  requestId: number;
  /** Tags that were skipped while decoding (not known for this command); absent when none. */
  unknownTags?: number[];
}

export interface TvsVerifyRequest extends TvsMessageBase {
  command: 'VERIFY_REQUEST';
  /** `CP-<model>-SEP<mac>` without tvsc's leading 0x01 byte. */
  deviceName?: string;
  certificate: Uint8Array;
}

export interface TvsVerifyResponse extends TvsMessageBase {
  command: 'VERIFY_RESPONSE';
  status: number;
  roles?: number[];
  ttlSeconds?: number;
}

export interface TvsQueryRequest extends TvsMessageBase {
  command: 'QUERY_REQUEST';
  deviceName?: string;
  /** CUCM format `CN=…;OU=…;O=…`, without the terminating NUL. */
  subjectName?: string;
  issuerName?: string;
  /** Raw serial bytes as the phone sent them. */
  serialNumber?: Uint8Array;
}

export interface TvsQueryResponse extends TvsMessageBase {
  command: 'QUERY_RESPONSE';
  status: number;
  certificate?: Uint8Array;
  roles?: number[];
  ttlSeconds?: number;
}

export type TvsRequest = TvsVerifyRequest | TvsQueryRequest;
export type TvsResponse = TvsVerifyResponse | TvsQueryResponse;
export type TvsMessage = TvsRequest | TvsResponse;

export interface TvsDecodeOptions {
  /** Largest body accepted; checked against the declared length before anything is buffered. */
  maxBodyBytes?: number;
}

/** Tags each command understands; anything else is skipped (§4). */
const TAGS_OF: Record<Exclude<TvsCommandName, 'NONE'>, readonly TvsTagCode[]> = {
  VERIFY_REQUEST: [TvsTag.DEVICE_NAME, TvsTag.CERTIFICATE],
  VERIFY_RESPONSE: [TvsTag.STATUS, TvsTag.ROLES, TvsTag.TTL],
  QUERY_REQUEST: [TvsTag.DEVICE_NAME, TvsTag.SUBJECT_NAME, TvsTag.ISSUER_NAME, TvsTag.SERIAL_NUMBER],
  QUERY_RESPONSE: [TvsTag.STATUS, TvsTag.CERTIFICATE, TvsTag.ROLES, TvsTag.TTL],
};

function checkMaxBodyBytes(max: number): number {
  if (!Number.isInteger(max) || max < 0 || max > TVS_MAX_BODY_BYTES) {
    throw new RangeError(`maxBodyBytes must be an integer in 0..${TVS_MAX_BODY_BYTES}, got ${max}`);
  }
  return max;
}

/** Command name for a code that may appear on the wire, or a CodecError. */
function commandOf(code: number): Exclude<TvsCommandName, 'NONE'> {
  const name = TVS_COMMAND_NAMES.get(code);
  if (name === undefined || name === 'NONE')
    throw new CodecError('ERR_CODEC_BAD_VALUE', `unknown TVS command ${code}`, { command: code });
  return name;
}

/** Validates as much of a header as `n` bytes allow, so a hostile stream fails on its first wrong byte. */
function checkHeaderPrefix(head: Uint8Array, n: number): void {
  if (n > 0 && head[0] !== TVS_PROTOCOL_ID) {
    throw new CodecError('ERR_CODEC_BAD_MAGIC', `protocol id 0x${head[0]!.toString(16).padStart(2, '0')} is not 0x57`);
  }
  if (n > 1 && head[1] !== TVS_PROTOCOL_VERSION) {
    throw new CodecError('ERR_CODEC_BAD_MAGIC', `TVS version ${head[1]} is not supported (only 1)`);
  }
  if (n > 2) commandOf(head[2]!);
}

/** Reads and validates the 10-byte header at the start of `bytes`. */
export function decodeTvsHeader(bytes: Uint8Array, options: TvsDecodeOptions = {}): TvsHeader {
  const max = checkMaxBodyBytes(options.maxBodyBytes ?? TVS_MAX_BODY_BYTES);
  checkHeaderPrefix(bytes, Math.min(bytes.length, 3));
  const r = new ByteReader(bytes, 0, Math.min(bytes.length, TVS_HEADER_BYTES));
  const header: TvsHeader = {
    protocolId: r.u8('protocol id'),
    version: r.u8('version'),
    command: r.u8('command'),
    reserved: r.u8('reserved'),
    requestId: r.u32('request id'),
    bodyLength: r.u16('body length'),
  };
  if (header.bodyLength > max) {
    throw new CodecError(
      'ERR_CODEC_TOO_LARGE',
      `TVS body of ${header.bodyLength} bytes exceeds the maximum of ${max}`,
      {
        bodyLength: header.bodyLength,
        maxBodyBytes: max,
      },
    );
  }
  return header;
}

const utf8 = new TextDecoder('utf-8');

/** Device name: tvsd drops the first byte (0x01 from tvsc and the 8861) and never checks it. */
function readDeviceName(value: Uint8Array): string {
  let end = value.length;
  while (end > 1 && value[end - 1] === 0) end--; // tolerate a NUL some client may add
  if (end <= 1) throw new CodecError('ERR_CODEC_BAD_VALUE', 'DEVICE_NAME is empty');
  for (let i = 1; i < end; i++) {
    const c = value[i]!;
    if (c < 0x20 || c > 0x7e)
      throw new CodecError('ERR_CODEC_BAD_VALUE', `DEVICE_NAME has a non-printable byte 0x${c.toString(16)} at ${i}`);
  }
  return String.fromCharCode(...value.subarray(1, end));
}

/** C-string: the text ends at the first NUL; a missing NUL is tolerated. */
function readCString(value: Uint8Array): string {
  const nul = value.indexOf(0);
  return utf8.decode(nul === -1 ? value : value.subarray(0, nul));
}

function fixedLength(tag: number, value: Uint8Array, length: number): void {
  if (value.length !== length) {
    throw new CodecError('ERR_CODEC_BAD_ELEMENT', `${tvsTagName(tag)} must be ${length} byte(s), got ${value.length}`, {
      tag,
    });
  }
}

function nonEmpty(tag: number, value: Uint8Array): Uint8Array {
  if (value.length === 0) throw new CodecError('ERR_CODEC_BAD_VALUE', `${tvsTagName(tag)} is empty`, { tag });
  return new Uint8Array(value); // copy: never keep a view of the peer's buffer alive
}

/** Decodes a body whose header is already validated; reads only inside `body`. */
export function decodeTvsBody(header: Pick<TvsHeader, 'command' | 'requestId'>, body: Uint8Array): TvsMessage {
  const command = commandOf(header.command);
  const allowed = TAGS_OF[command] as readonly number[];
  const seen = new Map<number, Uint8Array>();
  const unknownTags: number[] = [];
  const r = new ByteReader(body);
  while (r.remaining > 0) {
    const tag = r.u8('element tag');
    const length = r.u16(`${tvsTagName(tag)} length`);
    const value = r.bytes(length, `${tvsTagName(tag)} value`);
    if (!allowed.includes(tag)) {
      unknownTags.push(tag);
      continue;
    }
    if (seen.has(tag)) throw new CodecError('ERR_CODEC_BAD_ELEMENT', `${tvsTagName(tag)} appears twice`, { tag });
    seen.set(tag, value);
  }
  const base: TvsMessageBase = { requestId: header.requestId };
  if (unknownTags.length > 0) base.unknownTags = unknownTags;
  const get = (tag: TvsTagCode): Uint8Array | undefined => seen.get(tag);
  const require = (tag: TvsTagCode): Uint8Array => {
    const v = seen.get(tag);
    if (v === undefined)
      throw new CodecError('ERR_CODEC_MISSING_ELEMENT', `${command} without ${tvsTagName(tag)}`, { tag });
    return v;
  };
  const readStatus = (): number => {
    const v = require(TvsTag.STATUS);
    fixedLength(TvsTag.STATUS, v, 1);
    return v[0]!;
  };
  const readRolesTtl = (out: { roles?: number[]; ttlSeconds?: number }): void => {
    const roles = get(TvsTag.ROLES);
    if (roles !== undefined) out.roles = Array.from(roles);
    const ttl = get(TvsTag.TTL);
    if (ttl !== undefined) {
      fixedLength(TvsTag.TTL, ttl, 4);
      out.ttlSeconds = new ByteReader(ttl).u32('TTL');
    }
  };
  const deviceNameBytes = get(TvsTag.DEVICE_NAME);
  switch (command) {
    case 'VERIFY_REQUEST': {
      const msg: TvsVerifyRequest = {
        command,
        ...base,
        certificate: nonEmpty(TvsTag.CERTIFICATE, require(TvsTag.CERTIFICATE)),
      };
      if (deviceNameBytes !== undefined) msg.deviceName = readDeviceName(deviceNameBytes);
      return msg;
    }
    case 'QUERY_REQUEST': {
      const msg: TvsQueryRequest = { command, ...base };
      if (deviceNameBytes !== undefined) msg.deviceName = readDeviceName(deviceNameBytes);
      const subject = get(TvsTag.SUBJECT_NAME);
      const issuer = get(TvsTag.ISSUER_NAME);
      const serial = get(TvsTag.SERIAL_NUMBER);
      if (subject === undefined && issuer === undefined && serial === undefined) {
        throw new CodecError(
          'ERR_CODEC_MISSING_ELEMENT',
          'QUERY_REQUEST names no certificate (no SUBJECT_NAME, ISSUER_NAME or SERIAL_NUMBER)',
        );
      }
      if (subject !== undefined) msg.subjectName = readCString(subject);
      if (issuer !== undefined) msg.issuerName = readCString(issuer);
      if (serial !== undefined) msg.serialNumber = nonEmpty(TvsTag.SERIAL_NUMBER, serial);
      return msg;
    }
    case 'VERIFY_RESPONSE': {
      const msg: TvsVerifyResponse = { command, ...base, status: readStatus() };
      readRolesTtl(msg);
      return msg;
    }
    case 'QUERY_RESPONSE': {
      const msg: TvsQueryResponse = { command, ...base, status: readStatus() };
      const cert = get(TvsTag.CERTIFICATE);
      if (cert !== undefined) msg.certificate = nonEmpty(TvsTag.CERTIFICATE, cert);
      readRolesTtl(msg);
      return msg;
    }
  }
}

/** Decodes exactly one complete frame (header + body, nothing after it). */
export function decodeTvsFrame(frame: Uint8Array, options: TvsDecodeOptions = {}): TvsMessage {
  const header = decodeTvsHeader(frame, options);
  const end = TVS_HEADER_BYTES + header.bodyLength;
  if (frame.length < end) {
    throw new CodecError(
      'ERR_CODEC_TRUNCATED',
      `TVS frame declares ${header.bodyLength} body bytes, has ${frame.length - TVS_HEADER_BYTES}`,
    );
  }
  if (frame.length > end) {
    throw new CodecError('ERR_CODEC_BAD_ELEMENT', `${frame.length - end} bytes after the end of the TVS frame`);
  }
  return decodeTvsBody(header, frame.subarray(TVS_HEADER_BYTES, end));
}

// ---------------------------------------------------------------------------------------------
// Encoding

function checkU(v: number, max: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v > max)
    throw new CodecError('ERR_CODEC_BAD_VALUE', `${what} out of range: ${v}`);
  return v;
}

function element(w: ByteWriter, tag: TvsTagCode, value: Uint8Array): void {
  if (value.length > TVS_MAX_BODY_BYTES) {
    throw new CodecError(
      'ERR_CODEC_TOO_LARGE',
      `${tvsTagName(tag)} of ${value.length} bytes does not fit a u16 length`,
    );
  }
  w.u8(tag).u16(value.length).bytes(value);
}

function deviceNameValue(name: string): Uint8Array {
  if (!/^[\x20-\x7e]+$/.test(name))
    throw new CodecError('ERR_CODEC_BAD_VALUE', 'DEVICE_NAME must be non-empty printable ASCII');
  const out = new Uint8Array(name.length + 1);
  out[0] = TVS_DEVICE_NAME_LEAD_BYTE;
  for (let i = 0; i < name.length; i++) out[i + 1] = name.charCodeAt(i);
  return out;
}

const utf8Encoder = new TextEncoder();
function cStringValue(text: string, tag: TvsTagCode): Uint8Array {
  if (text.includes('\0')) throw new CodecError('ERR_CODEC_BAD_VALUE', `${tvsTagName(tag)} contains a NUL`);
  const bytes = utf8Encoder.encode(text);
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  return out;
}

function rolesValue(roles: readonly number[]): Uint8Array {
  return Uint8Array.from(roles, (r) => checkU(r, 0xff, 'role code'));
}

function u32Value(v: number, what: string): Uint8Array {
  return new ByteWriter().u32(checkU(v, 0xffffffff, what)).finish();
}

function encodeBody(msg: TvsMessage): Buffer {
  const w = new ByteWriter();
  switch (msg.command) {
    case 'VERIFY_REQUEST':
      if (msg.deviceName !== undefined) element(w, TvsTag.DEVICE_NAME, deviceNameValue(msg.deviceName));
      element(w, TvsTag.CERTIFICATE, msg.certificate);
      break;
    case 'QUERY_REQUEST':
      if (msg.deviceName !== undefined) element(w, TvsTag.DEVICE_NAME, deviceNameValue(msg.deviceName));
      if (msg.subjectName !== undefined)
        element(w, TvsTag.SUBJECT_NAME, cStringValue(msg.subjectName, TvsTag.SUBJECT_NAME));
      if (msg.issuerName !== undefined)
        element(w, TvsTag.ISSUER_NAME, cStringValue(msg.issuerName, TvsTag.ISSUER_NAME));
      if (msg.serialNumber !== undefined) element(w, TvsTag.SERIAL_NUMBER, msg.serialNumber);
      break;
    case 'VERIFY_RESPONSE':
    case 'QUERY_RESPONSE':
      element(w, TvsTag.STATUS, Uint8Array.of(checkU(msg.status, 0xff, 'STATUS')));
      if (msg.command === 'QUERY_RESPONSE' && msg.certificate !== undefined)
        element(w, TvsTag.CERTIFICATE, msg.certificate);
      if (msg.roles !== undefined) element(w, TvsTag.ROLES, rolesValue(msg.roles));
      if (msg.ttlSeconds !== undefined) element(w, TvsTag.TTL, u32Value(msg.ttlSeconds, 'TTL'));
      break;
  }
  return w.finish();
}

/** One complete frame, ready for a single socket write. `unknownTags` is ignored. */
export function encodeTvsMessage(msg: TvsMessage): Buffer {
  const body = encodeBody(msg);
  if (body.length > TVS_MAX_BODY_BYTES) {
    throw new CodecError('ERR_CODEC_TOO_LARGE', `TVS body of ${body.length} bytes does not fit a u16 length`);
  }
  return new ByteWriter()
    .u8(TVS_PROTOCOL_ID)
    .u8(TVS_PROTOCOL_VERSION)
    .u8(TvsCommand[msg.command])
    .u8(TVS_RESERVED_BYTE)
    .u32(checkU(msg.requestId, 0xffffffff, 'request id'))
    .u16(body.length)
    .bytes(body)
    .finish();
}

// ---------------------------------------------------------------------------------------------
// Push decoder

type CodecErrorCode = ConstructorParameters<typeof CodecError>[0];

export interface TvsDecoder {
  /** Feeds bytes; returns every message completed by them. Throws CodecError; after that, every call throws. */
  push(chunk: Uint8Array): TvsMessage[];
  /** Throws ERR_CODEC_TRUNCATED if a partial frame is buffered (call when the peer closes). */
  end(): void;
  /** Bytes of the current partial frame held by the decoder. */
  readonly bufferedBytes: number;
  readonly poisoned: boolean;
}

/**
 * Bounded push decoder. The header is checked byte by byte as it arrives; the body buffer is
 * allocated only after the declared length has passed `maxBodyBytes`, and exactly that many bytes
 * are copied into it, so nothing is read across frames.
 */
export function createTvsDecoder(options: TvsDecodeOptions = {}): TvsDecoder {
  const maxBodyBytes = checkMaxBodyBytes(options.maxBodyBytes ?? TVS_MAX_BODY_BYTES);
  const head = new Uint8Array(TVS_HEADER_BYTES);
  let headLength = 0;
  let header: TvsHeader | null = null;
  let body: Uint8Array | null = null;
  let bodyFilled = 0;
  let failure: CodecError | null = null;

  function fail(e: unknown): never {
    if (e instanceof CodecError) failure = e;
    else failure = new CodecError('ERR_CODEC_BAD_VALUE', 'TVS decoder failed');
    throw e;
  }

  function assertUsable(): void {
    if (failure) {
      throw new CodecError(
        failure.code as CodecErrorCode,
        `TVS decoder stopped after an earlier error: ${failure.message}`,
      );
    }
  }

  return {
    push(chunk: Uint8Array): TvsMessage[] {
      assertUsable();
      const out: TvsMessage[] = [];
      let offset = 0;
      try {
        while (offset < chunk.length) {
          if (header === null) {
            const n = Math.min(TVS_HEADER_BYTES - headLength, chunk.length - offset);
            head.set(chunk.subarray(offset, offset + n), headLength);
            headLength += n;
            offset += n;
            checkHeaderPrefix(head, headLength);
            if (headLength < TVS_HEADER_BYTES) break;
            header = decodeTvsHeader(head, { maxBodyBytes });
            body = new Uint8Array(header.bodyLength);
            bodyFilled = 0;
          }
          const n = Math.min(body!.length - bodyFilled, chunk.length - offset);
          body!.set(chunk.subarray(offset, offset + n), bodyFilled);
          bodyFilled += n;
          offset += n;
          if (bodyFilled === body!.length) {
            const message = decodeTvsBody(header, body!);
            header = null;
            body = null;
            headLength = 0;
            bodyFilled = 0;
            out.push(message);
          }
        }
      } catch (e) {
        fail(e);
      }
      return out;
    },
    end(): void {
      assertUsable();
      if (headLength > 0) {
        fail(
          new CodecError(
            'ERR_CODEC_TRUNCATED',
            `stream ended inside a TVS frame (${headLength + bodyFilled} bytes buffered)`,
          ),
        );
      }
    },
    get bufferedBytes(): number {
      return headLength + bodyFilled;
    },
    get poisoned(): boolean {
      return failure !== null;
    },
  };
}
