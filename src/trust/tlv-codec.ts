// Owns the pure byte codec of .tlv / .sgn / .enc.sgn headers and .tlv records (spec: tlv-files.md §1-§4, §11.1).
//
// Element (§1):  tag u8 | length u16 BE | value[length]      PADDING (0x0D) is one bare byte.
//
// Header (§2.1), offsets for a .tlv signed by an RSA-2048 key:
//   0   01 0002 MM mm            VERSION (first)
//   5   02 0002 HH HH            HEADER_LENGTH (second) = final header size incl. signature and padding
//   10  1c 0002 01 0v            SIGNER_VERSION (.tlv only)
//   15  03 LLLL                  SIGNER_INFO container
//         04 llll name\0  06 llll issuer\0  05 llll serial
//   ..  07 000f                  SIGNATURE_INFO container
//         08 0001 hh  09 0008 { 0a 0001 00  0b 0001 ii }
//   ..  0c SSSS sig[S]           SIGNATURE (the only bytes not covered by the signature, §3)
//   ..  0e llll filename\0  0f 0004 time  [10 … 1b encryption, .enc.sgn]  0d × 0..3
//   HEADER_LENGTH ≡ 0 (mod 4)    (§2.2)
//
// Record (§4):   01 0002 LLLL (record length incl. these 5 bytes) then elements with tags 2..12.

import { CodecError, AppError } from '../shared/errors.ts';
import { ByteWriter } from '../shared/bytes.ts';
import {
  HeaderTag,
  HEADER_CONTAINER_TAGS,
  RecordTag,
  SIGNATURE_MODULUS_BYTES,
  SIGNATURE_ALGORITHM_RSA,
  DEFAULT_MAX_TLV_BYTES,
} from './constants.ts';

export interface Version {
  major: number;
  minor: number;
}

/** One element as found in the file; `offset` is the absolute offset of its tag byte (the BYTEPOS). */
export interface TlvElement {
  tag: number;
  offset: number;
  /** The length field (0 for a PADDING byte). */
  length: number;
  /** Raw value bytes (for a container: the bytes of its children). */
  value: Buffer;
  /** Nesting depth inside header containers (0 = top level). */
  depth: number;
  container: boolean;
}

export interface EncryptionInfo {
  unknown1?: number;
  iv?: Buffer;
  paddingLength?: number;
  unknown2?: number;
  keySize?: number;
  keyAlgorithm?: number;
  wrappedKey?: Buffer;
  digestAlgorithm?: number;
  digest?: Buffer;
}

export interface TlvHeader {
  version: Version;
  headerLength: number;
  signerVersion?: Version;
  signerName?: string;
  issuerName?: string;
  serialNumber?: Buffer;
  hashAlgorithm?: number;
  signatureAlgorithm?: number;
  signatureModulus?: number;
  signature: Buffer;
  /**
   * Offset of the SIGNATURE tag byte; the signed message omits [signatureOffset, signatureOffset + 3 +
   * signature.length).
   */
  signatureOffset: number;
  fileName?: string;
  timestamp?: number;
  paddingBytes: number;
  encryption?: EncryptionInfo;
  /** Every element in file order (containers, children and padding bytes included). */
  elements: TlvElement[];
}

export interface TlvRecord {
  /** 0-based position in the file. */
  index: number;
  offset: number;
  length: number;
  /** Elements in file order, RECORD_LENGTH first. */
  elements: TlvElement[];
  role: number;
  dnsName?: string;
  subjectName?: string;
  issuerName?: string;
  serialNumber?: Buffer;
  publicKey?: Buffer;
  signature?: Buffer;
  certificate?: Buffer;
  ipAddress?: Buffer;
  certificateHash?: Buffer;
  hashAlgorithm?: number;
}

export interface TlvFile {
  header: TlvHeader;
  records: TlvRecord[];
  size: number;
}

export interface DecodeOptions {
  /** Reject larger inputs before reading anything (default 1 MiB). */
  maxBytes?: number;
  /** Accept a HEADER_LENGTH that is not a multiple of 4 (§2.2); default false. */
  allowUnalignedHeader?: boolean;
}

