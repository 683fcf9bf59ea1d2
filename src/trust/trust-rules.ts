// Owns a phone's trust store: which ITL/CTL it accepts (tlv-files.md §9) and what it then trusts, as a serialisable
// library.
//
// Rules:
//   1. Nothing installed: the first well-formed, self-consistently signed list is accepted (trust on first use).
//   2. Something installed: a new list must be signed by a SAST key from the installed ITL or CTL,
//   6. or the installed ITL is an empty (rollback) ITL (§9.6, rollback.ts) and no CTL is installed: the next ITL is
//      accepted as on first use ('after-rollback'),
//   3. or the injected TVS `vouch` callback must confirm the signer certificate.
//   4. Otherwise ERR_TRUST_UNTRUSTED_SIGNER, with the reason the phone log would give (details.refusal: signer not
//      trusted, TVS did not vouch, TVS unreachable), and the old list stays.
// (Numbers are those of tlv-files.md §9.)

import { createHash } from 'node:crypto';
import { parseCertificate, type CertificateInfo } from '../pki/index.ts';
import { AppError, CodecError, isAppError } from '../shared/errors.ts';
import { ROLES, type Role, type TrustListKind } from './constants.ts';
import { isRollbackTrustList } from './rollback.ts';
import type { DecodeOptions } from './tlv-codec.ts';
import { parseTrustList, recordPublicKey, verifyTrustList, type TrustList, type TrustRecord } from './trust-list.ts';

/** One TVS server a phone asked about an unknown signer, and what came of it. */
export interface TvsAttempt {
  /** host:port as the configuration names it. */
  server: string;
  result: 'vouched' | 'not-vouched' | 'unreachable' | 'unresolvable' | 'untrusted-server';
  detail?: string;
}

/** What the TVS check of an unknown signer found: the answer, and whom the phone asked. */
export interface VouchAnswer {
  vouched: boolean;
  /** Empty when there was no TVS to ask (none configured, or no TVS record in the installed ITL). */
  attempts: readonly TvsAttempt[];
}

export interface PhoneTrustStoreOptions {
  /**
   * TVS check of an unknown signer (tvs-protocol.md); true or `{ vouched: true }` when a TVS vouches for it. A
   * VouchAnswer lets a refusal say whether TVS refused or could not be reached.
   */
  vouch?: (certificate: CertificateInfo) => Promise<boolean | VouchAnswer>;
  decode?: DecodeOptions;
}

export type InstallReason = 'first-use' | 'trusted-signer' | 'after-rollback' | 'vouched' | 'unchanged';

/** Why a phone refused a new trust list, as its log would put it. */
export const TRUST_REFUSALS = {
  'signer-not-trusted': 'signer not trusted',
  'tvs-not-vouched': 'TVS did not vouch for the signer',
  'tvs-unreachable': 'TVS unreachable',
  'invalid-file': 'file corrupt or its signature does not verify',
} as const;
export type TrustRefusal = keyof typeof TRUST_REFUSALS;

/** `details` of an ERR_TRUST_UNTRUSTED_SIGNER from installItl/installCtl. */
export interface TrustRefusalDetails {
  refusal: TrustRefusal;
  kind: TrustListKind;
  /** Subject of the new list's signer. */
  signer: string;
  tvs: TvsAttempt[];
}

/** The refusal behind an error from installItl/installCtl; corrupt or badly signed files are 'invalid-file'. */
export function trustRefusalOf(e: unknown): TrustRefusalDetails | null {
  if (isAppError(e) && e.code === 'ERR_TRUST_UNTRUSTED_SIGNER' && e.details && 'refusal' in e.details)
    return e.details as unknown as TrustRefusalDetails;
  if (e instanceof CodecError || (isAppError(e) && e.code.startsWith('ERR_TRUST_')))
    return { refusal: 'invalid-file', kind: 'ITL', signer: '', tvs: [] };
  return null;
}

function refusalOf(answer: VouchAnswer): TrustRefusal {
  if (answer.attempts.length === 0) return 'signer-not-trusted';
  return answer.attempts.some((a) => a.result === 'not-vouched') ? 'tvs-not-vouched' : 'tvs-unreachable';
}

function describeAttempts(attempts: readonly TvsAttempt[]): string {
  const said: Record<TvsAttempt['result'], string> = {
    vouched: 'vouched',
    'not-vouched': 'did not vouch for it',
    unreachable: 'did not answer',
    unresolvable: 'does not resolve',
    'untrusted-server': "presented a certificate that is not the trust list's TVS",
  };
  return attempts.map((a) => `TVS ${a.server} ${said[a.result]}${a.detail ? ` (${a.detail})` : ''}`).join('; ');
}

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
  /** Full TFTP certificates, for verifying .sgn files. None (e.g. a rollback ITL): configuration is unsigned. */
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
    } else if (kind === 'ITL' && !lists.CTL && lists.ITL && isRollbackTrustList(lists.ITL)) {
      // §9.6: the phone holds an empty ITL and behaves as in rule 1 for the next one. With a CTL installed, the
      // CTL still checks the ITL signature (rule 1), so rule 2 applies.
      reason = 'after-rollback';
    } else {
      const signerName = signerRecord.subjectName || list.header.signerName || '(unnamed)';
      const refuse = (refusal: TrustRefusal, tvs: TvsAttempt[], text: string): never => {
        const details: TrustRefusalDetails = { refusal, kind, signer: signerName, tvs };
        throw new AppError('ERR_TRUST_UNTRUSTED_SIGNER', text, { ...details });
      };
      const notSast = `${kind} signed by ${signerName}, which is not a SAST of the installed trust lists`;
      if (!options.vouch) refuse('signer-not-trusted', [], notSast);
      if (!signerRecord.certificate) refuse('signer-not-trusted', [], `${notSast} (no certificate to ask TVS about)`);
      let cert: CertificateInfo;
      try {
        cert = parseCertificate(signerRecord.certificate!);
      } catch {
        return refuse('signer-not-trusted', [], `${notSast} (its certificate does not parse; TVS not asked)`);
      }
      const raw = await options.vouch!(cert);
      const answer: VouchAnswer = typeof raw === 'boolean' ? { vouched: raw, attempts: [] } : raw;
      if (!answer.vouched) {
        const refusal = typeof raw === 'boolean' ? 'tvs-not-vouched' : refusalOf(answer);
        const asked = answer.attempts.length ? `: ${describeAttempts(answer.attempts)}` : '';
        refuse(
          refusal,
          [...answer.attempts],
          refusal === 'signer-not-trusted'
            ? `${notSast}, and there is no TVS to ask`
            : `${kind} signed by ${signerName}, which is neither an installed SAST nor vouched for by TVS${asked}`,
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
        .flatMap((e) => {
          // Liberal with CUCM's files: a CERTIFICATE element that does not parse verifies nothing.
          try {
            return [parseCertificate(e.der!)];
          } catch {
            return [];
          }
        }),
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
