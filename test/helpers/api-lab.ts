// An OpenCAPF context in a temporary data dir with its REST API built for Fastify inject (no sockets),
// an admin logged in, and helpers for calls as admin (token), cookie sessions and other roles.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { loadConfig, type ConfigKey } from '../../src/config/index.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { openContext, type AppServices, type OpenContextOptions } from '../../src/app/context.ts';
import { apiDepsFrom, bindMetrics } from '../../src/app/listeners/api.ts';
import { createListenerRegistry, type ListenerRegistry } from '../../src/app/listeners/index.ts';
import { createApiApp } from '../../src/api/app.ts';

export const ADMIN_PASSWORD = 'correct horse battery staple';

export interface ApiLab {
  dir: string;
  ctx: AppServices;
  /** The listener registry the API's status page reads (empty: nothing is started). */
  running: ListenerRegistry;
  app: FastifyInstance;
  adminToken: string;
  /** Calls as admin with a bearer token. */
  call(method: string, url: string, body?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  as(
    token: string,
  ): (method: string, url: string, body?: unknown, headers?: Record<string, string>) => Promise<LightMyRequestResponse>;
  /** Creates a user with a role and returns an API token for them. */
  tokenFor(username: string, role: 'admin' | 'operator' | 'read-only'): Promise<string>;
  close(): Promise<void>;
}

export async function startApiLab(
  overrides: Partial<Record<ConfigKey, unknown>> = {},
  contextOptions: OpenContextOptions = {},
): Promise<ApiLab> {
  const dir = mkdtempSync(join(tmpdir(), 'opencapf-api-'));
  const config = loadConfig({ env: {}, overrides: { dataDir: dir, 'log.level': 'silent', ...overrides } });
  const ctx = await openContext(config, createLogger('silent'), undefined, contextOptions);
  const running = createListenerRegistry();
  bindMetrics(ctx, running);
  const app = await createApiApp(apiDepsFrom(ctx, { tls: false, running }));
  await ctx.admin.users.bootstrap(ADMIN_PASSWORD);
  const { token: adminToken } = await ctx.admin.users.createToken('admin', 'tests', ['api'], null, {
    name: 'test',
    source: 'test',
  });
  const mk =
    (token: string) =>
    async (method: string, url: string, body?: unknown, headers: Record<string, string> = {}) =>
      app.inject({
        method: method as 'GET',
        url,
        headers: { authorization: `Bearer ${token}`, ...headers },
        ...(body === undefined ? {} : typeof body === 'string' ? { payload: body } : { payload: body as object }),
      });
  return {
    dir,
    ctx,
    running,
    app,
    adminToken,
    call: mk(adminToken),
    as: mk,
    async tokenFor(username, role) {
      await ctx.admin.users.create(username, role, 'a long enough password', { name: 'test', source: 'test' });
      return (await ctx.admin.users.createToken(username, 't', ['api'], null, { name: 'test', source: 'test' })).token;
    },
    async close() {
      await app.close();
      await ctx.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
