// Owns /api/v1/phones: find (paging, sorting; secret filters only in the body of POST /phones/search), add, CSV import,
// detail with the CAPF Information section, edit, remove, schedule a certificate operation (one phone or a list),
// Generate String.

import type { FastifyInstance } from 'fastify';
import type { Readable } from 'node:stream';
import { AppError } from '../../shared/errors.ts';
import { actorOf, canSeeSecrets, viewerOf } from '../request-helpers.ts';
import type { ApiDeps } from '../deps.ts';
import {
  arr,
  capfUpdateProps,
  certificateSchema,
  deviceNameParam,
  enums,
  itemResultSchema,
  nullable,
  obj,
  phoneFilter,
  phoneSchema,
  phoneSortSchema,
  phoneView,
  sessionSchema,
  str,
  toPhoneQuery,
  urlFilterProps,
  type PhoneFilterInput,
} from '../schemas.ts';
import type { ItemResult, Phone, ScheduleRequest } from '../../phones/index.ts';
import type { PhoneQuery } from '../../phones/index.ts';

type FindPaging = { sort?: PhoneQuery['sort']; order?: 'asc' | 'desc'; offset?: number; limit?: number };
const findPagingProps = {
  sort: phoneSortSchema,
  order: { type: 'string', enum: ['asc', 'desc'] },
  offset: { type: 'integer', minimum: 0, maximum: 10_000_000 },
  limit: { type: 'integer', minimum: 1, maximum: 500 },
};
const SEARCH_ROUTE = 'the JSON body of POST /api/v1/phones/search ({"filter": {"authString": "…"}})';

const newPhone = obj(
  { deviceName: str(64), model: str(64, { minLength: 1 }), description: str(128), profileName: nullable(str(128)) },
  ['deviceName'],
);

