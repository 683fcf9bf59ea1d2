// Owns the list of listeners `opencapf serve` starts, in order. Add a listener here.

import type { ListenerFactory } from './types.ts';
import { startCapfListener } from './capf.ts';
import { startApiListener } from './api.ts';
import { startTftpListener } from './tftp.ts';
import { startHttpListener } from './http.ts';
import { startHttpsListener } from './https.ts';
import { startTvsListener } from './tvs.ts';

export const LISTENER_FACTORIES: readonly ListenerFactory[] = [startCapfListener, startTvsListener, startTftpListener, startHttpListener, startHttpsListener, startApiListener];
export type { ListenerFactory, StartedListener } from './types.ts';
