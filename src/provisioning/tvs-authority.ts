// Owns what the cluster's TVS vouches for (tvs-protocol.md §5, §6): the current CAPF, TFTP/CallManager,
// ITLRecovery and TVS certificates by role, and the previous ones during their transition window,
// so a phone can trust a new CAPF or TFTP certificate that is not in its ITL yet; then the certificates of other
// clusters an administrator imported (`opencapf tvs trust import`, foreign-trust.ts), so that phones holding our ITL
// accept the next cluster's ITL (tlv-files.md §9.3).

import { createHash } from 'node:crypto';
import type { TvsAuthority, TvsCertificateQuery } from '../tvs/index.ts';
import { TvsRole, issuerSerialKey, normaliseDistinguishedName } from '../tvs/index.ts';
import { trustListName } from '../trust/index.ts';
import type { CertificateInfo } from '../pki/index.ts';
import type { ClusterIdentityName, TrustFiles } from './trust-files.ts';

/**
 * Roles per identity. The CallManager (tftp) certificate is SAST (it signs the ITL), CCM and TFTP,
 * as in CUCM where it appears as SAST and TFTP in the ITL (seed) and serves SIP-TLS; ITLRecovery is SAST.
 */
export const TVS_ROLES_OF: Readonly<Record<ClusterIdentityName, readonly number[]>> = {
  capf: [TvsRole.CAPF],
  itlrecovery: [TvsRole.SAST],
  tftp: [TvsRole.SAST, TvsRole.CCM, TvsRole.TFTP],
  tvs: [TvsRole.TVS],
};

/** The next TFTP certificate of a staged rotation signs nothing yet, and serves no SIP-TLS: SAST and TFTP. */
const NEXT_TFTP_ROLES: readonly number[] = [TvsRole.SAST, TvsRole.TFTP];

interface Entry {
  certificate: CertificateInfo;
  roles: number[];
}

/** Certificates of other clusters TVS vouches for (valid ones only), with their TvsRole codes. */
export interface ForeignTrustSource {
  /** By lower-case hex SHA-256 of the DER. */
  find(sha256: string): Promise<Entry | null>;
  all(): Promise<Entry[]>;
}

export function createClusterTvsAuthority(
  trust: Pick<TrustFiles, 'vouched'>,
  ttlSeconds: number,
  foreign?: ForeignTrustSource,
): TvsAuthority {
  function entries(): Map<string, Entry> {
    const bySha256 = new Map<string, Entry>();
    for (const v of trust.vouched()) {
      const e = bySha256.get(v.certificate.sha256) ?? { certificate: v.certificate, roles: [] };
      for (const r of v.next ? NEXT_TFTP_ROLES : TVS_ROLES_OF[v.name]) if (!e.roles.includes(r)) e.roles.push(r);
      bySha256.set(v.certificate.sha256, e);
    }
    return bySha256;
  }
  return {
    async verify(certDer) {
      // tvsd looks certificates up by SHA-256 of the DER (§5). Our own certificates first, then the foreign ones.
      const sha256 = createHash('sha256').update(certDer).digest('hex');
      const e = entries().get(sha256) ?? (await foreign?.find(sha256)) ?? undefined;
      return e
        ? { trusted: true, roles: [...e.roles].sort((a, b) => a - b), ttlSeconds }
        : { trusted: false, roles: [], ttlSeconds };
    },
    async query(q: TvsCertificateQuery) {
      const own = [...entries().values()];
      return match(own, q) ?? (foreign ? match(await foreign.all(), q) : null);
    },
  };
  function match(all: readonly Entry[], q: TvsCertificateQuery) {
    let hit: Entry | undefined;
    if (q.serial && q.issuer) {
      const key = issuerSerialKey(q.issuer, q.serial);
      hit = all.find(
        (e) => issuerSerialKey(trustListName(e.certificate.issuer, 'cucm'), e.certificate.serialHex) === key,
      );
    }
    if (!hit && q.subject && !q.serial) {
      const s = normaliseDistinguishedName(q.subject);
      hit = all.find((e) => normaliseDistinguishedName(trustListName(e.certificate.subject, 'cucm')) === s);
    }
    return hit ? { certDer: hit.certificate.der, roles: [...hit.roles].sort((a, b) => a - b), ttlSeconds } : null;
  }
}
