// Owns the signature of an entry of `opencapf serve`'s listener registry (the contract of a started entry
// and the runtime registry are shared/listener.ts).

import type { AppServices } from '../context.ts';
import type { ListenerRegistry, StartedListener } from '../../shared/listener.ts';

export { createListenerRegistry, type ListenerRegistry, type StartedListener } from '../../shared/listener.ts';

/**
 * Starts one registry entry from the slice of the services it declares (S), or returns null when
 * configuration disables it. The registry is read only by entries that report on the others (the API).
 */
export type ListenerFactory<S extends Partial<AppServices> = AppServices> = (
  services: S,
  running?: ListenerRegistry,
) => Promise<StartedListener | null>;
