// Owns constant-time comparison and redaction of secrets for logs.

import { createHash, timingSafeEqual } from 'node:crypto';

/** Compares two secrets in time independent of where they differ (digests equalise lengths). */
export function constantTimeEqual(a: string | Uint8Array, b: string | Uint8Array): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}

export const REDACTED = '[redacted]';
