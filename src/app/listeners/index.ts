// Owns the registry of what `opencapf serve` starts, in order: the network listeners and the background
// jobs (independent of the API, so api.enabled=false still renews LSCs). Add an entry here.

import type { AppServices } from '../context.ts';
import type { ListenerFactory } from './types.ts';
import { startCapfListener } from './capf.ts';
import { startApiListener } from './api.ts';
import { startTftpListener } from './tftp.ts';
import { startHttpListener, startHttpsListener } from './http.ts';
import { startTvsListener } from './tvs.ts';
import { startBackgroundJobs } from './jobs.ts';

export const LISTENER_FACTORIES: readonly ListenerFactory<AppServices>[] = [
  startCapfListener,
  startTvsListener,
  startTftpListener,
  startHttpListener,
  startHttpsListener,
  startApiListener,
  startBackgroundJobs,
];
export { createListenerRegistry, type ListenerFactory, type ListenerRegistry, type StartedListener } from './types.ts';
