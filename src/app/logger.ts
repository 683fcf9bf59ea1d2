// Owns the process logger: pino, with secrets redacted wherever they might appear.

import pino, { type Logger } from 'pino';

export const REDACT_PATHS = [
  'password', '*.password', 'authString', '*.authString', 'capf.authString', 'keyPem', '*.keyPem', 'privateKey', '*.privateKey',
  'req.headers.authorization', 'req.headers.cookie', 'token', '*.token',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { service: 'opencapf' } }, destination);
}

export type { Logger };
