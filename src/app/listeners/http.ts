// Owns the HTTP provisioning listener (TCP 6970) and the request handler it shares with HTTPS 6971:
// extensions first (CRL/OCSP), then the file catalogue; GET and HEAD only, ETag / If-None-Match -> 304.

import http from 'node:http';
import type { AppContext } from '../context.ts';
import type { HttpExtensionRequest } from '../../provisioning/http-extension.ts';
import { bindError } from './bind-error.ts';
import { createRateLimitedLog } from '../../shared/rate-limited-log.ts';
import { isStoreUnavailable } from '../../shared/errors.ts';
import type { ListenerFactory } from './types.ts';

export interface ProvisioningHandlerOptions {
  /** HTTPS 6971: SEP<MAC>.cnf.xml.sgn is answered with the unsigned XML. */
  https: boolean;
}

type Result = 'ok' | 'not-found' | 'denied' | 'error';

/** True when an If-None-Match header lists `etag` (or `*`); weak comparison as RFC 9110 §13.1.2 asks. */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const strip = (t: string) => t.trim().replace(/^W\//, '');
  return header.split(',').some((t) => t.trim() === '*' || strip(t) === strip(etag));
}

export function createProvisioningHandler(ctx: AppContext, o: ProvisioningHandlerOptions): http.RequestListener {
  const log = ctx.logger.child({ component: o.https ? 'https' : 'http' });
  const maxBody = ctx.config['http.maxBodyBytes'];
  const transport = o.https ? 'https' : 'http';
  // A failing store fails every request: one line per request would flood the log during an outage.
  const failures = createRateLimitedLog(log);

  function send(req: http.IncomingMessage, res: http.ServerResponse, status: number, headers: Record<string, string>, body: Buffer, info: Record<string, unknown>, result: Result): void {
    res.writeHead(status, { ...headers, 'content-length': String(body.length) });
    res.end(req.method === 'HEAD' ? undefined : body);
    ctx.metrics.tftpTransfers.inc({ result, transport });
    log.info({ peer: req.socket.remoteAddress, method: req.method, path: req.url, status, bytes: req.method === 'HEAD' ? 0 : body.length, ...info }, `${transport} request`);
  }
  const text = (s: string) => Buffer.from(`${s}\n`, 'utf8');
  const plain = { 'content-type': 'text/plain; charset=utf-8' };

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const ext: HttpExtensionRequest = { method, path, query: q < 0 ? '' : url.slice(q + 1), headers: req.headers, body };
    for (const extension of ctx.httpExtensions) {
      const r = await extension(ext);
      if (r) return send(req, res, r.status, r.headers, r.body, { via: 'extension' }, r.status < 400 ? 'ok' : r.status === 404 ? 'not-found' : 'error');
    }
    if (method !== 'GET' && method !== 'HEAD') return send(req, res, 405, { ...plain, allow: 'GET, HEAD' }, text('method not allowed'), {}, 'denied');
    let name: string;
    try {
      name = decodeURIComponent(path);
    } catch {
      return send(req, res, 400, plain, text('bad percent-encoding in path'), {}, 'denied');
    }
    const file = await ctx.provisioning.catalogue.open(name, { https: o.https, peer: { address: req.socket.remoteAddress ?? '', port: req.socket.remotePort ?? 0 } });
    if (file === null) return send(req, res, 404, plain, text('file not found'), {}, 'not-found');
    if ('denied' in file) return send(req, res, 403, plain, text('forbidden'), { reason: file.denied }, 'denied');
    const headers = { 'content-type': file.contentType, etag: file.etag, 'cache-control': 'no-cache' };
    if (etagMatches(req.headers['if-none-match'], file.etag)) return send(req, res, 304, headers, Buffer.alloc(0), { kind: file.kind }, 'ok');
    send(req, res, 200, headers, file.body, { kind: file.kind }, 'ok');
  }

  return (req, res) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxBody) {
      res.setHeader('connection', 'close');
      send(req, res, 413, plain, text('request body too large'), {}, 'denied');
      req.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > maxBody) {
        if (!tooLarge) {
          tooLarge = true;
          res.setHeader('connection', 'close');
          send(req, res, 413, plain, text('request body too large'), {}, 'denied');
          req.destroy();
        }
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (tooLarge) return;
      handle(req, res, Buffer.concat(chunks)).catch((e: unknown) => {
        const peer = req.socket.remoteAddress ?? '?';
        failures.error(`${transport} request failed`, peer, { peer, path: req.url, err: (e as Error)?.message ?? String(e) }, `${transport} request failed`);
        // The store being down is temporary: phones retry a 503 (Retry-After) as they retry any failed fetch.
        if (!res.headersSent && isStoreUnavailable(e)) send(req, res, 503, { ...plain, 'retry-after': '5' }, text('temporarily unavailable'), {}, 'error');
        else if (!res.headersSent) send(req, res, 500, plain, text('internal error'), {}, 'error');
        else res.destroy();
      });
    });
    req.on('error', () => res.destroy());
  };
}

/** Timeouts shared by 6970 and 6971: a phone that opens a connection and sends nothing is dropped. */
export function hardenServer(server: http.Server): void {
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 5_000;
}

export async function listen(server: http.Server, host: string, port: number, onError: (e: unknown) => Error): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    const fail = (e: unknown) => reject(onError(e));
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      resolve();
    });
  });
  const addr = server.address();
  return typeof addr === 'object' && addr ? addr.port : port;
}

/** Resolves after ms, or at once for 0; its timer never keeps the process alive. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => (ms > 0 ? setTimeout(resolve, ms).unref() : resolve()));
}

/**
 * Two-phase close of an HTTP(S) server: stopAccepting closes the listening socket (and, in Node, the idle
 * keep-alive connections); stop waits for requests in flight up to drainMs, then closes every connection.
 */
export function drainable(server: http.Server): { stopAccepting(): void; stop(drainMs?: number): Promise<void> } {
  let closed: Promise<void> | null = null;
  const stopAccepting = () => {
    closed ??= new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return {
    stopAccepting,
    async stop(drainMs = 0) {
      stopAccepting();
      await Promise.race([closed, delay(drainMs)]);
      server.closeAllConnections();
      await closed;
    },
  };
}

export const startHttpListener: ListenerFactory = async (ctx) => {
  const { config } = ctx;
  if (!config['http.enabled']) return null;
  const server = http.createServer(createProvisioningHandler(ctx, { https: false }));
  hardenServer(server);
  const port = await listen(server, config.host, config['http.port'], (e) => bindError('HTTP provisioning', config.host, config['http.port'], 'http.port', '--http-port', e));
  const release = ctx.provisioning.watch();
  const closing = drainable(server);
  return {
    name: 'http',
    host: config.host,
    port,
    stopAccepting: closing.stopAccepting,
    async stop(drainMs) {
      release();
      await closing.stop(drainMs);
    },
  };
};
