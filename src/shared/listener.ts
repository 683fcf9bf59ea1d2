// Owns the contract every long-running part of `opencapf serve` implements (network listeners and background
// jobs), the runtime registry of the ones started, and the two-phase stop of a set of them.

export interface StartedListener {
  /** Short name shown in status and logs: capf, tftp, http, https, tvs, api, jobs. */
  name: string;
  /** Background work (timers, workers): no socket, so host '' and port 0, and not listed as listening. */
  background?: boolean;
  host: string;
  port: number;
  /**
   * Shutdown phase 1: stop accepting new connections (TCP: close the listening socket) or requests (TFTP)
   * or new work (jobs) at once. Synchronous, so that `serve` stops every listener in the same tick.
   */
  stopAccepting(): void;
  /**
   * Shutdown phase 2: stops accepting (if not yet), lets in-flight work finish for up to drainMs, then
   * destroys what is left and stops the listener's background work. Resolves when everything is closed.
   */
  stop(drainMs?: number): Promise<void>;
  /** Sessions in progress, for listeners that have them (CAPF). */
  activeSessions?(): number;
}

/** What `serve` has started so far, in start order; read by the status page, doctor and metrics. */
export interface ListenerRegistry {
  list(): readonly StartedListener[];
  add(l: StartedListener): void;
  remove(name: string): void;
  get(name: string): StartedListener | undefined;
}

export function createListenerRegistry(): ListenerRegistry {
  const started: StartedListener[] = [];
  return {
    list: () => started,
    add: (l) => void started.push(l),
    remove(name) {
      const i = started.findIndex((l) => l.name === name);
      if (i >= 0) started.splice(i, 1);
    },
    get: (name) => started.find((l) => l.name === name),
  };
}

/**
 * Phase 1 on every listener (synchronously, so none accepts after another stopped), then phase 2 in
 * parallel, each bounded by drainMs. Rejects with the first failure once all have settled.
 */
export async function stopListeners(listeners: readonly StartedListener[], drainMs: number): Promise<void> {
  for (const l of listeners) l.stopAccepting();
  const results = await Promise.allSettled(listeners.map((l) => l.stop(drainMs)));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/** A started server with a two-phase stop as a registry entry; `release` runs as it stops, `flush` after. */
export function listenerOf(
  name: string,
  at: { host: string; port: number },
  server: { stopAccepting(): void; stop(drainMs?: number): Promise<void> },
  hooks: { release?: () => void; flush?: () => void } = {},
): StartedListener {
  return {
    name,
    host: at.host,
    port: at.port,
    stopAccepting: () => server.stopAccepting(),
    async stop(drainMs) {
      hooks.release?.();
      await server.stop(drainMs);
      hooks.flush?.();
    },
  };
}
