// Owns /api/v1/capf/manufacturing-cas: the manufacturing CAs CAPF checks MICs against — the read-only bundle of
// capf.manufacturingCaFile and the managed entries — listed for every role, imported and removed by administrators,
// each change audited by the service like the CLI's (`opencapf capf manufacturing`).

import type { FastifyInstance } from 'fastify';
import { AppError } from '../../shared/errors.ts';
import { actorOf } from '../request-helpers.ts';
import type { ApiDeps } from '../deps.ts';
import { arr, nullable, obj, str } from '../schemas.ts';
import { filesOf, MAX_FILE_TEXT, MAX_FILES } from './tvs-trust.ts';

/** One manufacturing CA as the service shows it (provisioning/manufacturing-trust.ts ManufacturingCaView). */
export interface ManufacturingCaItem {
  source: 'config' | 'managed';
  sha256: string;
  sha1: string;
  subject: string;
  issuer: string;
  serialHex: string;
  notBefore: string;
  notAfter: string;
  state: 'valid' | 'expired' | 'not-yet-valid';
  keyType: string;
  addedAt: string | null;
  addedBy: string | null;
  comment: string;
  pem: string;
}

type Actor = { name: string; source: string };
type Files = { name: string; bytes: Uint8Array }[];

/** What the routes need from the manufacturing trust (built in app/). */
export interface ManufacturingCaDeps {
  list(): Promise<ManufacturingCaItem[]>;
  check(files: Files, o?: { comment?: string }): Promise<ManufacturingCaItem[]>;
  import(files: Files, o: { comment?: string }, actor: Actor): Promise<ManufacturingCaItem[]>;
  remove(selector: string, actor: Actor): Promise<ManufacturingCaItem>;
}

const itemSchema = obj({
  source: { type: 'string', enum: ['config', 'managed'] },
  sha256: str(64),
  sha1: str(40),
  subject: str(2048),
  issuer: str(2048),
  serialHex: str(),
  notBefore: str(),
  notAfter: str(),
  state: { type: 'string', enum: ['valid', 'expired', 'not-yet-valid'] },
  keyType: str(),
  addedAt: nullable(str()),
  addedBy: nullable(str()),
  comment: str(),
  pem: str(65_536),
});

export function registerManufacturingCaRoutes(app: FastifyInstance, deps: Pick<ApiDeps, 'manufacturingCas'>): void {
  const need = (): ManufacturingCaDeps => {
    if (!deps.manufacturingCas) throw new AppError('ERR_NOT_FOUND', 'this node has no CAPF manufacturing trust');
    return deps.manufacturingCas;
  };

  app.get(
    '/capf/manufacturing-cas',
    {
      config: { access: 'read-only' },
      schema: {
        summary:
          'The manufacturing CAs MICs are checked against: the read-only bundle of capf.manufacturingCaFile ' +
          '(source config) and the managed entries (source managed); the union is trusted',
        tags: ['capf'],
        response: { 200: obj({ items: arr(itemSchema) }) },
      },
    },
    async () => ({ items: await need().list() }),
  );

  app.post<{ Body: { files: { name?: string; pem?: string; base64?: string }[]; comment?: string; dryRun?: boolean } }>(
    '/capf/manufacturing-cas',
    {
      config: { access: 'admin' },
      schema: {
        summary:
          'Trust manufacturing CA certificates for MICs (PEM text or a file in base64; several per file): each ' +
          'must be a CA, not yet trusted; all or nothing, audited; dryRun only checks',
        tags: ['capf'],
        body: obj(
          {
            files: arr(obj({ name: str(256), pem: str(MAX_FILE_TEXT), base64: str(MAX_FILE_TEXT) }), MAX_FILES),
            comment: str(256),
            dryRun: { type: 'boolean', default: false },
          },
          ['files'],
        ),
        response: { 200: obj({ dryRun: { type: 'boolean' }, items: arr(itemSchema) }) },
      },
    },
    async (req) => {
      const files = filesOf(req.body);
      const o = req.body.comment !== undefined ? { comment: req.body.comment } : {};
      const dryRun = req.body.dryRun === true;
      const items = dryRun ? await need().check(files, o) : await need().import(files, o, actorOf(req));
      return { dryRun, items };
    },
  );

  app.delete<{ Params: { sha: string } }>(
    '/capf/manufacturing-cas/:sha',
    {
      config: { access: 'admin' },
      schema: {
        summary:
          'Stop trusting a managed manufacturing CA (by SHA-1 or a SHA-256 prefix of 8+ digits); one from ' +
          'capf.manufacturingCaFile is refused (409): edit the file',
        tags: ['capf'],
        params: obj({ sha: str(100, { pattern: '^[0-9A-Fa-f:]{1,100}$' }) }, ['sha']),
        response: { 200: obj({ removed: itemSchema }) },
      },
    },
    async (req) => ({ removed: await need().remove(req.params.sha, actorOf(req)) }),
  );
}
