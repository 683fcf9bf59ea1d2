// Owns `opencapf serve`: start every listener, report where they listen, and stop them in two phases —
// every listener stops accepting in the same tick, then in-flight work drains in parallel, bounded.

import type { AppContext } from './context.ts';
import { describeCapfExpiry } from './status.ts';
import { LISTENER_FACTORIES, type StartedListener } from './listeners/index.ts';

export interface RunningServer {
  listeners: StartedListener[];
  /** Port of each started listener by name (capf, tftp, http, …). */
  ports: Record<string, number>;
  /**
   * Stops every listener accepting at once, then lets in-flight work on all of them finish for up to
   * drainMs (default capf.drainTimeoutMs), then closes what is left. Resolves when every listener is closed.
   */
  stop(drainMs?: number): Promise<void>;
}

/** Phase 1 on every listener (synchronously, so no listener accepts after another stopped), then phase 2 in parallel. */
async function stopAll(listeners: readonly StartedListener[], drainMs: number): Promise<void> {
  for (const l of listeners) l.stopAccepting();
  const results = await Promise.allSettled(listeners.map((l) => l.stop(drainMs)));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
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
    await stopAll(started, 0);
    throw e;
  }
  return {
    listeners: started,
    ports: Object.fromEntries(started.map((l) => [l.name, l.port])),
    stop: (drainMs = ctx.config['capf.drainTimeoutMs']) => stopAll(started, drainMs),
  };
}