const MAX_HEADER_TAG = HeaderTag.SIGNER_VERSION;
const MAX_RECORD_TAG = RecordTag.HASH_ALGORITHM;

function bad(message: string, details?: Record<string, unknown>): never {
  throw new CodecError('ERR_CODEC_BAD_ELEMENT', message, details);
}
function badValue(message: string, details?: Record<string, unknown>): never {
  throw new CodecError('ERR_CODEC_BAD_VALUE', message, details);
}

/** A C-string value: text up to the first NUL (a missing NUL is tolerated). */
export function decodeCString(value: Uint8Array): string {
  const nul = value.indexOf(0);
  return Buffer.from(value.subarray(0, nul < 0 ? value.length : nul)).toString('utf8');
}

export function encodeCString(text: string): Buffer {
  return Buffer.concat([Buffer.from(text, 'utf8'), Buffer.of(0)]);
}

function u16(b: Uint8Array, p: number): number {
  return (b[p]! << 8) | b[p + 1]!;
}

function expectLength(tag: string, offset: number, actual: number, ...allowed: number[]): void {
  if (!allowed.includes(actual)) {
    badValue(`${tag} at offset ${offset} has length ${actual}, expected ${allowed.join(' or ')}`, { offset, tag });
  }
}

function checkSize(bytes: Uint8Array, opts: DecodeOptions | undefined, fallback: number): void {
  const max = opts?.maxBytes ?? fallback;
  if (bytes.length > max) {
    throw new CodecError('ERR_CODEC_TOO_LARGE', `file is ${bytes.length} bytes, more than the ${max}-byte limit`, {
      size: bytes.length,
      max,
    });
  }
}

