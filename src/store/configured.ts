// Owns opening the store the configuration names (store.* options), with its start-up wait and health
// transitions logged: one line per transition, never per query.

import type { Config } from '../config/index.ts';
import type { Logger } from '../shared/logger.ts';
import { openStore, type OpenStore } from './open.ts';

export function openConfiguredStore(
  config: Config,
  logger: Logger,
  o: { startupWaitSeconds?: number } = {},
): Promise<OpenStore> {
  return openStore({
    driver: config['store.driver'],
    dataDir: config.dataDir,
    postgresUrl: config['store.postgresUrl'],
    commitDelayMs: config['store.commitDelayMs'],
    startupWaitSeconds: o.startupWaitSeconds ?? config['store.startupWaitSeconds'],
    onWait: (w) => {
      const next = (w.nextInMs / 1000).toFixed(1);
      logger.warn(
        { target: w.target, attempt: w.attempt, code: w.code },
        `waiting for PostgreSQL at ${w.target}, attempt ${w.attempt}, next in ${next}s`,
      );
    },
    // The listeners keep answering meanwhile: CAPF refuses (phones retry), the API says 503.
    onHealthChange: (s, driver, target) => {
      const code = s.lastError?.code;
      if (s.available) return logger.warn({ store: driver, target, code }, `store available again (after ${code})`);
      const what = 'CAPF refuses phones (they retry), the API answers 503 until it recovers';
      logger.error({ store: driver, target, code, err: s.lastError?.message }, `store unavailable (${code}): ${what}`);
    },
  });
}
