// Owns the ITL (Initial Trust List): which certificates CUCM puts in it, building, parsing and size warnings.

import type { CertificateInfo } from '../pki/index.ts';
import { ITL_MAX_BYTES, ITL_MAX_CERTIFICATES } from './constants.ts';
import {
  buildTrustList,
  commonWarnings,
  parseTrustList,
  type BuildTrustListParams,
  type TrustList,
  type TrustListMember,
  type TrustListWarning,
} from './trust-list.ts';
import type { DecodeOptions } from './tlv-codec.ts';

/** Builds and signs `ITLFile.tlv` (or an `ITLSEP<MAC>.tlv`, whose FILENAME is still ITLFile.tlv, §8). */
export function buildItl(params: BuildTrustListParams): Buffer {
  return buildTrustList('ITL', params);
}

export interface CucmItlIdentities {
  /** The recovery SAST (CUCM's ITLRecovery certificate). */
  itlRecovery: CertificateInfo;
  /** The certificate that signs the ITL (CUCM: the TFTP node's CallManager certificate); SAST and TFTP. */
  signer: CertificateInfo;
  capf?: CertificateInfo;
  tvs?: readonly CertificateInfo[];
  /** Further TFTP certificates (other nodes, or the EC TFTP certificate for HTTPS 6971 with its DNS name). */
  tftp?: readonly { certificate: CertificateInfo; dnsName?: string }[];
}

/**
 * Members in the order CUCM 11.5 wrote them (seed `show itl`): CAPF, first TVS, ITLRecovery as SAST,
 * other TVS, the signer as SAST, the signer as TFTP, then the other TFTP certificates.
 * Pair with `certificateForm: 'cucm'` for the seed's hash-only CAPF/TVS rows.
 */
export function cucmItlMembers(ids: CucmItlIdentities): TrustListMember[] {
  const out: TrustListMember[] = [];
  const tvs = ids.tvs ?? [];
  if (ids.capf) out.push({ certificate: ids.capf, roles: ['CAPF'] });
  if (tvs[0]) out.push({ certificate: tvs[0], roles: ['TVS'] });
  out.push({ certificate: ids.itlRecovery, roles: ['SAST'] });
  for (const t of tvs.slice(1)) out.push({ certificate: t, roles: ['TVS'] });
  out.push({ certificate: ids.signer, roles: ['SAST', 'TFTP'] });
  for (const t of ids.tftp ?? []) {
    if (t.certificate.sha1 === ids.signer.sha1) continue;
    out.push(
      t.dnsName
        ? { certificate: t.certificate, roles: ['TFTP'], dnsName: t.dnsName }
        : { certificate: t.certificate, roles: ['TFTP'] },
    );
  }
  return out;
}

export function parseItl(bytes: Uint8Array, opts?: DecodeOptions): TrustList {
  return parseTrustList(bytes, opts);
}

/**
 * What a real phone would trip over: more than 39 certificates or more than 64 KB, more than two
 * SAST records, no signer record, EC without signer version 1.1, a wrong FILENAME, and neither a
 * CAPF nor a TVS certificate (phone-config.md §3: "No valid CAPF server").
 */
export function itlWarnings(fileOrBytes: TrustList | Uint8Array): TrustListWarning[] {
  const list = fileOrBytes instanceof Uint8Array ? parseTrustList(fileOrBytes) : fileOrBytes;
  const out = commonWarnings(list, { maxCertificates: ITL_MAX_CERTIFICATES, maxBytes: ITL_MAX_BYTES });
  if (!list.records.some((r) => r.roleName === 'CAPF' || r.roleName === 'TVS')) {
    out.push({
      code: 'NO_CAPF_OR_TVS',
      message: 'no CAPF or TVS certificate: phones report "No valid CAPF server" (phone-config.md §3)',
    });
  }
  return out;
}
