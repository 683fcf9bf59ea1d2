// Owns the migration kit as a service: exporting our signing certificates for the old cluster, checking that a
// phone holding the old ITL would accept ours, and the plan ticked from what this cluster observed. The export
// and each check are audited (migration.export-trust, migration.check): the plan reads its ticks back from there,
// so a CLI check shows in the web UI's checklist and survives a restart.

import { chmodSync, existsSync, mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CertificateInfo } from '../pki/index.ts';
import type { Clock } from '../shared/clock.ts';
import { AppError } from '../shared/errors.ts';
import { recordAudit, type AuditAppendPort } from '../audit/index.ts';
import type { AuditService } from '../audit/service.ts';
import type { PhoneFilter } from '../phones/admin-ports.ts';
import {
  exportedCertificates,
  exportManifest,
  MANIFEST_FILE,
  MANIFEST_JSON,
  type ExportedCertificate,
} from './trust-export.ts';
import {
  runMigrationCheck,
  type CheckVerdict,
  type MigrationCheckPorts,
  type MigrationCheckRequest,
  type MigrationCheckResult,
} from './check.ts';
import { migrationPlan, type MigrationSource, type PhoneCounts, type PlanStep } from './plan.ts';

export interface MigrationActor {
  name: string;
  source: string;
}

export interface MigrationDeps {
  clock: Clock;
  audit: AuditAppendPort;
  auditLog: Pick<AuditService, 'list'>;
  /** Our identities as they are now. */
  certificate(name: 'tftp' | 'itlrecovery'): CertificateInfo;
  /** The ITLFile.tlv we serve now. */
  itl(): Buffer;
  /** Our own rollback mode; absent where it is not known. */
  rollbackOn?: () => boolean;
  node: string;
  publicHost: string;
  ports: { tftp: number | null; http: number | null; tvs: number };
  checkPorts: MigrationCheckPorts;
  countPhones(filter: PhoneFilter): Promise<number>;
  /** ITL File Status counts (current / older / never); absent while it is not recorded. */
  itlStatusCounts?: () => Promise<PhoneCounts>;
}

export interface ExportResult {
  dir: string;
  files: string[];
  certificates: ExportedCertificate[];
}

export interface MigrationService {
  /** The certificates to upload to the old cluster, in memory (the API's download). */
  exportList(): ExportedCertificate[];
  /** Writes them with MANIFEST.txt and manifest.json into dir (created; refuses to overwrite unless force). */
  /** Records that the certificates were handed out (the API's download) and returns them. */
  recordExport(actor: MigrationActor): Promise<{ node: string; at: string; certificates: ExportedCertificate[] }>;
  exportTrust(dir: string, actor: MigrationActor, o?: { force?: boolean }): Promise<ExportResult>;
  check(req: MigrationCheckRequest, actor: MigrationActor): Promise<MigrationCheckResult>;
  plan(from: MigrationSource): Promise<{ from: MigrationSource; steps: PlanStep[] }>;
}

const EXPORT_TARGET = 'migration';

function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, text, { mode: 0o644 });
  chmodSync(tmp, 0o644); // certificates and a manifest: public by design, no key is ever written here
  renameSync(tmp, file);
}

export function createMigrationService(d: MigrationDeps): MigrationService {
  const record = (actor: MigrationActor, action: 'migration.export-trust' | 'migration.check', details: object) =>
    recordAudit(d.audit, {
      at: d.clock.now().toISOString(),
      actor,
      action,
      target: EXPORT_TARGET,
      details: details as Record<string, unknown>,
    });

  const exportList = () =>
    exportedCertificates(d.node, { tftp: d.certificate('tftp'), itlrecovery: d.certificate('itlrecovery') });

  async function latest(action: 'migration.export-trust' | 'migration.check') {
    const r = await d.auditLog.list({ action, limit: 1 });
    return r.items[0] ?? null;
  }

  async function count(filter: PhoneFilter): Promise<number> {
    return d.countPhones(filter);
  }

  return {
    exportList,
    async recordExport(actor) {
      const certificates = exportList();
      const at = d.clock.now().toISOString();
      await record(actor, 'migration.export-trust', {
        dir: null,
        certificates: certificates.map((c) => ({ identity: c.identity, sha1: c.sha1, file: c.fileName })),
      });
      return { node: d.node, at, certificates };
    },
    async exportTrust(dir, actor, o = {}) {
      if (!dir) throw new AppError('ERR_BAD_REQUEST', 'give the directory to write the certificates into');
      const certs = exportList();
      const names = [...certs.map((c) => c.fileName), MANIFEST_FILE, MANIFEST_JSON];
      if (existsSync(dir)) {
        const present = names.filter((n) => readdirSync(dir).includes(n));
        if (present.length > 0 && !o.force)
          throw new AppError(
            'ERR_CONFLICT',
            `${dir} already holds ${present.join(', ')}; give another directory or --force to overwrite`,
          );
      } else mkdirSync(dir, { recursive: true, mode: 0o755 });
      const at = d.clock.now();
      for (const c of certs) writeAtomic(join(dir, c.fileName), c.pem);
      writeAtomic(join(dir, MANIFEST_FILE), exportManifest(d.node, certs, at));
      writeAtomic(
        join(dir, MANIFEST_JSON),
        `${JSON.stringify(
          { node: d.node, at: at.toISOString(), certificates: certs.map(({ pem: _pem, ...rest }) => rest) },
          null,
          2,
        )}\n`,
      );
      await record(actor, 'migration.export-trust', {
        dir,
        certificates: certs.map((c) => ({ identity: c.identity, sha1: c.sha1, file: c.fileName })),
      });
      return { dir, files: names, certificates: certs };
    },
    async check(req, actor) {
      const result = await runMigrationCheck(
        d.checkPorts,
        { itl: d.itl(), tftp: d.certificate('tftp'), itlrecovery: d.certificate('itlrecovery') },
        req,
        d.clock.now(),
      );
      await record(actor, 'migration.check', {
        ok: result.ok,
        verdict: result.verdict,
        oldTvs: (req.oldTvs ?? []).map((t) => `${t.host}:${t.port}`),
        oldItl: req.oldItl
          ? req.oldItl.kind === 'file'
            ? req.oldItl.name
            : `${req.oldItl.server.host}:${req.oldItl.server.port}`
          : null,
        failed: result.lines.filter((l) => l.ok === false).map((l) => l.id),
      });
      return result;
    },
    async plan(from) {
      const [exported, checked, total, withLsc, notOurs, itl] = await Promise.all([
        latest('migration.export-trust'),
        latest('migration.check'),
        count({}),
        count({ lscStatus: 'installed' }),
        count({ lscStatus: 'installed', lscNotCurrentCapf: true }),
        d.itlStatusCounts ? d.itlStatusCounts() : Promise.resolve(null),
      ]);
      const details = (checked?.details ?? {}) as { ok?: unknown; verdict?: unknown };
      const steps = migrationPlan({
        from,
        node: d.node,
        publicHost: d.publicHost,
        tftpPort: d.ports.tftp,
        httpPort: d.ports.http,
        tvsPort: d.ports.tvs,
        exports: exportList(),
        exportedAt: exported?.at ?? null,
        lastCheck: checked
          ? {
              at: checked.at,
              ok: details.ok === true,
              verdict: String(details.verdict ?? 'incomplete') as CheckVerdict,
            }
          : null,
        itl,
        lsc: { fromUs: withLsc - notOurs, total },
        rollbackOn: d.rollbackOn?.() ?? false,
      });
      return { from, steps };
    },
  };
}
