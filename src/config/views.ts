// Owns how the options of the one schema group into the settings each part of OpenCAPF takes: one function per
// part, plain objects (config/ imports no domain code; each part's factory accepts its view by structure), so
// that the composition root only wires objects and a renamed option is changed here and in the schema.

import { availableParallelism, totalmem } from 'node:os';
import type { Config } from './schema.ts';
import { AppError } from '../shared/errors.ts';
import {
  resolveTlsPolicy,
  tlsServerOptions,
  TLS_LISTENERS,
  type EffectiveTlsPolicy,
  type TlsListener,
} from '../shared/tls-policy.ts';

const MINUTE_MS = 60_000;

/** The certificate monitor (monitor/service.ts) and its senders (notify/). */
export function monitorSettings(c: Config) {
  return {
    node: c['cluster.nodeName'],
    listPerWindow: c['monitor.listPerWindow'],
    deliveryAttempts: c['monitor.deliveryAttempts'],
    retryBackoffMs: c['monitor.retryBackoffMs'],
    retryBackoffMaxMs: c['monitor.retryBackoffMaxMs'],
    sendTimeoutMs: c['monitor.sendTimeoutMs'],
  };
}

/** The node's identities (pki/identities.ts). */
export function identitySettings(c: Config) {
  return {
    nodeName: c['cluster.nodeName'],
    subject: {
      organization: c['pki.organization'] ?? undefined,
      organizationalUnit: c['pki.organizationalUnit'] ?? undefined,
      locality: c['pki.locality'] ?? undefined,
      state: c['pki.state'] ?? undefined,
      country: c['pki.country'] ?? undefined,
    },
    capfKeyType: c['pki.capfKeyType'],
    capfValidityDays: c['pki.capfValidityDays'],
  };
}

/** The CAPF CA's LSC profile (pki/capf-ca.ts), without the manufacturing CA file's content. */
export function capfCaSettings(c: Config) {
  return { lscValidityDays: c['capf.lscValidityDays'], crlUrl: c['capf.crlUrl'], ocspUrl: c['capf.ocspUrl'] };
}

/** CRLs, OCSP and the unacknowledged-LSC sweep (revocation/service.ts). */
export function revocationSettings(c: Config) {
  return {
    crlValidityHours: c['revocation.crlValidityHours'],
    crlRefreshMinutes: c['revocation.crlRefreshMinutes'],
    ocspValidityMinutes: c['revocation.ocspValidityMinutes'],
    unacknowledgedGraceHours: c['revocation.unacknowledgedGraceHours'],
  };
}

/** Trust lists, phone configurations and the TVS authority (provisioning/service.ts); publicHost resolved by it. */
export function provisioningSettings(c: Config) {
  return {
    nodeName: c['cluster.nodeName'],
    mixedMode: c['cluster.mixedMode'],
    transitionHours: c['itl.transitionHours'],
    callManagers: c['provisioning.callManagers'],
    loadInformation: c['provisioning.loadInformation'],
    staticDir: c['provisioning.staticDir'],
    capfPort: c['capf.port'],
    tvsPort: c['tvs.port'],
    tvsEnabled: c['tvs.enabled'],
    tvsTtlSeconds: c['tvs.ttlSeconds'],
  };
}

/** The CAPF TLS listener's limits and conversation settings (capf/server.ts), without its collaborators. */
export function capfServerSettings(c: Config) {
  return {
    host: c.host,
    port: c['capf.port'],
    settings: {
      wireStyle: c['capf.wireStyle'],
      responseTimeoutMs: c['capf.responseTimeoutMs'],
      keyGenerationTimeoutMs: c['capf.keyGenerationTimeoutMs'],
    },
    ...capfAdmissionLimits(c),
    maxPerClient: c['capf.maxPerClient'],
    queueTimeoutMs: c['capf.queueTimeoutMs'],
    handshakeTimeoutMs: c['capf.handshakeTimeoutMs'],
    maxMessageBytes: c['capf.maxMessageBytes'],
    tls: tlsServerOptions(tlsPolicyOf(c, 'capf')),
  };
}

