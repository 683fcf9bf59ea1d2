// Owns the TFTP UDP listener: admits read requests, runs each transfer on its own socket, logs every request.
//
// One new ephemeral UDP socket per transfer: that port is the server's transfer identifier (RFC 1350 §4).
// Requests are answered with an ERROR packet whenever they are not served (never silence), except
// a retransmitted RRQ for a transfer that is already running, which is ignored (RFC 1350 §4 lets
// the server treat it as a duplicate; starting a second transfer would double the traffic).

import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import { AppError, CodecError } from '../../shared/errors.ts';
import { toNetascii } from './netascii.ts';
import { DEFAULT_MAX_BLKSIZE, DEFAULT_MAX_WINDOW, negotiateReadOptions } from './options.ts';
import { TFTP_ERROR, TFTP_OPCODE, decodePacket, encodeError, type TftpPacket, type TftpRequest } from './packets.ts';
import { isDenied, type TftpFileSource, type TftpOpenResult } from './source.ts';
import { ReadTransfer, type TftpPeer, type TransferOutcome } from './transfer.ts';

/** Subset of pino's API the server needs; a pino logger satisfies it. */
export interface TftpLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface TftpServerLimits {
  /** Transfers (including ones still opening their file) across all clients. */
  maxTransfers: number;
  /** Concurrent transfers per client IP address. */
  maxPerClient: number;
  /** Retransmission timeout when the client does not negotiate one (RFC 2349). */
  timeoutMs: number;
  /** Retransmissions of one window before a transfer is abandoned and freed. */
  retries: number;
  maxBlksize: number;
  maxWindow: number;
}

export const DEFAULT_TFTP_LIMITS: Readonly<TftpServerLimits> = Object.freeze({
  maxTransfers: 512,
  maxPerClient: 16,
  timeoutMs: 1000,
  retries: 5,
  maxBlksize: DEFAULT_MAX_BLKSIZE,
  maxWindow: DEFAULT_MAX_WINDOW,
});

export interface TftpServerOptions {
  /** Address to bind; transfer sockets bind to it too. Default 0.0.0.0. */
  host?: string;
  /** UDP port; 69 in production, 0 for an ephemeral port. */
  port?: number;
  source: TftpFileSource;
  logger?: TftpLogger;
  limits?: Partial<TftpServerLimits>;
}

export interface TftpServerStats {
  activeTransfers: number;
  requests: number;
  completed: number;
  timedOut: number;
  peerErrors: number;
  aborted: number;
  notFound: number;
  denied: number;
  busy: number;
  writeRefused: number;
  malformed: number;
  duplicateRequests: number;
  bytesSent: number;
}

export interface TftpServer {
  start(): Promise<{ port: number }>;
  /** Closes the request port at once (shutdown phase 1): no new RRQ is read; running transfers go on. */
  stopAccepting(): void;
  /** Stops accepting, lets running transfers finish for up to drainMs (default 0), then aborts the rest. */
  stop(drainMs?: number): Promise<void>;
  stats(): TftpServerStats;
}

const noopLogger: TftpLogger = { info() {}, warn() {} };
const BUSY_TEXT = 'Server busy, try again later';
/** At most this many malformed-packet warnings per second, so a flood cannot flood the log too. */
const MALFORMED_WARN_PER_S = 10;

interface Slot {
  peer: TftpPeer;
  transfer: ReadTransfer | null;
  socket: dgram.Socket | null;
}

