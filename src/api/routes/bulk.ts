// Owns /api/v1/bulk: query phones, create a CAPF update job on the result, follow, cancel, export strings.

import type { FastifyInstance, FastifyReply } from 'fastify';
import { Readable } from 'node:stream';
import { actorOf, canSeeSecrets, viewerOf } from '../request-helpers.ts';
import type { ApiDeps } from '../deps.ts';
import {
  arr,
  bulkJobSchema,
  bulkJobView,
  capfUpdate,
  nullable,
  obj,
  phoneFilter,
  phoneSchema,
  phoneView,
  str,
  toPhoneQuery,
  type PhoneFilterInput,
} from '../schemas.ts';
import type { ScheduleRequest } from '../../phones/index.ts';

const idParam = obj({ id: { type: 'integer', minimum: 1 } }, ['id']);

/** A CSV download: the stream as the body, named `fileName`. */
function sendCsv(reply: FastifyReply, fileName: string, rows: AsyncIterable<string>) {
  reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${fileName}"`);
  return reply.send(Readable.from(rows));
}

export function registerBulkRoutes(app: FastifyInstance, d: ApiDeps): void {
  app.post<{ Body: { filter: PhoneFilterInput; update?: ScheduleRequest } }>(
    '/bulk/query',
    {
      config: { access: 'read-only' },
      schema: {
        summary:
          'Bulk Administration query: how many phones match, a sample, and (with an ' +
          'update) which security profiles would contradict its authentication mode',
        tags: ['bulk'],
        body: obj({ filter: phoneFilter, update: capfUpdate }, ['filter']),
        response: {
          200: obj({
            matched: { type: 'integer' },
            sample: arr(phoneSchema),
            mismatches: arr(obj({ profileName: str(), profileMode: str(), phones: { type: 'integer' } })),
          }),
        },
      },
    },
    async (req) => {
      const r = await d.bulk.preview(toPhoneQuery(req.body.filter), viewerOf(req), req.body.update);
      const secrets = canSeeSecrets(req);
      return { ...r, sample: r.sample.map((p) => phoneView(p, secrets)) };
    },
  );

  app.post<{ Body: { filter: PhoneFilterInput; update: ScheduleRequest } }>(
    '/bulk/jobs',
    {
      config: { access: 'operator' },
      schema: {
        summary:
          'Apply a CAPF update to every phone the query matches, as a ' +
          'background job (authString "generate" = unique string per device)',
        tags: ['bulk'],
        body: obj({ filter: phoneFilter, update: capfUpdate }, ['filter', 'update']),
        response: { 202: bulkJobSchema },
      },
    },
    async (req, reply) =>
      reply
        .code(202)
        .send(await d.bulk.createJob(toPhoneQuery(req.body.filter), req.body.update, actorOf(req), viewerOf(req))),
  );

  app.get<{ Querystring: { active?: boolean; limit?: number } }>(
    '/bulk/jobs',
    {
      config: { access: 'read-only' },
      schema: {
        summary: 'Bulk jobs, newest first',
        tags: ['bulk'],
        querystring: obj({ active: { type: 'boolean' }, limit: { type: 'integer', minimum: 1, maximum: 1000 } }),
        response: { 200: obj({ items: arr(bulkJobSchema) }) },
      },
    },
    async (req) => ({ items: (await d.bulk.list(req.query)).map((j) => bulkJobView(j, canSeeSecrets(req))) }),
  );

  app.get<{ Params: { id: number } }>(
    '/bulk/jobs/:id',
    {
      config: { access: 'read-only' },
      schema: {
        summary: 'A bulk job and its progress',
        tags: ['bulk'],
        params: idParam,
        response: { 200: bulkJobSchema },
      },
    },
    async (req) => bulkJobView(await d.bulk.get(req.params.id), canSeeSecrets(req)),
  );

  app.post<{ Params: { id: number } }>(
    '/bulk/jobs/:id/cancel',
    {
      config: { access: 'operator' },
      schema: {
        summary: 'Cancel a queued or running job (batches already applied stay applied)',
        tags: ['bulk'],
        params: idParam,
        response: { 200: bulkJobSchema },
      },
    },
    async (req) => d.bulk.cancel(req.params.id, actorOf(req)),
  );

  app.get<{ Params: { id: number }; Querystring: { onlyFailed?: boolean; after?: string; limit?: number } }>(
    '/bulk/jobs/:id/items',
    {
      config: { access: 'read-only' },
      schema: {
        summary:
          'Per-device results of a job: result, error code and reason (paged by device name: pass the last ' +
          'device name as after); read-only users get no authentication strings',
        tags: ['bulk'],
        params: idParam,
        querystring: obj({
          onlyFailed: { type: 'boolean' },
          after: str(32),
          limit: { type: 'integer', minimum: 1, maximum: 5000 },
        }),
        response: {
          200: obj({
            items: arr(
              obj({
                deviceName: str(),
                ok: { type: 'boolean' },
                authString: nullable(str()),
                code: nullable(str()),
                message: nullable(str(4096)),
              }),
            ),
          }),
        },
      },
    },
    async (req) => {
      const items = await d.bulk.items(req.params.id, {
        onlyFailed: req.query.onlyFailed ?? false,
        after: req.query.after ?? null,
        limit: req.query.limit ?? 1000,
      });
      const secrets = canSeeSecrets(req);
      return { items: secrets ? items : items.map((it) => ({ ...it, authString: null })) };
    },
  );

  app.get<{ Params: { id: number } }>(
    '/bulk/jobs/:id/failures',
    {
      config: { access: 'read-only' },
      schema: {
        summary: 'CSV of the phones a job could not update: Device Name, Error (code), Reason; no secrets',
        tags: ['bulk'],
        params: idParam,
        produces: ['text/csv'],
      },
    },
    async (req, reply) => {
      await d.bulk.get(req.params.id); // 404 before any header goes out
      return sendCsv(reply, `bulk-job-${req.params.id}-failures.csv`, d.bulk.failuresCsv(req.params.id));
    },
  );

  app.get<{ Params: { id: number } }>(
    '/bulk/jobs/:id/export',
    {
      config: { access: 'operator' },
      schema: {
        summary: 'CSV of Device Name, Authentication String for the people who type the strings into phones',
        tags: ['bulk'],
        params: idParam,
        produces: ['text/csv'],
      },
    },
    async (req, reply) => {
      await d.bulk.get(req.params.id); // 404 before any header goes out
      return sendCsv(reply, `bulk-job-${req.params.id}-strings.csv`, d.bulk.exportCsv(req.params.id));
    },
  );
}
