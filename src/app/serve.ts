// Owns `opencapf serve`: start every entry of the listener registry, report where they listen, and stop
// them in two phases — every entry stops accepting in the same tick, then in-flight work drains in
// parallel, bounded.

import type { AppServices } from './context.ts';
import { describeCapfExpiry } from './status.ts';
import { tlsPolicies } from '../config/index.ts';
import { AppError } from '../shared/errors.ts';
import { IDENTITIES, describeIdentityProblems, identityProblems, type IdentityName } from '../pki/index.ts';
import type { CapfServer } from '../capf/server.ts';
import type { CapfListener } from './listeners/capf.ts';
import { LISTENER_FACTORIES } from './listeners/index.ts';
import {
  createListenerRegistry,
  stopListeners,
  type ListenerRegistry,
  type StartedListener,
} from '../shared/listener.ts';

export interface RunningServer {
  /** Every started entry, network listeners and background jobs (background: true). */
  listeners: readonly StartedListener[];
  /** The runtime registry the API's status page reads (the same entries as `listeners`). */
  registry: ListenerRegistry;
  /** The CAPF server when the CAPF listener runs (its stats; tests stop it alone). */
  capfServer?: CapfServer;
  /** Port of each started listener by name (capf, tftp, http, …). */
  ports: Record<string, number>;
  /**
   * Stops every listener accepting at once, then lets in-flight work on all of them finish for up to
   * drainMs (default capf.drainTimeoutMs), then closes what is left. Resolves when every listener is closed.
   */
  stop(drainMs?: number): Promise<void>;
}

export async function startServices(services: AppServices): Promise<RunningServer> {
  const { logger } = services;
  const expiry = describeCapfExpiry(services);
  if (expiry.level !== 'ok') logger.warn({ notAfter: expiry.notAfter }, expiry.message);
  checkIdentities(services);
  for (const p of tlsPolicies(services.config)) {
    const fields = { listener: p.listener, profile: p.profile, minVersion: p.minVersion, maxVersion: p.maxVersion };
    if (p.weaknesses.length) logger.warn({ ...fields, weaknesses: p.weaknesses }, `weak TLS policy on ${p.listener}`);
    else logger.debug(fields, `TLS policy of ${p.listener}`);
  }
  const registry = createListenerRegistry();
  try {
    for (const factory of LISTENER_FACTORIES) {
      const l = await factory(services, registry);
      if (!l) continue;
      registry.add(l);
      if (l.background) logger.info({ listener: l.name }, `${l.name} started`);
      else logger.info({ listener: l.name, host: l.host, port: l.port }, `${l.name} listening on ${l.host}:${l.port}`);
    }
  } catch (e) {
    await stopListeners(registry.list(), 0);
    throw e;
  }
  const started = registry.list();
  return {
    listeners: started,
    registry,
    ...(registry.get('capf') ? { capfServer: (registry.get('capf') as CapfListener).server } : {}),
    ports: Object.fromEntries(started.filter((l) => !l.background).map((l) => [l.name, l.port])),
    stop: (drainMs = services.config['capf.drainTimeoutMs']) => stopListeners(started, drainMs),
  };
}

/**
 * Refuse to start with an identity certificate phones would reject (pki/identity-requirements.ts): a clear
 * error naming the extension now instead of TLS failures on every phone later.
 */
function checkIdentities(services: Pick<AppServices, 'identities'>): void {
  const bad: string[] = [];
  for (const name of Object.keys(IDENTITIES) as IdentityName[]) {
    const problems = identityProblems(IDENTITIES[name].role, services.identities.get(name).certificate.der);
    if (problems.length) bad.push(`${name}: ${describeIdentityProblems(problems)}`);
  }
  if (bad.length)
    throw new AppError(
      'ERR_PKI_EXTENSION',
      `identity certificates lack what phones require — ${bad.join(' | ')}. Import a certificate issued with ` +
        'these extensions (opencapf cert csr NAME, then opencapf cert import NAME FILE) or regenerate it ' +
        '(opencapf cert regenerate NAME)',
    );
}
