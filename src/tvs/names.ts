// Owns matching a QUERY's identifiers (issuer/subject text in CUCM or RFC 4514 form, raw serial bytes) to certificates.
//
// Why (tvs-protocol.md §6): the real 8861 sent `CN=…;OU=…;O=…` names and a raw 19-byte serial; CUCM looked
// the certificate up by serial + issuer. Certificates stored elsewhere carry RFC 4514 names (`CN=x, O=y`,
// the tlvfile form) and upper-case hex serials, so both sides are reduced to one comparable key.

/** Splits on unescaped `sep`, undoing RFC 4514 backslash escapes (`\,` and `\2C`). */
function splitUnescaped(text: string, sep: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length) {
      const hex = text.slice(i + 1, i + 3);
      if (/^[0-9a-fA-F]{2}$/.test(hex)) {
        current += String.fromCharCode(parseInt(hex, 16));
        i += 2;
      } else {
        current += text[i + 1]!;
        i += 1;
      }
    } else if (c === sep) {
      parts.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  parts.push(current);
  return parts;
}

/**
 * Order-, case- and spacing-insensitive form of a distinguished name. Names containing `;` are read as
 * CUCM's unescaped `;`-joined form; otherwise as RFC 4514 / tlvfile `,`-joined text with escapes.
 * Attribute types are upper-cased, values lower-cased with runs of spaces collapsed, and the
 * attributes sorted, so `CN=a;O=b` and `O=B, CN=a` give the same key.
 */
export function normaliseDistinguishedName(text: string): string {
  const trimmed = text.replace(/\0+$/, '').trim();
  const attributes = trimmed.includes(';') ? trimmed.split(';') : splitUnescaped(trimmed, ',');
  return attributes
    .map((a) => a.trim())
    .filter((a) => a.length > 0)
    .map((a) => {
      const eq = a.indexOf('=');
      if (eq < 0) return a.toLowerCase().replace(/\s+/g, ' ');
      const type = a.slice(0, eq).trim().toUpperCase();
      const value = a
        .slice(eq + 1)
        .trim()
        .replace(/\s+/g, ' ')
        .toLowerCase();
      return `${type}=${value}`;
    })
    .sort()
    .join(';');
}

/**
 * Upper-case hex of a serial with leading zero bytes removed, the same form as pki's
 * `CertificateInfo.serialHex` (a DER INTEGER may carry one 0x00 sign byte the phone might not send).
 */
export function serialKey(serial: Uint8Array | string): string {
  let hex =
    typeof serial === 'string'
      ? serial.replace(/[^0-9a-fA-F]/g, '').toUpperCase()
      : Buffer.from(serial).toString('hex').toUpperCase();
  if (hex.length % 2) hex = `0${hex}`;
  while (hex.length > 2 && hex.startsWith('00')) hex = hex.slice(2);
  return hex;
}

/** Index key of a certificate by (serial, issuer), the pair CUCM matched on ("Unique MAP ID: <serial><issuer>"). */
export function issuerSerialKey(issuerName: string, serial: Uint8Array | string): string {
  return `${serialKey(serial)}|${normaliseDistinguishedName(issuerName)}`;
}
