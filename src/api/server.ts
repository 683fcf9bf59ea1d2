// Owns running the REST API's Fastify app as a listener: its connection defences (server-limits.ts), the
// bind with a translated error, and the two-phase stop (stop accepting, then drain up to a bound).

import type { FastifyInstance } from 'fastify';
import { AppError } from '../shared/errors.ts';
import { delay } from '../shared/drain.ts';
import type { StartedListener } from '../shared/listener.ts';
import { limitApiServer, type ApiServerLimits } from './server-limits.ts';

export async function startApiServer(
  app: FastifyInstance,
  o: { host: string; port: number; limits: ApiServerLimits },
): Promise<StartedListener> {
  const limitedLog = limitApiServer(app.server, o.limits);
  try {
    await app.listen({ host: o.host, port: o.port });
  } catch (e) {
    await app.close();
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      const where = `${o.host}:${o.port}`;
      throw new AppError('ERR_PORT_IN_USE', `REST API port ${where} is in use (api.port, --api-port)`, undefined, {
        cause: e,
      });
    }
    throw e;
  }
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : o.port;
  let closing: Promise<unknown> | null = null;
  const stopAccepting = (): Promise<unknown> => {
    // Stop listening now (resolves once every connection has closed); Fastify's close (its hooks) runs beside it.
    closing ??= Promise.all([new Promise<void>((resolve) => app.server.close(() => resolve())), app.close()]);
    return closing;
  };
  return {
    name: 'api',
    host: o.host,
    port,
    stopAccepting: () => void stopAccepting(),
    async stop(drainMs = 0) {
      const closed = stopAccepting();
      await Promise.race([closed, delay(drainMs)]);
      app.server.closeAllConnections();
      await closed;
      limitedLog.flush();
    },
  };
}
