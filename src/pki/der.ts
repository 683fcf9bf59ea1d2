// Owns a minimal DER encoder and a bounded reader for certificates we built ourselves (LSC hot path).
// X.690 §8: tag, definite length, contents.

/** Bytes of a definite length (X.690 §8.1.3) for `n` content bytes. */
function lengthBytes(n: number): number {
  return n < 0x80 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : 4;
}

/** Writes tag and length at `out[0..]` and returns where the content starts. */
function writeHead(out: Buffer, tag: number, n: number): number {
  out[0] = tag;
  if (n < 0x80) {
    out[1] = n;
    return 2;
  }
  if (n < 0x100) {
    out[1] = 0x81;
    out[2] = n;
    return 3;
  }
  if (n < 0x10000) {
    out[1] = 0x82;
    out[2] = n >> 8;
    out[3] = n & 0xff;
    return 4;
  }
  out[1] = 0x83;
  out[2] = (n >> 16) & 0xff;
  out[3] = (n >> 8) & 0xff;
  out[4] = n & 0xff;
  return 5;
}

/** One element from its parts, in one allocation (the LSC hot path builds about 30 of them). */
function element(tag: number, parts: readonly Uint8Array[]): Buffer {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = Buffer.allocUnsafe(1 + lengthBytes(n) + n);
  let at = writeHead(out, tag, n);
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function tlv(tag: number, content: Uint8Array): Buffer {
  return element(tag, [content]);
}

export const seq = (...parts: Uint8Array[]) => element(0x30, parts);
export const set = (...parts: Uint8Array[]) => element(0x31, parts);
export const octetString = (b: Uint8Array) => tlv(0x04, b);
export const bitString = (b: Uint8Array, unusedBits = 0) => element(0x03, [Uint8Array.of(unusedBits), b]);
export const utf8String = (s: string) => tlv(0x0c, Buffer.from(s, 'utf8'));
export const ia5String = (s: string) => tlv(0x16, Buffer.from(s, 'ascii'));
export const explicit = (n: number, inner: Uint8Array) => tlv(0xa0 | n, inner);
export const BOOLEAN_TRUE = Buffer.from([0x01, 0x01, 0xff]);
export const NULL = Buffer.from([0x05, 0x00]);

/** A non-negative INTEGER from big-endian magnitude bytes (adds 0x00 when the top bit is set). */
export function unsignedInteger(magnitude: Uint8Array): Buffer {
  let i = 0;
  while (i < magnitude.length - 1 && magnitude[i] === 0) i++;
  const m = magnitude.subarray(i);
  return m[0]! & 0x80 ? element(0x02, [Uint8Array.of(0), m]) : tlv(0x02, m);
}

export function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const bytes: number[] = [parts[0]! * 40 + parts[1]!];
  for (const p of parts.slice(2)) {
    const stack = [p & 0x7f];
    let v = Math.floor(p / 128);
    while (v > 0) {
      stack.unshift((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    bytes.push(...stack);
  }
  return tlv(0x06, Uint8Array.from(bytes));
}

const two = (n: number) => (n < 10 ? `0${n}` : `${n}`);

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050. */
export function time(d: Date): Buffer {
  const year = d.getUTCFullYear();
  if (!Number.isFinite(year) || year < 0 || year > 9999)
    throw new RangeError(`time out of range for X.509: ${String(d)}`);
  // YYMMDDHHMMSS or YYYYMMDDHHMMSS, then Z (RFC 5280 §4.1.2.5): built from the UTC fields, no string scanning.
  const monthDay = `${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}`;
  const rest = `${monthDay}${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}Z`;
  if (year >= 1950 && year < 2050) return tlv(0x17, Buffer.from(`${two(year % 100)}${rest}`, 'ascii'));
  return tlv(0x18, Buffer.from(`${String(year).padStart(4, '0')}${rest}`, 'ascii'));
}

export interface DerNode {
  tag: number;
  /** Offset of the tag byte. */
  start: number;
  /** Offset of the contents. */
  contentStart: number;
  end: number;
}

/** Reads the element at `pos` (bounded by `limit`); throws on malformed lengths. */
export function readNode(buf: Uint8Array, pos: number, limit = buf.length): DerNode {
  if (pos + 2 > limit) throw new Error('DER: truncated header');
  const tag = buf[pos]!;
  let p = pos + 1;
  const first = buf[p++]!;
  let len = first;
  if (first & 0x80) {
    const n = first & 0x7f;
    if (n === 0 || n > 4 || p + n > limit) throw new Error('DER: bad length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[p++]!;
  }
  if (p + len > limit) throw new Error('DER: element runs past its container');
  return { tag, start: pos, contentStart: p, end: p + len };
}

/** Children of a constructed element. */
export function children(buf: Uint8Array, node: DerNode): DerNode[] {
  const out: DerNode[] = [];
  let p = node.contentStart;
  while (p < node.end) {
    const c = readNode(buf, p, node.end);
    out.push(c);
    p = c.end;
  }
  return out;
}
