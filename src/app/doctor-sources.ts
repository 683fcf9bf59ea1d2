// Owns building the doctor's sources from an AppServices: in `serve` (the API) the running listeners' ports,
// in the CLI the configured ones; the CAPF host name and pinned files from provisioning. It lives in app/
// (which owns the context) so that doctor/ never imports app/.

import type { AppServices } from './context.ts';
import { createResolver, type Resolver } from '../emulator/resolver.ts';
import type { DoctorSources, Endpoint } from '../doctor/index.ts';
import { tlsPolicies } from '../config/index.ts';
import { IDENTITIES, identityProblems, type IdentityName } from '../pki/index.ts';

export interface DoctorContextOptions {
  /** How phones resolve names (hosts-file overrides for labs); default: the system resolver. */
  resolve?: Resolver;
  /** Extra TFTP nodes (host:port) to fetch ITLs from, besides this one. */
  extraTftpNodes?: Endpoint[];
  timeoutMs?: number;
}

/** A wildcard bind address is reached on loopback. */
function local(host: string): string {
  return host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
}

/** `serve` records its started listeners on the context; their real ports win over the configured ones (port 0). */
type RunningContext = Pick<
  AppServices,
  'config' | 'clock' | 'identities' | 'store' | 'provisioning' | 'itlStatus' | 'manufacturingTrust'
> & {
  listeners?: readonly { name: string; port: number }[];
};

export function doctorSourcesFromContext(ctx: RunningContext, o: DoctorContextOptions = {}): DoctorSources {
  const c = ctx.config;
  const running = new Map((ctx.listeners ?? []).map((l) => [l.name, l.port]));
  const port = (name: string, configured: number) => running.get(name) ?? configured;
  const host = local(c.host);
  return {
    now: () => ctx.clock.now(),
    capfCertificate: () => ctx.identities.get('capf').certificate,
    expiryWarningDays: c['pki.expiryWarningDays'],
    capfEnabled: c['capf.enabled'],
    capfLocal: { host, port: port('capf', c['capf.port']) },
    capfPublic: { name: ctx.provisioning.publicHost, port: c['capf.port'] },
    tvs: c['tvs.enabled'] ? { host, port: port('tvs', c['tvs.port']) } : null,
    tftpNodes: [
      ...(c['tftp.enabled'] ? [{ host, port: port('tftp', c['tftp.port']) }] : []),
      ...(o.extraTftpNodes ?? []),
    ],
    resolve: o.resolve ?? createResolver(),
    authFailureLimit: c['capf.authFailureLimit'],
    manufacturingCaConfigured: ctx.manufacturingTrust.cachedCertificates().length > 0,
    getPhone: (d) => ctx.store.phones.getPhone(d),
    recentSessions: (d, limit) => ctx.store.phones.listSessions(d, limit),
    async itlServed(d) {
      const r = await ctx.itlStatus.get(d);
      if (!r || r.status === 'never' || !r.itlSha1 || !r.servedAt) return null;
      return {
        status: r.status,
        sha1: r.itlSha1,
        servedAt: r.servedAt,
        servedCount: r.servedCount,
        lastCapfSessionAt: r.lastCapfSessionAt,
      };
    },
    profileAuthMode: async (name) => (await ctx.store.phones.getProfile(name))?.authMode ?? null,
    pinnedFiles: () => ctx.provisioning.pinned(),
    tlsPolicies: () => tlsPolicies(c),
    identityProblems: () =>
      (Object.keys(IDENTITIES) as IdentityName[]).map((name) => ({
        name,
        problems: identityProblems(IDENTITIES[name].role, ctx.identities.get(name).certificate.der).map(
          (p) => `${p.extension}: ${p.missing} (${p.why})`,
        ),
      })),
    ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}),
  };
}
