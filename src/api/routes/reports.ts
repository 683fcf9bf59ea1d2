// Owns /api/v1/reports (CAPF report CSV, expiry summary), /api/v1/audit and /api/v1/renewal.

import type { FastifyInstance } from 'fastify';
import { Readable } from 'node:stream';
import { canSeeSecrets } from '../app.ts';
import type { ApiDeps } from '../deps.ts';
import { arr, auditSchema, bulkJobSchema, isoTime, obj, phoneFilterProps, str, toPhoneQuery, type PhoneFilterInput } from '../schemas.ts';

const counts = { none: { type: 'integer' }, expired: { type: 'integer' }, within30: { type: 'integer' }, within90: { type: 'integer' }, valid: { type: 'integer' }, phones: { type: 'integer' } };

export function registerReportRoutes(app: FastifyInstance, d: ApiDeps): void {
  app.get<{ Querystring: PhoneFilterInput }>('/reports/capf', {
    config: { access: 'read-only' },
    schema: {
      summary: 'The CAPF report as CSV: device, model, description, auth mode, auth string, operation, status, LSC status, serial, issuer, not-before, expires, days left', tags: ['reports'],
      querystring: obj(phoneFilterProps), produces: ['text/csv'],
    },
  }, async (req, reply) => {
    reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="capf-report.csv"');
    return reply.send(Readable.from(d.reports.capfReportCsv(toPhoneQuery(req.query), { withAuthStrings: canSeeSecrets(req) })));
  });

  app.get('/reports/expiry', {
    config: { access: 'read-only' },
    schema: {
      summary: 'LSCs expired / expiring within 30 and 90 days / valid, by model, and the CAPF CA\'s own expiry', tags: ['reports'],
      response: { 200: obj({ generatedAt: str(), totals: obj(counts), byModel: arr(obj({ model: str(), ...counts })), capfCa: obj({ notAfter: str(), daysLeft: { type: 'integer' }, expired: { type: 'boolean' } }) }) },
    },
  }, async () => d.reports.expirySummary());

  app.get<{ Querystring: { actor?: string; action?: string; target?: string; since?: string; limit?: number; offset?: number } }>('/audit', {
    config: { access: 'read-only' },
    schema: {
      summary: 'The audit log, newest first (append-only: there is no way to change or delete entries)', tags: ['audit'],
      querystring: obj({ actor: str(64), action: str(64), target: str(128), since: isoTime, limit: { type: 'integer', minimum: 1, maximum: 1000 }, offset: { type: 'integer', minimum: 0 } }),
      response: { 200: obj({ items: arr(auditSchema), total: { type: 'integer' }, offset: { type: 'integer' }, limit: { type: 'integer' } }) },
    },
  }, async (req) => d.audit.list(req.query));

  app.get('/renewal', {
    config: { access: 'read-only' },
    schema: { summary: 'Renewal policy and how many LSCs are due now', tags: ['renewal'], response: { 200: obj({ enabled: { type: 'boolean' }, windowDays: { type: 'integer' }, authMode: str(), deadlineHours: { type: 'integer' }, due: { type: 'integer' } }) } },
  }, async () => ({ ...d.renewal.policy, due: (await d.bulk.preview(d.renewal.filter())).matched }));

  app.post('/renewal/run', {
    config: { access: 'operator' },
    schema: { summary: 'Schedule renewal now for LSCs inside the window (even when the policy is disabled); no job when nothing is due or one is active', tags: ['renewal'], response: { 200: obj({ scheduled: { type: 'boolean' }, job: bulkJobSchema }) } },
  }, async () => {
    const job = await d.renewal.runOnce({ force: true });
    return job ? { scheduled: true, job } : { scheduled: false };
  });
}