export function createTftpServer(options: TftpServerOptions): TftpServer {
  const host = options.host ?? '0.0.0.0';
  const socketType = isIPv6(host) ? 'udp6' : 'udp4';
  const limits: TftpServerLimits = { ...DEFAULT_TFTP_LIMITS, ...options.limits };
  const logger = options.logger ?? noopLogger;
  const source = options.source;
  const counters: Omit<TftpServerStats, 'activeTransfers'> = {
    requests: 0,
    completed: 0,
    timedOut: 0,
    peerErrors: 0,
    aborted: 0,
    notFound: 0,
    denied: 0,
    busy: 0,
    writeRefused: 0,
    malformed: 0,
    duplicateRequests: 0,
    bytesSent: 0,
  };
  /** Keyed by "address|port" of the client: one slot per client TID. */
  const slots = new Map<string, Slot>();
  const perClient = new Map<string, number>();
  const pending = new Set<Promise<void>>();
  let main: dgram.Socket | null = null;
  /** Set by stopAccepting until stop() has finished. */
  let mainClosed: Promise<void> | null = null;
  let stopping = false;
  let warnWindowStart = 0;
  let warnsInWindow = 0;
  let warnsSuppressed = 0;

  const peerText = (p: TftpPeer): string =>
    p.address.includes(':') ? `[${p.address}]:${p.port}` : `${p.address}:${p.port}`;

  function stopAccepting(): void {
    if (!main) return;
    const sock = main;
    main = null;
    mainClosed = new Promise<void>((resolve) => sock.close(() => resolve()));
  }

  function replyFromMain(peer: TftpPeer, code: number, message: string): void {
    main?.send(encodeError(code, message), peer.port, peer.address);
  }

  function warnMalformed(peer: TftpPeer, reason: string): void {
    const now = Date.now();
    if (now - warnWindowStart >= 1000) {
      if (warnsSuppressed > 0)
        logger.warn({ suppressed: warnsSuppressed }, 'tftp malformed-packet warnings suppressed');
      warnWindowStart = now;
      warnsInWindow = 0;
      warnsSuppressed = 0;
    }
    if (warnsInWindow++ < MALFORMED_WARN_PER_S) logger.warn({ peer: peerText(peer), reason }, 'tftp malformed packet');
    else warnsSuppressed++;
  }

  function release(key: string, slot: Slot): void {
    if (slots.get(key) !== slot) return;
    slots.delete(key);
    const n = (perClient.get(slot.peer.address) ?? 1) - 1;
    if (n <= 0) perClient.delete(slot.peer.address);
    else perClient.set(slot.peer.address, n);
  }

  function onMainMessage(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const peer: TftpPeer = { address: rinfo.address, port: rinfo.port };
    let packet: TftpPacket;
    try {
      packet = decodePacket(msg);
    } catch (e) {
      if (!(e instanceof CodecError)) throw e;
      counters.malformed++;
      warnMalformed(peer, e.message);
      const isError = msg.length >= 2 && msg[0] === 0 && msg[1] === TFTP_OPCODE.ERROR;
      if (!isError)
        replyFromMain(peer, TFTP_ERROR.ILLEGAL_OPERATION.code, `${TFTP_ERROR.ILLEGAL_OPERATION.text}: ${e.message}`);
      return;
    }
    switch (packet.op) {
      case 'RRQ':
        onReadRequest(packet, peer);
        return;
      case 'WRQ':
        counters.requests++;
        counters.writeRefused++;
        logger.info(
          { peer: peerText(peer), filename: packet.filename, op: 'WRQ', outcome: 'write-refused' },
          'tftp request',
        );
        replyFromMain(
          peer,
          TFTP_ERROR.ACCESS_VIOLATION.code,
          `${TFTP_ERROR.ACCESS_VIOLATION.text}: write not supported`,
        );
        return;
      case 'ERROR':
        return; // errors are never answered (RFC 1350 §7)
      default:
        counters.malformed++;
        warnMalformed(peer, `${packet.op} sent to the request port`);
        replyFromMain(
          peer,
          TFTP_ERROR.ILLEGAL_OPERATION.code,
          `${TFTP_ERROR.ILLEGAL_OPERATION.text}: ${packet.op} without a transfer`,
        );
    }
  }

  function onReadRequest(req: TftpRequest, peer: TftpPeer): void {
    const key = `${peer.address}|${peer.port}`;
    if (slots.has(key)) {
      counters.duplicateRequests++;
      return;
    }
    counters.requests++;
    const base = { peer: peerText(peer), filename: req.filename, op: 'RRQ', mode: req.mode };
    if (req.mode === 'mail') {
      counters.denied++;
      logger.info({ ...base, outcome: 'refused', reason: 'mail mode' }, 'tftp request');
      replyFromMain(
        peer,
        TFTP_ERROR.ILLEGAL_OPERATION.code,
        `${TFTP_ERROR.ILLEGAL_OPERATION.text}: mail mode is for writes`,
      );
      return;
    }
    const fromClient = perClient.get(peer.address) ?? 0;
    if (slots.size >= limits.maxTransfers || fromClient >= limits.maxPerClient) {
      counters.busy++;
      logger.warn({ ...base, outcome: 'busy', active: slots.size, fromClient }, 'tftp request');
      replyFromMain(peer, TFTP_ERROR.NOT_DEFINED.code, BUSY_TEXT);
      return;
    }
    const slot: Slot = { peer, transfer: null, socket: null };
    slots.set(key, slot);
    perClient.set(peer.address, fromClient + 1);
    const p = serveRead(req, peer, key, slot, base).finally(() => pending.delete(p));
    pending.add(p);
  }

  async function serveRead(
    req: TftpRequest,
    peer: TftpPeer,
    key: string,
    slot: Slot,
    base: Record<string, unknown>,
  ): Promise<void> {
    const startedMs = Date.now();
    let opened: TftpOpenResult;
    try {
      opened = await source.open(req.filename, peer);
    } catch (e) {
      release(key, slot);
      counters.aborted++;
      logger.warn({ ...base, outcome: 'error', err: e instanceof Error ? e.message : String(e) }, 'tftp request');
      replyFromMain(peer, TFTP_ERROR.NOT_DEFINED.code, 'Internal error');
      return;
    }
    if (stopping) {
      release(key, slot);
      return;
    }
    if (opened === null) {
      release(key, slot);
      counters.notFound++;
      logger.info({ ...base, outcome: 'not-found' }, 'tftp request');
      replyFromMain(peer, TFTP_ERROR.FILE_NOT_FOUND.code, TFTP_ERROR.FILE_NOT_FOUND.text);
      return;
    }
    if (isDenied(opened)) {
      release(key, slot);
      counters.denied++;
      logger.warn({ ...base, outcome: 'denied', reason: opened.denied }, 'tftp request');
      replyFromMain(peer, TFTP_ERROR.ACCESS_VIOLATION.code, TFTP_ERROR.ACCESS_VIOLATION.text);
      return;
    }
    const data = req.mode === 'netascii' ? toNetascii(opened) : opened;
    const { negotiated, oack } = negotiateReadOptions(req.options, data.length, limits);

    const socket = dgram.createSocket(socketType);
    slot.socket = socket;
    let timer: NodeJS.Timeout | null = null;
    let timerMs = 0;
    const transfer = new ReadTransfer({
      peer,
      data,
      blksize: negotiated.blksize,
      windowsize: negotiated.windowsize,
      timeoutMs: negotiated.timeoutMs ?? limits.timeoutMs,
      retries: limits.retries,
      oack: oack.size > 0 ? oack : null,
      io: {
        send(packet, to = peer) {
          socket.send(packet, to.port, to.address);
        },
        armTimer(ms) {
          if (timer && timerMs === ms) {
            timer.refresh();
          } else {
            if (timer) clearTimeout(timer);
            timerMs = ms;
            timer = setTimeout(() => transfer.onTimer(), ms);
          }
        },
        clearTimer() {
          if (timer) clearTimeout(timer);
          timer = null;
        },
      },
      onDone(outcome: TransferOutcome) {
        release(key, slot);
        // An abort has just queued an ERROR for the peer; closing in this tick would drop it.
        if (outcome.status === 'aborted') setImmediate(() => socket.close());
        else socket.close();
        counters.bytesSent += outcome.bytes;
        if (outcome.status === 'complete') counters.completed++;
        else if (outcome.status === 'timeout') counters.timedOut++;
        else if (outcome.status === 'peer-error') counters.peerErrors++;
        else counters.aborted++;
        const detail = {
          ...base,
          outcome: outcome.status,
          bytes: outcome.bytes,
          size: data.length,
          blksize: negotiated.blksize,
          windowsize: negotiated.windowsize,
          ms: Date.now() - startedMs,
          ...(outcome.status === 'peer-error' ? { peerError: outcome.code, peerMessage: outcome.message } : {}),
          ...(outcome.status === 'aborted' ? { reason: outcome.reason } : {}),
        };
        if (outcome.status === 'complete') logger.info(detail, 'tftp request');
        else logger.warn(detail, 'tftp request');
      },
    });
    slot.transfer = transfer;
    socket.on('message', (msg, rinfo) => transfer.onDatagram(msg, { address: rinfo.address, port: rinfo.port }));
    socket.on('error', (err) => {
      if (!transfer.done) transfer.abort(`socket error: ${err.message}`);
    });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind({ port: 0, address: host, exclusive: true }, () => {
          socket.off('error', reject);
          resolve();
        });
      });
    } catch (e) {
      release(key, slot);
      socket.close();
      counters.aborted++;
      logger.warn({ ...base, outcome: 'error', err: (e as Error).message }, 'tftp request');
      replyFromMain(peer, TFTP_ERROR.NOT_DEFINED.code, 'Internal error');
      return;
    }
    if (stopping) {
      transfer.abort('Server shutting down');
      return;
    }
    transfer.start();
  }

  return {
    start() {
      if (main) return Promise.reject(new AppError('ERR_INTERNAL', 'TFTP server already started'));
      const sock = dgram.createSocket(socketType);
      main = sock;
      stopping = false;
      return new Promise((resolve, reject) => {
        const onBindError = (err: NodeJS.ErrnoException): void => {
          main = null;
          sock.close();
          reject(
            new AppError(
              'ERR_PORT_IN_USE',
              `TFTP cannot bind ${host}:${options.port ?? 69}: ${err.message}`,
              { host, port: options.port ?? 69 },
              { cause: err },
            ),
          );
        };
        sock.once('error', onBindError);
        sock.bind({ port: options.port ?? 69, address: host, exclusive: true }, () => {
          sock.off('error', onBindError);
          sock.on('error', (err) => logger.warn({ err: err.message }, 'tftp listener socket error'));
          sock.on('message', onMainMessage);
          const port = sock.address().port;
          logger.info({ host, port, limits }, 'tftp listening');
          resolve({ port });
        });
      });
    },
    stopAccepting,
    async stop(drainMs = 0) {
      if (!main && !mainClosed) return;
      stopAccepting();
      const deadline = Date.now() + drainMs;
      while (slots.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
      stopping = true;
      await mainClosed;
      mainClosed = null;
      for (const slot of [...slots.values()]) slot.transfer?.abort('Server shutting down');
      await Promise.allSettled([...pending]);
      for (const slot of [...slots.values()]) slot.transfer?.abort('Server shutting down');
    },
    stats() {
      return { activeTransfers: slots.size, ...counters };
    },
  };
}
