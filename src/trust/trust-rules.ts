// Owns a phone's trust store: which ITL/CTL it accepts (tlv-files.md §9) and what it then trusts, as a serialisable
// library.
//
// Rules:
//   1. Nothing installed: the first well-formed, self-consistently signed list is accepted (trust on first use).
//   2. Something installed: a new list must be signed by a SAST key from the installed ITL or CTL,
//   3. or the injected TVS `vouch` callback must confirm the signer certificate.
//   4. Otherwise ERR_TRUST_UNTRUSTED_SIGNER and the old list stays.

import { createHash } from 'node:crypto';
import { parseCertificate, type CertificateInfo } from '../pki/index.ts';
import { AppError } from '../shared/errors.ts';
import { ROLES, type Role, type TrustListKind } from './constants.ts';
import type { DecodeOptions } from './tlv-codec.ts';
import { parseTrustList, recordPublicKey, verifyTrustList, type TrustList, type TrustRecord } from './trust-list.ts';

export interface PhoneTrustStoreOptions {
  /** TVS check of an unknown signer (tvs-protocol.md); resolves true when TVS vouches for it. */
  vouch?: (certificate: CertificateInfo) => Promise<boolean>;
  decode?: DecodeOptions;
}

export type InstallReason = 'first-use' | 'trusted-signer' | 'vouched' | 'unchanged';

export interface InstallOutcome {
  kind: TrustListKind;
  reason: InstallReason;
  list: TrustList;
}

export interface TrustedCertificate {
  role: Role | undefined;
  roleCode: number;
  /** Lower-case hex SHA-1 of the DER (or the CERTHASH of a hash-only record). */
  sha1: string | undefined;
  subjectName: string | undefined;
  serialHex: string | undefined;
  /** Absent for hash-only records. */
  der: Buffer | undefined;
  source: TrustListKind;
}

export interface PhoneTrustStoreState {
  version: 1;
  itl?: string; // base64 of the installed file
  ctl?: string;
}

export interface PhoneTrustStore {
  installItl(bytes: Uint8Array): Promise<InstallOutcome>;
  installCtl(bytes: Uint8Array): Promise<InstallOutcome>;
  /** True when a record of the installed ITL/CTL lists this certificate with this role (CCM+TFTP counts for both). */
  isTrusted(certDer: Uint8Array, role: Role): boolean;
  /** Every role the installed lists give this certificate. */
  roleOf(certDer: Uint8Array): Role[];
  capfCertificates(): TrustedCertificate[];
  /** Full TFTP certificates, for verifying .sgn files. */
  tftpSigners(): CertificateInfo[];
  entries(): TrustedCertificate[];
  itl(): TrustList | undefined;
  ctl(): TrustList | undefined;
  /** Settings menu "erase trust list" / factory reset: back to trust on first use. */
  erase(): void;
  toJSON(): PhoneTrustStoreState;
}

const ROLE_IMPLIED_BY: Readonly<Partial<Record<Role, readonly Role[]>>> = {
  CCM: ['CCM', 'CCM_TFTP'],
  TFTP: ['TFTP', 'CCM_TFTP'],
};

function sha1Hex(b: Uint8Array): string {
  return createHash('sha1').update(b).digest('hex');
}

function spkiHexOf(r: TrustRecord): string | undefined {
  return recordPublicKey(r)?.export({ format: 'der', type: 'spki' }).toString('hex');
}