/** Decodes the header of a .tlv, .sgn or .enc.sgn file (§2, §3 steps 1-2, §11.1). The body starts at `headerLength`. */
export function decodeHeader(
  input: Uint8Array,
  opts?: DecodeOptions,
  defaultMaxBytes = DEFAULT_MAX_TLV_BYTES,
): TlvHeader {
  checkSize(input, opts, defaultMaxBytes);
  const b = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.length);
  if (b.length < 10)
    throw new CodecError('ERR_CODEC_TRUNCATED', `file is ${b.length} bytes; a header needs at least 10`);
  if (b[0] !== HeaderTag.VERSION) {
    throw new CodecError('ERR_CODEC_BAD_MAGIC', `first element has tag ${b[0]}, expected VERSION (1)`);
  }
  expectLength('VERSION', 0, u16(b, 1), 2);
  const version = { major: b[3]!, minor: b[4]! };
  if (b[5] !== HeaderTag.HEADER_LENGTH)
    bad(`second element has tag ${b[5]}, expected HEADER_LENGTH (2)`, { offset: 5 });
  expectLength('HEADER_LENGTH', 5, u16(b, 6), 2);
  const headerLength = u16(b, 8);
  if (headerLength < 10) badValue(`HEADER_LENGTH ${headerLength} is smaller than the two mandatory elements`);
  if (headerLength > b.length) {
    throw new CodecError('ERR_CODEC_TRUNCATED', `HEADER_LENGTH ${headerLength} exceeds the ${b.length}-byte file`);
  }
  if (headerLength % 4 !== 0 && !opts?.allowUnalignedHeader) {
    badValue(`HEADER_LENGTH ${headerLength} is not a multiple of 4 (padding rule, §2.2)`);
  }
  const elements: TlvElement[] = [
    { tag: 1, offset: 0, length: 2, value: b.subarray(3, 5), depth: 0, container: false },
    { tag: 2, offset: 5, length: 2, value: b.subarray(8, 10), depth: 0, container: false },
  ];
  const header: Partial<TlvHeader> & { paddingBytes: number } = { version, headerLength, paddingBytes: 0, elements };
  const enc: EncryptionInfo = {};
  let hasEnc = false;
  const seen = new Set<number>();
  const containerEnds: number[] = [];
  let pos = 10;
  while (pos < headerLength) {
    while (containerEnds.length && containerEnds[containerEnds.length - 1]! <= pos) containerEnds.pop();
    const tag = b[pos]!;
    if (tag === HeaderTag.PADDING) {
      elements.push({
        tag,
        offset: pos,
        length: 0,
        value: b.subarray(pos, pos),
        depth: containerEnds.length,
        container: false,
      });
      header.paddingBytes++;
      pos++;
      continue;
    }
    if (tag === 0 || tag > MAX_HEADER_TAG || tag === HeaderTag.VERSION || tag === HeaderTag.HEADER_LENGTH) {
      bad(`unexpected header tag ${tag} at offset ${pos}`, { offset: pos, tag });
    }
    if (pos + 3 > headerLength)
      bad(`element at offset ${pos} crosses the header end (${headerLength})`, { offset: pos });
    const length = u16(b, pos + 1);
    const end = pos + 3 + length;
    if (end > headerLength)
      bad(`tag ${tag} at offset ${pos} with length ${length} crosses the header end (${headerLength})`, {
        offset: pos,
        tag,
      });
    const parentEnd = containerEnds[containerEnds.length - 1];
    if (parentEnd !== undefined && end > parentEnd) {
      bad(`tag ${tag} at offset ${pos} overruns its container (ends at ${parentEnd})`, { offset: pos, tag });
    }
    if (seen.has(tag)) bad(`duplicate header tag ${tag} at offset ${pos}`, { offset: pos, tag });
    seen.add(tag);
    const value = b.subarray(pos + 3, end);
    const container = HEADER_CONTAINER_TAGS.has(tag);
    elements.push({ tag, offset: pos, length, value, depth: containerEnds.length, container });
    if (container) {
      containerEnds.push(end);
      pos += 3;
      continue;
    }
    switch (tag) {
      case HeaderTag.SIGNER_NAME:
        header.signerName = decodeCString(value);
        break;
      case HeaderTag.ISSUER_NAME:
        header.issuerName = decodeCString(value);
        break;
      case HeaderTag.SERIAL_NUMBER:
        if (length === 0) badValue(`empty SERIAL_NUMBER at offset ${pos}`);
        header.serialNumber = value;
        break;
      case HeaderTag.HASH_ALGORITHM:
        expectLength('HASH_ALGORITHM', pos, length, 1);
        header.hashAlgorithm = value[0]!;
        break;
      case HeaderTag.SIGNATURE_ALGORITHM:
        expectLength('SIGNATURE_ALGORITHM', pos, length, 1);
        header.signatureAlgorithm = value[0]!;
        break;
      case HeaderTag.SIGNATURE_MODULUS:
        expectLength('SIGNATURE_MODULUS', pos, length, 1);
        header.signatureModulus = value[0]!;
        break;
      case HeaderTag.SIGNATURE:
        if (length === 0) badValue(`empty SIGNATURE at offset ${pos}`);
        header.signature = value;
        header.signatureOffset = pos;
        break;
      case HeaderTag.FILENAME:
        header.fileName = decodeCString(value);
        break;
      case HeaderTag.TIMESTAMP:
        expectLength('TIMESTAMP', pos, length, 4);
        header.timestamp = value.readUInt32BE(0);
        break;
      case HeaderTag.SIGNER_VERSION:
        expectLength('SIGNER_VERSION', pos, length, 2);
        header.signerVersion = { major: value[0]!, minor: value[1]! };
        break;
      case HeaderTag.ENCRYPTION_UNKNOWN1:
      case HeaderTag.ENCRYPTION_UNKNOWN2:
      case HeaderTag.ENCRYPTION_KEY_ALGORITHM:
      case HeaderTag.DIGEST_ALGORITHM: {
        expectLength(`tag ${tag}`, pos, length, 1);
        const key = ({ 18: 'unknown1', 22: 'unknown2', 24: 'keyAlgorithm', 26: 'digestAlgorithm' } as const)[tag];
        enc[key] = value[0]!;
        hasEnc = true;
        break;
      }
      case HeaderTag.ENCRYPTION_PADDING:
      case HeaderTag.ENCRYPTION_KEY_SIZE: {
        expectLength(`tag ${tag}`, pos, length, 2);
        enc[tag === HeaderTag.ENCRYPTION_PADDING ? 'paddingLength' : 'keySize'] = u16(value, 0);
        hasEnc = true;
        break;
      }
      case HeaderTag.ENCRYPTION_IV:
        enc.iv = value;
        hasEnc = true;
        break;
      case HeaderTag.ENCRYPTION_KEY:
        enc.wrappedKey = value;
        hasEnc = true;
        break;
      case HeaderTag.DIGEST:
        enc.digest = value;
        hasEnc = true;
        break;
      default:
        // unreachable: every tag 3..28 is handled above or is a container
        break;
    }
    pos = end;
  }
  if (header.signature === undefined || header.signatureOffset === undefined) {
    throw new CodecError('ERR_CODEC_MISSING_ELEMENT', 'header has no SIGNATURE (tag 12)');
  }
  if (hasEnc) header.encryption = enc;
  return header as TlvHeader;
}

