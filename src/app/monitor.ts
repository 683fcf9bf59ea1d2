// Owns wiring the certificate monitor: its list of certificate sources over this node's services (one entry per
// class; a new source is one small function in monitor/sources.ts and one line here), its senders and its runner id.

import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { monitorSettings, type Config } from '../config/index.ts';
import type { Clock } from '../shared/clock.ts';
import type { OpenStore } from '../store/index.ts';
import type { IdentityService } from '../pki/index.ts';
import type { RevocationService } from '../revocation/index.ts';
import type { ManufacturingTrust } from '../provisioning/manufacturing-trust.ts';
import type { Metrics } from '../metrics/index.ts';
import {
  capfCaSource,
  chainSource,
  createMonitorService,
  crlSource,
  identitySource,
  manufacturingCaSource,
  phoneCertificateSource,
  type CertificateSource,
  type MonitorService,
  type PublishedCrlFacts,
} from '../monitor/index.ts';
import { createNotificationSenders } from '../notify/index.ts';

export function monitorSources(o: {
  identities: IdentityService;
  revocation: RevocationService;
  manufacturingTrust: ManufacturingTrust;
  store: OpenStore['monitor'];
}): CertificateSource[] {
  const crls = async (): Promise<PublishedCrlFacts[]> => {
    const out: PublishedCrlFacts[] = [];
    for (const g of ['current', 'previous'] as const) {
      const c = await o.revocation.crl(g);
      if (c) out.push({ generation: g, issuerDn: c.issuerDn, thisUpdate: c.thisUpdate, nextUpdate: c.nextUpdate });
    }
    return out;
  };
  return [
    capfCaSource(o.identities),
    identitySource(o.identities),
    chainSource(o.identities),
    crlSource(crls),
    manufacturingCaSource(() => o.manufacturingTrust.list()),
    phoneCertificateSource('lsc', o.store),
    phoneCertificateSource('mic', o.store),
  ];
}

export function createMonitor(o: {
  config: Config;
  clock: Clock;
  store: OpenStore;
  identities: IdentityService;
  revocation: RevocationService;
  manufacturingTrust: ManufacturingTrust;
  metrics: Pick<Metrics, 'monitorDeliveries'>;
}): MonitorService {
  const settings = monitorSettings(o.config);
  return createMonitorService({
    store: o.store.monitor,
    sources: monitorSources({ ...o, store: o.store.monitor }),
    senders: createNotificationSenders({
      timeoutMs: settings.sendTimeoutMs,
      clientName: o.config['cluster.publicHost'] ?? o.config['cluster.nodeName'],
    }),
    clock: o.clock,
    settings,
    runner: `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`,
    onAttempt: (a) => o.metrics.monitorDeliveries.inc({ kind: a.kind, status: a.status }),
  });
}
