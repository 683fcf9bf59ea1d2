// Owns the OpenAPI 3.1 document, generated from the routes' own schemas (one source: what is validated is
// what is documented).

import type { RouteOptions } from 'fastify';
import { ERROR_TABLE } from '../shared/errors.ts';

type Schema = { properties?: Record<string, unknown>; required?: string[] } & Record<string, unknown>;

export function buildOpenApi(routes: readonly RouteOptions[], version: string): unknown {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const methods = (Array.isArray(r.method) ? r.method : [r.method])
      .map((m) => m.toLowerCase())
      .filter((m) => m !== 'head');
    const s = (r.schema ?? {}) as Record<string, unknown>;
    if (s.hide) continue;
    const path = r.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const parameters: unknown[] = [];
    for (const [where, key] of [
      ['path', 'params'],
      ['query', 'querystring'],
    ] as const) {
      const sch = s[key] as Schema | undefined;
      for (const [name, ps] of Object.entries(sch?.properties ?? {})) {
        parameters.push({
          name,
          in: where,
          required: where === 'path' || (sch?.required ?? []).includes(name),
          schema: ps,
        });
      }
    }
    const access = (r.config as { access?: string } | undefined)?.access ?? 'admin';
    const responses: Record<string, unknown> = {};
    for (const [code, body] of Object.entries((s.response ?? {}) as Record<string, unknown>))
      responses[code] = { description: 'OK', content: { 'application/json': { schema: body } } };
    if (s.produces)
      responses['200'] = {
        description: 'OK',
        content: Object.fromEntries((s.produces as string[]).map((t) => [t, { schema: { type: 'string' } }])),
      };
    if (!Object.keys(responses).length) responses['200'] = { description: 'OK' };
    responses.default = {
      description: 'Error (see x-error-codes)',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    };
    const op: Record<string, unknown> = {
      summary: s.summary ?? '',
      tags: s.tags ?? [],
      'x-access': access,
      ...(access === 'public' ? { security: [] } : {}),
      ...(parameters.length ? { parameters } : {}),
      responses,
    };
    if (s.body) op.requestBody = { required: true, content: { 'application/json': { schema: s.body } } };
    else if (s.consumes)
      op.requestBody = {
        required: true,
        content: Object.fromEntries((s.consumes as string[]).map((t) => [t, { schema: { type: 'string' } }])),
      };
    const item = paths[path] ?? {};
    paths[path] = item;
    for (const m of methods) item[m] = op;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'OpenCAPF administration API',
      version,
      description:
        'Phones, security profiles, bulk CAPF operations, reports, audit, users. ' +
        'Errors: {"error":{"code","message"}} with the codes in x-error-codes.',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }, { session: [] }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'API token from POST /api/v1/tokens' },
        session: {
          type: 'apiKey',
          in: 'cookie',
          name: 'opencapf_session',
          description: 'from POST /api/v1/auth/login; changes also need the X-Requested-With header',
        },
      },
      schemas: {
        Error: {
          type: 'object',
          properties: {
            error: {
              type: 'object',
              properties: {
                code: { type: 'string', enum: Object.keys(ERROR_TABLE) },
                message: { type: 'string' },
                details: { type: 'object' },
              },
              required: ['code', 'message'],
            },
          },
        },
      },
    },
    'x-error-codes': Object.fromEntries(
      Object.entries(ERROR_TABLE).map(([k, v]) => [k, { http: v.http, text: v.text }]),
    ),
    paths,
  };
}