export function createPhoneTrustStore(
  options: PhoneTrustStoreOptions = {},
  state?: PhoneTrustStoreState,
): PhoneTrustStore {
  const lists: Partial<Record<TrustListKind, TrustList>> = {};
  if (state?.itl) lists.ITL = parseTrustList(Buffer.from(state.itl, 'base64'), options.decode);
  if (state?.ctl) lists.CTL = parseTrustList(Buffer.from(state.ctl, 'base64'), options.decode);

  const installed = (): TrustList[] => [lists.CTL, lists.ITL].filter((l): l is TrustList => !!l);

  const trustedSastKeys = (): Set<string> => {
    const keys = new Set<string>();
    for (const l of installed()) {
      for (const r of l.records) {
        if (r.role !== ROLES.SAST.code) continue;
        const k = spkiHexOf(r);
        if (k) keys.add(k);
      }
    }
    return keys;
  };

  async function install(kind: TrustListKind, bytes: Uint8Array): Promise<InstallOutcome> {
    const list = parseTrustList(Buffer.from(bytes), options.decode);
    const v = verifyTrustList(list);
    if (!v.ok) throw new AppError(v.code, `${kind}: ${v.reason}`);
    const current = lists[kind];
    if (current?.bytes.equals(list.bytes)) return { kind, reason: 'unchanged', list: current };
    const signerRecord = list.records[v.signerRecordIndex]!;
    let reason: InstallReason;
    if (installed().length === 0) {
      reason = 'first-use';
    } else if (trustedSastKeys().has(spkiHexOf(signerRecord) ?? '')) {
      reason = 'trusted-signer';
    } else {
      const signerName = signerRecord.subjectName ?? list.header.signerName ?? '(unnamed)';
      if (!options.vouch || !signerRecord.certificate) {
        throw new AppError(
          'ERR_TRUST_UNTRUSTED_SIGNER',
          `${kind} signed by ${signerName}, which is not a SAST of the installed ` +
            `trust lists${options.vouch ? ' (no certificate to ask TVS about)' : ''}`,
        );
      }
      const cert = parseCertificate(signerRecord.certificate);
      if (!(await options.vouch(cert))) {
        throw new AppError(
          'ERR_TRUST_UNTRUSTED_SIGNER',
          `${kind} signed by ${signerName}, which is neither an installed SAST nor vouched for by TVS`,
        );
      }
      reason = 'vouched';
    }
    lists[kind] = list;
    return { kind, reason, list };
  }

  const entries = (): TrustedCertificate[] =>
    installed().flatMap((l) =>
      l.records.map((r) => ({
        role: r.roleName,
        roleCode: r.role,
        sha1: r.certificateSha1,
        subjectName: r.subjectName,
        serialHex: r.serialNumber?.toString('hex').toUpperCase(),
        der: r.certificate ? Buffer.from(r.certificate) : undefined,
        source: l === lists.CTL ? ('CTL' as const) : ('ITL' as const),
      })),
    );

  const matching = (certDer: Uint8Array): TrustedCertificate[] => {
    const h = sha1Hex(certDer);
    return entries().filter((e) => e.sha1 === h);
  };

  return {
    installItl: (bytes) => install('ITL', bytes),
    installCtl: (bytes) => install('CTL', bytes),
    isTrusted(certDer, role) {
      const accepted = ROLE_IMPLIED_BY[role] ?? [role];
      return matching(certDer).some((e) => e.role !== undefined && accepted.includes(e.role));
    },
    roleOf(certDer) {
      return [...new Set(matching(certDer).flatMap((e) => (e.role ? [e.role] : [])))];
    },
    capfCertificates: () => entries().filter((e) => e.role === 'CAPF'),
    tftpSigners: () =>
      entries()
        .filter((e) => (e.role === 'TFTP' || e.role === 'CCM_TFTP') && e.der)
        .map((e) => parseCertificate(e.der!)),
    entries,
    itl: () => lists.ITL,
    ctl: () => lists.CTL,
    erase() {
      delete lists.ITL;
      delete lists.CTL;
    },
    toJSON() {
      const out: PhoneTrustStoreState = { version: 1 };
      if (lists.ITL) out.itl = lists.ITL.bytes.toString('base64');
      if (lists.CTL) out.ctl = lists.CTL.bytes.toString('base64');
      return out;
    },
  };
}

/** Restores a store saved with toJSON (the saved files are trusted as they are; not re-checked against each other). */
export function restorePhoneTrustStore(
  state: PhoneTrustStoreState,
  options: PhoneTrustStoreOptions = {},
): PhoneTrustStore {
  if (state?.version !== 1)
    throw new AppError(
      'ERR_BAD_REQUEST',
      `unsupported trust store state version ${String((state as { version?: unknown })?.version)}`,
    );
  return createPhoneTrustStore(options, state);
}
