// Owns what the API shows of the trust lists this node serves: each built list with its signer, and the
// ITL's freshness (does it list the current CAPF certificate?).

import { parseTrustList } from '../trust/index.ts';
import type { TrustFiles } from './trust-files.ts';

export function trustListViews(trust: Pick<TrustFiles, 'itl' | 'ctl'>, nodeName: string) {
  const itl = trust.itl();
  const ctl = trust.ctl();
  const view = (kind: 'ITL' | 'CTL', b: typeof itl) => ({
    node: nodeName,
    kind,
    bytes: b.bytes,
    builtAt: b.builtAt,
    signedBy: b.signedBy,
    signerReason: b.signerReason,
    rollback: b.rollback,
    transitional: [...b.transitional],
  });
  return [view('ITL', itl), ...(ctl ? [view('CTL', ctl)] : [])];
}

export function itlSummary(trust: Pick<TrustFiles, 'itl'>, capfSha1: string) {
  const b = trust.itl();
  const list = parseTrustList(b.bytes);
  return {
    builtAt: b.builtAt.toISOString(),
    signer: b.signedBy,
    records: list.records.length,
    includesCapf: list.records.some((r) => r.roleName === 'CAPF' && r.certificateSha1 === capfSha1),
    /** The rollback (empty) ITL is served (tlv-files.md §9.6). */
    rollback: b.rollback,
  };
}
