// Owns the CAPF TLS listener (TCP 3804): connection caps (global and per client), handshake timeout,
// per-phase timers, one write per message, server-chosen session ids, and draining in-flight sessions on shutdown.

import type { TlsServerOptions } from '../shared/tls-policy.ts';
import tls from 'node:tls';
import type { Socket } from 'node:net';
import { randomInt } from 'node:crypto';
import { systemClock, type Clock } from '../shared/clock.ts';
import { AppError } from '../shared/errors.ts';
import { clientAddress, createConnectionGate, type RefusalReason } from '../shared/connection-gate.ts';
import { createRateLimitedLog } from '../shared/rate-limited-log.ts';
import type { CapfAuthority } from './ports.ts';
import { createCapfDecoder, type CapfDecoder } from './codec.ts';
import { CapfServerSession, type SessionLogger, type SessionSettings, type SessionTransport } from './session.ts';

/** Every CAPF log line carries its session id in its own fields (no per-session child logger to build). */
export type CapfServerLogger = SessionLogger;

export interface CapfServerOptions {
  host: string;
  port: number;
  /** The CAPF certificate (and chain) and key; callable so a regenerated certificate takes effect. */
  credentials: () => { certPem: string; keyPem: string };
  authority: CapfAuthority;
  settings: SessionSettings;
  maxSessions: number;
  /**
   * Concurrent connections from one client address (default maxSessions: no per-client limit). Phones behind
   * one NAT or relay share an address, so this trades fairness against a large site behind one address.
   */
  maxPerClient?: number;
  /** Called for every connection closed at accept (metrics). */
  onRefused?: (reason: RefusalReason) => void;
  handshakeTimeoutMs: number;
  maxMessageBytes: number;
  /** Versions, suites and groups (the listener's TLS policy, shared/tls-policy.ts); default: Node's, TLS 1.2+. */
  tls?: TlsServerOptions;
  logger: CapfServerLogger;
  clock?: Clock;
}

export interface CapfServer {
  start(): Promise<{ port: number }>;
  /** Closes the listening socket at once (shutdown phase 1); in-flight sessions go on. */
  stopAccepting(): void;
  /** Stops accepting, lets in-flight sessions finish for up to drainMs, then destroys the rest. */
  stop(drainMs?: number): Promise<void>;
  /** Re-reads credentials (after the CAPF certificate changes). */
  reloadCredentials(): void;
  /** rejectedOverCap counts both caps; rejectedPerClient the per-client ones among them. */
  stats(): {
    connections: number;
    sessions: number;
    totalSessions: number;
    rejectedOverCap: number;
    rejectedPerClient: number;
  };
}

