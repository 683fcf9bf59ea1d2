// Owns the REST API's Fastify instance: strict schema validation (unknown fields rejected), one error
// shape with stable codes and no stack traces, authentication on every route that does not declare
// itself public, CSRF protection for cookie sessions, OpenAPI at /api/docs. It does not listen.

import Fastify, { type FastifyInstance, type FastifyReply, type RouteOptions } from 'fastify';
import { AppError, asStoreFullError, ERROR_TABLE, isAppError, type ErrorCode } from '../shared/errors.ts';
import { secretParamsIn } from '../shared/secrets.ts';
import { roleAtLeast, type Principal } from '../access/index.ts';
import { buildOpenApi } from './openapi.ts';
import { parseCookies, serializeRequest, SESSION_COOKIE, type Access } from './request-helpers.ts';
import type { ApiDeps } from './deps.ts';
import { registerAuthRoutes } from './routes/auth.ts';
import { registerPhoneRoutes } from './routes/phones.ts';
import { registerProfileRoutes } from './routes/profiles.ts';
import { registerBulkRoutes } from './routes/bulk.ts';
import { registerReportRoutes } from './routes/reports.ts';
import { registerTrustRoutes } from './routes/trust.ts';
import { registerDoctorRoutes } from './routes/doctor.ts';
import { registerNodeRoutes } from './routes/ui-node.ts';
import { registerTrustListRoutes } from './routes/trust-lists.ts';
import { registerItlRotationRoutes } from './routes/itl-rotation.ts';
import { registerMigrationRoutes } from './routes/migration.ts';
import { registerTvsTrustRoutes } from './routes/tvs-trust.ts';
import { registerManufacturingCaRoutes } from './routes/manufacturing-cas.ts';
import { registerMonitorRoutes } from './routes/monitor.ts';
import { registerUiRoutes } from './routes/ui-static.ts';

export type { ApiDeps } from './deps.ts';
export type { Access } from './request-helpers.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function sendError(
  reply: FastifyReply,
  code: ErrorCode,
  message: string,
  details?: Record<string, unknown>,
): FastifyReply {
  return reply
    .code(ERROR_TABLE[code].http)
    .type('application/json')
    .send({ error: { code, message, ...(details ? { details } : {}) } });
}

interface ValidationItem {
  instancePath?: string;
  message?: string;
  params?: Record<string, unknown>;
}

function validationMessage(e: { validation?: ValidationItem[]; validationContext?: string; message: string }): string {
  const v = e.validation?.[0];
  if (!v) return e.message;
  const where = `${e.validationContext ?? 'request'}${v.instancePath ?? ''}`;
  const extra = v.params?.additionalProperty
    ? `: "${String(v.params.additionalProperty).slice(0, 64)}"`
    : v.params?.allowedValues
      ? ` (${(v.params.allowedValues as unknown[]).join(', ')})`
      : '';
  return `${where} ${v.message ?? 'is invalid'}${extra}`;
}

/**
 * Which field failed and how, for clients that show the error at the field in their own words (the web UI):
 * `field` is the last name of the path (the missing or unknown property's own name), `keyword` the JSON Schema
 * rule (pattern, enum, required, type, minimum, maxLength, additionalProperties, …), `location` body, querystring
 * or params, and `allowed` an enum's values. The message stays for scripts.
 */
function validationDetails(e: { validation?: ValidationItem[]; validationContext?: string }): Record<string, unknown> {
  const v = e.validation?.[0] as (ValidationItem & { keyword?: string }) | undefined;
  if (!v) return {};
  const path = (v.instancePath ?? '').split('/').filter(Boolean);
  const named = v.params?.missingProperty ?? v.params?.additionalProperty;
  const field = named !== undefined ? String(named) : (path.filter((x) => !/^\d+$/.test(x)).pop() ?? null);
  return {
    validation: {
      location: e.validationContext ?? 'request',
      field: field?.slice(0, 64) ?? null,
      path: (v.instancePath ?? '').slice(0, 200),
      keyword: v.keyword ?? null,
      ...(v.params?.allowedValues ? { allowed: (v.params.allowedValues as unknown[]).map(String).slice(0, 50) } : {}),
      ...(v.params?.limit !== undefined ? { limit: Number(v.params.limit) } : {}),
    },
  };
}

