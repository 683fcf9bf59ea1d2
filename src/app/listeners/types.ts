// Owns the contract every network listener of `opencapf serve` implements.

import type { AppContext } from '../context.ts';

export interface StartedListener {
  /** Short name shown in status and logs: capf, tftp, http, https, tvs, api. */
  name: string;
  host: string;
  port: number;
  /**
   * Shutdown phase 1: stop accepting new connections (TCP: close the listening socket) or requests (TFTP)
   * at once. Synchronous, so that `serve` stops every listener in the same tick; in-flight work goes on.
   */
  stopAccepting(): void;
  /**
   * Shutdown phase 2: stops accepting (if not yet), lets in-flight work finish for up to drainMs, then
   * destroys what is left and stops the listener's background work. Resolves when everything is closed.
   */
  stop(drainMs?: number): Promise<void>;
}

/** Returns null when the listener is disabled by configuration. */
export type ListenerFactory = (ctx: AppContext) => Promise<StartedListener | null>;

export type { HttpExtension, HttpExtensionRequest, HttpExtensionResponse } from '../../provisioning/http-extension.ts';
