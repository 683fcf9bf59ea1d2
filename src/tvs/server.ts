// Owns the TVS TLS listener (tvs-protocol.md §1): connection limits (global and per client), timeouts, framing,
// answering through TvsAuthority, and draining answers in flight on shutdown.

import type { TlsServerOptions } from '../shared/tls-policy.ts';
import { createHash } from 'node:crypto';
import type { Socket } from 'node:net';
import * as tls from 'node:tls';
import { AppError, isAppError } from '../shared/errors.ts';
import { clientAddress, createConnectionGate, type RefusalReason } from '../shared/connection-gate.ts';
import { createRateLimitedLog } from '../shared/rate-limited-log.ts';
import { createTvsDecoder, encodeTvsMessage, type TvsMessage, type TvsRequest, type TvsResponse } from './codec.ts';
import { TVS_MAX_BODY_BYTES, TvsStatus } from './constants.ts';
import { serialKey } from './names.ts';
import type { TvsAuthority, TvsLogger } from './ports.ts';

export interface TvsServerLimits {
  /** Concurrent connections, TLS handshakes included; extra connections are closed at once. */
  maxConnections: number;
  /**
   * Concurrent connections from one client address (default maxConnections: no per-client limit). Phones
   * behind one NAT share an address: set it high enough for the largest site behind one address.
   */
  maxPerClient?: number;
  /** A connection with no traffic for this long is closed. */
  idleTimeoutMs: number;
  /** Time a client has to finish the TLS handshake. */
  handshakeTimeoutMs: number;
  /** tvsd answers one request per connection; we keep reading (§1, UNCERTAIN) up to this many. */
  maxRequestsPerConnection: number;
  /** Largest request body accepted (default 16 KiB; a VERIFY carries one certificate). */
  maxBodyBytes?: number;
}

export interface TvsServerTlsOptions {
  certPem: string;
  keyPem: string;
  /** The listener's TLS policy (shared/tls-policy.ts; §1: the 7900 series speaks TLS 1.0 only). Default: Node's. */
  policy?: TlsServerOptions;
}

export interface TvsServerOptions {
  host: string;
  /** 0 picks a free port (tests); phones use 2445. */
  port: number;
  tls: TvsServerTlsOptions;
  authority: TvsAuthority;
  logger: TvsLogger;
  limits: TvsServerLimits;
  /** Called for every connection closed at accept (metrics). */
  onRefused?: (reason: RefusalReason) => void;
}

export interface TvsServer {
  start(): Promise<{ port: number }>;
  /** Closes the listening socket at once (shutdown phase 1); connections in progress go on. */
  stopAccepting(): void;
  /**
   * Stops accepting, lets answers being computed finish for up to drainMs (default 0), then closes every
   * connection, including unfinished handshakes and idle ones.
   */
  stop(drainMs?: number): Promise<void>;
  /** Serves a new certificate and key to new connections (the tvs identity was regenerated). */
  reloadCredentials(tls: Pick<TvsServerTlsOptions, 'certPem' | 'keyPem'>): void;
}

export const TVS_DEFAULT_MAX_REQUEST_BODY_BYTES = 16_384;
const LOG_TEXT_MAX = 256;

function checkLimit(name: string, v: number | undefined, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (v === undefined || !Number.isInteger(v) || v < min || v > max) {
    throw new AppError(
      'ERR_CONFIG_INVALID',
      `tvs limit ${name} must be an integer in ${min}..${max}, got ${String(v)}`,
    );
  }
}

function clip(text: string | undefined): string | undefined {
  return text === undefined || text.length <= LOG_TEXT_MAX ? text : `${text.slice(0, LOG_TEXT_MAX)}…`;
}

/** Roles sorted in tvsctl's canonical order (which is numeric order) without repeats (§5). */
function canonicalRoles(roles: readonly number[]): number[] {
  return [...new Set(roles)].sort((a, b) => a - b);
}

