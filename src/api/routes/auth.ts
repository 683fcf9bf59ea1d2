// Owns /api/v1/auth (login, logout, me, password), /api/v1/users and /api/v1/tokens.

import type { FastifyInstance } from 'fastify';
import { AppError } from '../../shared/errors.ts';
import { actorOf, sessionCookie } from '../request-helpers.ts';
import type { ApiDeps } from '../deps.ts';
import { arr, enums, nullable, obj, str, tokenSchema, userSchema } from '../schemas.ts';
import type { Role, TokenScope } from '../../access/index.ts';

const usernameParam = obj({ username: str(64) }, ['username']);

export function registerAuthRoutes(app: FastifyInstance, d: ApiDeps): void {
  app.post<{ Body: { username: string; password: string } }>(
    '/auth/login',
    {
      config: { access: 'public' },
      schema: {
        summary: 'Log in; sets an HttpOnly session cookie',
        tags: ['auth'],
        body: obj({ username: str(64, { minLength: 1 }), password: str(1024, { minLength: 1 }) }, [
          'username',
          'password',
        ]),
        response: { 200: obj({ user: userSchema, mustChangePassword: { type: 'boolean' }, expiresAt: str() }) },
      },
    },
    async (req, reply) => {
      const r = await d.users.login(req.body.username, req.body.password, req.ip);
      reply.header(
        'set-cookie',
        sessionCookie(r.sessionId, { secure: d.secureCookies, maxAgeSeconds: d.sessionTtlSeconds }),
      );
      return { user: r.user, mustChangePassword: r.user.mustChangePassword, expiresAt: r.expiresAt };
    },
  );

  app.post(
    '/auth/logout',
    { config: { access: 'self' }, schema: { summary: 'Log out (ends the cookie session)', tags: ['auth'] } },
    async (req, reply) => {
      const sid = /(?:^|;\s*)opencapf_session=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
      if (sid) await d.users.logout(decodeURIComponent(sid), req.ip);
      reply.header('set-cookie', sessionCookie('', { secure: d.secureCookies, maxAgeSeconds: 0 }));
      return reply.code(204).send();
    },
  );

  app.get(
    '/auth/me',
    {
      config: { access: 'self' },
      schema: {
        summary: 'The logged-in user or token owner',
        tags: ['auth'],
        response: {
          200: obj({
            username: str(),
            role: str(),
            via: str(),
            scopes: arr(str()),
            mustChangePassword: { type: 'boolean' },
          }),
        },
      },
    },
    async (req) => req.principal,
  );

  app.post<{ Body: { currentPassword: string; newPassword: string } }>(
    '/auth/password',
    {
      config: { access: 'self' },
      schema: {
        summary: 'Change your own password',
        tags: ['auth'],
        body: obj({ currentPassword: str(1024), newPassword: str(1024) }, ['currentPassword', 'newPassword']),
      },
    },
    async (req, reply) => {
      await d.users.changePassword(
        req.principal!.username,
        req.body.currentPassword,
        req.body.newPassword,
        actorOf(req),
      );
      return reply.code(204).send();
    },
  );

  app.get(
    '/users',
    {
      config: { access: 'admin' },
      schema: { summary: 'List users', tags: ['users'], response: { 200: obj({ items: arr(userSchema) }) } },
    },
    async () => ({ items: await d.users.list() }),
  );
  app.post<{ Body: { username: string; role: Role; password?: string } }>(
    '/users',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Create a user; without a password a one-time password is generated and returned once',
        tags: ['users'],
        body: obj({ username: str(64), role: enums.role, password: str(1024) }, ['username', 'role']),
        response: { 201: obj({ user: userSchema, password: str() }) },
      },
    },
    async (req, reply) => {
      const r = await d.users.create(req.body.username, req.body.role, req.body.password ?? null, actorOf(req));
      return reply.code(201).send(r);
    },
  );
  app.get<{ Params: { username: string } }>(
    '/users/:username',
    {
      config: { access: 'admin' },
      schema: { summary: 'One user', tags: ['users'], params: usernameParam, response: { 200: userSchema } },
    },
    async (req) => d.users.get(req.params.username),
  );
  app.patch<{ Params: { username: string }; Body: { role?: Role; password?: string; disabled?: boolean } }>(
    '/users/:username',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Change role, reset password (must change at next login), enable/disable',
        tags: ['users'],
        params: usernameParam,
        body: obj({ role: enums.role, password: str(1024), disabled: { type: 'boolean' } }),
        response: { 200: userSchema },
      },
    },
    async (req) => d.users.update(req.params.username, req.body, actorOf(req)),
  );
  app.delete<{ Params: { username: string } }>(
    '/users/:username',
    {
      config: { access: 'admin' },
      schema: { summary: 'Delete a user (and their tokens)', tags: ['users'], params: usernameParam },
    },
    async (req, reply) => {
      if (req.params.username === req.principal!.username)
        throw new AppError('ERR_CONFLICT', 'you cannot delete yourself');
      await d.users.remove(req.params.username, actorOf(req));
      return reply.code(204).send();
    },
  );

  app.get<{ Querystring: { all?: boolean } }>(
    '/tokens',
    {
      config: { access: 'read-only' },
      schema: {
        summary: "Your API tokens (admins: all=true for everyone's)",
        tags: ['tokens'],
        querystring: obj({ all: { type: 'boolean' } }),
        response: { 200: obj({ items: arr(tokenSchema) }) },
      },
    },
    async (req) => {
      const all = req.query.all && req.principal!.role === 'admin';
      return { items: await d.users.listTokens(all ? undefined : req.principal!.username) };
    },
  );
  app.post<{ Body: { name: string; scopes?: TokenScope[]; expiresInDays?: number | null; username?: string } }>(
    '/tokens',
    {
      config: { access: 'read-only' },
      schema: {
        summary: 'Create an API token (returned once): Authorization: Bearer <token>',
        tags: ['tokens'],
        body: obj(
          {
            name: str(64, { minLength: 1 }),
            scopes: arr(enums.scope, 2),
            expiresInDays: nullable({ type: 'integer', minimum: 1, maximum: 3650 }),
            username: str(64, { description: 'admins only: for another user' }),
          },
          ['name'],
        ),
        response: { 201: obj({ token: str(), record: tokenSchema }) },
      },
    },
    async (req, reply) => {
      const owner = req.body.username ?? req.principal!.username;
      if (owner !== req.principal!.username && req.principal!.role !== 'admin')
        throw new AppError('ERR_FORBIDDEN', 'only administrators create tokens for other users');
      const r = await d.users.createToken(
        owner,
        req.body.name,
        req.body.scopes ?? ['api'],
        req.body.expiresInDays ?? null,
        actorOf(req),
      );
      return reply.code(201).send(r);
    },
  );
  app.delete<{ Params: { id: string } }>(
    '/tokens/:id',
    {
      config: { access: 'read-only' },
      schema: { summary: 'Revoke an API token', tags: ['tokens'], params: obj({ id: str(32) }, ['id']) },
    },
    async (req, reply) => {
      await d.users.revokeToken(
        req.params.id,
        actorOf(req),
        req.principal!.role === 'admin' ? undefined : req.principal!.username,
      );
      return reply.code(204).send();
    },
  );
}
