// Owns /api/v1/tvs/trust: the certificates of other clusters our TVS vouches for (`opencapf tvs trust`), listed for
// every role, imported and removed by administrators, each change audited by the service like the CLI's.

import type { FastifyInstance } from 'fastify';
import { AppError } from '../../shared/errors.ts';
import { actorOf } from '../request-helpers.ts';
import type { ApiDeps } from '../deps.ts';
import { arr, obj, str } from '../schemas.ts';

/** One entry as the service shows it (provisioning/foreign-trust.ts ForeignTrustView). */
export interface TvsTrustView {
  sha256: string;
  sha1: string;
  subject: string;
  issuer: string;
  serialHex: string;
  notBefore: string;
  notAfter: string;
  roles: string[];
  addedAt: string;
  addedBy: string;
  comment: string;
  state: 'valid' | 'expired' | 'not-yet-valid';
  isCa: boolean;
  keyType: string;
  pem: string;
}

type Actor = { name: string; source: string };
type Files = { name: string; bytes: Uint8Array }[];
type Options = { roles?: readonly string[]; comment?: string };

/** What the routes need from the foreign trust service (built in app/). */
export interface TvsTrustDeps {
  list(): Promise<TvsTrustView[]>;
  check(files: Files, o?: Options): Promise<TvsTrustView[]>;
  import(files: Files, o: Options, actor: Actor): Promise<TvsTrustView[]>;
  remove(selector: string, actor: Actor): Promise<TvsTrustView>;
}

/** The role names the import accepts (for the form), with the default. */
export interface TvsTrustRoles {
  roles: readonly string[];
  defaultRoles: readonly string[];
}

const viewSchema = obj({
  sha256: str(64),
  sha1: str(40),
  subject: str(2048),
  issuer: str(2048),
  serialHex: str(),
  notBefore: str(),
  notAfter: str(),
  roles: arr(str(16)),
  addedAt: str(),
  addedBy: str(),
  comment: str(),
  state: { type: 'string', enum: ['valid', 'expired', 'not-yet-valid'] },
  isCa: { type: 'boolean' },
  keyType: str(),
  pem: str(65_536),
});

export const MAX_FILES = 20;
/** Base64 of the largest file the service reads (1 MiB), and no more: the body limit is 1 MiB anyway. */
export const MAX_FILE_TEXT = 1_400_000;

interface ImportBody {
  files: { name?: string; pem?: string; base64?: string }[];
  roles?: string[];
  comment?: string;
  dryRun?: boolean;
}

export function filesOf(body: Pick<ImportBody, 'files'>): Files {
  return body.files.map((f, i) => {
    const name = f.name?.trim() || `file ${i + 1}`;
    if ((f.pem === undefined) === (f.base64 === undefined))
      throw new AppError('ERR_BAD_REQUEST', `${name}: give either pem (text) or base64 (the file's bytes), not both`);
    if (f.pem !== undefined) return { name, bytes: Buffer.from(f.pem, 'utf8') };
    const b64 = f.base64!.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) throw new AppError('ERR_BAD_REQUEST', `${name}: base64 is malformed`);
    return { name, bytes: Buffer.from(b64, 'base64') };
  });
}

export function registerTvsTrustRoutes(app: FastifyInstance, deps: Pick<ApiDeps, 'tvsTrust' | 'tvsTrustRoles'>): void {
  const need = (): TvsTrustDeps => {
    if (!deps.tvsTrust) throw new AppError('ERR_NOT_FOUND', 'this node has no TVS trust');
    return deps.tvsTrust;
  };
  const roles = deps.tvsTrustRoles ?? { roles: [], defaultRoles: [] };

  app.get(
    '/tvs/trust',
    {
      config: { access: 'read-only' },
      schema: {
        summary:
          'Certificates of other clusters our TVS vouches for (CUCM: CallManager-trust / Phone-SAST-trust ' +
          'of the old cluster), with their roles and state',
        tags: ['trust'],
        response: {
          200: obj({ items: arr(viewSchema), roles: arr(str(16)), defaultRoles: arr(str(16)) }),
        },
      },
    },
    async () => ({ items: await need().list(), roles: [...roles.roles], defaultRoles: [...roles.defaultRoles] }),
  );

  app.post<{ Body: ImportBody }>(
    '/tvs/trust',
    {
      config: { access: 'admin' },
      schema: {
        summary:
          "Import another cluster's certificates (PEM text or a file's bytes in base64; several per file) into " +
          'what our TVS vouches for; all or nothing, audited; dryRun only checks',
        tags: ['trust'],
        body: obj(
          {
            files: arr(
              obj({
                name: str(256),
                pem: str(MAX_FILE_TEXT),
                base64: str(MAX_FILE_TEXT),
              }),
              MAX_FILES,
            ),
            roles: arr(str(16), 7),
            comment: str(256),
            dryRun: { type: 'boolean', default: false },
          },
          ['files'],
        ),
        response: { 200: obj({ dryRun: { type: 'boolean' }, items: arr(viewSchema) }) },
      },
    },
    async (req) => {
      const files = filesOf(req.body);
      const o: Options = {
        ...(req.body.roles ? { roles: req.body.roles } : {}),
        ...(req.body.comment !== undefined ? { comment: req.body.comment } : {}),
      };
      const dryRun = req.body.dryRun === true;
      const items = dryRun ? await need().check(files, o) : await need().import(files, o, actorOf(req));
      return { dryRun, items };
    },
  );

  app.delete<{ Params: { sha: string } }>(
    '/tvs/trust/:sha',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Stop vouching for a certificate of another cluster (by SHA-1 or a SHA-256 prefix of 8+ digits)',
        tags: ['trust'],
        params: obj({ sha: str(100, { pattern: '^[0-9A-Fa-f:]{1,100}$' }) }, ['sha']),
        response: { 200: obj({ removed: viewSchema }) },
      },
    },
    async (req) => ({ removed: await need().remove(req.params.sha, actorOf(req)) }),
  );
}