function errorFields(e: unknown): Record<string, unknown> {
  if (isAppError(e)) return { code: e.code, err: e.message };
  if (e instanceof Error) return { code: (e as NodeJS.ErrnoException).code, err: e.message };
  return { err: String(e) };
}

export function createTvsServer(options: TvsServerOptions): TvsServer {
  const { authority, logger, limits } = options;
  checkLimit('maxConnections', limits.maxConnections, 1);
  checkLimit('idleTimeoutMs', limits.idleTimeoutMs, 1);
  checkLimit('handshakeTimeoutMs', limits.handshakeTimeoutMs, 1);
  checkLimit('maxRequestsPerConnection', limits.maxRequestsPerConnection, 1);
  if (limits.maxPerClient !== undefined) checkLimit('maxPerClient', limits.maxPerClient, 1);
  const maxBodyBytes = limits.maxBodyBytes ?? TVS_DEFAULT_MAX_REQUEST_BODY_BYTES;
  checkLimit('maxBodyBytes', maxBodyBytes, 0, TVS_MAX_BODY_BYTES);

  let server: tls.Server | null = null;
  const rawSockets = new Set<Socket>();
  const tlsSockets = new Set<tls.TLSSocket>();
  let nextConnectionId = 1;
  /** Connections whose answer is being computed: the drain waits for these, not for idle ones. */
  const busyConnections = new Set<tls.TLSSocket>();
  const gate = createConnectionGate({
    max: limits.maxConnections,
    maxPerClient: limits.maxPerClient ?? limits.maxConnections,
  });
  // Refusals, failed handshakes and rejected frames come in floods: a few lines per interval, then a summary.
  const limitedLog = createRateLimitedLog(logger);
  let closed: Promise<void> | null = null;
  const stopAccepting = (): void => {
    const s = server;
    if (!s || closed) return;
    closed = new Promise((resolve) => s.close(() => resolve()));
  };

  async function answer(request: TvsRequest, context: Record<string, unknown>): Promise<TvsResponse> {
    if (request.command === 'VERIFY_REQUEST') {
      const certSha256 = createHash('sha256').update(request.certificate).digest('hex');
      const verdict = await authority.verify(request.certificate);
      const roles = canonicalRoles(verdict.roles);
      logger.info(
        {
          ...context,
          command: request.command,
          requestId: request.requestId,
          deviceName: request.deviceName,
          certSha256,
          trusted: verdict.trusted,
          roles: verdict.trusted ? roles : [],
          ttlSeconds: verdict.trusted ? verdict.ttlSeconds : undefined,
          unknownTags: request.unknownTags,
        },
        'TVS verify',
      );
      // §5: a certificate that is not trusted gets STATUS only.
      return verdict.trusted
        ? {
            command: 'VERIFY_RESPONSE',
            requestId: request.requestId,
            status: TvsStatus.VALID,
            roles,
            ttlSeconds: verdict.ttlSeconds,
          }
        : { command: 'VERIFY_RESPONSE', requestId: request.requestId, status: TvsStatus.INVALID };
    }
    const query: { subject?: string; issuer?: string; serial?: Uint8Array } = {};
    if (request.subjectName !== undefined) query.subject = request.subjectName;
    if (request.issuerName !== undefined) query.issuer = request.issuerName;
    if (request.serialNumber !== undefined) query.serial = request.serialNumber;
    const found = await authority.query(query);
    logger.info(
      {
        ...context,
        command: request.command,
        requestId: request.requestId,
        deviceName: request.deviceName,
        subject: clip(request.subjectName),
        issuer: clip(request.issuerName),
        serialHex: request.serialNumber && clip(serialKey(request.serialNumber)),
        found: found !== null,
        certSha256: found ? createHash('sha256').update(found.certDer).digest('hex') : undefined,
        roles: found ? canonicalRoles(found.roles) : undefined,
        unknownTags: request.unknownTags,
      },
      'TVS query',
    );
    // §6: STATUS, CERTIFICATE, ROLES, TTL on success; STATUS invalid alone otherwise (by analogy with VERIFY,
    // UNCERTAIN).
    return found
      ? {
          command: 'QUERY_RESPONSE',
          requestId: request.requestId,
          status: TvsStatus.VALID,
          certificate: found.certDer,
          roles: canonicalRoles(found.roles),
          ttlSeconds: found.ttlSeconds,
        }
      : { command: 'QUERY_RESPONSE', requestId: request.requestId, status: TvsStatus.INVALID };
  }

  function handleConnection(socket: tls.TLSSocket): void {
    tlsSockets.add(socket);
    // Half-open once the handshake is done: a client may shut down its side after its requests and
    // still read the answers still being computed; the 'end' handler below closes ours when done.
    socket.allowHalfOpen = true;
    const context = {
      connectionId: nextConnectionId++,
      remoteAddress: socket.remoteAddress,
      remotePort: socket.remotePort,
    };
    logger.debug?.({ ...context, protocol: socket.getProtocol(), cipher: socket.getCipher()?.name }, 'TVS connection');
    const decoder = createTvsDecoder({ maxBodyBytes });
    const queue: TvsRequest[] = [];
    let accepted = 0;
    let busy = false;
    let stopReading = false;
    let peerEnded = false;

    let closing = false;
    // FIN rather than RST: unread bytes from the peer are drained and discarded while the close completes,
    // and a peer that never finishes its side is cut off after idleTimeoutMs whatever it keeps sending.
    const closeGracefully = (): void => {
      if (closing || socket.destroyed) return;
      closing = true;
      socket.end();
      const timer = setTimeout(() => socket.destroy(), limits.idleTimeoutMs);
      timer.unref();
      socket.once('close', () => clearTimeout(timer));
    };

    const stop = (): void => {
      stopReading = true;
    };

    const finishIfDone = (): void => {
      if (!busy && queue.length === 0 && (stopReading || peerEnded)) closeGracefully();
    };

    const pump = async (): Promise<void> => {
      if (busy) return;
      busy = true;
      busyConnections.add(socket);
      try {
        while (queue.length > 0 && !socket.destroyed) {
          const request = queue.shift()!;
          const response = await answer(request, context);
          if (socket.destroyed) return;
          socket.write(encodeTvsMessage(response)); // one write per response message
        }
      } catch (e) {
        logger.warn({ ...context, ...errorFields(e) }, 'TVS request could not be answered; closing connection');
        queue.length = 0;
        socket.destroy();
        return;
      } finally {
        busy = false;
        busyConnections.delete(socket);
      }
      finishIfDone();
    };

    socket.on('data', (chunk: Buffer) => {
      if (stopReading) return;
      let messages: TvsMessage[];
      try {
        messages = decoder.push(chunk);
      } catch (e) {
        // No error response exists in the protocol (§2–§4), so a bad frame only closes the connection.
        limitedLog.warn(
          'tvs-frame-rejected',
          clientAddress(socket),
          { ...context, ...errorFields(e) },
          'TVS frame rejected; closing connection',
        );
        stop();
        void pump();
        return;
      }
      for (const message of messages) {
        if (message.command !== 'VERIFY_REQUEST' && message.command !== 'QUERY_REQUEST') {
          logger.warn(
            { ...context, command: message.command, requestId: message.requestId },
            'TVS client sent a response message; closing connection',
          );
          stop();
          break;
        }
        if (accepted >= limits.maxRequestsPerConnection) {
          logger.debug?.(
            { ...context, maxRequestsPerConnection: limits.maxRequestsPerConnection },
            'TVS request limit reached; closing connection',
          );
          stop();
          break;
        }
        accepted++;
        queue.push(message);
      }
      void pump();
    });
    socket.on('end', () => {
      peerEnded = true;
      if (!stopReading && decoder.bufferedBytes > 0) {
        logger.debug?.({ ...context, bufferedBytes: decoder.bufferedBytes }, 'TVS client closed inside a frame');
      }
      finishIfDone();
    });
    socket.setTimeout(limits.idleTimeoutMs, () => {
      if (busy) return; // the authority is still working; the response write re-arms the timer
      logger.debug?.({ ...context, idleTimeoutMs: limits.idleTimeoutMs }, 'TVS connection idle; closing');
      socket.destroy();
    });
    socket.on('error', (e) => logger.debug?.({ ...context, ...errorFields(e) }, 'TVS connection error'));
    socket.on('close', () => {
      tlsSockets.delete(socket);
      busyConnections.delete(socket);
      logger.debug?.({ ...context, requests: accepted }, 'TVS connection closed');
    });
  }

  return {
    start(): Promise<{ port: number }> {
      if (server) return Promise.reject(new AppError('ERR_INTERNAL', 'TVS server already started'));
      const s = tls.createServer({
        cert: options.tls.certPem,
        key: options.tls.keyPem,
        ...options.tls.policy,
        requestCert: false, // §1: tvsd does not ask for one; do not require it
        handshakeTimeout: limits.handshakeTimeoutMs,
        // Not half-open here: a peer that sends FIN during the handshake must be dropped at once, not
        // held until handshakeTimeoutMs (measured: with allowHalfOpen the server never notices).
        allowHalfOpen: false,
      });
      // Counted on the raw TCP connection so that clients stuck in the handshake count against the caps too.
      s.on('connection', (raw: Socket) => {
        const refused = gate.admit(raw);
        if (refused) {
          options.onRefused?.(refused);
          const fields = {
            remoteAddress: raw.remoteAddress,
            remotePort: raw.remotePort,
            reason: refused,
            maxConnections: limits.maxConnections,
            maxPerClient: limits.maxPerClient ?? limits.maxConnections,
          };
          limitedLog.warn(
            `tvs-refused-${refused}`,
            clientAddress(raw),
            fields,
            refused === 'global-cap'
              ? 'TVS connection refused: too many connections'
              : 'TVS connection refused: per-client cap reached',
          );
          raw.destroy();
          return;
        }
        rawSockets.add(raw);
        raw.once('close', () => rawSockets.delete(raw));
      });
      s.on('tlsClientError', (e: Error, socket: tls.TLSSocket) => {
        limitedLog.warn(
          'tvs-tls-failed',
          clientAddress(socket),
          { remoteAddress: socket.remoteAddress, ...errorFields(e) },
          'TVS TLS handshake failed',
        );
        socket.destroy();
      });
      s.on('secureConnection', handleConnection);
      server = s;
      return new Promise((resolve, reject) => {
        const onError = (e: NodeJS.ErrnoException): void => {
          server = null;
          reject(
            new AppError(
              'ERR_PORT_IN_USE',
              `TVS cannot listen on ${options.host}:${options.port}: ${e.message}`,
              { code: e.code },
              { cause: e },
            ),
          );
        };
        s.once('error', onError);
        s.listen(options.port, options.host, () => {
          s.off('error', onError);
          s.on('error', (e) => logger.warn(errorFields(e), 'TVS listener error'));
          const address = s.address();
          const port = typeof address === 'object' && address ? address.port : options.port;
          logger.info({ host: options.host, port }, 'TVS listening');
          resolve({ port });
        });
      });
    },

    reloadCredentials(creds) {
      server?.setSecureContext({
        cert: creds.certPem,
        key: creds.keyPem,
        ...options.tls.policy,
      });
    },

    stopAccepting,

    async stop(drainMs = 0): Promise<void> {
      const s = server;
      if (!s) return;
      stopAccepting();
      const deadline = Date.now() + drainMs;
      while (busyConnections.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
      server = null;
      for (const socket of tlsSockets) socket.destroy();
      for (const raw of rawSockets) raw.destroy();
      limitedLog.flush();
      await closed;
      closed = null;
      logger.info({}, 'TVS stopped');
    },
  };
}
