// Owns `opencapf serve`: start every listener, report where they listen, stop them in reverse order.

import type { AppContext } from './context.ts';
import { describeCapfExpiry } from './status.ts';
import { LISTENER_FACTORIES, type StartedListener } from './listeners/index.ts';

export interface RunningServer {
  listeners: StartedListener[];
  /** Port of each started listener by name (capf, tftp, http, …). */
  ports: Record<string, number>;
  stop(): Promise<void>;
}

export async function startServices(ctx: AppContext): Promise<RunningServer> {
  const { logger } = ctx;
  const expiry = describeCapfExpiry(ctx);
  if (expiry.level !== 'ok') logger.warn({ notAfter: expiry.notAfter }, expiry.message);
  const started: StartedListener[] = [];
  ctx.listeners = started;
  try {
    for (const factory of LISTENER_FACTORIES) {
      const l = await factory(ctx);
      if (!l) continue;
      started.push(l);
      logger.info({ listener: l.name, host: l.host, port: l.port }, `${l.name} listening on ${l.host}:${l.port}`);
    }
  } catch (e) {
    for (const s of [...started].reverse()) await s.stop();
    throw e;
  }
  return {
    listeners: started,
    ports: Object.fromEntries(started.map((l) => [l.name, l.port])),
    async stop() {
      for (const s of [...started].reverse()) await s.stop();
    },
  };
}