export function registerPhoneRoutes(app: FastifyInstance, d: ApiDeps): void {
  const results = (rs: ItemResult<Phone>[], secrets: boolean) => ({
    succeeded: rs.filter((r) => r.ok).length,
    failed: rs.filter((r) => !r.ok).length,
    results: rs.map((r) => (r.ok ? { deviceName: r.deviceName, ok: true, phone: phoneView(r.value, secrets) } : r)),
  });
  const resultsSchema = obj({
    succeeded: { type: 'integer' },
    failed: { type: 'integer' },
    results: arr(itemResultSchema),
  });

  const pageSchema = obj({
    items: arr(phoneSchema),
    total: { type: 'integer' },
    offset: { type: 'integer' },
    limit: { type: 'integer' },
  });
  const find = async (
    req: Parameters<typeof canSeeSecrets>[0],
    filter: PhoneFilterInput,
    { sort, order, offset, limit }: FindPaging,
  ) => {
    const q = {
      ...toPhoneQuery(filter),
      ...(sort ? { sort } : {}),
      ...(order ? { order } : {}),
      ...(offset !== undefined ? { offset } : {}),
      ...(limit !== undefined ? { limit } : {}),
    };
    const r = await d.phoneAdmin.find(q, viewerOf(req));
    const secrets = canSeeSecrets(req);
    return { ...r, items: r.items.map((p) => phoneView(p, secrets)) };
  };

  app.get<{ Querystring: PhoneFilterInput & FindPaging }>(
    '/phones',
    {
      config: { access: 'read-only', secretsGoTo: SEARCH_ROUTE },
      schema: {
        summary:
          'Find phones (filters as in Bulk Administration query), paged and sorted; ' +
          'the authString filter is refused here (400): use POST /phones/search',
        tags: ['phones'],
        querystring: obj({ ...urlFilterProps, ...findPagingProps }),
        response: { 200: pageSchema },
      },
    },
    async (req) => {
      const { sort, order, offset, limit, ...filter } = req.query;
      return find(req, filter, { sort, order, offset, limit });
    },
  );

  app.post<{ Body: FindPaging & { filter?: PhoneFilterInput } }>(
    '/phones/search',
    {
      config: { access: 'read-only' },
      schema: {
        summary:
          'Find phones with the filter in the body, the only place the authString ' +
          'filter is accepted (roles that may read strings only: read-only gets 403)',
        tags: ['phones'],
        body: obj({ filter: phoneFilter, ...findPagingProps }),
        response: { 200: pageSchema },
      },
    },
    async (req) => {
      const { filter, ...paging } = req.body ?? {};
      return find(req, filter ?? {}, paging);
    },
  );

  app.post<{
    Body: { phones: { deviceName: string; model?: string; description?: string; profileName?: string | null }[] };
  }>(
    '/phones',
    {
      config: { access: 'operator' },
      schema: {
        summary: 'Add phones; one result per phone (bad ones do not stop good ones)',
        tags: ['phones'],
        body: obj({ phones: arr(newPhone, 10_000) }, ['phones']),
        response: { 200: resultsSchema },
      },
    },
    async (req) => results(await d.phones.addPhones(req.body.phones, actorOf(req)), true),
  );

  app.addContentTypeParser('text/csv', (_req, payload, done) => done(null, payload));
  app.post<{ Querystring: { format?: 'opencapf' | 'cucm' } }>(
    '/phones/import',
    {
      config: { access: 'operator' },
      schema: {
        summary:
          'Import phones from CSV (Device Name, Model, Description, Security Profile; header optional), or with ' +
          '?format=cucm a CUCM BAT phone export with its CAPF fields, all or nothing. Body: text/csv',
        tags: ['phones'],
        consumes: ['text/csv'],
        querystring: obj({ format: { type: 'string', enum: ['opencapf', 'cucm'] } }),
        response: {
          200: obj({
            rows: { type: 'integer' },
            added: { type: 'integer' },
            failed: { type: 'integer' },
            errorsTruncated: { type: 'boolean' },
            format: str(),
            ignoredColumns: arr(str(256)),
            errors: arr(
              obj({ line: { type: 'integer' }, deviceName: nullable(str()), code: str(), message: str(4096) }),
            ),
          }),
        },
      },
    },
    async (req) => {
      if (!req.headers['content-type']?.startsWith('text/csv'))
        throw new AppError('ERR_BAD_REQUEST', 'send the CSV with Content-Type: text/csv');
      const declared = Number(req.headers['content-length'] ?? 0);
      if (declared > d.maxImportBytes)
        throw new AppError(
          'ERR_PAYLOAD_TOO_LARGE',
          `CSV is ${declared} bytes; the limit is ${d.maxImportBytes} (api.maxImportBytes)`,
        );
      const body = req.body as Readable;
      const limit = d.maxImportBytes;
      async function* bounded() {
        let n = 0;
        for await (const chunk of body) {
          n += (chunk as Buffer).length;
          if (n > limit)
            throw new AppError(
              'ERR_PAYLOAD_TOO_LARGE',
              `CSV exceeds ${limit} bytes (api.maxImportBytes); ` +
                (req.query.format === 'cucm' ? 'nothing was imported' : 'rows before the limit were imported'),
            );
          yield chunk as Buffer;
        }
      }
      return req.query.format === 'cucm'
        ? d.csvImport.importCucm(bounded(), actorOf(req))
        : d.csvImport.importCsv(bounded(), actorOf(req));
    },
  );

  app.post(
    '/phones/generate-string',
    {
      config: { access: 'operator' },
      schema: {
        summary: 'Generate String: a random authentication string (8 digits)',
        tags: ['phones'],
        response: { 200: obj({ authString: str() }) },
      },
    },
    async () => ({ authString: d.phoneAdmin.generateString() }),
  );

  app.post<{ Body: ScheduleRequest & { deviceNames: string[] } }>(
    '/phones/capf',
    {
      config: { access: 'operator' },
      schema: {
        summary:
          'Schedule a certificate operation on a list of phones; one result per phone ' +
          '(profile mismatch refused per phone unless onProfileMismatch is use-profile)',
        tags: ['capf'],
        body: obj({ deviceNames: arr(str(64), 10_000), ...capfUpdateProps }, ['deviceNames', 'operation']),
        response: { 200: resultsSchema },
      },
    },
    async (req) => {
      const { deviceNames, ...request } = req.body;
      return results(await d.phones.schedule(deviceNames, request, actorOf(req)), true);
    },
  );

  app.get<{ Params: { deviceName: string } }>(
    '/phones/:deviceName',
    {
      config: { access: 'read-only' },
      schema: {
        summary:
          'A phone: CAPF Information as in CUCM, LSC status/serial/issuer/expiry, ' +
          'MIC seen, recent CAPF sessions with their logs, certificates',
        tags: ['phones'],
        params: deviceNameParam,
        response: {
          200: obj({ phone: phoneSchema, sessions: arr(sessionSchema), certificates: arr(certificateSchema) }),
        },
      },
    },
    async (req) => {
      const r = await d.phones.detail(req.params.deviceName, 10);
      return { ...r, phone: phoneView(r.phone, canSeeSecrets(req)) };
    },
  );

  app.patch<{
    Params: { deviceName: string };
    Body: {
      model?: string;
      description?: string;
      profileName?: string | null;
      onProfileMismatch?: 'refuse' | 'use-profile';
    };
  }>(
    '/phones/:deviceName',
    {
      config: { access: 'operator' },
      schema: {
        summary: 'Edit model, description, security profile (CAPF defaults follow the new profile)',
        tags: ['phones'],
        params: deviceNameParam,
        body: obj({
          model: str(64, { minLength: 1 }),
          description: str(128),
          profileName: nullable(str(128)),
          onProfileMismatch: enums.onProfileMismatch,
        }),
        response: { 200: phoneSchema },
      },
    },
    async (req) => phoneView(await d.phoneAdmin.edit(req.params.deviceName, req.body, actorOf(req)), true),
  );

  app.delete<{ Params: { deviceName: string } }>(
    '/phones/:deviceName',
    {
      config: { access: 'operator' },
      schema: { summary: 'Remove a phone (its LSC is revoked)', tags: ['phones'], params: deviceNameParam },
    },
    async (req, reply) => {
      await d.phones.removePhone(req.params.deviceName, actorOf(req));
      return reply.code(204).send();
    },
  );

  app.put<{ Params: { deviceName: string }; Body: ScheduleRequest }>(
    '/phones/:deviceName/capf',
    {
      config: { access: 'operator' },
      schema: {
        summary: 'Set the CAPF Information of one phone (schedule an operation)',
        tags: ['capf'],
        params: deviceNameParam,
        body: obj(capfUpdateProps, ['operation']),
        response: { 200: phoneSchema },
      },
    },
    async (req) => {
      const [r] = await d.phones.schedule([req.params.deviceName], req.body, actorOf(req));
      if (!r!.ok) throw new AppError(r!.code as never, r!.message);
      return phoneView(r!.value, true);
    },
  );
}
