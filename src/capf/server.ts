// Owns the CAPF TLS listener (TCP 3804): connection caps (global and per client), handshake timeout,
// per-phase timers, one write per message, server-chosen session ids, and draining in-flight sessions on shutdown.

import type { TlsServerOptions } from '../shared/tls-policy.ts';
import tls from 'node:tls';
import net, { type Socket } from 'node:net';
import { randomInt } from 'node:crypto';
import { systemClock, type Clock } from '../shared/clock.ts';
import { AppError } from '../shared/errors.ts';
import { clientAddress, type RefusalReason } from '../shared/connection-gate.ts';
import { createAdmission, type Admitted } from './admission.ts';
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
  /** Sessions past the TLS handshake at once (held: e.g. a phone generating its key). */
  maxSessions: number;
  /** TLS handshakes in progress at once (default min(maxSessions, 64)); later connections queue. */
  maxHandshakes?: number;
  /** Connections waiting for a handshake slot (default 0: none wait, extra connections are closed at accept). */
  maxQueued?: number;
  /** A queued connection is closed after waiting this long (default 30 s): the phone retries later. */
  queueTimeoutMs?: number;
  /**
   * Concurrent connections from one client address (default: no per-client limit). Phones behind
   * one NAT or relay share an address, so this trades fairness against a large site behind one address.
   */
  maxPerClient?: number;
  /** Called for every connection closed at accept (metrics). */
  onRefused?: (reason: RefusalReason) => void;
  /** Called with the time a connection waited in the queue before its handshake started (metrics). */
  onQueueWait?: (ms: number) => void;
  /** Time a client has for its TLS handshake, counted from when the handshake can start (not while queued). */
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
  /**
   * rejectedOverCap counts connections closed at accept (queue full or per-client cap); rejectedPerClient the
   * per-client ones among them. queued / handshaking / held: connections by admission state now.
   */
  stats(): {
    connections: number;
    sessions: number;
    totalSessions: number;
    rejectedOverCap: number;
    rejectedPerClient: number;
    queued: number;
    handshaking: number;
    held: number;
    queueTimeouts: number;
    queuedTotal: number;
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
  const admission = createAdmission({
    maxSessions: o.maxSessions,
    maxHandshakes: o.maxHandshakes ?? Math.max(1, Math.min(o.maxSessions, 64)),
    maxQueued: o.maxQueued ?? 0,
    maxPerClient: Math.min(o.maxPerClient ?? Number.MAX_SAFE_INTEGER, o.maxSessions + (o.maxQueued ?? 0)),
    queueTimeoutMs: o.queueTimeoutMs ?? 30_000,
  });
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
  let secureContext = tls.createSecureContext(secureContextOptions());

  // Plain TCP first, paused: a connection waits in the admission queue (the kernel holds its ClientHello) until
  // a handshake slot is free, so a wave of phones queues instead of being reset, and the handshake timeout
  // counts from when its handshake can start. TLS is then started on the socket by hand.
  const server = net.createServer({ pauseOnConnect: true, noDelay: true });

  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', ignore);
    const address = clientAddress(socket);
    const admitted = admission.offer(address, {
      start: (waitedMs, self) => {
        if (waitedMs > 0) o.onQueueWait?.(waitedMs);
        startTls(socket, self);
      },
      drop: (reason) => {
        limitedLog.warn(
          `capf-dropped-${reason}`,
          address,
          { sessionId: allocateId(), peer: peerKey(socket), reason, queueTimeoutMs: admission.limits.queueTimeoutMs },
          reason === 'queue-timeout'
            ? 'CAPF connection closed: it waited too long for a handshake slot (the phone retries)'
            : 'CAPF connection closed before its handshake: shutting down',
        );
        socket.destroy();
      },
    });
    if (typeof admitted === 'string') {
      rejectedOverCap++;
      if (admitted === 'per-client-cap') rejectedPerClient++;
      o.onRefused?.(admitted);
      const fields = {
        sessionId: allocateId(),
        peer: peerKey(socket),
        reason: admitted,
        maxQueued: admission.limits.maxQueued,
        maxPerClient: admission.limits.maxPerClient,
      };
      limitedLog.warn(
        `capf-refused-${admitted}`,
        address,
        fields,
        admitted === 'global-cap'
          ? 'CAPF connection refused: sessions, handshakes and the queue are all full'
          : 'CAPF connection refused: per-client cap reached',
      );
      socket.destroy(); // close without sending anything, as capfd --limit does; the phone retries
      return;
    }
    socket.once('close', () => admitted.closed());
  });

  function startTls(raw: Socket, admitted: Admitted): void {
    if (raw.destroyed) {
      admitted.closed();
      return;
    }
    const socket = new tls.TLSSocket(raw, { isServer: true, secureContext, requestCert: false });
    let secured = false;
    const timer = setTimeout(() => {
      limitedLog.warn(
        'capf-tls-failed',
        clientAddress(raw),
        { sessionId: allocateId(), peer: peerKey(raw), err: `no TLS handshake within ${o.handshakeTimeoutMs} ms` },
        'CAPF TLS handshake failed',
      );
      socket.destroy();
    }, o.handshakeTimeoutMs);
    timer.unref();
    socket.once('secure', () => {
      secured = true;
      clearTimeout(timer);
      admitted.handshakeDone(true);
      onSecure(socket);
    });
    socket.on('error', (err: Error) => {
      if (secured) return; // the session's own handler deals with it
      clearTimeout(timer);
      limitedLog.warn(
        'capf-tls-failed',
        clientAddress(raw),
        { sessionId: allocateId(), peer: peerKey(raw), err: err.message },
        'CAPF TLS handshake failed',
      );
      socket.destroy();
    });
    socket.once('close', () => {
      clearTimeout(timer);
      if (!secured) admitted.handshakeDone(false);
      admitted.closed();
    });
  }

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
    admission.drain(); // queued connections have not started: close them so the phones retry (elsewhere)
    if (queueSweeper) clearInterval(queueSweeper);
    queueSweeper = null;
  };
  // Queue timeouts: checked every quarter of capf.queueTimeoutMs (at most once a second).
  let queueSweeper: NodeJS.Timeout | null = null;
  const queueTick = Math.max(10, Math.min(1000, Math.floor(admission.limits.queueTimeoutMs / 4)));

  function onSecure(socket: tls.TLSSocket): void {
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
  }

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
        // The kernel's accept backlog in front of our own queue (capped by net.core.somaxconn).
        server.listen({ port: o.port, host: o.host, backlog: 4096 });
        queueSweeper = setInterval(() => admission.expire(), queueTick);
        queueSweeper.unref();
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
      secureContext = tls.createSecureContext(secureContextOptions());
    },
    stats() {
      const a = admission.stats();
      return {
        connections: sockets.size,
        sessions: sessions.size,
        totalSessions,
        rejectedOverCap,
        rejectedPerClient,
        queued: a.queued,
        handshaking: a.handshaking,
        held: a.held,
        queueTimeouts: a.queueTimeouts,
        queuedTotal: a.queuedTotal,
      };
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
