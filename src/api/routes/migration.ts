// Owns /api/v1/migration: the migration kit of the web UI's guided page — the plan ticked from what this
// cluster observed, the certificates to upload to the old cluster (audited like `migrate export-trust`), and the
// check that a phone holding the old ITL would accept ours (docs/migration.md).

import type { FastifyInstance } from 'fastify';
import { AppError } from '../../shared/errors.ts';
import {
  isMigrationSource,
  MIGRATION_SOURCES,
  exportManifest,
  parseHostPort,
  type MigrationCheckRequest,
  type MigrationService,
} from '../../migration/index.ts';
import { actorOf } from '../request-helpers.ts';
import type { ApiDeps } from '../deps.ts';
import { arr, nullable, obj, str } from '../schemas.ts';

const stepSchema = obj({
  id: str(),
  title: str(1024),
  state: { type: 'string', enum: ['done', 'todo', 'watch', 'manual'] },
  details: arr(str(2048)),
  commands: arr(str(2048)),
  evidence: nullable(str(2048)),
});
const planSchema = obj({ from: { type: 'string', enum: [...MIGRATION_SOURCES] }, steps: arr(stepSchema) });
const exportedSchema = obj({
  identity: { type: 'string', enum: ['tftp', 'itlrecovery'] },
  fileName: str(),
  cucmName: str(),
  cucmStores: arr(str()),
  openCapfRoles: arr(str()),
  subject: str(1024),
  serialHex: str(),
  sha1: str(),
  sha256: str(),
  notAfter: str(),
  pem: str(65_536),
});
const checkLineSchema = obj({
  id: str(),
  ok: { type: ['boolean', 'null'] },
  text: str(4096),
  cure: str(4096),
});
const checkSchema = obj({
  at: str(),
  ok: { type: 'boolean' },
  verdict: { type: 'string', enum: ['rollback', 'direct', 'tvs', 'refused', 'incomplete'] },
  lines: arr(checkLineSchema),
});
const hostPort = str(300, { description: 'host or host:port' });

interface CheckBody {
  oldTftp?: string;
  oldItlBase64?: string;
  oldTvs?: string[];
  tftp?: string;
}

export function registerMigrationRoutes(app: FastifyInstance, deps: Pick<ApiDeps, 'migration'>): void {
  const need = (): MigrationService => {
    if (!deps.migration) throw new AppError('ERR_NOT_FOUND', 'this API runs without a node: no migration kit');
    return deps.migration;
  };
  app.get<{ Querystring: { from: string } }>(
    '/migration/plan',
    {
      config: { access: 'read-only' },
      schema: {
        summary: 'The steps for moving phones that trust another cluster onto this one, ticked from what it observed',
        tags: ['migration'],
        querystring: obj({ from: { type: 'string', enum: [...MIGRATION_SOURCES] } }, ['from']),
        response: { 200: planSchema },
      },
    },
    async (req) => {
      const from = req.query.from;
      if (!isMigrationSource(from)) throw new AppError('ERR_BAD_REQUEST', `from must be cucm or opencapf`);
      return need().plan(from);
    },
  );
  app.post(
    '/migration/export-trust',
    {
      config: { access: 'operator' },
      schema: {
        summary:
          'Our TFTP (CallManager) and ITLRecovery certificates for the old cluster, with the trust store each goes ' +
          'into (audited as migration.export-trust, like `opencapf migrate export-trust`)',
        tags: ['migration'],
        response: { 200: obj({ manifest: str(65_536), certificates: arr(exportedSchema) }) },
      },
    },
    async (req) => {
      const m = need();
      const r = await m.recordExport(actorOf(req));
      return { manifest: exportManifest(r.node, r.certificates, new Date(r.at)), certificates: r.certificates };
    },
  );
  app.post<{ Body: CheckBody }>(
    '/migration/check',
    {
      config: { access: 'operator' },
      schema: {
        summary: 'Would a phone holding the old cluster ITL accept ours? (old ITL, old TVS, our TFTP address)',
        tags: ['migration'],
        body: obj({
          oldTftp: hostPort,
          oldItlBase64: str(1_000_000, { description: 'the ITLFile.tlv the phones hold, base64' }),
          oldTvs: arr(hostPort, 8),
          tftp: hostPort,
        }),
        response: { 200: checkSchema },
      },
    },
    async (req) => {
      const b = req.body ?? {};
      if (b.oldTftp && b.oldItlBase64) throw new AppError('ERR_BAD_REQUEST', 'give oldTftp or oldItlBase64, not both');
      const r: MigrationCheckRequest = {};
      if (b.oldItlBase64) {
        const bytes = Buffer.from(b.oldItlBase64, 'base64');
        if (bytes.length === 0) throw new AppError('ERR_BAD_REQUEST', 'oldItlBase64 is empty or not base64');
        r.oldItl = { kind: 'file', name: 'uploaded ITLFile.tlv', bytes };
      } else if (b.oldTftp) r.oldItl = { kind: 'server', server: parseHostPort(b.oldTftp, 69, 'oldTftp') };
      r.oldTvs = (b.oldTvs ?? []).map((t) => parseHostPort(t, 2445, 'oldTvs'));
      if (b.tftp) r.ourTftp = parseHostPort(b.tftp, 69, 'tftp');
      if (!r.oldItl && r.oldTvs.length === 0 && !r.ourTftp)
        throw new AppError('ERR_BAD_REQUEST', 'nothing to check: give oldTftp or oldItlBase64, oldTvs and tftp');
      return need().check(r, actorOf(req));
    },
  );
}
