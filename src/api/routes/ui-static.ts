// Owns serving the built web UI (web/dist) from the API's Fastify instance: hashed assets cached forever,
// index.html revalidated, every other non-API path answered with index.html (the SPA routes on the client),
// the user docs (docs/*.md) the UI links to, and a plain page explaining how to build the UI when web/dist
// is missing.

import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { ERROR_TABLE } from '../../shared/errors.ts';

export const DEFAULT_WEB_DIST = fileURLToPath(new URL('../../../web/dist/', import.meta.url));
/** The user documentation the UI links to (doctor findings, troubleshooting), served read-only as Markdown text. */
export const DOCS_DIR = fileURLToPath(new URL('../../../docs/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** The UI talks only to its own origin; no inline scripts (Vite emits none), no framing. */
export const UI_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
  "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>OpenCAPF</title></head>
<body style="font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;line-height:1.5">
<h1>OpenCAPF administration</h1>
<p>The web UI has not been built on this node. Build it once with</p>
<pre>npm run build:web</pre>
<p>(<code>npm start</code> does this for you), then reload this page. The REST API is available at
<a href="/api/docs">/api/docs</a>.</p></body></html>`;

function isApiPath(path: string): boolean {
  return path === '/api' || path.startsWith('/api/') || path === '/metrics' || path.startsWith('/metrics/');
}

export function registerUiRoutes(app: FastifyInstance, o: { distDir?: string } = {}): void {
  const root = normalize(o.distDir ?? DEFAULT_WEB_DIST);
  const rootWithSep = root.endsWith(sep) ? root : root + sep;

  async function sendIndex(reply: FastifyReply): Promise<FastifyReply> {
    let html: Buffer;
    try {
      html = await readFile(join(root, 'index.html'));
    } catch {
      return reply.code(503).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(NOT_BUILT);
    }
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .header('content-security-policy', UI_CSP)
      .header('referrer-policy', 'no-referrer')
      .header('x-frame-options', 'DENY')
      .send(html);
  }

  const handler = async (req: { url: string; method: string }, reply: FastifyReply) => {
    const path = decodeURIComponent(req.url.split('?')[0]!);
    if (isApiPath(path)) {
      return reply
        .code(404)
        .type('application/json')
        .send({ error: { code: 'ERR_NOT_FOUND', message: `no route ${req.method} ${path.slice(0, 200)}` } });
    }
    const doc = /^\/docs\/([a-z0-9-]+\.md)$/.exec(path);
    if (doc) {
      try {
        const body = await readFile(join(DOCS_DIR, doc[1]!));
        return reply.type('text/plain; charset=utf-8').header('cache-control', 'no-cache').send(body);
      } catch {
        return reply.code(404).type('text/plain; charset=utf-8').send(`no document ${doc[1]}`);
      }
    }
    if (path.startsWith('/assets/') || /^\/[\w.-]+\.(svg|png|ico|txt|json)$/.test(path)) {
      const file = normalize(join(root, path));
      if (!file.startsWith(rootWithSep)) return reply.code(404).send();
      try {
        const s = await stat(file);
        if (!s.isFile()) throw new Error('not a file');
        const body = await readFile(file);
        const immutable = path.startsWith('/assets/');
        return reply
          .type(TYPES[extname(file)] ?? 'application/octet-stream')
          .header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'public, max-age=3600')
          .send(body);
      } catch {
        return reply
          .code(404)
          .type('text/plain; charset=utf-8')
          .header('cache-control', 'no-store')
          .send(ERROR_TABLE.ERR_NOT_FOUND.text);
      }
    }
    return sendIndex(reply);
  };
  const schema = {
    summary: 'The web administration UI (single-page app; every non-API path answers index.html)',
    tags: ['ui'],
    hide: true,
  };
  app.get('/', { config: { access: 'public' }, schema }, handler);
  app.get('/*', { config: { access: 'public' }, schema }, handler);
}