/** Timeouts of the HTTP server under the API (the listener passes them from configuration; inject needs none). */
export interface ApiServerTimeouts {
  headersTimeoutMs: number;
  /** The whole request, body included. */
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
}

export async function createApiApp(deps: ApiDeps, timeouts?: ApiServerTimeouts): Promise<FastifyInstance> {
  // Node checks header and request deadlines on an interval (30 s by default); check every second at most
  // so that a header or request timeout takes effect near its configured value.
  const checking = timeouts ? { connectionsCheckingInterval: Math.min(1000, timeouts.headersTimeoutMs) } : {};
  const app = Fastify({
    // A serializer on the logger itself: Fastify prefers the instance's serializers over its own.
    ...(deps.logger
      ? { loggerInstance: deps.logger.child({}, { serializers: { req: serializeRequest } }) }
      : { logger: false }),
    bodyLimit: 1024 * 1024,
    trustProxy: false,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false } },
    ...(deps.https ? { https: { ...deps.https, ...checking } } : { http: checking }),
    ...(timeouts ? { requestTimeout: timeouts.requestTimeoutMs, keepAliveTimeout: timeouts.keepAliveTimeoutMs } : {}),
  });
  if (timeouts) app.server.headersTimeout = Math.min(timeouts.headersTimeoutMs, timeouts.requestTimeoutMs);
  const routes: RouteOptions[] = [];
  app.addHook('onRoute', (r) => {
    routes.push(r);
  });
  app.decorateRequest('principal', null);

  app.setErrorHandler((caught, req, reply) => {
    // A full disk is named as such (507), whatever layer the driver's error passed through.
    const full = asStoreFullError(caught);
    if (full) req.log.error({ err: caught }, full.message);
    const err = full ?? caught;
    if (isAppError(err)) {
      if (!ERROR_TABLE[err.code].expose) req.log.error({ err }, 'internal error');
      return sendError(
        reply,
        err.code,
        err.publicMessage,
        ERROR_TABLE[err.code].expose ? (err.details as Record<string, unknown> | undefined) : undefined,
      );
    }
    const fe = err as {
      validation?: ValidationItem[];
      validationContext?: string;
      message: string;
      statusCode?: number;
      code?: string;
    };
    if (fe.validation) return sendError(reply, 'ERR_BAD_REQUEST', validationMessage(fe), validationDetails(fe));
    if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
      return sendError(reply, 'ERR_PAYLOAD_TOO_LARGE', 'request body is too large');
    if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
      // Fastify's own client errors (bad JSON, unsupported media type): a fixed message, never internals.
      const msg =
        fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
          ? 'unsupported Content-Type'
          : fe.code?.startsWith('FST_ERR_CTP')
            ? 'request body cannot be parsed'
            : 'bad request';
      return reply
        .code(fe.statusCode)
        .type('application/json')
        .send({ error: { code: 'ERR_BAD_REQUEST', message: msg } });
    }
    req.log.error({ err }, 'unhandled error in API route');
    return sendError(reply, 'ERR_INTERNAL', ERROR_TABLE.ERR_INTERNAL.text);
  });
  app.setNotFoundHandler((req, reply) =>
    sendError(reply, 'ERR_NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]!.slice(0, 200)}`),
  );

  // Secrets never travel in a URL (access logs, proxies, browser history keep URLs): refused before
  // authentication, for every route, so no route can accept one by forgetting a check.
  app.addHook('onRequest', async (req, reply) => {
    const secrets = secretParamsIn(req.url);
    if (!secrets.length) return;
    const where = req.routeOptions.config?.secretsGoTo ?? 'the request body';
    return sendError(
      reply,
      'ERR_SECRET_IN_URL',
      `${secrets.map((s) => `"${s.slice(0, 32)}"`).join(', ')} is a secret and is never accepted ` +
        `in a URL (URLs are kept in access logs, proxies and browser history): send it in ${where}`,
      { parameters: secrets.map((s) => s.slice(0, 32)), sendTo: where },
    );
  });

  // Authentication is decided per route from its declared access, never from the URL.
  app.addHook('onRequest', async (req, reply) => {
    const access: Access = req.routeOptions.config?.access ?? 'admin';
    if (access === 'public' || (access === 'metrics' && deps.metricsPublic)) return;
    let principal: Principal | null = null;
    const auth = req.headers.authorization;
    if (auth) {
      const m = /^Bearer\s+(\S+)$/i.exec(auth);
      principal = m ? await deps.users.authenticateToken(m[1]!) : null;
      if (!principal) return sendError(reply, 'ERR_UNAUTHENTICATED', 'invalid or expired API token');
    } else {
      const sid = parseCookies(req.headers.cookie)[SESSION_COOKIE];
      if (sid) principal = await deps.users.authenticateSession(sid);
      if (!principal)
        return sendError(
          reply,
          'ERR_UNAUTHENTICATED',
          'log in (POST /api/v1/auth/login) or send Authorization: Bearer <token>',
        );
      if (!SAFE_METHODS.has(req.method) && !req.headers['x-requested-with'])
        return sendError(reply, 'ERR_CSRF', 'changes made with a login cookie need the header X-Requested-With');
    }
    req.principal = principal;
    if (access === 'metrics') {
      if (!principal.scopes.includes('metrics') && !principal.scopes.includes('api'))
        return sendError(reply, 'ERR_FORBIDDEN', 'this token lacks the metrics scope');
      return;
    }
    if (!principal.scopes.includes('api'))
      return sendError(reply, 'ERR_FORBIDDEN', 'this token may only read /metrics');
    if (access === 'self') return;
    if (principal.mustChangePassword)
      return sendError(
        reply,
        'ERR_PASSWORD_CHANGE_REQUIRED',
        'change the one-time password first: POST /api/v1/auth/password',
      );
    if (!roleAtLeast(principal.role, access))
      return sendError(reply, 'ERR_FORBIDDEN', `this needs the ${access} role; you are ${principal.role}`);
  });

  // Password re-entry for cluster-wide trust changes (route config `confirm`), after validation, before the handler.
  app.addHook('preHandler', async (req, reply) => {
    if (!req.routeOptions.config?.confirm) return;
    const body = req.body as { confirmPassword?: string } | null | undefined;
    const given = body?.confirmPassword;
    if (body && typeof body === 'object') delete body.confirmPassword;
    const p = req.principal;
    if (p?.via !== 'session') return;
    if (!given)
      return sendError(
        reply,
        'ERR_CONFIRMATION_REQUIRED',
        'this changes what every phone trusts: type your password again to confirm (confirmPassword)',
      );
    await deps.users.confirmPassword(p.username, given, req.ip);
  });

  app.addHook('onSend', async (req, reply, payload) => {
    // Answered before the request body has fully arrived (401/403/413 … to an upload): close the connection
    // after the answer. Otherwise Node reads and discards the rest of the body to keep the connection, and a
    // slow uploader keeps its socket open long after it was told no.
    if (req.raw.complete === false) reply.header('connection', 'close');
    reply.header('x-content-type-options', 'nosniff');
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    return payload;
  });

  await app.register(
    async (v1) => {
      registerAuthRoutes(v1, deps);
      registerPhoneRoutes(v1, deps);
      registerProfileRoutes(v1, deps);
      registerBulkRoutes(v1, deps);
      registerReportRoutes(v1, deps);
      registerTrustRoutes(v1, deps);
      registerDoctorRoutes(v1, deps.doctor);
      registerNodeRoutes(v1, deps);
      registerTrustListRoutes(v1, deps);
      registerItlRotationRoutes(v1, deps);
      registerMigrationRoutes(v1, deps);
      registerTvsTrustRoutes(v1, deps);
      registerManufacturingCaRoutes(v1, deps);
      registerMonitorRoutes(v1, deps);
    },
    { prefix: '/api/v1' },
  );

  app.get(
    '/metrics',
    { config: { access: 'metrics' }, schema: { summary: 'Prometheus metrics', tags: ['operations'], hide: false } },
    async (_req, reply) => {
      const body = await deps.metrics.registry.metrics();
      return reply.type(deps.metrics.registry.contentType).send(body);
    },
  );

  if (deps.webDistDir !== false) registerUiRoutes(app, deps.webDistDir ? { distDir: deps.webDistDir } : {});

  let openapi: unknown = null;
  app.get(
    '/api/docs',
    { config: { access: 'public' }, schema: { summary: 'OpenAPI 3.1 document of this API', tags: ['docs'] } },
    async () => {
      openapi ??= buildOpenApi(routes, deps.version ?? '0.1.0');
      return openapi;
    },
  );
  return app;
}

export { AppError };
