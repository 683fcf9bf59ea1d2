// Owns /api/v1/trust/itl/rotation: the staged rotation of the TFTP signer (status, start, finish, abort), the
// same acts and audit rows as `opencapf itl rotate` (provisioning/signer-rotation.ts).

import type { FastifyInstance } from 'fastify';
import { AppError } from '../../shared/errors.ts';
import type { SignerRotation } from '../../provisioning/signer-rotation.ts';
import { absentBodyIsEmpty, actorOf, confirmPasswordProp } from '../request-helpers.ts';
import type { ApiDeps } from '../deps.ts';
import { arr, nullable, obj, str } from '../schemas.ts';

const int = { type: 'integer' } as const;
const certSchema = obj({ serialHex: str(), sha1: str(), subjectDn: str(1024), notAfter: str() });
export const rotationStatusSchema = obj({
  phase: { type: 'string', enum: ['none', 'staged', 'finished', 'aborted'] },
  startedAt: nullable(str()),
  startedBy: nullable(str()),
  endedAt: nullable(str()),
  endedBy: nullable(str()),
  forced: { type: 'boolean' },
  current: certSchema,
  next: nullable(certSchema),
  itl: obj({
    sha1: str(),
    listsNext: { type: 'boolean' },
    signedBy: { type: 'string', enum: ['tftp', 'itlrecovery'] },
    signerReason: str(),
  }),
  rotationItls: arr(str(), 10_000),
  phones: nullable(obj({ current: int, older: int, never: int, total: int })),
  transitionEndsAt: nullable(str()),
  blockers: arr(str(4096)),
  summary: str(4096),
});

export function registerItlRotationRoutes(app: FastifyInstance, deps: Pick<ApiDeps, 'signerRotation'>): void {
  const need = (): SignerRotation => {
    if (!deps.signerRotation) throw new AppError('ERR_NOT_FOUND', 'this node does not rotate trust-list signers');
    return deps.signerRotation;
  };
  const response = { 200: rotationStatusSchema };
  app.get(
    '/trust/itl/rotation',
    {
      config: { access: 'read-only' },
      schema: {
        summary:
          'The staged rotation of the TFTP signer: phase, the SHA-1 of the ITLs that list the next ' +
          'certificate, how many phones fetched one (null: unknown), and what finish would refuse for',
        tags: ['trust'],
        response,
      },
    },
    async () => need().status(),
  );
  const confirmBody = obj({ confirmPassword: confirmPasswordProp });
  app.post(
    '/trust/itl/rotation/start',
    {
      config: { access: 'admin', confirm: true },
      preValidation: absentBodyIsEmpty,
      schema: {
        summary:
          'Start: generate the next TFTP key and certificate (not used to sign yet); the ITL, still signed ' +
          'by the current key, lists it with role TFTP and TVS vouches for it. 409 if one is staged',
        tags: ['trust'],
        body: confirmBody,
        response,
      },
    },
    async (req) => need().start(actorOf(req)),
  );
  app.post<{ Body: { force?: boolean } }>(
    '/trust/itl/rotation/finish',
    {
      config: { access: 'admin', confirm: true },
      preValidation: absentBodyIsEmpty,
      schema: {
        summary:
          'Finish: the next certificate becomes the TFTP certificate (the old one is kept as previous, ' +
          'ITLRecovery signs the ITL for itl.transitionHours). 409 ERR_SIGNER_STRANDS_PHONES while phones ' +
          'have not fetched an ITL that lists it, or that is unknown, unless force (audited as forced)',
        tags: ['trust'],
        body: obj({ force: { type: 'boolean', default: false }, confirmPassword: confirmPasswordProp }),
        response,
      },
    },
    async (req) => need().finish({ force: req.body?.force === true }, actorOf(req)),
  );
  app.post(
    '/trust/itl/rotation/abort',
    {
      config: { access: 'admin', confirm: true },
      preValidation: absentBodyIsEmpty,
      schema: {
        summary: 'Abort: discard the next certificate and its key; the ITL lists the current signers only',
        tags: ['trust'],
        body: confirmBody,
        response,
      },
    },
    async (req) => need().abort(actorOf(req)),
  );
}
