// Owns the cluster's served trust lists: which identities go into ITLFile.tlv and CTLFile.tlv, who signs
// them, the CAPF/TVS transition after a certificate change, and rebuilding only when an input changed.
//
// Signing (CUCM 11.5, seed `show itl`): the TFTP (CallManager) certificate is the SAST that signs;
// ITLRecovery is listed as the second SAST and signs instead
//   - after `opencapf itl reset localkey` (CUCM `utils itl reset localkey`) until `itl reset normal`, and
//   - for itl.transitionHours after the TFTP certificate changed: phones still hold an ITL signed by
//     the old TFTP key, which they no longer can verify against; they do trust ITLRecovery (§9.5).
// Rollback mode (`opencapf itl rollback on`, CUCM "Prepare Cluster for Rollback to pre-8.0", §9.6): the ITL is still
// signed as above, but its TVS and TFTP records are empty, so a phone that installs it accepts the next cluster's ITL
// on first sight. The CTL is left as it is (CUCM's parameter touches the ITL only).
//
// During a staged rotation (`opencapf itl rotate start`, signer-rotation.ts) the NEXT TFTP certificate is
// also listed, with role TFTP only (two SAST records at most, §5), so configurations it will sign verify
// on phones that fetched this ITL; TVS vouches for it as SAST and TFTP.

import type { KeyObject } from 'node:crypto';
import type { CertificateInfo } from '../pki/index.ts';
import {
  buildCtl,
  buildItl,
  ctlWarnings,
  cucmItlMembers,
  itlWarnings,
  ROLLBACK_BLANK_ROLES,
  type CertificateForm,
  type SigningHash,
  type TrustListMember,
  type TrustListWarning,
} from '../trust/index.ts';

export type ClusterIdentityName = 'capf' | 'itlrecovery' | 'tftp' | 'tvs';

/** What the trust lists need from pki/ (implemented in app/ over the identity service and key store). */
export interface TrustIdentitySource {
  current(name: ClusterIdentityName): { certificate: CertificateInfo; privateKey: KeyObject };
  /** The certificate replaced by the last regenerate/import, and when it was replaced. */
  previous(name: ClusterIdentityName): { certificate: CertificateInfo; replacedAt: Date } | null;
  /** The next TFTP certificate of a staged rotation, or null. */
  next(name: 'tftp'): CertificateInfo | null;
  /** 'localkey' after `opencapf itl reset localkey`. */
  signingMode(): SigningMode;
  /** True after `opencapf itl rollback on`: the served ITL is the empty (rollback) ITL. */
  rollback(): boolean;
  /** When the inputs last changed on disk (newest certificate or signing-mode change). */
  changedAt(): Date;
}

export type SigningMode = 'normal' | 'localkey';

export interface TrustFilesSettings {
  nodeName: string;
  mixedMode: boolean;
  transitionHours: number;
  hash?: SigningHash;
  certificateForm?: CertificateForm;
  now(): Date;
  onWarnings?(kind: 'ITL' | 'CTL', warnings: TrustListWarning[]): void;
  /** Called once per list built (not for cache hits). */
  onBuilt?(kind: 'ITL' | 'CTL', built: BuiltTrustList): void;
}

export interface BuiltTrustList {
  bytes: Buffer;
  /** Which identity signed it, and why. */
  signedBy: 'tftp' | 'itlrecovery';
  signerReason: 'normal' | 'localkey' | 'tftp-transition';
  /** The rollback ITL (empty TVS and TFTP records, tlv-files.md §9.6); always false for the CTL. */
  rollback: boolean;
  /** Old certificates still listed (CAPF/TVS transition). */
  transitional: ClusterIdentityName[];
  /** The next TFTP certificate listed by a staged rotation (role TFTP), or null. */
  nextTftp: CertificateInfo | null;
  warnings: TrustListWarning[];
  /** The file's TIMESTAMP (when its inputs last changed). */
  builtAt: Date;
}

export interface TrustFiles {
  itl(): BuiltTrustList;
  /** null unless cluster.mixedMode. */
  ctl(): BuiltTrustList | null;
  /**
   * Certificates TVS vouches for: current ones, the previous ones during their transition, and the next
   * TFTP certificate of a staged rotation (`next`).
   */
  vouched(): { name: ClusterIdentityName; certificate: CertificateInfo; previous: boolean; next?: boolean }[];
  /** When this identity's certificate was replaced, if that was less than itl.transitionHours ago. */
  recentlyReplaced(name: ClusterIdentityName): Date | null;
  /** Node names `itl export --node` accepts (one node: multi-node clusters are not implemented). */
  nodes(): string[];
}

