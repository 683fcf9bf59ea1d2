// Owns the TFTP wire format (RFC 1350, RFC 2347 OACK): pure bytes <-> packet objects, no I/O.
//
// Byte layouts (all integers big-endian; "0" is one NUL octet; strings are netascii, decoded as latin1
// so that every byte round-trips):
//
//   RRQ/WRQ  off 0  u16 opcode (1 = RRQ, 2 = WRQ)
//            off 2  filename ... 0  mode ... 0  [ optname ... 0  optvalue ... 0 ]*      (RFC 1350 §5, RFC 2347 §2)
//   DATA     off 0  u16 opcode = 3 | off 2 u16 block | off 4  0..65464 data bytes        (RFC 1350, RFC 2348 max)
//   ACK      off 0  u16 opcode = 4 | off 2 u16 block                                     (RFC 1350)
//   ERROR    off 0  u16 opcode = 5 | off 2 u16 error code | off 4 message ... 0          (RFC 1350)
//   OACK     off 0  u16 opcode = 6 | [ optname ... 0  optvalue ... 0 ]*                  (RFC 2347 §2)

import { ByteReader, ByteWriter } from '../../shared/bytes.ts';
import { CodecError } from '../../shared/errors.ts';

/** Opcodes, RFC 1350 §5 and RFC 2347 (OACK). */
export const TFTP_OPCODE = {
  RRQ: 1,
  WRQ: 2,
  DATA: 3,
  ACK: 4,
  ERROR: 5,
  OACK: 6,
} as const;
export type TftpOpcodeName = keyof typeof TFTP_OPCODE;
const OPCODE_NAME: ReadonlyMap<number, TftpOpcodeName> = new Map(
  (Object.entries(TFTP_OPCODE) as [TftpOpcodeName, number][]).map(([k, v]) => [v, k]),
);

/** Error codes, RFC 1350 appendix and RFC 2347 (8). Messages are the conventional texts. */
export const TFTP_ERROR = {
  NOT_DEFINED: { code: 0, text: 'Not defined' },
  FILE_NOT_FOUND: { code: 1, text: 'File not found' },
  ACCESS_VIOLATION: { code: 2, text: 'Access violation' },
  DISK_FULL: { code: 3, text: 'Disk full or allocation exceeded' },
  ILLEGAL_OPERATION: { code: 4, text: 'Illegal TFTP operation' },
  UNKNOWN_TID: { code: 5, text: 'Unknown transfer ID' },
  FILE_EXISTS: { code: 6, text: 'File already exists' },
  NO_SUCH_USER: { code: 7, text: 'No such user' },
  OPTION_NEGOTIATION: { code: 8, text: 'Option negotiation failed' },
} as const;

/** Transfer modes, RFC 1350 §5 (case-insensitive on the wire; we normalise to lower case). */
export const TFTP_MODES = ['netascii', 'octet', 'mail'] as const;
export type TftpMode = (typeof TFTP_MODES)[number];

/** RFC 2348: the largest block size a peer may negotiate. */
export const MAX_BLKSIZE = 65464;
/** RFC 2347 §2: "the total length of the request packet must not exceed 512 octets" (also caps OACK size). */
export const MAX_REQUEST_BYTES = 512;
/** Largest packet of any kind: a DATA header plus the largest block. */
export const MAX_PACKET_BYTES = 4 + MAX_BLKSIZE;

/** Options keyed by lower-case name (RFC 2347: names are case-insensitive), in wire order. */
export type TftpOptions = ReadonlyMap<string, string>;

export type TftpPacket =
  | { op: 'RRQ' | 'WRQ'; filename: string; mode: TftpMode; options: TftpOptions }
  | { op: 'DATA'; block: number; data: Uint8Array }
  | { op: 'ACK'; block: number }
  | { op: 'ERROR'; code: number; message: string }
  | { op: 'OACK'; options: TftpOptions };

export type TftpRequest = Extract<TftpPacket, { op: 'RRQ' | 'WRQ' }>;

/** Splits `[start, end)` into NUL-terminated latin1 strings; the last byte must be a NUL. */
function readStrings(buf: Uint8Array, start: number, end: number, what: string): string[] {
  const out: string[] = [];
  let pos = start;
  while (pos < end) {
    const nul = buf.indexOf(0, pos);
    if (nul < 0 || nul >= end)
      throw new CodecError('ERR_CODEC_TRUNCATED', `${what}: string at offset ${pos} lacks its NUL terminator`);
    out.push(Buffer.from(buf.buffer, buf.byteOffset + pos, nul - pos).toString('latin1'));
    pos = nul + 1;
  }
  return out;
}

function readOptions(strings: readonly string[], from: number, what: string): Map<string, string> {
  if ((strings.length - from) % 2 !== 0)
    throw new CodecError('ERR_CODEC_MISSING_ELEMENT', `${what}: option "${strings[strings.length - 1]}" has no value`);
  const options = new Map<string, string>();
  for (let i = from; i < strings.length; i += 2) {
    const name = strings[i]!.toLowerCase();
    if (name.length === 0) throw new CodecError('ERR_CODEC_BAD_ELEMENT', `${what}: empty option name`);
    // RFC 2347 does not define repeated options; the first occurrence is the one we honour.
    if (!options.has(name)) options.set(name, strings[i + 1]!);
  }
  return options;
}

