// Owns the staged rotation of the TFTP (CallManager) signer, `opencapf itl rotate start|status|finish|abort`
// (tlv-files.md §9.5: never change the SAST key without first publishing an ITL signed by the old one that
// lists the new one):
//   start   a NEXT tftp identity is generated (key 0600 in the key store as tftp.next, not used to sign); the
//           ITL, still signed by the current key, lists the next certificate with role TFTP, and TVS vouches
//           for it as SAST and TFTP;
//   status  the phase, the ITLs that list the next certificate and how many phones fetched one of them;
//   finish  refused while phones remain that have not (unless force); then next becomes the current tftp
//           identity and the old one tftp.previous: ITLRecovery signs for itl.transitionHours as after any
//           TFTP change, and configurations are signed by the new key, which the phones already hold;
//   abort   the next identity is discarded.
// The record lives in the provisioning state (<dataDir>/provisioning/itl-rotation.json), so a restarted
// `serve` resumes it and a running one sees what the CLI changes. Each act is audited.

import { createHash } from 'node:crypto';
import { recordAudit, type AuditAction, type AuditAppendPort } from '../audit/index.ts';
import type { IdentityService } from '../pki/index.ts';
import type { Clock } from '../shared/clock.ts';
import { AppError } from '../shared/errors.ts';
import type { ProvisioningState } from './file-state.ts';
import type { RotationPhase, RotationRecord } from './rotation-record.ts';
import type { TrustFiles } from './trust-files.ts';

/** Phones by the ITL they were last served: one of the given ITLs (current), another one (older), none. */
export interface ItlFetchedCounts {
  current: number;
  older: number;
  never: number;
  total: number;
}

/**
 * How many phones were last served one of these ITLs (SHA-1 of the file bytes, lower-case hex). Built over the
 * ITL-status record; absent on a build that keeps none (status then says "unknown").
 */
export type FetchedCounts = (sha1s: string[]) => Promise<ItlFetchedCounts>;

export interface RotationActor {
  name: string;
  source: string;
}

export interface CertificateSummary {
  serialHex: string;
  sha1: string;
  subjectDn: string;
  notAfter: string;
}

export interface RotationStatus {
  /** none: no rotation was ever started (or its record was removed). */
  phase: 'none' | RotationPhase;
  startedAt: string | null;
  startedBy: string | null;
  endedAt: string | null;
  endedBy: string | null;
  forced: boolean;
  /** The TFTP certificate that signs configurations now. */
  current: CertificateSummary;
  /** The next TFTP certificate of the rotation (staged, or the one finish switched to). */
  next: CertificateSummary | null;
  /** The ITL served now. */
  itl: { sha1: string; listsNext: boolean; signedBy: 'tftp' | 'itlrecovery'; signerReason: string };
  /** SHA-1s of every ITL built during the rotation that lists the next certificate. */
  rotationItls: string[];
  /** Phones by the ITL they last fetched (current = one of rotationItls); null: unknown on this node. */
  phones: ItlFetchedCounts | null;
  /** After finish: when ITLRecovery stops signing the ITL and the new TFTP key takes over. */
  transitionEndsAt: string | null;
  /** What finish would refuse for (empty: finish goes ahead without --force). */
  blockers: string[];
  /** A sentence for the operator: where the rotation stands and what to do next. */
  summary: string;
}

export interface SignerRotation {
  status(): Promise<RotationStatus>;
  start(actor: RotationActor): Promise<RotationStatus>;
  finish(options: { force?: boolean }, actor: RotationActor): Promise<RotationStatus>;
  abort(actor: RotationActor): Promise<RotationStatus>;
  /** When the staged rotation began, or null (the regeneration refusals consult it). */
  stagedAt(): Date | null;
}

export interface SignerRotationDeps {
  state: Pick<ProvisioningState, 'rotation' | 'setRotation' | 'resetRotationItls' | 'rotationItls'>;
  identities: Pick<IdentityService, 'get' | 'stageNext' | 'staged' | 'promoteNext' | 'discardNext'>;
  trust: Pick<TrustFiles, 'itl' | 'recentlyReplaced'>;
  audit: AuditAppendPort;
  clock: Clock;
  transitionHours: number;
  fetchedCounts: FetchedCounts | null;
}

const TARGET = 'tftp';

