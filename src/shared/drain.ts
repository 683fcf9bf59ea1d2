// Owns the plumbing every HTTP(S) listener shares: binding with a translated error, a delay that never
// keeps the process alive, and the two-phase close (stop accepting, then drain up to a bound).

import type http from 'node:http';

/** Resolves after ms, or at once for 0; its timer never keeps the process alive. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => (ms > 0 ? setTimeout(resolve, ms).unref() : resolve()));
}

/** Listens on host:port; a bind failure is rejected as onError(e). Resolves with the bound port. */
export async function listen(
  server: http.Server,
  host: string,
  port: number,
  onError: (e: unknown) => Error,
): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    const fail = (e: unknown) => reject(onError(e));
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      resolve();
    });
  });
  const addr = server.address();
  return typeof addr === 'object' && addr ? addr.port : port;
}

/**
 * Two-phase close of an HTTP(S) server: stopAccepting closes the listening socket (and, in Node, the idle
 * keep-alive connections); stop waits for requests in flight up to drainMs, then closes every connection.
 */
export function drainable(server: http.Server): { stopAccepting(): void; stop(drainMs?: number): Promise<void> } {
  let closed: Promise<void> | null = null;
  const stopAccepting = () => {
    closed ??= new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return {
    stopAccepting,
    async stop(drainMs = 0) {
      stopAccepting();
      await Promise.race([closed, delay(drainMs)]);
      server.closeAllConnections();
      await closed;
    },
  };
}
