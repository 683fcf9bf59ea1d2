// Owns the few DER pieces CRLs and OCSP need beyond pki/der.ts: GeneralizedTime, ENUMERATED, INTEGER.

import { tlv, unsignedInteger } from '../pki/der.ts';

/** GeneralizedTime YYYYMMDDHHMMSSZ (OCSP times are always GeneralizedTime, RFC 6960 §4.2.2.1). */
export function generalizedTime(d: Date): Buffer {
  const iso = d.toISOString();
  return tlv(0x18, Buffer.from(`${iso.slice(0, 19).replace(/[-T:]/g, '')}Z`, 'ascii'));
}

export function enumerated(n: number): Buffer {
  return tlv(0x0a, Uint8Array.of(n));
}

/** A non-negative INTEGER from a JavaScript integer or a bigint. */
export function integer(n: number | bigint): Buffer {
  let hex = BigInt(n).toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  return unsignedInteger(Buffer.from(hex, 'hex'));
}

/** INTEGER from hex magnitude (a certificate serial as stored: upper-case, no separators). */
export function serialInteger(serialHex: string): Buffer {
  const hex = serialHex.length % 2 ? `0${serialHex}` : serialHex;
  return unsignedInteger(Buffer.from(hex, 'hex'));
}

/** Canonical form of a serial for comparisons: upper-case hex without leading zero bytes. */
export function normalizeSerialHex(hex: string): string {
  let h = hex.replace(/[\s:]/g, '').toUpperCase();
  if (h.length % 2) h = `0${h}`;
  while (h.length > 2 && h.startsWith('00')) h = h.slice(2);
  return h;
}
