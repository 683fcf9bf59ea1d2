// Owns the list of listeners `opencapf serve` starts, in order. Add a listener here.

import type { ListenerFactory } from './types.ts';
import { startCapfListener } from './capf.ts';
import { startApiListener } from './api.ts';

export const LISTENER_FACTORIES: readonly ListenerFactory[] = [startCapfListener, startApiListener];
export type { ListenerFactory, StartedListener } from './types.ts';
