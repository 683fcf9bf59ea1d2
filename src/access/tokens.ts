// Owns the secrets handed to clients: API tokens (`ocapf_<id>_<secret>`) and browser session ids. Only their
// SHA-256 is stored; a presented secret is compared by digest in constant time.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const TOKEN_PREFIX = 'ocapf_';
const TOKEN_RE = /^ocapf_([a-f0-9]{16})_([A-Za-z0-9_-]{43})$/;

/** SHA-256, hex: what the store keeps of a token secret or a session id. */
export const secretDigest = (s: string) => createHash('sha256').update(s).digest('hex');

/** A new token: its id (public, the key in the store), the secret, and the string the client keeps. */
export function newApiToken(): { id: string; secret: string; token: string } {
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { id, secret, token: `${TOKEN_PREFIX}${id}_${secret}` };
}

/** The id and secret of a presented token; null when it is not one of ours. */
export function parseApiToken(token: string): { id: string; secret: string } | null {
  const m = TOKEN_RE.exec(token);
  return m ? { id: m[1]!, secret: m[2]! } : null;
}

/** Does the presented secret match the stored digest (constant time)? */
export function secretMatches(secret: string, storedDigestHex: string): boolean {
  const got = Buffer.from(secretDigest(secret), 'hex');
  const want = Buffer.from(storedDigestHex, 'hex');
  return got.length === want.length && timingSafeEqual(got, want);
}

export function newSessionId(): string {
  return randomBytes(32).toString('base64url');
}
