// Owns what every API route reads from a request: who is calling (actor, viewer, whether secrets may be
// shown), the session cookie, the access a route declares, and the redacted request for logs. Routes import
// this module, never app.ts (which imports every route), so api/ has no module cycle.

import type { FastifyRequest } from 'fastify';
import { redactUrl } from '../shared/secrets.ts';
import { roleReadsSecrets, type Principal, type Role } from '../access/index.ts';
import type { Viewer } from '../phones/filter-access.ts';
import type { Actor } from '../phones/index.ts';

/**
 * Who may call a route: nobody needs to log in (public), any logged-in user even before the first password change
 * (self), or a minimum role.
 */
export type Access = 'public' | 'self' | 'metrics' | Role;

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    access?: Access;
    /**
     * Where a secret filter refused in this route's URL is accepted instead, e.g. "the JSON body of POST
     * /api/v1/phones/search".
     */
    secretsGoTo?: string;
    /**
     * A cluster-wide trust change: a browser session must send the user's password again in the body's
     * confirmPassword (checked before the handler, then removed from the body). API tokens are scripts' credentials
     * and are not asked.
     */
    confirm?: boolean;
  }
  /** Documentation keys read by openapi.ts (Fastify compiles only body/querystring/params/headers/response). */
  interface FastifySchema {
    summary?: string;
    tags?: string[];
    hide?: boolean;
    consumes?: string[];
    produces?: string[];
  }
}

export const SESSION_COOKIE = 'opencapf_session';

export function actorOf(req: FastifyRequest): Actor {
  return { name: req.principal?.username ?? 'anonymous', source: req.ip };
}

export function canSeeSecrets(req: FastifyRequest): boolean {
  return !!req.principal && roleReadsSecrets(req.principal.role);
}

/** Who a phone query is made for (the domain refuses filters on secrets this viewer may not read). */
export function viewerOf(req: FastifyRequest): Viewer {
  return { role: req.principal?.role ?? 'read-only' };
}

/**
 * The request as the access log shows it: Fastify's fields, with the URL's secret query parameters
 * redacted. Every request log line (incoming, completed, errors) goes through this one serializer.
 */
export function serializeRequest(req: FastifyRequest): Record<string, unknown> {
  return {
    method: req.method,
    url: redactUrl(req.url),
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = decodeURIComponent(part.slice(i + 1).trim());
  }
  return out;
}

export function sessionCookie(value: string, o: { secure: boolean; maxAgeSeconds: number }): string {
  return (
    `${SESSION_COOKIE}=${encodeURIComponent(value)}; Path=/; HttpOnly; ` +
    `SameSite=Strict; Max-Age=${o.maxAgeSeconds}${o.secure ? '; Secure' : ''}`
  );
}

/**
 * preValidation hook for a POST whose body holds only optional fields: no body at all (the web UI posts none)
 * is validated as `{}` rather than refused with "body must be object".
 */
/** The body field a route with `config.confirm` takes the password in (add it to the route's body schema). */
export const confirmPasswordProp = {
  type: 'string',
  minLength: 1,
  maxLength: 1024,
  description: 'your password again (required from a browser session, ignored with an API token)',
} as const;

export function absentBodyIsEmpty(req: FastifyRequest, _reply: unknown, done: () => void): void {
  if (req.body === undefined || req.body === null) req.body = {};
  done();
}
