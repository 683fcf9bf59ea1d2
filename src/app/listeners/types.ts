// Owns the contract every network listener of `opencapf serve` implements.

import type { AppContext } from '../context.ts';

export interface StartedListener {
  /** Short name shown in status and logs: capf, tftp, http, https, tvs, api. */
  name: string;
  host: string;
  port: number;
  /** Stops accepting and drains what is in flight (bounded by the listener's own drain setting). */
  stop(): Promise<void>;
}

/** Returns null when the listener is disabled by configuration. */
export type ListenerFactory = (ctx: AppContext) => Promise<StartedListener | null>;

export type { HttpExtension, HttpExtensionRequest, HttpExtensionResponse } from '../../provisioning/http-extension.ts';
