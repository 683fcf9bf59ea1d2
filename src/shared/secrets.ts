// Owns constant-time comparison and redaction of secrets for logs.

import { createHash, timingSafeEqual } from 'node:crypto';

/** Compares two secrets in time independent of where they differ (digests equalise lengths). */
export function constantTimeEqual(a: string | Uint8Array, b: string | Uint8Array): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}

export const REDACTED = '[redacted]';

/**
 * Query parameter names whose values are secrets (compared in lower case, without "-" and "_"): they are
 * never accepted in an API URL, and redacted wherever a URL is logged.
 */
export const SECRET_PARAM_NAMES: ReadonlySet<string> = new Set([
  'authstring',
  'password',
  'currentpassword',
  'newpassword',
  'passphrase',
  'token',
  'accesstoken',
  'secret',
  'apikey',
  'key',
  'privatekey',
  'sessionid',
]);

/** Is this query parameter name a secret (authString, password, token, …; "auth_string" and "apiKey" too)? */
export function isSecretParam(name: string): boolean {
  const n = name.toLowerCase().replace(/[-_]/g, '');
  return SECRET_PARAM_NAMES.has(n) || /(secret|password|token)/.test(n);
}

/** The secret query parameter names present in a URL (as sent), for refusing them. */
export function secretParamsIn(url: string): string[] {
  const q = url.indexOf('?');
  if (q < 0) return [];
  const found: string[] = [];
  for (const name of new URLSearchParams(url.slice(q + 1)).keys())
    if (isSecretParam(name) && !found.includes(name)) found.push(name);
  return found;
}

/**
 * A URL safe to log: the value of every secret query parameter replaced by [redacted]; the rest kept as
 * sent. Works on the raw text (no decoding and re-encoding), so what is logged is what came in, minus secrets.
 */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const hash = url.indexOf('#', q);
  const query = url.slice(q + 1, hash < 0 ? undefined : hash);
  const redacted = query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq < 0) return pair;
      // URLSearchParams decodes the name as the server will (leniently: a bad escape stays as text).
      const name = [...new URLSearchParams(pair).keys()][0] ?? '';
      return isSecretParam(name) ? `${pair.slice(0, eq)}=${REDACTED}` : pair;
    })
    .join('&');
  return `${url.slice(0, q + 1)}${redacted}${hash < 0 ? '' : url.slice(hash)}`;
}