/** Decodes the records of a .tlv body, `[start, end)` (§4). */
export function decodeRecords(b: Buffer, start: number, end = b.length): TlvRecord[] {
  const records: TlvRecord[] = [];
  let pos = start;
  while (pos < end) {
    const recStart = pos;
    const index = records.length;
    if (end - pos < 5) {
      throw new CodecError(
        'ERR_CODEC_TRUNCATED',
        `record ${index + 1} at offset ${pos}: ${end - pos} bytes left, RECORD_LENGTH needs 5`,
        { offset: pos },
      );
    }
    if (b[pos] !== RecordTag.RECORD_LENGTH)
      bad(`record ${index + 1} at offset ${pos} starts with tag ${b[pos]}, expected RECORD_LENGTH (1)`, {
        offset: pos,
      });
    expectLength('RECORD_LENGTH', pos, u16(b, pos + 1), 2);
    const length = u16(b, pos + 3);
    if (length < 5)
      badValue(
        `record ${index + 1} at offset ${pos} declares length ${length}, less than its own 5-byte RECORD_LENGTH`,
        { offset: pos },
      );
    const recEnd = recStart + length;
    if (recEnd > end) {
      throw new CodecError(
        'ERR_CODEC_TRUNCATED',
        `record ${index + 1} at offset ${pos} declares ${length} bytes, only ${end - pos} remain`,
        { offset: pos },
      );
    }
    const rec: TlvRecord = {
      index,
      offset: recStart,
      length,
      role: -1,
      elements: [{ tag: 1, offset: pos, length: 2, value: b.subarray(pos + 3, pos + 5), depth: 0, container: false }],
    };
    const seen = new Set<number>([RecordTag.RECORD_LENGTH]);
    pos += 5;
    while (pos < recEnd) {
      const tag = b[pos]!;
      if (tag === 0 || tag > MAX_RECORD_TAG)
        bad(`record ${index + 1}: unexpected tag ${tag} at offset ${pos}`, { offset: pos, tag });
      if (seen.has(tag)) bad(`record ${index + 1}: duplicate tag ${tag} at offset ${pos}`, { offset: pos, tag });
      seen.add(tag);
      if (pos + 3 > recEnd)
        bad(`record ${index + 1}: element at offset ${pos} crosses the record end (${recEnd})`, { offset: pos });
      const len = u16(b, pos + 1);
      const valEnd = pos + 3 + len;
      if (valEnd > recEnd)
        bad(`record ${index + 1}: tag ${tag} at offset ${pos} with length ${len} crosses the record end (${recEnd})`, {
          offset: pos,
          tag,
        });
      const value = b.subarray(pos + 3, valEnd);
      rec.elements.push({ tag, offset: pos, length: len, value, depth: 0, container: false });
      switch (tag) {
        case RecordTag.DNS_NAME:
          rec.dnsName = decodeCString(value);
          break;
        case RecordTag.SUBJECT_NAME:
          rec.subjectName = decodeCString(value);
          break;
        case RecordTag.ROLE:
          expectLength('FUNCTION', pos, len, 2);
          rec.role = u16(value, 0);
          break;
        case RecordTag.ISSUER_NAME:
          rec.issuerName = decodeCString(value);
          break;
        case RecordTag.SERIAL_NUMBER:
          rec.serialNumber = value;
          break;
        case RecordTag.PUBLIC_KEY:
          rec.publicKey = value;
          break;
        case RecordTag.SIGNATURE:
          rec.signature = value;
          break;
        case RecordTag.CERTIFICATE:
          rec.certificate = value;
          break;
        case RecordTag.IP_ADDRESS:
          rec.ipAddress = value;
          break;
        case RecordTag.CERTIFICATE_HASH:
          rec.certificateHash = value;
          break;
        case RecordTag.HASH_ALGORITHM:
          expectLength('HASH_ALGORITHM', pos, len, 1);
          rec.hashAlgorithm = value[0]!;
          break;
      }
      pos = valEnd;
    }
    if (rec.role < 0)
      throw new CodecError(
        'ERR_CODEC_MISSING_ELEMENT',
        `record ${index + 1} at offset ${recStart} has no FUNCTION (tag 4)`,
        { offset: recStart },
      );
    records.push(rec);
  }
  return records;
}

