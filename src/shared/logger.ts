// Owns the process logger: pino, with secrets redacted wherever they might appear.

import pino, { type Logger } from 'pino';
import { redactUrl } from './secrets.ts';

export const REDACT_PATHS = [
  'password',
  '*.password',
  'authString',
  '*.authString',
  'capf.authString',
  'keyPem',
  '*.keyPem',
  'privateKey',
  '*.privateKey',
  'req.headers.authorization',
  'req.headers.cookie',
  'token',
  '*.token',
];

/** A logged URL or request path keeps its shape but never the value of a secret query parameter. */
const urlSerializer = (v: unknown) => (typeof v === 'string' ? redactUrl(v) : v);

/**
 * Secrets are redacted by key (REDACT_PATHS) and, for request lines, by serializer: every `url` or `path`
 * field of any log line (HTTP/HTTPS provisioning, the API's own `req` serializer does the same) loses the
 * values of secret query parameters (authString, password, token, …), whatever component logged it.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      serializers: { url: urlSerializer, path: urlSerializer },
      base: { service: 'opencapf' },
    },
    destination,
  );
}

export type { Logger };
