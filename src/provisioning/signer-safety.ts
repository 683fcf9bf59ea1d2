// Owns the refusals of signer changes that would strand phones (tlv-files.md §5, §9): which regenerations of
// the TFTP (CallManager) and ITLRecovery identities, alone or together, leave phones holding an ITL whose every
// SAST is gone, and what the phones would then do. Pure rules over facts; trust-admin.ts applies them for the
// CLI and the API alike, so both refuse the same acts with the same words.

import { AppError } from '../shared/errors.ts';
import type { IdentityName } from '../pki/index.ts';
import type { BuiltTrustList } from './trust-files.ts';

/** The rules, each with a stable name the audit row of a forced change records. */
export const SIGNER_RULES = {
  'tftp-with-itlrecovery': 'both SAST certificates of every ITL would change at once',
  'itlrecovery-while-signing': 'ITLRecovery would change while it is the key that signs the ITL',
  'tftp-after-itlrecovery': 'the TFTP certificate would change while phones may not list the new ITLRecovery yet',
} as const;
export type SignerRule = keyof typeof SIGNER_RULES;

export interface SignerRefusal {
  rule: SignerRule;
  message: string;
}

export interface SignerFacts {
  /** Who signs the ITL served now, and why (trust-files.ts). */
  signerReason: BuiltTrustList['signerReason'];
  /** When the TFTP / ITLRecovery certificate was replaced, if less than transitionHours ago. */
  tftpReplacedAt: Date | null;
  itlRecoveryReplacedAt: Date | null;
  transitionHours: number;
  /** When a staged TFTP rotation (`opencapf itl rotate start`) began, or null. */
  rotationStagedAt: Date | null;
}

const CISCO_225746 =
  'every phone holds an ITL whose two SAST certificates would both be gone: they would reject the new ITL and ' +
  'every signed config until each ITL is erased by hand (Cisco doc 225746)';

function windowEnd(at: Date, hours: number): string {
  return new Date(at.getTime() + hours * 3600_000).toISOString();
}

/** The refusals that apply to regenerating these identities (in one command) now; empty when it is safe. */
export function regenerationRefusals(names: readonly IdentityName[], f: SignerFacts): SignerRefusal[] {
  const set = new Set(names);
  const out: SignerRefusal[] = [];
  const h = f.transitionHours;
  if (set.has('tftp') && set.has('itlrecovery')) {
    out.push({
      rule: 'tftp-with-itlrecovery',
      message:
        `regenerating tftp and itlrecovery together: ${CISCO_225746}. Change one, let the phones fetch ` +
        'the ITL it produces (for tftp: opencapf itl rotate start … finish), then the other',
    });
    return out;
  }
  if (set.has('itlrecovery') && f.signerReason !== 'normal') {
    const why =
      f.signerReason === 'localkey'
        ? 'ITLRecovery signs the ITL (itl reset localkey is in effect, for phones whose TFTP signer is gone): ' +
          'for those phones ITLRecovery is the only SAST they still trust'
        : `ITLRecovery signs the ITL because the TFTP certificate changed at ${f.tftpReplacedAt?.toISOString()} ` +
          `(until ${f.tftpReplacedAt ? windowEnd(f.tftpReplacedAt, h) : '?'}): phones that have not fetched ` +
          'the ITL since hold one whose TFTP SAST is gone, and ITLRecovery is the only SAST they still trust';
    const cure =
      f.signerReason === 'localkey'
        ? 'Let the phones fetch the recovery-signed ITL, run opencapf itl reset normal, then regenerate itlrecovery'
        : `Reset the phones so they fetch the current ITL, or wait until the window ends (itl.transitionHours ${h})`;
    out.push({
      rule: 'itlrecovery-while-signing',
      message:
        `regenerating itlrecovery now: ${why}. A new ITLRecovery key would sign the next ITL, a key they do ` +
        'not hold: they would reject it and every signed config until each ITL is erased by hand. ' +
        cure,
    });
  }
  if (set.has('tftp') && f.itlRecoveryReplacedAt) {
    const at = f.itlRecoveryReplacedAt;
    out.push({
      rule: 'tftp-after-itlrecovery',
      message:
        `regenerating tftp now: the ITLRecovery certificate changed at ${at.toISOString()}, and phones that ` +
        'have not fetched an ITL since still list the old one. A new TFTP certificate makes ITLRecovery sign ' +
        `the ITL for ${h} h; those phones know neither the new ITLRecovery key nor the new TFTP certificate: ` +
        'they would reject the new ITL and every signed config until each ITL is erased by hand. Reset the ' +
        `phones so they fetch the current ITL, or wait until ${windowEnd(at, h)}`,
    });
  }
  return out;
}

/**
 * Refuses regenerating (or importing) a signer while a rotation is staged: the rotation's ITL names the
 * certificates it started from. Not overridable by force: finish or abort the rotation first.
 */
export function assertNoStagedRotation(names: readonly IdentityName[], f: Pick<SignerFacts, 'rotationStagedAt'>) {
  const signers = names.filter((n) => n === 'tftp' || n === 'itlrecovery');
  if (signers.length === 0 || !f.rotationStagedAt) return;
  throw new AppError(
    'ERR_CONFLICT',
    `a staged rotation of the TFTP signer is in progress (started ${f.rotationStagedAt.toISOString()}); ` +
      `changing ${signers.join(' and ')} now would invalidate the ITL the phones are fetching. ` +
      'Finish it (opencapf itl rotate finish) or abort it (opencapf itl rotate abort) first',
  );
}

/**
 * Throws ERR_SIGNER_STRANDS_PHONES naming the consequence unless force; returns the refusals that force
 * overrode (for the audit row).
 */
export function checkRegeneration(names: readonly IdentityName[], f: SignerFacts, force: boolean): SignerRefusal[] {
  assertNoStagedRotation(names, f);
  const refusals = regenerationRefusals(names, f);
  if (refusals.length > 0 && !force) {
    throw new AppError(
      'ERR_SIGNER_STRANDS_PHONES',
      `${refusals.map((r) => r.message).join('. ')}. Refused; --force (API: force: true) does it anyway.`,
    );
  }
  return refusals;
}
