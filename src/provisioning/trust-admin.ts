// Owns trust administration: changing what phones trust (ITL signer reset localkey / normal, rollback on / off,
// rebuilding the trust lists from disk, regenerating, re-keying by CSR or importing a cluster identity) and writing
// the audit row of each change, so that the API and the CLI record the same row for the same act.
//
// Regenerating the ITL signers (tftp, itlrecovery) goes through the refusals of signer-safety.ts first.
//
// It lives in provisioning/ (not trust/) because trust/ is the pure codec of ITL/CTL files, while this
// changes the state the provisioning service keeps (signing mode, identities it signs with) and audits it.

import type { Clock } from '../shared/clock.ts';
import { AppError } from '../shared/errors.ts';
import type { IdentityName, IdentityService, LoadedIdentity } from '../pki/index.ts';
import { recordAudit, type AuditAction, type AuditAppendPort } from '../audit/index.ts';
import type { SigningMode } from './trust-files.ts';
import type { Provisioning } from './service.ts';
import { assertNoStagedRotation, checkRegeneration, type SignerFacts } from './signer-safety.ts';

export interface TrustAdminActor {
  name: string;
  source: string;
}

/** The one thing trust administration needs from the store: the audit log's append port. */
export type TrustAuditLog = AuditAppendPort;

export interface TrustAdmin {
  setSigningMode(mode: SigningMode, actor: TrustAdminActor): Promise<void>;
  /** Serves the rollback ITL (tlv-files.md §9.6) or the normal one again; audited only when it changes. */
  setRollback(on: boolean, actor: TrustAdminActor): Promise<{ changed: boolean }>;
  /** Re-reads identities and provisioning files; returns the identities that changed. */
  rebuild(actor: TrustAdminActor): Promise<string[]>;
  /** Regenerates one identity (refused like regenerateIdentities). */
  regenerateIdentity(name: IdentityName, actor: TrustAdminActor, options?: RegenerateOptions): Promise<LoadedIdentity>;
  /**
   * Regenerates identities in the order given, as one act: refused (ERR_SIGNER_STRANDS_PHONES, nothing
   * changed) when the change would strand phones (signer-safety.ts), unless options.force; each audit row
   * then records forced: true and the rules it overrode.
   */
  regenerateIdentities(
    names: readonly IdentityName[],
    actor: TrustAdminActor,
    options?: RegenerateOptions,
  ): Promise<LoadedIdentity[]>;
  createCsr(name: IdentityName, actor: TrustAdminActor): Promise<string>;
  importCertificate(name: IdentityName, pem: string, actor: TrustAdminActor): Promise<LoadedIdentity>;
}

export interface RegenerateOptions {
  force?: boolean;
}

export interface TrustAdminDeps {
  provisioning: Pick<Provisioning, 'setSigningMode' | 'refreshFromDisk' | 'rollback' | 'setRollback' | 'trust'>;
  /** When a staged TFTP rotation began (signer-rotation.ts), or null. */
  rotationStagedAt(): Date | null;
  transitionHours: number;
  identities: Pick<IdentityService, 'regenerate' | 'createCsr' | 'importCertificate'>;
  audit: TrustAuditLog;
  clock: Clock;
}

const ITL_FILE = 'ITLFile.tlv';

export function createTrustAdmin(d: TrustAdminDeps): TrustAdmin {
  // The change is made first and audited once it has happened: a failed change writes no row.
  const record = (actor: TrustAdminActor, action: AuditAction, target: string, details: Record<string, unknown>) =>
    recordAudit(d.audit, { at: d.clock.now().toISOString(), actor, action, target, details });
  const facts = (): SignerFacts => ({
    signerReason: d.provisioning.trust.itl().signerReason,
    tftpReplacedAt: d.provisioning.trust.recentlyReplaced('tftp'),
    itlRecoveryReplacedAt: d.provisioning.trust.recentlyReplaced('itlrecovery'),
    transitionHours: d.transitionHours,
    rotationStagedAt: d.rotationStagedAt(),
  });
  async function regenerateIdentities(
    names: readonly IdentityName[],
    actor: TrustAdminActor,
    options: RegenerateOptions = {},
  ): Promise<LoadedIdentity[]> {
    const unique = [...new Set(names)];
    if (unique.length === 0) throw new AppError('ERR_BAD_REQUEST', 'name at least one certificate to regenerate');
    // Only the ITL signers can strand phones; the others are not checked (nor is the rotation record read).
    const signers = unique.some((n) => n === 'tftp' || n === 'itlrecovery');
    const overridden = signers ? checkRegeneration(unique, facts(), options.force === true) : [];
    const out: LoadedIdentity[] = [];
    for (const name of unique) {
      const id = await d.identities.regenerate(name);
      await record(actor, 'certificate.regenerate', name, {
        serial: id.certificate.serialHex,
        notAfter: id.certificate.notAfter.toISOString(),
        ...(overridden.length > 0
          ? {
              forced: true,
              overrode: overridden.map((r) => r.rule),
              ...(unique.length > 1 ? { together: unique } : {}),
            }
          : {}),
      });
      out.push(id);
    }
    return out;
  }
  return {
    async setSigningMode(mode, actor) {
      d.provisioning.setSigningMode(mode);
      await record(actor, mode === 'localkey' ? 'itl.reset-localkey' : 'itl.reset-normal', ITL_FILE, {});
    },
    async setRollback(on, actor) {
      if (d.provisioning.rollback() === on) return { changed: false };
      d.provisioning.setRollback(on);
      await record(actor, on ? 'itl.rollback-on' : 'itl.rollback-off', ITL_FILE, {});
      return { changed: true };
    },
    async rebuild(actor) {
      const { identities } = d.provisioning.refreshFromDisk();
      await record(actor, 'itl.rebuild', ITL_FILE, { changed: identities });
      return identities;
    },
    async regenerateIdentity(name, actor, options) {
      const [id] = await regenerateIdentities([name], actor, options);
      return id!;
    },
    regenerateIdentities,
    async createCsr(name, actor) {
      const csr = await d.identities.createCsr(name);
      await record(actor, 'certificate.csr', name, {});
      return csr;
    },
    async importCertificate(name, pem, actor) {
      if (name === 'tftp' || name === 'itlrecovery')
        assertNoStagedRotation([name], { rotationStagedAt: d.rotationStagedAt() });
      const id = d.identities.importCertificate(name, pem);
      await record(actor, 'certificate.import', name, {
        serial: id.certificate.serialHex,
        issuer: id.certificate.issuerDn,
        chain: id.chain.length + 1,
      });
      return id;
    },
  };
}