function summaryOf(c: { serialHex: string; sha1: string; subjectDn: string; notAfter: Date }): CertificateSummary {
  return { serialHex: c.serialHex, sha1: c.sha1, subjectDn: c.subjectDn, notAfter: c.notAfter.toISOString() };
}

export function createSignerRotation(d: SignerRotationDeps): SignerRotation {
  const record = (actor: RotationActor, action: AuditAction, details: Record<string, unknown>) =>
    recordAudit(d.audit, { at: d.clock.now().toISOString(), actor, action, target: TARGET, details });
  const hours = d.transitionHours;

  /** The record as it stands; a staged one whose next certificate already signs was finished (a crash cut the
   * write of the record short): it reads as finished. */
  function effective(): RotationRecord | null {
    const r = d.state.rotation();
    if (r?.phase === 'staged' && d.identities.get('tftp').certificate.sha1 === r.next.sha1)
      return { ...r, phase: 'finished', endedAt: r.endedAt ?? r.startedAt };
    return r;
  }

  function staged(): RotationRecord {
    const r = effective();
    if (r?.phase !== 'staged')
      throw new AppError(
        'ERR_CONFLICT',
        r?.phase === 'finished'
          ? 'no rotation is staged: the last one finished (the next certificate signs now)'
          : 'no rotation is staged (start one with opencapf itl rotate start)',
      );
    return r;
  }

  async function phonesFor(sha1s: string[]): Promise<ItlFetchedCounts | null> {
    return d.fetchedCounts ? d.fetchedCounts(sha1s) : null;
  }

  function finishBlockers(r: RotationRecord, phones: ItlFetchedCounts | null): string[] {
    const later =
      `phones that hold the old ITL accept the ITLRecovery-signed ITL only if they boot within ` +
      `itl.transitionHours (${hours} h) of the switch; booting later, they would reject the new ITL and every ` +
      'config signed by the new key unless TVS vouches for it';
    const out: string[] = [];
    if (!d.identities.staged('tftp'))
      out.push('the next key is missing from the key store (pki/tftp.next.key.pem): abort the rotation');
    if (!phones)
      out.push(
        'which phones fetched an ITL that lists the next TFTP certificate is unknown on this node (it keeps ' +
          `no ITL-status record): ${later}. Make sure every phone was reset since ${r.startedAt.toISOString()}`,
      );
    else if (phones.total === 0)
      out.push(
        'no phone is known to this node (none is in its store and none fetched an ITL from it), so whether ' +
          `finishing would strand phones is unknown on this node: ${later}. Make sure every phone was reset ` +
          `since ${r.startedAt.toISOString()}`,
      );
    else if (phones.older > 0)
      out.push(
        `${phones.older} of ${phones.total} phones last fetched an ITL that does not list the next TFTP ` +
          `certificate: ${later}. Reset them so they fetch the current ITL, then look at the status again`,
      );
    return out;
  }

  async function status(): Promise<RotationStatus> {
    const r = effective();
    const cur = d.identities.get('tftp').certificate;
    const itl = d.trust.itl();
    const itlSha1 = createHash('sha1').update(itl.bytes).digest('hex');
    const staging = r?.phase === 'staged';
    const rotationItls = r ? d.state.rotationItls(r.next.sha1) : [];
    const phones = staging ? await phonesFor(rotationItls) : null;
    const blockers = staging ? finishBlockers(r, phones) : [];
    const replaced = d.trust.recentlyReplaced('tftp');
    const transitionEndsAt =
      r?.phase === 'finished' && replaced ? new Date(replaced.getTime() + hours * 3600_000).toISOString() : null;
    const counts = phones
      ? `${phones.current} of ${phones.total} phones fetched it (${phones.older} on an older ITL, ` +
        `${phones.never} never fetched one)`
      : 'how many phones fetched it is unknown on this node';
    const summary = !r
      ? 'No rotation of the TFTP signer: opencapf itl rotate start stages one.'
      : r.phase === 'staged'
        ? `Staged since ${r.startedAt.toISOString()}: the ITL lists the next TFTP certificate; ${counts}. ` +
          (blockers.length ? 'Finish is refused without --force (the reasons are listed).' : 'Ready to finish.')
        : r.phase === 'finished'
          ? `Finished${r.endedAt ? ` at ${r.endedAt.toISOString()}` : ''}: the new TFTP key signs configurations` +
            (transitionEndsAt ? `; ITLRecovery signs the ITL until ${transitionEndsAt}.` : ' and the ITL.')
          : `Aborted${r.endedAt ? ` at ${r.endedAt.toISOString()}` : ''}: the next certificate was discarded.`;
    return {
      phase: r?.phase ?? 'none',
      startedAt: r?.startedAt.toISOString() ?? null,
      startedBy: r?.startedBy ?? null,
      endedAt: r?.endedAt?.toISOString() ?? null,
      endedBy: r?.endedBy ?? null,
      forced: r?.forced ?? false,
      current: summaryOf(cur),
      next: r && r.phase !== 'aborted' ? summaryOf(r.next) : null,
      itl: {
        sha1: itlSha1,
        listsNext: itl.nextTftp !== null,
        signedBy: itl.signedBy,
        signerReason: itl.signerReason,
      },
      rotationItls,
      phones,
      transitionEndsAt,
      blockers,
      summary,
    };
  }

  return {
    status,
    stagedAt() {
      const r = effective();
      return r?.phase === 'staged' ? r.startedAt : null;
    },
    async start(actor) {
      const r = effective();
      if (r?.phase === 'staged')
        throw new AppError(
          'ERR_CONFLICT',
          `a rotation is already staged since ${r.startedAt.toISOString()} (next certificate serial ` +
            `${r.next.serialHex}): finish or abort it first`,
        );
      const from = d.identities.get('tftp').certificate;
      const next = await d.identities.stageNext('tftp');
      // The list of rotation ITLs is emptied before the record commits the rotation: no stale line counts.
      d.state.resetRotationItls();
      d.state.setRotation({
        version: 1,
        identity: 'tftp',
        phase: 'staged',
        startedAt: d.clock.now(),
        startedBy: actor.name,
        fromSha1: from.sha1,
        next: next.certificate,
        endedAt: null,
        endedBy: null,
        forced: false,
      });
      await record(actor, 'itl.rotate-start', {
        fromSerial: from.serialHex,
        nextSerial: next.certificate.serialHex,
        nextSha1: next.certificate.sha1,
        nextNotAfter: next.certificate.notAfter.toISOString(),
      });
      return status();
    },
    async finish(options, actor) {
      const r = staged();
      const cur = d.identities.get('tftp').certificate;
      if (cur.sha1 !== r.fromSha1)
        throw new AppError(
          'ERR_CONFLICT',
          `the TFTP certificate changed since the rotation started (SHA-1 ${r.fromSha1} then, ${cur.sha1} now): ` +
            'the phones hold an ITL listing the old pair; abort the rotation (opencapf itl rotate abort)',
        );
      d.trust.itl(); // the ITL served now is recorded among the rotation's ITLs before the phones are counted
      const phones = await phonesFor(d.state.rotationItls(r.next.sha1));
      const blockers = finishBlockers(r, phones);
      if (!d.identities.staged('tftp')) throw new AppError('ERR_CONFLICT', blockers[0]!);
      if (blockers.length > 0 && !options.force)
        throw new AppError(
          'ERR_SIGNER_STRANDS_PHONES',
          `finishing the rotation now: ${blockers.join('; ')}. Refused; --force (API: force: true) switches anyway.`,
        );
      const promoted = d.identities.promoteNext('tftp', r.next.sha1);
      const forced = blockers.length > 0;
      d.state.setRotation({
        ...r,
        phase: 'finished',
        endedAt: d.clock.now(),
        endedBy: actor.name,
        forced,
      });
      await record(actor, 'itl.rotate-finish', {
        serial: promoted.certificate.serialHex,
        sha1: promoted.certificate.sha1,
        previousSerial: cur.serialHex,
        phones,
        ...(forced ? { forced: true, overrode: blockers } : {}),
      });
      return status();
    },
    async abort(actor) {
      try {
        effective();
      } catch (e) {
        // A damaged record is discarded with its next key: the ITL then lists the current signers only.
        d.state.setRotation(null);
        d.identities.discardNext('tftp');
        await record(actor, 'itl.rotate-abort', { damaged: (e as Error).message });
        return status();
      }
      const s = staged();
      d.state.setRotation({ ...s, phase: 'aborted', endedAt: d.clock.now(), endedBy: actor.name });
      d.identities.discardNext('tftp');
      await record(actor, 'itl.rotate-abort', { nextSerial: s.next.serialHex, nextSha1: s.next.sha1 });
      return status();
    },
  };
}