/** Decodes one datagram. Throws CodecError for anything malformed, never anything else. */
export function decodePacket(buf: Uint8Array): TftpPacket {
  if (buf.length > MAX_PACKET_BYTES)
    throw new CodecError('ERR_CODEC_TOO_LARGE', `packet of ${buf.length} bytes exceeds ${MAX_PACKET_BYTES}`);
  const r = new ByteReader(buf);
  const opcode = r.u16('opcode');
  const op = OPCODE_NAME.get(opcode);
  switch (op) {
    case 'RRQ':
    case 'WRQ': {
      if (buf.length > MAX_REQUEST_BYTES)
        throw new CodecError(
          'ERR_CODEC_TOO_LARGE',
          `${op} of ${buf.length} bytes exceeds ${MAX_REQUEST_BYTES} (RFC 2347)`,
        );
      const strings = readStrings(buf, 2, buf.length, op);
      if (strings.length < 2) throw new CodecError('ERR_CODEC_MISSING_ELEMENT', `${op}: filename and mode required`);
      const filename = strings[0]!;
      if (filename.length === 0) throw new CodecError('ERR_CODEC_BAD_ELEMENT', `${op}: empty filename`);
      const mode = strings[1]!.toLowerCase();
      if (!(TFTP_MODES as readonly string[]).includes(mode))
        throw new CodecError('ERR_CODEC_BAD_VALUE', `${op}: unknown mode "${strings[1]}"`);
      return { op, filename, mode: mode as TftpMode, options: readOptions(strings, 2, op) };
    }
    case 'DATA': {
      const block = r.u16('block');
      return { op, block, data: r.bytes(r.remaining, 'data') };
    }
    case 'ACK':
      // Bytes after the block number are tolerated: some PXE clients pad ACKs (robustness principle).
      return { op, block: r.u16('block') };
    case 'ERROR': {
      const code = r.u16('error code');
      const strings = readStrings(buf, 4, buf.length, 'ERROR');
      if (strings.length !== 1)
        throw new CodecError('ERR_CODEC_BAD_ELEMENT', `ERROR: expected one message string, got ${strings.length}`);
      return { op, code, message: strings[0]! };
    }
    case 'OACK':
      return { op, options: readOptions(readStrings(buf, 2, buf.length, 'OACK'), 0, 'OACK') };
    default:
      throw new CodecError('ERR_CODEC_BAD_VALUE', `unknown opcode ${opcode}`);
  }
}

function assertWireString(s: string, what: string): void {
  if (s.includes('\0')) throw new CodecError('ERR_CODEC_BAD_VALUE', `${what} contains a NUL byte`);
}

function writeString(w: ByteWriter, s: string, what: string): void {
  assertWireString(s, what);
  w.bytes(Buffer.from(s, 'latin1')).u8(0);
}

function writeOptions(w: ByteWriter, options: TftpOptions): void {
  for (const [name, value] of options) {
    if (name.length === 0) throw new CodecError('ERR_CODEC_BAD_ELEMENT', 'empty option name');
    writeString(w, name, 'option name');
    writeString(w, value, 'option value');
  }
}

/** Encodes a packet; throws CodecError for values that cannot be represented. */
export function encodePacket(p: TftpPacket): Buffer {
  const w = new ByteWriter();
  w.u16(TFTP_OPCODE[p.op]);
  switch (p.op) {
    case 'RRQ':
    case 'WRQ':
      if (p.filename.length === 0) throw new CodecError('ERR_CODEC_BAD_ELEMENT', 'empty filename');
      writeString(w, p.filename, 'filename');
      writeString(w, p.mode, 'mode');
      writeOptions(w, p.options);
      break;
    case 'OACK':
      writeOptions(w, p.options);
      break;
    case 'DATA':
      return encodeData(p.block, p.data);
    case 'ACK':
      return encodeAck(p.block);
    case 'ERROR':
      return encodeError(p.code, p.message);
  }
  const out = w.finish();
  if ((p.op === 'RRQ' || p.op === 'WRQ') && out.length > MAX_REQUEST_BYTES) {
    throw new CodecError('ERR_CODEC_TOO_LARGE', `${p.op} of ${out.length} bytes exceeds ${MAX_REQUEST_BYTES}`);
  }
  return out;
}

function assertU16(v: number, what: string): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xffff)
    throw new CodecError('ERR_CODEC_BAD_VALUE', `${what} ${v} is not a 16-bit value`);
}

/** DATA fast path: one allocation, one copy (this runs once per block sent). */
export function encodeData(block: number, data: Uint8Array): Buffer {
  assertU16(block, 'block');
  if (data.length > MAX_BLKSIZE)
    throw new CodecError('ERR_CODEC_TOO_LARGE', `DATA payload of ${data.length} bytes exceeds ${MAX_BLKSIZE}`);
  const out = Buffer.allocUnsafe(4 + data.length);
  out[0] = 0;
  out[1] = TFTP_OPCODE.DATA;
  out[2] = block >>> 8;
  out[3] = block & 0xff;
  out.set(data, 4);
  return out;
}

export function encodeAck(block: number): Buffer {
  assertU16(block, 'block');
  return Buffer.from([0, TFTP_OPCODE.ACK, block >>> 8, block & 0xff]);
}

export function encodeError(code: number, message: string): Buffer {
  assertU16(code, 'error code');
  assertWireString(message, 'error message');
  const text = Buffer.from(message, 'latin1');
  const out = Buffer.allocUnsafe(5 + text.length);
  out[0] = 0;
  out[1] = TFTP_OPCODE.ERROR;
  out[2] = code >>> 8;
  out[3] = code & 0xff;
  out.set(text, 4);
  out[4 + text.length] = 0;
  return out;
}
