// Owns turning a listener's bind failure into an error that names the option and flag to change.

import { AppError, isAppError } from './errors.ts';

/** EACCES (port < 1024 without privilege) and EADDRINUSE become ERR_PORT_IN_USE naming `flag`. */
export function bindError(service: string, host: string, port: number, key: string, flag: string, e: unknown): Error {
  const cause = isAppError(e) && e.cause ? e.cause : e;
  const code =
    (cause as NodeJS.ErrnoException)?.code ??
    (isAppError(e) ? (e.details as { code?: string } | undefined)?.code : undefined);
  const why =
    code === 'EACCES'
      ? `permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)`
      : code === 'EADDRINUSE'
        ? 'the port is already in use'
        : ((cause as Error)?.message ?? String(cause));
  return new AppError(
    'ERR_PORT_IN_USE',
    `${service} cannot listen on ${host}:${port}: ${why}; choose another port with ${flag} (config ${key})`,
    { code },
    { cause: e },
  );
}
