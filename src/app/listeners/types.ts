// Owns the contract every entry of `opencapf serve`'s listener registry implements (network listeners and
// the background jobs), and the runtime registry of the ones started.

import type { AppServices } from '../context.ts';

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
 * Starts one registry entry from the slice of the services it declares (S), or returns null when
 * configuration disables it. The registry is read only by entries that report on the others (the API).
 */
export type ListenerFactory<S extends Partial<AppServices> = AppServices> = (services: S, running?: ListenerRegistry) => Promise<StartedListener | null>;