/** Decodes a whole .tlv file: header and records. Throws CodecError for any malformed input. */
export function decodeTlvFile(input: Uint8Array, opts?: DecodeOptions): TlvFile {
  const header = decodeHeader(input, opts, DEFAULT_MAX_TLV_BYTES);
  const b = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.length);
  return { header, records: decodeRecords(b, header.headerLength), size: b.length };
}

// ---------------------------------------------------------------------------------------------
// Encoding

export interface EncryptionInit {
  iv: Uint8Array;
  paddingLength: number;
  wrappedKey: Uint8Array;
  /** Defaults to 8 × wrappedKey.length (§11.1). */
  keySize?: number;
  keyAlgorithm?: number;
  digestAlgorithm: number;
  digest: Uint8Array;
}

export interface HeaderInit {
  version: Version;
  /** .tlv only (§7). */
  signerVersion?: Version;
  signerName: string;
  issuerName: string;
  serialNumber: Uint8Array;
  hashAlgorithm: number;
  signatureAlgorithm?: number;
  fileName: string;
  /** Unix seconds. */
  timestamp: number;
  /** .enc.sgn only (§11.1). */
  encryption?: EncryptionInit;
}

/** The header split around the SIGNATURE element; `before ++ after ++ body` is the signed message (§3). */
export interface HeaderLayout {
  before: Buffer;
  after: Buffer;
  headerLength: number;
  signatureLength: number;
}

function element(w: ByteWriter, tag: number, value: Uint8Array): void {
  if (value.length > 0xffff)
    throw new AppError('ERR_BAD_REQUEST', `tag ${tag} value of ${value.length} bytes does not fit a u16 length`);
  w.u8(tag).u16(value.length).bytes(value);
}

function containerBytes(tag: number, children: Buffer): Buffer {
  const w = new ByteWriter();
  element(w, tag, children);
  return w.finish();
}

export function signatureModulusIndex(signatureLength: number): number {
  const i = (SIGNATURE_MODULUS_BYTES as readonly number[]).indexOf(signatureLength);
  if (i < 0) {
    throw new AppError(
      'ERR_PKI_BAD_KEY',
      `a ${signatureLength}-byte signature cannot be expressed in SIGNATURE_MODULUS (RSA-512/1024/2048/4096 only, §2)`,
    );
  }
  return i;
}

