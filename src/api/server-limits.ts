// Owns the connection-level defences of the REST API's HTTP(S) server: the global and per-client
// connection caps, rate-limited logging of refusals and failed TLS handshakes, and the body-read timeout.

import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import { clientAddress, createConnectionGate, type RefusalReason } from '../shared/connection-gate.ts';
import { createRateLimitedLog, type RateLimitedLog, type WarnSink } from '../shared/rate-limited-log.ts';

export interface ApiServerLimits {
  maxConnections: number;
  maxPerClient: number;
  bodyTimeoutMs: number;
  tls: boolean;
  log: WarnSink;
  onRefused(reason: RefusalReason): void;
}

/** True when the request announces a body (a length above 0, or chunked). */
function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

/** Attaches the defences to `server`; the returned log is flushed when the listener stops. */
export function limitApiServer(server: Server, o: ApiServerLimits): RateLimitedLog {
  const limitedLog = createRateLimitedLog(o.log);
  const gate = createConnectionGate({ max: o.maxConnections, maxPerClient: o.maxPerClient });
  server.on('connection', (socket: Socket) => {
    const refused = gate.admit(socket);
    if (!refused) return;
    o.onRefused(refused);
    limitedLog.warn(
      `api-refused-${refused}`,
      clientAddress(socket),
      { peer: socket.remoteAddress, reason: refused },
      refused === 'global-cap'
        ? 'API connection refused: connection cap reached'
        : 'API connection refused: per-client cap reached',
    );
    socket.destroy();
  });
  if (o.tls) {
    server.on('tlsClientError', (e: Error, socket: Socket) => {
      limitedLog.warn(
        'api-tls-failed',
        clientAddress(socket),
        { peer: socket.remoteAddress, err: e.message },
        'API TLS handshake failed',
      );
    });
  }
  // Body-read timeout: while a body is being received the socket may not stay silent longer than
  // api.bodyTimeoutMs (Node then destroys it: nothing handles the timeout). Lifted once the body has ended;
  // a request answered before its body ends is closed by the API's onSend hook instead.
  server.on('request', (req: IncomingMessage) => {
    if (req.complete || !hasBody(req)) return;
    req.socket.setTimeout(o.bodyTimeoutMs);
    req.once('end', () => req.socket.setTimeout(0));
  });
  return limitedLog;
}
