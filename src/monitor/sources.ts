// Owns the list of certificate sources the monitor reads: one small function per class (the CAPF CA, node
// identities, their upstream chains, the CRLs, the manufacturing CAs, phone LSCs and MICs), each over the
// narrowest port that answers it. One more source (legacy LSC issuers, say) is one more entry.

import { CERT_CLASSES, type CertClass } from './classes.ts';
import { windowIndex, type ExpiryWindow } from './schedule.ts';
import type { MonitorStore } from './ports.ts';

/** One certificate (or CRL) as listed: what it is, and when it ends. */
export interface MonitoredCertificate {
  class: CertClass;
  /** What the reader recognises: "CAPF CA CN=…", "SEP001122334455", … */
  name: string;
  /** A second line: model, issuer, SHA-1 … */
  detail: string;
  notAfter: string;
}

export interface SourceQuery {
  now: Date;
  windows: readonly ExpiryWindow[];
  /** At most this many certificates listed per window (fleets: the rest are counted). */
  listLimit: number;
}

/** What a source found, window by window (aligned with the query's windows); error: it could not be read. */
export interface ClassReport {
  class: CertClass;
  windows: { count: number; items: MonitoredCertificate[] }[];
  error?: string;
}

export interface CertificateSource {
  class: CertClass;
  collect(q: SourceQuery): Promise<ClassReport>;
}

/** A source of a few certificates, read whole and put into windows here. */
export function listedSource(
  cls: CertClass,
  list: (now: Date) => MonitoredCertificate[] | Promise<MonitoredCertificate[]>,
): CertificateSource {
  return {
    class: cls,
    async collect(q) {
      const windows = q.windows.map(() => ({ count: 0, items: [] as MonitoredCertificate[] }));
      const all = [...(await list(q.now))].sort((a, b) => Date.parse(a.notAfter) - Date.parse(b.notAfter));
      for (const c of all) {
        const i = windowIndex(q.windows, Date.parse(c.notAfter) - q.now.getTime());
        if (i < 0) continue;
        windows[i]!.count++;
        if (windows[i]!.items.length < q.listLimit) windows[i]!.items.push(c);
      }
      return { class: cls, windows };
    },
  };
}

/** The part of a parsed certificate the identity sources read (pki's CertificateInfo has it). */
interface CertFacts {
  subjectDn: string;
  issuerDn: string;
  notAfter: Date;
  sha1: string;
}

/** What the identity sources read (pki's IdentityService has it). */
export interface IdentityPort {
  list(): readonly { name: string; certificate: CertFacts; chain: readonly CertFacts[] }[];
}

const certItem = (cls: CertClass, name: string, c: CertFacts): MonitoredCertificate => ({
  class: cls,
  name,
  detail: `issuer ${c.issuerDn}, SHA-1 ${c.sha1}`,
  notAfter: c.notAfter.toISOString(),
});

export function capfCaSource(ids: IdentityPort): CertificateSource {
  return listedSource('capf-ca', () =>
    ids
      .list()
      .filter((i) => i.name === 'capf')
      .map((i) => certItem('capf-ca', `CAPF CA ${i.certificate.subjectDn}`, i.certificate)),
  );
}

export function identitySource(ids: IdentityPort): CertificateSource {
  return listedSource('identity', () =>
    ids
      .list()
      .filter((i) => i.name !== 'capf')
      .map((i) => certItem('identity', `${i.name} ${i.certificate.subjectDn}`, i.certificate)),
  );
}

/** The CAs above every CA-signed identity (the CAPF CA signed by an enterprise CA, …), each once. */
export function chainSource(ids: IdentityPort): CertificateSource {
  return listedSource('chain', () => {
    const seen = new Map<string, MonitoredCertificate>();
    for (const i of ids.list())
      for (const c of i.chain)
        if (!seen.has(c.sha1)) seen.set(c.sha1, certItem('chain', `CA of ${i.name}: ${c.subjectDn}`, c));
    return [...seen.values()];
  });
}

export interface PublishedCrlFacts {
  generation: string;
  issuerDn: string;
  thisUpdate: Date;
  nextUpdate: Date;
}

/**
 * The CRLs of the current and previous CAPF CA. OpenCAPF re-signs a CRL every revocation.crlRefreshMinutes, so a
 * CRL is listed only once it is overdue: less than half of its validity left. `crls` reads (and re-signs when
 * due) the published CRLs; when it fails, that is reported as the source's error.
 */
export function crlSource(crls: () => Promise<PublishedCrlFacts[]>): CertificateSource {
  return listedSource('crl', async (now) =>
    (await crls())
      .filter((c) => c.nextUpdate.getTime() - now.getTime() < (c.nextUpdate.getTime() - c.thisUpdate.getTime()) / 2)
      .map((c) => ({
        class: 'crl' as const,
        name: `CRL of the ${c.generation} CAPF CA ${c.issuerDn}`,
        detail: `signed ${c.thisUpdate.toISOString()}; relying parties refuse it after its next update`,
        notAfter: c.nextUpdate.toISOString(),
      })),
  );
}

export function manufacturingCaSource(
  list: () => Promise<readonly { subject: string; sha1: string; notAfter: string; source: string }[]>,
): CertificateSource {
  return listedSource('manufacturing-ca', async () =>
    (await list()).map((c) => ({
      class: 'manufacturing-ca' as const,
      name: c.subject,
      detail: `SHA-1 ${c.sha1}, ${c.source === 'config' ? 'capf.manufacturingCaFile' : 'managed'}`,
      notAfter: c.notAfter,
    })),
  );
}

/** Phone LSCs or MICs: counted per window in the store, the soonest of each listed. */
export function phoneCertificateSource(
  kind: 'lsc' | 'mic',
  store: Pick<MonitorStore, 'phoneCertificates'>,
): CertificateSource {
  return {
    class: kind,
    async collect(q) {
      const nowMs = q.now.getTime();
      const iso = (ms: number) => new Date(nowMs + ms).toISOString();
      const ranges = q.windows.map((w) => ({
        afterIso: w.fromMs === null ? null : iso(w.fromMs),
        untilIso: iso(w.toMs),
      }));
      const found = await store.phoneCertificates(kind, ranges, q.listLimit);
      return {
        class: kind,
        windows: found.map((f) => ({
          count: f.count,
          items: f.items.map((p) => ({ class: kind, name: p.deviceName, detail: p.model, notAfter: p.notAfter })),
        })),
      };
    },
  };
}

/** Reads one source; a failure becomes the report's error (the digest says so) instead of stopping the run. */
export async function collectSafely(s: CertificateSource, q: SourceQuery): Promise<ClassReport> {
  try {
    return await s.collect(q);
  } catch (e) {
    return {
      class: s.class,
      windows: q.windows.map(() => ({ count: 0, items: [] })),
      error: `${CERT_CLASSES[s.class].label} could not be read: ${(e as Error).message}`,
    };
  }
}