/** Lays out a header for a signature of `signatureLength` bytes: padding and HEADER_LENGTH per §2.2. */
export function layoutHeader(init: HeaderInit, signatureLength: number): HeaderLayout {
  const modulusIndex = signatureModulusIndex(signatureLength);
  const signer = new ByteWriter();
  element(signer, HeaderTag.SIGNER_NAME, encodeCString(init.signerName));
  element(signer, HeaderTag.ISSUER_NAME, encodeCString(init.issuerName));
  element(signer, HeaderTag.SERIAL_NUMBER, init.serialNumber);
  const algInfo = new ByteWriter();
  element(algInfo, HeaderTag.SIGNATURE_ALGORITHM, Uint8Array.of(init.signatureAlgorithm ?? SIGNATURE_ALGORITHM_RSA));
  element(algInfo, HeaderTag.SIGNATURE_MODULUS, Uint8Array.of(modulusIndex));
  const sigInfo = new ByteWriter();
  element(sigInfo, HeaderTag.HASH_ALGORITHM, Uint8Array.of(init.hashAlgorithm));
  sigInfo.bytes(containerBytes(HeaderTag.SIGNATURE_ALGORITHM_INFO, algInfo.finish()));

  const before = new ByteWriter();
  element(before, HeaderTag.VERSION, Uint8Array.of(init.version.major, init.version.minor));
  const headerLengthAt = before.length + 3;
  element(before, HeaderTag.HEADER_LENGTH, Uint8Array.of(0, 0));
  if (init.signerVersion)
    element(before, HeaderTag.SIGNER_VERSION, Uint8Array.of(init.signerVersion.major, init.signerVersion.minor));
  before.bytes(containerBytes(HeaderTag.SIGNER_INFO, signer.finish()));
  before.bytes(containerBytes(HeaderTag.SIGNATURE_INFO, sigInfo.finish()));

  const after = new ByteWriter();
  element(after, HeaderTag.FILENAME, encodeCString(init.fileName));
  const ts = Buffer.alloc(4);
  ts.writeUInt32BE(init.timestamp >>> 0);
  element(after, HeaderTag.TIMESTAMP, ts);
  if (init.encryption) after.bytes(encryptionElements(init.encryption));
  let current = before.length + after.length;
  while ((current + 3 + signatureLength) % 4 !== 0) {
    after.u8(HeaderTag.PADDING);
    current++;
  }
  const headerLength = current + 3 + signatureLength;
  if (headerLength > 0xffff)
    throw new AppError('ERR_BAD_REQUEST', `header of ${headerLength} bytes does not fit HEADER_LENGTH`);
  const beforeBuf = before.finish();
  beforeBuf.writeUInt16BE(headerLength, headerLengthAt);
  return { before: beforeBuf, after: after.finish(), headerLength, signatureLength };
}

function encryptionElements(e: EncryptionInit): Buffer {
  const iv = new ByteWriter();
  element(iv, HeaderTag.ENCRYPTION_UNKNOWN1, Uint8Array.of(0));
  element(iv, HeaderTag.ENCRYPTION_IV, e.iv);
  element(iv, HeaderTag.ENCRYPTION_PADDING, Uint8Array.of(e.paddingLength >>> 8, e.paddingLength & 0xff));
  const key = new ByteWriter();
  element(key, HeaderTag.ENCRYPTION_UNKNOWN2, Uint8Array.of(0));
  const keySize = e.keySize ?? e.wrappedKey.length * 8;
  element(key, HeaderTag.ENCRYPTION_KEY_SIZE, Uint8Array.of(keySize >>> 8, keySize & 0xff));
  element(key, HeaderTag.ENCRYPTION_KEY_ALGORITHM, Uint8Array.of(e.keyAlgorithm ?? 1));
  element(key, HeaderTag.ENCRYPTION_KEY, e.wrappedKey);
  const info = Buffer.concat([
    containerBytes(HeaderTag.ENCRYPTION_IV_INFO, iv.finish()),
    containerBytes(HeaderTag.ENCRYPTION_KEY_INFO, key.finish()),
  ]);
  const w = new ByteWriter();
  w.bytes(containerBytes(HeaderTag.ENCRYPTION_INFO, info));
  element(w, HeaderTag.DIGEST_ALGORITHM, Uint8Array.of(e.digestAlgorithm));
  element(w, HeaderTag.DIGEST, e.digest);
  return w.finish();
}

