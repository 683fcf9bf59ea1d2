// Owns the HTTP provisioning server (TCP 6970) and the request handler it shares with HTTPS 6971:
// extensions first (CRL/OCSP), then the file catalogue; GET and HEAD only, ETag / If-None-Match -> 304;
// bodies bounded, a store outage answered 503 + Retry-After, failures logged rate-limited.

import type { TlsServerOptions } from '../shared/tls-policy.ts';
import http from 'node:http';
import https from 'node:https';
import type { HttpExtension, HttpExtensionRequest } from './http-extension.ts';
import type { FileCatalogue } from './catalogue.ts';
import { createRateLimitedLog, type RateLimitedLog } from '../shared/rate-limited-log.ts';
import { clientAddress } from '../shared/connection-gate.ts';
import { isStoreUnavailable } from '../shared/errors.ts';

export type TransferResult = 'ok' | 'not-found' | 'denied' | 'error';

export interface ProvisioningHttpLogger {
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
  error(obj: Record<string, unknown>, msg: string): void;
}

export interface ProvisioningHandlerDeps {
  /** HTTPS 6971: SEP<MAC>.cnf.xml.sgn is answered with the unsigned XML. */
  https: boolean;
  logger: ProvisioningHttpLogger;
  maxBodyBytes: number;
  /** Consulted in order before the catalogue (revocation's CRL/OCSP). */
  extensions: readonly HttpExtension[];
  catalogue: Pick<FileCatalogue, 'open'>;
  /** Called once per answered request (the metrics count transfers by result). */
  onTransfer(result: TransferResult, transport: 'http' | 'https'): void;
}

/** True when an If-None-Match header lists `etag` (or `*`); weak comparison as RFC 9110 §13.1.2 asks. */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const strip = (t: string) => t.trim().replace(/^W\//, '');
  return header.split(',').some((t) => t.trim() === '*' || strip(t) === strip(etag));
}

export function createProvisioningHandler(d: ProvisioningHandlerDeps): http.RequestListener {
  const log = d.logger;
  const maxBody = d.maxBodyBytes;
  const transport = d.https ? 'https' : 'http';
  // A failing store fails every request: one line per request would flood the log during an outage.
  const failures = createRateLimitedLog(log);

  function send(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    status: number,
    headers: Record<string, string>,
    body: Buffer,
    info: Record<string, unknown>,
    result: TransferResult,
  ): void {
    res.writeHead(status, { ...headers, 'content-length': String(body.length) });
    res.end(req.method === 'HEAD' ? undefined : body);
    d.onTransfer(result, transport);
    log.info(
      {
        peer: req.socket.remoteAddress,
        method: req.method,
        path: req.url,
        status,
        bytes: req.method === 'HEAD' ? 0 : body.length,
        ...info,
      },
      `${transport} request`,
    );
  }
  const text = (s: string) => Buffer.from(`${s}\n`, 'utf8');
  const plain = { 'content-type': 'text/plain; charset=utf-8' };

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const ext: HttpExtensionRequest = {
      method,
      path,
      query: q < 0 ? '' : url.slice(q + 1),
      headers: req.headers,
      body,
    };
    for (const extension of d.extensions) {
      const r = await extension(ext);
      if (r)
        return send(
          req,
          res,
          r.status,
          r.headers,
          r.body,
          { via: 'extension' },
          r.status < 400 ? 'ok' : r.status === 404 ? 'not-found' : 'error',
        );
    }
    if (method !== 'GET' && method !== 'HEAD')
      return send(req, res, 405, { ...plain, allow: 'GET, HEAD' }, text('method not allowed'), {}, 'denied');
    let name: string;
    try {
      name = decodeURIComponent(path);
    } catch {
      return send(req, res, 400, plain, text('bad percent-encoding in path'), {}, 'denied');
    }
    const file = await d.catalogue.open(name, {
      https: d.https,
      peer: { address: req.socket.remoteAddress ?? '', port: req.socket.remotePort ?? 0 },
    });
    if (file === null) return send(req, res, 404, plain, text('file not found'), {}, 'not-found');
    if ('denied' in file) return send(req, res, 403, plain, text('forbidden'), { reason: file.denied }, 'denied');
    const headers = { 'content-type': file.contentType, etag: file.etag, 'cache-control': 'no-cache' };
    if (etagMatches(req.headers['if-none-match'], file.etag))
      return send(req, res, 304, headers, Buffer.alloc(0), { kind: file.kind }, 'ok');
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
        failures.error(
          `${transport} request failed`,
          peer,
          { peer, path: req.url, err: (e as Error)?.message ?? String(e) },
          `${transport} request failed`,
        );
        // The store being down is temporary: phones retry a 503 (Retry-After) as they retry any failed fetch.
        if (!res.headersSent && isStoreUnavailable(e))
          send(req, res, 503, { ...plain, 'retry-after': '5' }, text('temporarily unavailable'), {}, 'error');
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

/** The HTTP 6970 server over the handler, hardened; the caller listens and closes it. */
export function createProvisioningHttpServer(d: Omit<ProvisioningHandlerDeps, 'https'>): http.Server {
  const server = http.createServer(createProvisioningHandler({ ...d, https: false }));
  hardenServer(server);
  return server;
}

/**
 * The HTTPS 6971 server (tftp identity) over the handler, hardened. Scanners and floods fail handshakes by
 * the thousand: those are logged through `tlsFailures`, a few lines per interval, then a summary.
 */
export function createProvisioningHttpsServer(
  d: Omit<ProvisioningHandlerDeps, 'https'>,
  credentials: { cert: string; key: string },
  policy?: TlsServerOptions,
): { server: https.Server; tlsFailures: RateLimitedLog } {
  const server = https.createServer({ ...credentials, ...policy }, createProvisioningHandler({ ...d, https: true }));
  hardenServer(server);
  const tlsFailures = createRateLimitedLog(d.logger);
  server.on('tlsClientError', (e, socket) => {
    tlsFailures.warn(
      'https-tls-failed',
      clientAddress(socket),
      { peer: socket.remoteAddress, err: e.message },
      'https TLS handshake failed',
    );
  });
  return { server, tlsFailures };
}
