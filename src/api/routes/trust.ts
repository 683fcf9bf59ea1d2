// Owns /api/v1/trust (the CAPF trust bundle and CRLs for RADIUS servers and VPN head-ends, certificate
// verification) and /api/v1/certificates/{serial}/revoke.

import type { FastifyInstance } from 'fastify';
import { actorOf } from '../request-helpers.ts';
import type { ApiDeps } from '../deps.ts';
import { AppError } from '../../shared/errors.ts';
import { OPERATOR_REASONS, type RevocationReason, type RevocationService } from '../../revocation/index.ts';
import { obj, str } from '../schemas.ts';

const bool = { type: 'boolean' } as const;

export function registerTrustRoutes(app: FastifyInstance, d: ApiDeps): void {
  const svc = (): RevocationService => {
    if (!d.revocation) throw new AppError('ERR_NOT_FOUND', 'revocation is not available on this API instance');
    return d.revocation;
  };

  app.get<{ Querystring: { previous?: boolean; chain?: boolean } }>(
    '/trust/bundle',
    {
      config: { access: 'read-only' },
      schema: {
        summary:
          'PEM bundle of the CAPF CA certificates that 802.1X (FreeRADIUS ca_file, ISE) and VPN (ASA ' +
          'trustpoint) must trust: the current one, its chain, and the previous one during a CAPF rollover',
        tags: ['trust'],
        querystring: obj({ previous: { ...bool, default: true }, chain: { ...bool, default: true } }),
        produces: ['application/x-pem-file'],
      },
    },
    async (req, reply) => {
      const b = svc().trustBundle({
        includePrevious: req.query.previous !== false,
        includeChain: req.query.chain !== false,
      });
      return reply
        .type('application/x-pem-file')
        .header('content-disposition', 'attachment; filename="capf-trust-bundle.pem"')
        .send(b.pem);
    },
  );

  app.get<{ Querystring: { previous?: boolean; format?: 'pem' | 'der' } }>(
    '/trust/crl',
    {
      config: { access: 'read-only' },
      schema: {
        summary:
          'The CRL of the current (or previous) CAPF CA; also served ' +
          'without authentication on HTTP 6970 at /crl/capf.crl',
        tags: ['trust'],
        querystring: obj({
          previous: { ...bool, default: false },
          format: { type: 'string', enum: ['pem', 'der'], default: 'pem' },
        }),
        produces: ['application/x-pem-file', 'application/pkix-crl'],
      },
    },
    async (req, reply) => {
      const c = await svc().crl(req.query.previous ? 'previous' : 'current');
      if (!c) throw new AppError('ERR_NOT_FOUND', 'there is no previous CAPF certificate (no rollover in progress)');
      return req.query.format === 'der'
        ? reply.type('application/pkix-crl').send(c.der)
        : reply.type('application/x-pem-file').send(c.pem);
    },
  );

  app.post<{ Body: { certificate: string } }>(
    '/trust/verify',
    {
      config: { access: 'read-only' },
      schema: {
        summary:
          'Is this certificate (PEM) a valid LSC of this CAPF: device, ' +
          'current or not, revoked, expired; MICs are recognised',
        tags: ['trust'],
        body: obj({ certificate: str(65536) }, ['certificate']),
      },
    },
    async (req) => svc().verify(req.body.certificate),
  );

  app.post<{ Params: { serial: string }; Body: { reason?: RevocationReason } }>(
    '/certificates/:serial/revoke',
    {
      config: { access: 'operator' },
      schema: {
        summary:
          'Revoke an LSC (e.g. a stolen phone: keyCompromise); the CRL ' +
          'and OCSP answers include it at once; recorded in the audit log',
        tags: ['trust'],
        params: obj({ serial: str(66, { pattern: '^[0-9A-Fa-f:]{1,66}$' }) }, ['serial']),
        body: obj({ reason: { type: 'string', enum: [...OPERATOR_REASONS], default: 'unspecified' } }),
      },
    },
    async (req) => {
      const reason = req.body?.reason ?? 'unspecified';
      await svc().revoke(req.params.serial, reason, actorOf(req));
      return { serial: req.params.serial.toUpperCase(), revoked: true, reason };
    },
  );
}