interface Inputs {
  key: string;
  tftp: CertificateInfo;
  itlRecovery: CertificateInfo;
  capf: CertificateInfo;
  tvs: CertificateInfo;
  previousCapf: CertificateInfo | null;
  previousTvs: CertificateInfo | null;
  nextTftp: CertificateInfo | null;
  signedBy: 'tftp' | 'itlrecovery';
  signerReason: BuiltTrustList['signerReason'];
  rollback: boolean;
  /**
   * TIMESTAMP of the file: derived from the inputs, not the build time, so `itl export` in another process writes the
   * same bytes.
   */
  asOf: Date;
}

export function createTrustFiles(source: TrustIdentitySource, settings: TrustFilesSettings): TrustFiles {
  const windowMs = settings.transitionHours * 3600_000;
  let itlCache: { key: string; built: BuiltTrustList } | null = null;
  let ctlCache: { key: string; built: BuiltTrustList } | null = null;

  const inWindow = (p: { replacedAt: Date } | null, now: Date) =>
    p !== null && now.getTime() - p.replacedAt.getTime() < windowMs;

  function inputs(): Inputs {
    const now = settings.now();
    const tftp = source.current('tftp').certificate;
    const itlRecovery = source.current('itlrecovery').certificate;
    const capf = source.current('capf').certificate;
    const tvs = source.current('tvs').certificate;
    const pc = source.previous('capf');
    const pv = source.previous('tvs');
    const previousCapf = pc && inWindow(pc, now) && pc.certificate.sha1 !== capf.sha1 ? pc.certificate : null;
    const previousTvs = pv && inWindow(pv, now) && pv.certificate.sha1 !== tvs.sha1 ? pv.certificate : null;
    const nx = source.next('tftp');
    const nextTftp = nx && nx.sha1 !== tftp.sha1 ? nx : null;
    const mode = source.signingMode();
    const tftpChanged = inWindow(source.previous('tftp'), now);
    const signerReason = mode === 'localkey' ? 'localkey' : tftpChanged ? 'tftp-transition' : 'normal';
    const signedBy = signerReason === 'normal' ? 'tftp' : 'itlrecovery';
    // A transition window that has ended is itself a change of the inputs, at the moment it ended.
    let asOfMs = source.changedAt().getTime();
    for (const p of [pc, pv, source.previous('tftp')]) {
      const end = p ? p.replacedAt.getTime() + windowMs : 0;
      if (p && end <= now.getTime() && end > asOfMs) asOfMs = end;
    }
    const asOf = new Date(Math.floor(asOfMs / 1000) * 1000);
    const rollback = source.rollback();
    const key = [
      tftp.sha1,
      itlRecovery.sha1,
      capf.sha1,
      tvs.sha1,
      previousCapf?.sha1 ?? '-',
      previousTvs?.sha1 ?? '-',
      nextTftp?.sha1 ?? '-',
      signedBy,
      rollback ? 'rollback' : '-',
      asOf.getTime(),
    ].join('|');
    return {
      key,
      tftp,
      itlRecovery,
      capf,
      tvs,
      previousCapf,
      previousTvs,
      nextTftp,
      signedBy,
      signerReason,
      rollback,
      asOf,
    };
  }

  function transitional(i: Inputs): ClusterIdentityName[] {
    return [...(i.previousCapf ? (['capf'] as const) : []), ...(i.previousTvs ? (['tvs'] as const) : [])];
  }

  function signer(i: Inputs) {
    const id = source.current(i.signedBy);
    return { certificate: id.certificate, privateKey: id.privateKey };
  }

  function itlMembers(i: Inputs): TrustListMember[] {
    if (i.rollback) {
      // §9.6: the signer and ITLRecovery stay SAST (the phone accepts the file by rule 2) and CAPF stays; every TVS
      // and the TFTP role become the empty records build() appends.
      const members: TrustListMember[] = [
        { certificate: i.capf, roles: ['CAPF'] },
        { certificate: i.itlRecovery, roles: ['SAST'] },
        { certificate: i.tftp, roles: ['SAST'] },
      ];
      if (i.previousCapf) members.splice(1, 0, { certificate: i.previousCapf, roles: ['CAPF'] });
      return members;
    }
    // CUCM order (cucmItlMembers); the old CAPF/TVS follow their successors during the transition.
    const members = cucmItlMembers({
      itlRecovery: i.itlRecovery,
      signer: i.tftp,
      capf: i.capf,
      tvs: i.previousTvs ? [i.tvs, i.previousTvs] : [i.tvs],
      tftp: i.nextTftp ? [{ certificate: i.nextTftp }] : [],
    });
    if (i.previousCapf) members.splice(1, 0, { certificate: i.previousCapf, roles: ['CAPF'] });
    return members;
  }

  function ctlMembers(i: Inputs): TrustListMember[] {
    // Tokenless CTL (CUCM 10+ mixed mode): the CallManager certificate signs and is CCM+TFTP; ITLRecovery is the second
    // SAST.
    const members: TrustListMember[] = [
      { certificate: i.tftp, roles: ['SAST', 'CCM_TFTP'], dnsName: settings.nodeName },
      { certificate: i.itlRecovery, roles: ['SAST'] },
      { certificate: i.capf, roles: ['CAPF'] },
      { certificate: i.tvs, roles: ['TVS'] },
    ];
    if (i.previousCapf) members.push({ certificate: i.previousCapf, roles: ['CAPF'] });
    if (i.previousTvs) members.push({ certificate: i.previousTvs, roles: ['TVS'] });
    if (i.nextTftp) members.push({ certificate: i.nextTftp, roles: ['TFTP'] });
    return members;
  }

  function build(kind: 'ITL' | 'CTL', i: Inputs): BuiltTrustList {
    const now = i.asOf;
    const params = {
      members: kind === 'ITL' ? itlMembers(i) : ctlMembers(i),
      signer: signer(i),
      now,
      hash: settings.hash ?? 'sha1',
      certificateForm: settings.certificateForm ?? 'full',
      ...(kind === 'ITL' && i.rollback ? { emptyRoles: ROLLBACK_BLANK_ROLES } : {}),
    };
    const bytes = kind === 'ITL' ? buildItl(params) : buildCtl(params);
    const warnings = kind === 'ITL' ? itlWarnings(bytes) : ctlWarnings(bytes);
    if (warnings.length > 0) settings.onWarnings?.(kind, warnings);
    const built: BuiltTrustList = {
      bytes,
      signedBy: i.signedBy,
      signerReason: i.signerReason,
      rollback: kind === 'ITL' && i.rollback,
      transitional: kind === 'ITL' && i.rollback ? transitional(i).filter((n) => n !== 'tvs') : transitional(i),
      nextTftp: i.nextTftp,
      warnings,
      builtAt: now,
    };
    settings.onBuilt?.(kind, built);
    return built;
  }

  return {
    itl() {
      const i = inputs();
      if (itlCache?.key !== i.key) itlCache = { key: i.key, built: build('ITL', i) };
      return itlCache.built;
    },
    ctl() {
      if (!settings.mixedMode) return null;
      const i = inputs();
      if (ctlCache?.key !== i.key) ctlCache = { key: i.key, built: build('CTL', i) };
      return ctlCache.built;
    },
    vouched() {
      const now = settings.now();
      const out: ReturnType<TrustFiles['vouched']> = [];
      for (const name of ['capf', 'itlrecovery', 'tftp', 'tvs'] as const) {
        const cur = source.current(name).certificate;
        out.push({ name, certificate: cur, previous: false });
        const prev = source.previous(name);
        if (prev && inWindow(prev, now) && prev.certificate.sha1 !== cur.sha1)
          out.push({ name, certificate: prev.certificate, previous: true });
      }
      const next = source.next('tftp');
      if (next && next.sha1 !== source.current('tftp').certificate.sha1)
        out.push({ name: 'tftp', certificate: next, previous: false, next: true });
      return out;
    },
    recentlyReplaced(name) {
      const p = source.previous(name);
      return p && inWindow(p, settings.now()) ? p.replacedAt : null;
    },
    nodes: () => [settings.nodeName],
  };
}
