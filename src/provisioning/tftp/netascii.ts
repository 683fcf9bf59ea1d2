// Owns netascii conversion (RFC 1350 §1 / RFC 764): LF <-> CR LF and bare CR <-> CR NUL.

const CR = 0x0d;
const LF = 0x0a;

/** Local text (LF line ends) to netascii: LF -> CR LF, CR -> CR NUL. */
export function toNetascii(src: Uint8Array): Buffer {
  let extra = 0;
  for (const b of src) if (b === LF || b === CR) extra++;
  if (extra === 0) return Buffer.from(src);
  const out = Buffer.allocUnsafe(src.length + extra);
  let o = 0;
  for (const b of src) {
    if (b === LF) {
      out[o++] = CR;
      out[o++] = LF;
    } else if (b === CR) {
      out[o++] = CR;
      out[o++] = 0;
    } else {
      out[o++] = b;
    }
  }
  return out;
}

/** Netascii to local text: CR LF -> LF, CR NUL -> CR; any other CR is kept as it is. */
export function fromNetascii(src: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(src.length);
  let o = 0;
  for (let i = 0; i < src.length; i++) {
    const b = src[i]!;
    const next = src[i + 1];
    if (b === CR && next === LF) {
      out[o++] = LF;
      i++;
    } else if (b === CR && next === 0) {
      out[o++] = CR;
      i++;
    } else {
      out[o++] = b;
    }
  }
  return out.subarray(0, o);
}
