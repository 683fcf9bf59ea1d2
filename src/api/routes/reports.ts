// Owns /api/v1/reports (CAPF report CSV, expiry summary), /api/v1/audit and /api/v1/renewal.

import type { FastifyInstance } from 'fastify';
import { Readable } from 'node:stream';
import { viewerOf } from '../request-helpers.ts';
import { AppError } from '../../shared/errors.ts';
import type { ApiDeps } from '../deps.ts';
import {
  arr,
  auditSchema,
  bulkJobSchema,
  isoTime,
  nullable,
  obj,
  phoneFilter,
  str,
  toPhoneQuery,
  urlFilterProps,
  type PhoneFilterInput,
} from '../schemas.ts';

const counts = {
  none: { type: 'integer' },
  expired: { type: 'integer' },
  within30: { type: 'integer' },
  within90: { type: 'integer' },
  valid: { type: 'integer' },
  phones: { type: 'integer' },
};

/** `capf-report-20261204-2215Z.csv`: the UTC minute the report was made, so downloads neither collide nor mislead. */
export function datedFileName(stem: string, at: Date): string {
  const iso = at.toISOString(); // 2026-12-04T22:15:07.123Z
  return `${stem}-${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 16).replace(':', '')}Z.csv`;
}

export function registerReportRoutes(app: FastifyInstance, d: ApiDeps): void {
  const summary =
    'The CAPF report as CSV: device, model, description, auth mode, auth string, ' +
    'operation, status, LSC status, serial, issuer, not-before, expires, days left';
  const sendReport = (
    req: Parameters<typeof viewerOf>[0],
    reply: import('fastify').FastifyReply,
    filter: PhoneFilterInput,
  ) => {
    // The stream starts only when sent; a refused filter must fail before the 200 and headers go out.
    const csv = d.reports.capfReportCsv(toPhoneQuery(filter), viewerOf(req))[Symbol.asyncIterator]();
    return csv.next().then((first) => {
      reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${datedFileName('capf-report', new Date())}"`);
      return reply.send(
        Readable.from(
          (async function* () {
            if (!first.done) yield first.value;
            for (let r = await csv.next(); !r.done; r = await csv.next()) yield r.value;
          })(),
        ),
      );
    });
  };
  app.get<{ Querystring: PhoneFilterInput }>(
    '/reports/capf',
    {
      config: {
        access: 'read-only',
        secretsGoTo: 'the JSON body of POST /api/v1/reports/capf ({"filter": {"authString": "…"}})',
      },
      schema: {
        summary: `${summary}; the authString filter is refused here (400): use POST /reports/capf`,
        tags: ['reports'],
        querystring: obj(urlFilterProps),
        produces: ['text/csv'],
      },
    },
    async (req, reply) => sendReport(req, reply, req.query),
  );

  app.post<{ Body: { filter?: PhoneFilterInput } }>(
    '/reports/capf',
    {
      config: { access: 'read-only' },
      schema: {
        summary:
          `${summary}, for the phones the filter in the body matches (the only ` +
          'place the authString filter is accepted; read-only gets 403 for it)',
        tags: ['reports'],
        body: obj({ filter: phoneFilter }),
        produces: ['text/csv'],
      },
    },
    async (req, reply) => sendReport(req, reply, req.body?.filter ?? {}),
  );

  app.get<{ Querystring: { status?: string; limit?: number; offset?: number } }>(
    '/reports/itl-status',
    {
      config: { access: 'read-only' },
      schema: {
        summary:
          'ITL File Status: per phone, the ITL our TFTP/HTTP servers last served it (current, older or never) ' +
          'and the counts',
        tags: ['reports'],
        querystring: obj({
          status: { type: 'string', enum: ['current', 'older', 'never'] },
          limit: { type: 'integer', minimum: 1, maximum: 10000 },
          offset: { type: 'integer', minimum: 0 },
        }),
        response: {
          200: obj({
            counts: obj({
              current: { type: 'integer' },
              older: { type: 'integer' },
              never: { type: 'integer' },
              total: { type: 'integer' },
              unlisted: { type: 'integer' },
            }),
            current: arr(str()),
            total: { type: 'integer' },
            items: arr(
              obj({
                deviceName: str(),
                status: { type: 'string', enum: ['current', 'older', 'never'] },
                itlSha1: nullable(str()),
                itlTimestamp: nullable(str()),
                servedAt: nullable(str()),
                via: nullable(str()),
                address: nullable(str()),
                servedCount: { type: 'integer' },
                lastCapfSessionAt: nullable(str()),
              }),
            ),
          }),
        },
      },
    },
    async (req) => {
      const itl = d.itlStatus;
      if (!itl) throw new AppError('ERR_NOT_FOUND', 'this API runs without a node: no ITL File Status');
      const [counts, r] = await Promise.all([
        itl.counts(),
        itl.list({
          ...(req.query.status ? { status: req.query.status } : {}),
          ...(req.query.limit !== undefined ? { limit: req.query.limit } : {}),
          ...(req.query.offset !== undefined ? { offset: req.query.offset } : {}),
        }),
      ]);
      return { counts, current: r.current, total: r.total, items: r.items };
    },
  );
  const micCounts = {
    phones: { type: 'integer' },
    expired: { type: 'integer' },
    within90: { type: 'integer' },
    valid: { type: 'integer' },
    unknown: { type: 'integer' },
  };
  app.get<{ Querystring: PhoneFilterInput & { limit?: number } }>(
    '/reports/mic',
    {
      config: { access: 'read-only' },
      schema: {
        summary:
          'The MIC report: phones whose MIC was recorded in a CAPF session (issuer, serial, not-after, SHA-1), ' +
          'counted by issuer and state (expired, within 90 days, valid, unknown); the phone filter narrows it',
        tags: ['reports'],
        querystring: obj({ ...urlFilterProps, limit: { type: 'integer', minimum: 1, maximum: 10000 } }),
        response: {
          200: obj({
            generatedAt: str(),
            totals: obj(micCounts),
            byIssuer: arr(obj({ issuer: str(), ...micCounts })),
            total: { type: 'integer' },
            items: arr(
              obj({
                deviceName: str(),
                model: str(),
                profileName: nullable(str()),
                issuer: str(),
                subject: str(),
                serialHex: str(),
                notAfter: nullable(str()),
                sha1: nullable(str()),
                seenAt: str(),
                state: { type: 'string', enum: ['expired', 'within90', 'valid', 'unknown'] },
                daysLeft: nullable({ type: 'integer' }),
                hasLsc: { type: 'boolean' },
              }),
            ),
          }),
        },
      },
    },
    async (req) => {
      const { limit, ...filter } = req.query;
      return d.reports.micReport(toPhoneQuery(filter), viewerOf(req), limit !== undefined ? { limit } : {});
    },
  );
  app.get(
    '/reports/expiry',
    {
      config: { access: 'read-only' },
      schema: {
        summary: "LSCs expired / expiring within 30 and 90 days / valid, by model, and the CAPF CA's own expiry",
        tags: ['reports'],
        response: {
          200: obj({
            generatedAt: str(),
            totals: obj(counts),
            byModel: arr(obj({ model: str(), ...counts })),
            capfCa: obj({ notAfter: str(), daysLeft: { type: 'integer' }, expired: { type: 'boolean' } }),
          }),
        },
      },
    },
    async () => d.reports.expirySummary(),
  );

  app.get<{
    Querystring: { actor?: string; action?: string; target?: string; since?: string; limit?: number; offset?: number };
  }>(
    '/audit',
    {
      config: { access: 'read-only' },
      schema: {
        summary: 'The audit log, newest first (append-only: there is no way to change or delete entries)',
        tags: ['audit'],
        querystring: obj({
          actor: str(64),
          action: str(64),
          target: str(128),
          since: isoTime,
          limit: { type: 'integer', minimum: 1, maximum: 1000 },
          offset: { type: 'integer', minimum: 0 },
        }),
        response: {
          200: obj({
            items: arr(auditSchema),
            total: { type: 'integer' },
            offset: { type: 'integer' },
            limit: { type: 'integer' },
          }),
        },
      },
    },
    async (req) => d.audit.list(req.query),
  );

  app.get(
    '/renewal',
    {
      config: { access: 'read-only' },
      schema: {
        summary: 'Renewal policy and how many LSCs are due now',
        tags: ['renewal'],
        response: {
          200: obj({
            enabled: { type: 'boolean' },
            windowDays: { type: 'integer' },
            authMode: str(),
            deadlineHours: { type: 'integer' },
            due: { type: 'integer' },
          }),
        },
      },
    },
    async (req) => ({ ...d.renewal.policy, due: (await d.bulk.preview(d.renewal.filter(), viewerOf(req))).matched }),
  );

  app.post(
    '/renewal/run',
    {
      config: { access: 'operator' },
      schema: {
        summary:
          'Schedule renewal now for LSCs inside the window (even when the ' +
          'policy is disabled); no job when nothing is due or one is active',
        tags: ['renewal'],
        response: { 200: obj({ scheduled: { type: 'boolean' }, job: bulkJobSchema }) },
      },
    },
    async () => {
      const job = await d.renewal.runOnce({ force: true });
      return job ? { scheduled: true, job } : { scheduled: false };
    },
  );
}