/** The signed message of §3 for a header being built. */
export function messageToSign(layout: HeaderLayout, body: Uint8Array): Buffer {
  return Buffer.concat([layout.before, layout.after, body]);
}

/** Inserts the signature between the two header halves and appends the body. */
export function assembleSignedFile(layout: HeaderLayout, signature: Uint8Array, body: Uint8Array): Buffer {
  if (signature.length !== layout.signatureLength) {
    throw new AppError(
      'ERR_INTERNAL',
      `signature is ${signature.length} bytes, header was laid out for ${layout.signatureLength}`,
    );
  }
  const w = new ByteWriter();
  w.bytes(layout.before);
  element(w, HeaderTag.SIGNATURE, signature);
  w.bytes(layout.after).bytes(body);
  return w.finish();
}

export interface RecordElementInit {
  tag: number;
  value: Uint8Array;
}

/** Encodes one record; RECORD_LENGTH is computed and written first (§4). */
export function encodeRecord(elements: readonly RecordElementInit[]): Buffer {
  const w = new ByteWriter();
  for (const e of elements) {
    if (e.tag === RecordTag.RECORD_LENGTH) continue;
    element(w, e.tag, e.value);
  }
  const body = w.finish();
  const total = body.length + 5;
  if (total > 0xffff) throw new AppError('ERR_BAD_REQUEST', `record of ${total} bytes does not fit RECORD_LENGTH`);
  return Buffer.concat([Buffer.of(RecordTag.RECORD_LENGTH, 0, 2, total >>> 8, total & 0xff), body]);
}

/** Unsigned assembly for vectors and re-encoding: header init + a given signature + records. */
export function encodeTlvFile(
  init: HeaderInit,
  signature: Uint8Array,
  records: readonly (readonly RecordElementInit[])[],
): Buffer {
  const layout = layoutHeader(init, signature.length);
  return assembleSignedFile(layout, signature, Buffer.concat(records.map((r) => encodeRecord(r))));
}

/** The HeaderInit a decoded header was built from (for canonical re-encoding). */
export function headerInitOf(h: TlvHeader): HeaderInit {
  const init: HeaderInit = {
    version: h.version,
    signerName: h.signerName ?? '',
    issuerName: h.issuerName ?? '',
    serialNumber: h.serialNumber ?? Buffer.alloc(0),
    hashAlgorithm: h.hashAlgorithm ?? 1,
    signatureAlgorithm: h.signatureAlgorithm ?? SIGNATURE_ALGORITHM_RSA,
    fileName: h.fileName ?? '',
    timestamp: h.timestamp ?? 0,
  };
  if (h.signerVersion) init.signerVersion = h.signerVersion;
  const e = h.encryption;
  if (e?.iv && e.wrappedKey && e.digest) {
    init.encryption = {
      iv: e.iv,
      paddingLength: e.paddingLength ?? 0,
      wrappedKey: e.wrappedKey,
      keySize: e.keySize ?? e.wrappedKey.length * 8,
      keyAlgorithm: e.keyAlgorithm ?? 1,
      digestAlgorithm: e.digestAlgorithm ?? 1,
      digest: e.digest,
    };
  }
  return init;
}

/** Record elements in file order, ready for encodeRecord. */
export function recordElementsOf(r: TlvRecord): RecordElementInit[] {
  return r.elements.filter((e) => e.tag !== RecordTag.RECORD_LENGTH).map((e) => ({ tag: e.tag, value: e.value }));
}

/** §3: the signed message of a decoded file = the file without the SIGNATURE element. */
export function signedMessageOf(file: Uint8Array, header: TlvHeader): Buffer {
  const b = Buffer.from(file.buffer, file.byteOffset, file.length);
  const cut = header.signatureOffset;
  return Buffer.concat([b.subarray(0, cut), b.subarray(cut + 3 + header.signature.length)]);
}