/** The TVS listener's connection limits (tvs/server.ts). */
export function tvsLimits(c: Config) {
  return {
    maxConnections: c['tvs.maxConnections'],
    maxPerClient: c['tvs.maxPerClient'],
    idleTimeoutMs: 30_000,
    handshakeTimeoutMs: 10_000,
    maxRequestsPerConnection: 16,
  };
}

/** The REST API server's timeouts (Fastify/Node) and connection defences (api/server-limits.ts). */
export function apiServerSettings(c: Config) {
  return {
    timeouts: {
      headersTimeoutMs: c['api.headersTimeoutMs'],
      requestTimeoutMs: c['api.requestTimeoutMs'],
      keepAliveTimeoutMs: c['api.keepAliveTimeoutMs'],
    },
    limits: {
      maxConnections: c['api.maxConnections'],
      maxPerClient: c['api.maxPerClient'],
      bodyTimeoutMs: c['api.bodyTimeoutMs'],
    },
  };
}

/** Web sessions and the login throttle (access/service.ts). */
export function accessSettings(c: Config) {
  return { sessionTtlMs: c['api.sessionTtlMinutes'] * MINUTE_MS, maxFailures: c['api.loginMaxFailures'] };
}

/** The LSC renewal policy (bulk/renewal.ts). */
export function renewalSettings(c: Config) {
  return {
    enabled: c['renewal.enabled'],
    windowDays: c['renewal.windowDays'],
    authMode: c['renewal.authMode'],
    deadlineHours: c['renewal.deadlineHours'],
  };
}

/**
 * The TLS policy of one listener (shared/tls-policy.ts): its profile and overrides. The deprecated
 * capf.legacyTls turns the CAPF and TVS profiles into legacy-7900 (what it did before policies existed) and
 * is refused beside any other explicit profile there. Throws ERR_CONFIG_INVALID naming the option.
 */
export function tlsPolicyOf(c: Config, listener: TlsListener): EffectiveTlsPolicy {
  let profile = c[`tls.${listener}.profile`];
  if (c['capf.legacyTls'] && (listener === 'capf' || listener === 'tvs')) {
    if (profile !== 'compatible' && profile !== 'legacy-7900')
      throw new AppError(
        'ERR_CONFIG_INVALID',
        `capf.legacyTls is true (legacy-7900) but tls.${listener}.profile is ${profile}: drop capf.legacyTls ` +
          '(deprecated) and set the profiles you want',
      );
    profile = 'legacy-7900';
  }
  return resolveTlsPolicy(listener, {
    profile,
    minVersion: c[`tls.${listener}.minVersion`],
    maxVersion: c[`tls.${listener}.maxVersion`],
    ciphers: c[`tls.${listener}.ciphers`],
    groups: c[`tls.${listener}.groups`],
  });
}

/** Every TLS listener's policy (doctor, status). */
export function tlsPolicies(c: Config): EffectiveTlsPolicy[] {
  return TLS_LISTENERS.map((l) => tlsPolicyOf(c, l));
}

/** Memory a held CAPF session is budgeted at (measured by bench/capf-wave.ts; docs/capf.md). */
export const HELD_SESSION_BYTES = 40 * 1024;

/**
 * The CAPF admission limits with the automatic defaults resolved: capf.maxSessions 0 = an eighth of the
 * machine's memory at HELD_SESSION_BYTES each (1,024..100,000); capf.maxHandshakes 0 = 32 per CPU core.
 */
export function capfAdmissionLimits(
  c: Config,
  machine: { totalMemoryBytes: number; cores: number } = {
    totalMemoryBytes: totalmem(),
    cores: availableParallelism(),
  },
) {
  const autoSessions = Math.min(100_000, Math.max(1024, Math.floor(machine.totalMemoryBytes / 8 / HELD_SESSION_BYTES)));
  return {
    maxSessions: c['capf.maxSessions'] || autoSessions,
    maxHandshakes: c['capf.maxHandshakes'] || 32 * Math.max(1, machine.cores),
    maxQueued: c['capf.maxQueued'],
  };
}
