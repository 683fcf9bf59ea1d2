// Owns bounded big-endian byte reading and writing for the pure codecs.

import { CodecError } from './errors.ts';

/** Reads big-endian integers and slices from a buffer; never reads past `end`. */
export class ByteReader {
  private pos: number;
  constructor(
    readonly buf: Uint8Array,
    start = 0,
    readonly end = buf.length,
  ) {
    if (start < 0 || end > buf.length || start > end)
      throw new CodecError('ERR_CODEC_TRUNCATED', 'reader bounds outside buffer');
    this.pos = start;
  }
  get offset(): number {
    return this.pos;
  }
  get remaining(): number {
    return this.end - this.pos;
  }
  private need(n: number, what: string): void {
    if (n > this.end - this.pos) {
      throw new CodecError(
        'ERR_CODEC_TRUNCATED',
        `${what}: need ${n} bytes at offset ${this.pos}, have ${this.end - this.pos}`,
      );
    }
  }
  u8(what = 'u8'): number {
    this.need(1, what);
    return this.buf[this.pos++]!;
  }
  u16(what = 'u16'): number {
    this.need(2, what);
    const v = (this.buf[this.pos]! << 8) | this.buf[this.pos + 1]!;
    this.pos += 2;
    return v;
  }
  u32(what = 'u32'): number {
    this.need(4, what);
    const b = this.buf;
    const p = this.pos;
    const v = ((b[p]! << 24) >>> 0) + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!);
    this.pos += 4;
    return v;
  }
  bytes(n: number, what = 'bytes'): Uint8Array {
    this.need(n, what);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  skip(n: number, what = 'skip'): void {
    this.need(n, what);
    this.pos += n;
  }
}

/** Accumulates big-endian fields; `finish()` returns one contiguous Buffer. */
export class ByteWriter {
  private chunks: Uint8Array[] = [];
  private len = 0;
  get length(): number {
    return this.len;
  }
  u8(v: number): this {
    return this.push(Uint8Array.of(v & 0xff));
  }
  u16(v: number): this {
    if (v < 0 || v > 0xffff || !Number.isInteger(v)) throw new RangeError(`u16 out of range: ${v}`);
    return this.push(Uint8Array.of(v >>> 8, v & 0xff));
  }
  u32(v: number): this {
    if (v < 0 || v > 0xffffffff || !Number.isInteger(v)) throw new RangeError(`u32 out of range: ${v}`);
    return this.push(Uint8Array.of(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff));
  }
  bytes(b: Uint8Array): this {
    return this.push(b);
  }
  private push(b: Uint8Array): this {
    this.chunks.push(b);
    this.len += b.length;
    return this;
  }
  finish(): Buffer {
    return Buffer.concat(this.chunks, this.len);
  }
}

/** Parses a hex dump with spaces, newlines and `#`/`|` comments (test vectors). */
export function hexToBytes(hex: string): Buffer {
  const clean = hex
    .split('\n')
    .map((l) => l.replace(/[#|].*$/, ''))
    .join('')
    .replace(/[^0-9a-fA-F]/g, '');
  if (clean.length % 2) throw new Error('odd-length hex');
  return Buffer.from(clean, 'hex');
}
