// Owns the CTL (Certificate Trust List) of mixed mode: same format as the ITL, different members.

import { ITL_MAX_BYTES, ITL_MAX_CERTIFICATES } from './constants.ts';
import {
  buildTrustList,
  commonWarnings,
  parseTrustList,
  type BuildTrustListParams,
  type TrustList,
  type TrustListWarning,
} from './trust-list.ts';
import type { DecodeOptions } from './tlv-codec.ts';

/**
 * Builds and signs `CTLFile.tlv` (also served as `CTLSEP<MAC>.tlv`, FILENAME still CTLFile.tlv, §8).
 * Typical members: the SAST(s), each node's CallManager certificate as CCM+TFTP (or CCM and TFTP),
 * CAPF, TVS. The format is identical to the ITL (tlv-files.md: "CTL (same format)").
 */
export function buildCtl(params: BuildTrustListParams): Buffer {
  return buildTrustList('CTL', params);
}

export function parseCtl(bytes: Uint8Array, opts?: DecodeOptions): TrustList {
  return parseTrustList(bytes, opts);
}

/** As itlWarnings (the same phone limits are assumed, UNCERTAIN for CTLs), plus: no CCM certificate for SIP-TLS. */
export function ctlWarnings(fileOrBytes: TrustList | Uint8Array): TrustListWarning[] {
  const list = fileOrBytes instanceof Uint8Array ? parseTrustList(fileOrBytes) : fileOrBytes;
  const out = commonWarnings(list, { maxCertificates: ITL_MAX_CERTIFICATES, maxBytes: ITL_MAX_BYTES });
  if (!list.records.some((r) => r.roleName === 'CCM' || r.roleName === 'CCM_TFTP')) {
    out.push({
      code: 'NO_CCM',
      message: 'no CCM or CCM+TFTP certificate: phones cannot verify the SIP-TLS server in mixed mode',
    });
  }
  return out;
}