export function createCapfServer(o: CapfServerOptions): CapfServer {
  const clock = o.clock ?? systemClock;
  let nextSessionId = randomInt(1, 0x7fffffff); // any non-repeating u32 (§2); random start avoids reuse across restarts
  const sockets = new Set<Socket>();
  const sessions = new Set<CapfServerSession>();
  const peerKey = (s: { remoteAddress?: string | undefined; remotePort?: number | undefined }) =>
    `${s.remoteAddress ?? '?'}:${s.remotePort ?? 0}`;
  const allocateId = () => {
    const id = nextSessionId;
    nextSessionId = nextSessionId >= 0xfffffffe ? 1 : nextSessionId + 1;
    return id;
  };
  let totalSessions = 0;
  let rejectedOverCap = 0;
  let rejectedPerClient = 0;
  const gate = createConnectionGate({ max: o.maxSessions, maxPerClient: o.maxPerClient ?? o.maxSessions });
  // Refusals and failed handshakes come in floods: a few lines per interval, then a summary with counts.
  const limitedLog = createRateLimitedLog(o.logger);

  function secureContextOptions(): tls.SecureContextOptions {
    const c = o.credentials();
    return {
      cert: c.certPem,
      key: c.keyPem,
      ...(o.tls ?? { minVersion: 'TLSv1.2' as const }),
    };
  }

  const server = tls.createServer({
    ...secureContextOptions(),
    handshakeTimeout: o.handshakeTimeoutMs,
    requestCert: false, // the phone authenticates inside the protocol (§1, §5)
    // Nagle off on the accepted TCP handle, before the handshake: one message per write must leave at once
    // (setNoDelay on the TLS socket later costs a proxied call and pushes pending data inline).
    noDelay: true,
  });

  // Count raw TCP connections so that clients stuck in the handshake count against the caps too.
  server.on('connection', (socket: Socket) => {
    const refused = gate.admit(socket);
    if (refused) {
      rejectedOverCap++;
      if (refused === 'per-client-cap') rejectedPerClient++;
      o.onRefused?.(refused);
      const fields = {
        sessionId: allocateId(),
        peer: peerKey(socket),
        reason: refused,
        max: o.maxSessions,
        maxPerClient: o.maxPerClient ?? o.maxSessions,
      };
      limitedLog.warn(
        `capf-refused-${refused}`,
        clientAddress(socket),
        fields,
        refused === 'global-cap'
          ? 'CAPF connection refused: session cap reached'
          : 'CAPF connection refused: per-client cap reached',
      );
      socket.destroy(); // capfd --limit: close without sending anything
      return;
    }
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  server.on('tlsClientError', (err, socket) => {
    // A session id of its own, so the failure can be told apart from others in the log.
    limitedLog.warn(
      'capf-tls-failed',
      clientAddress(socket),
      { sessionId: allocateId(), peer: peerKey(socket), err: err.message },
      'CAPF TLS handshake failed',
    );
    socket.destroy();
  });

  // Phase timers: one sweep over the live connections instead of a timer object per phase and session.
  // Deadlines are checked every `tick` ms (an eighth of the shortest phase timeout, 5..250 ms).
  const tick = Math.min(
    250,
    Math.max(5, Math.floor(Math.min(o.settings.responseTimeoutMs, o.settings.keyGenerationTimeoutMs) / 8)),
  );
  const timed = new Set<CapfConnection>();
  let sweeper: NodeJS.Timeout | null = null;
  const sweep = () => {
    const now = performance.now();
    for (const c of timed) {
      if (now >= c.deadline) {
        timed.delete(c);
        c.expire();
      }
    }
    if (timed.size === 0 && sweeper) {
      clearInterval(sweeper);
      sweeper = null;
    }
  };
  const timers: DeadlineSet = {
    set(c) {
      timed.add(c);
      sweeper ??= setInterval(sweep, tick).unref();
    },
    clear(c) {
      timed.delete(c);
    },
  };

  /** Set by stopAccepting: resolves once the listening socket and every connection are closed. */
  let closed: Promise<void> | null = null;
  const stopAccepting = (): void => {
    closed ??= new Promise<void>((r) => server.close(() => r()));
  };

  server.on('secureConnection', (socket: tls.TLSSocket) => {
    totalSessions++;
    const conn = new CapfConnection(socket, timers, o.maxMessageBytes);
    const session = new CapfServerSession(
      allocateId(),
      peerKey(socket),
      o.authority,
      o.settings,
      conn,
      clock,
      o.logger,
    );
    conn.attach(session, sessions);
    session.start();
  });

  return {
    start() {
      return new Promise((resolve, reject) => {
        const onError = (e: NodeJS.ErrnoException) => {
          server.off('listening', onListening);
          if (e.code === 'EADDRINUSE' || e.code === 'EACCES') {
            reject(
              new AppError(
                'ERR_PORT_IN_USE',
                `CAPF cannot listen on ${o.host}:${o.port} (${e.code}); choose another port with --capf-port`,
                undefined,
                { cause: e },
              ),
            );
          } else reject(e);
        };
        const onListening = () => {
          server.off('error', onError);
          const addr = server.address();
          resolve({ port: typeof addr === 'object' && addr ? addr.port : o.port });
        };
        server.once('error', onError);
        server.once('listening', onListening);
        server.listen(o.port, o.host);
      });
    },
    stopAccepting,
    async stop(drainMs = 0) {
      stopAccepting();
      const deadline = Date.now() + drainMs;
      while (sessions.size > 0 && [...sessions].some((s) => !s.finished) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      for (const s of sockets) s.destroy();
      if (sweeper) clearInterval(sweeper);
      sweeper = null;
      timed.clear();
      limitedLog.flush();
      await closed!;
    },
    reloadCredentials() {
      server.setSecureContext(secureContextOptions());
    },
    stats() {
      return { connections: sockets.size, sessions: sessions.size, totalSessions, rejectedOverCap, rejectedPerClient };
    },
  };
}

interface DeadlineSet {
  set(c: CapfConnection): void;
  clear(c: CapfConnection): void;
}

/**
 * The socket side of one CAPF session: the session's transport, its decoder and its deadline. A class so
 * that a connection costs one object and two listener closures rather than a closure per callback.
 */
class CapfConnection implements SessionTransport {
  deadline = 0;
  private expiry: 'timeout' | 'destroy' = 'timeout';
  private session!: CapfServerSession;
  private readonly decoder: CapfDecoder;
  private poisoned = false;

  constructor(
    private readonly socket: tls.TLSSocket,
    private readonly timers: DeadlineSet,
    maxMessageBytes: number,
  ) {
    this.decoder = createCapfDecoder({ maxBodyBytes: maxMessageBytes });
  }

  attach(session: CapfServerSession, sessions: Set<CapfServerSession>): void {
    this.session = session;
    sessions.add(session);
    const socket = this.socket;
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('close', () => {
      this.timers.clear(this);
      void session.onClose().finally(() => sessions.delete(session));
    });
    socket.on('error', ignore);
  }

  private onData(chunk: Buffer): void {
    if (this.poisoned) return;
    try {
      for (const msg of this.decoder.push(chunk)) void this.session.onMessage(msg);
    } catch (e) {
      this.poisoned = true;
      void this.session.onDecodeError(e as Error);
    }
  }

  send(frame: Buffer): void {
    if (!this.socket.destroyed) this.socket.write(frame);
  }

  close(): void {
    this.socket.end();
    // A phone that never reads would keep the socket; destroy it shortly after END_SESSION.
    this.arm(2000, 'destroy');
  }

  armTimer(ms: number): void {
    this.arm(ms, 'timeout');
  }

  clearTimer(): void {
    this.timers.clear(this);
  }

  /** Called by the sweep once the deadline has passed. */
  expire(): void {
    if (this.expiry === 'destroy') this.socket.destroy();
    else void this.session.onTimeout();
  }

  private arm(ms: number, expiry: 'timeout' | 'destroy'): void {
    this.deadline = performance.now() + ms;
    this.expiry = expiry;
    this.timers.set(this);
  }
}

const ignore = (): void => undefined;
