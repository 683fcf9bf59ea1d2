// Owns the TFTP read client used by the phone emulator, tests and benchmarks (RFC 1350/2347/2348/2349/7440).

import dgram from 'node:dgram';
import { isIP, isIPv6 } from 'node:net';
import { CodecError } from '../../shared/errors.ts';
import { fromNetascii } from './netascii.ts';
import { acceptOack, buildRequestOptions, DEFAULT_BLKSIZE, type ClientNegotiated } from './options.ts';
import {
  TFTP_ERROR,
  TFTP_OPCODE,
  decodePacket,
  encodeAck,
  encodeError,
  encodePacket,
  type TftpOptions,
  type TftpPacket,
} from './packets.ts';

export interface TftpGetOptions {
  host: string;
  port?: number;
  filename: string;
  mode?: 'octet' | 'netascii';
  blksize?: number;
  windowsize?: number;
  /** RFC 2349 timeout option (seconds) asked of the server. */
  timeoutS?: number;
  /** Ask for the transfer size (RFC 2349). */
  tsize?: boolean;
  /** Our own retransmission timeout. Default 1000 ms. */
  timeoutMs?: number;
  /** Retransmissions without progress before giving up. Default 5. */
  retries?: number;
  /** Largest file accepted. Default 256 MiB. */
  maxBytes?: number;
  /** How long to keep answering a resent final block after the download (RFC 1350 §6). Default timeoutMs; 0 = none. */
  dallyMs?: number;
}

export interface TftpGetResult {
  data: Buffer;
  negotiated: ClientNegotiated;
  /** The server's OACK, or null when it answered with DATA straight away. */
  oack: TftpOptions | null;
}

export type TftpClientErrorKind = 'remote' | 'timeout' | 'protocol';

/** A failed download: the server's ERROR packet, a timeout, or a protocol violation. */
export class TftpClientError extends Error {
  readonly kind: TftpClientErrorKind;
  /** The TFTP error code the server sent (kind "remote"). */
  readonly tftpCode: number | undefined;
  constructor(kind: TftpClientErrorKind, message: string, tftpCode?: number) {
    super(message);
    this.name = 'TftpClientError';
    this.kind = kind;
    this.tftpCode = tftpCode;
  }
}

export async function tftpGet(opts: TftpGetOptions): Promise<Buffer> {
  return (await tftpGetDetailed(opts)).data;
}

export function tftpGetDetailed(opts: TftpGetOptions): Promise<TftpGetResult> {
  const serverPort = opts.port ?? 69;
  // A bad port would make socket.send throw inside a socket callback, out of reach of this promise.
  if (!Number.isInteger(serverPort) || serverPort < 1 || serverPort > 65535) {
    return Promise.reject(
      new TftpClientError('protocol', `TFTP ${opts.filename}: no valid server port (${serverPort})`),
    );
  }
  const timeoutMs = opts.timeoutMs ?? 1000;
  const maxRetries = opts.retries ?? 5;
  const maxBytes = opts.maxBytes ?? 256 * 1024 * 1024;
  const dallyMs = opts.dallyMs ?? timeoutMs;
  const mode = opts.mode ?? 'octet';
  const asked = { blksize: opts.blksize, windowsize: opts.windowsize, timeoutS: opts.timeoutS, tsize: opts.tsize };
  const requestOptions = buildRequestOptions(asked);
  const rrq = encodePacket({ op: 'RRQ', filename: opts.filename, mode, options: requestOptions });
  const socket = dgram.createSocket(isIPv6(opts.host) ? 'udp6' : 'udp4');

  return new Promise<TftpGetResult>((resolve, reject) => {
    let server: { address: string; port: number } | null = null;
    let negotiated: ClientNegotiated | null = null;
    let oack: TftpOptions | null = null;
    const chunks: Uint8Array[] = [];
    let bytes = 0;
    /** Blocks received in order (absolute, no wrap). */
    let received = 0;
    /** Highest block acknowledged. */
    let acked = 0;
    let gapReported = false;
    let retriesLeft = maxRetries;
    let finished = false;
    let closed = false;
    let closeRequested = false;
    let inFlight = 0;
    const timer = setTimeout(onTimeout, timeoutMs);

    function finish(err: Error | null, result?: TftpGetResult): void {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      if (err) {
        closeWhenFlushed();
        reject(err);
        return;
      }
      resolve(result!);
      // Dally (RFC 1350 §6): if our final ACK is lost the server resends the last block; re-ACK it
      // for a while so the server can finish cleanly. The socket closes itself afterwards.
      if (dallyMs <= 0) {
        closeWhenFlushed();
        return;
      }
      const lastBlock = received & 0xffff;
      socket.removeAllListeners('message');
      socket.on('message', (msg, rinfo) => {
        if (
          server &&
          rinfo.port === server.port &&
          rinfo.address === server.address &&
          msg.length >= 4 &&
          msg[1] === TFTP_OPCODE.DATA &&
          ((msg[2]! << 8) | msg[3]!) === lastBlock
        ) {
          send(encodeAck(lastBlock));
        }
      });
      setTimeout(closeWhenFlushed, dallyMs).unref();
    }

    function send(packet: Buffer, to = server ?? { address: opts.host, port: serverPort }): void {
      if (closed) return;
      inFlight++;
      socket.send(packet, to.port, to.address, () => {
        if (--inFlight === 0 && closeRequested) closeNow();
      });
    }

    function closeNow(): void {
      if (closed) return;
      closed = true;
      socket.close();
    }

    /** Closes once queued datagrams are handed to the kernel (close() would drop them). */
    function closeWhenFlushed(): void {
      closeRequested = true;
      if (inFlight === 0) closeNow();
    }

    function ack(block: number): void {
      acked = block;
      send(encodeAck(block & 0xffff));
    }

    function progress(): void {
      retriesLeft = maxRetries;
      timer.refresh();
    }

    function onTimeout(): void {
      if (finished) return;
      if (retriesLeft-- <= 0) {
        finish(
          new TftpClientError('timeout', `TFTP ${opts.filename}: no progress after ${maxRetries} retransmissions`),
        );
        return;
      }
      if (server === null) send(rrq);
      else ack(received);
      timer.refresh();
    }

    function protocolError(message: string, code: number = TFTP_ERROR.ILLEGAL_OPERATION.code): void {
      send(encodeError(code, message));
      finish(new TftpClientError('protocol', `TFTP ${opts.filename}: ${message}`));
    }

    socket.on('error', (err) =>
      finish(new TftpClientError('protocol', `TFTP ${opts.filename}: socket error: ${err.message}`)),
    );
    socket.on('message', (msg, rinfo) => {
      if (finished) return;
      if (server === null) {
        // The first answer fixes the server's TID; it must come from the address we asked (RFC 1350 §4).
        if (isIP(opts.host) && rinfo.address !== opts.host) return;
        server = { address: rinfo.address, port: rinfo.port };
      } else if (rinfo.port !== server.port || rinfo.address !== server.address) {
        if (!(msg.length >= 2 && msg[0] === 0 && msg[1] === TFTP_OPCODE.ERROR)) {
          send(encodeError(TFTP_ERROR.UNKNOWN_TID.code, TFTP_ERROR.UNKNOWN_TID.text), {
            address: rinfo.address,
            port: rinfo.port,
          });
        }
        return;
      }
      let packet: TftpPacket;
      try {
        packet = decodePacket(msg);
      } catch (e) {
        if (e instanceof CodecError) return; // garbled datagram: treated as lost
        throw e;
      }
      switch (packet.op) {
        case 'ERROR':
          finish(
            new TftpClientError(
              'remote',
              `TFTP ${opts.filename}: server error ${packet.code}: ${packet.message}`,
              packet.code,
            ),
          );
          return;
        case 'OACK': {
          if (negotiated !== null) return; // a retransmitted OACK after DATA began
          try {
            negotiated = acceptOack(asked, packet.options);
          } catch (e) {
            if (!(e instanceof CodecError)) throw e;
            protocolError(e.message, TFTP_ERROR.OPTION_NEGOTIATION.code);
            return;
          }
          if (negotiated.tsize !== null && negotiated.tsize > maxBytes) {
            protocolError(`file of ${negotiated.tsize} bytes exceeds ${maxBytes}`, TFTP_ERROR.DISK_FULL.code);
            return;
          }
          oack = packet.options;
          progress();
          ack(0);
          return;
        }
        case 'DATA': {
          negotiated ??= { blksize: DEFAULT_BLKSIZE, windowsize: 1, tsize: null };
          const expected = (received + 1) & 0xffff;
          if (packet.block !== expected) {
            if (packet.block === (received & 0xffff)) {
              ack(received); // the server retransmitted the block we acknowledged: our ACK was lost
            } else if (!gapReported) {
              gapReported = true;
              ack(received); // RFC 7440 §4: report the last block received in order
            }
            return;
          }
          if (packet.data.length > negotiated.blksize) {
            protocolError(`DATA block of ${packet.data.length} bytes exceeds blksize ${negotiated.blksize}`);
            return;
          }
          received++;
          bytes += packet.data.length;
          if (bytes > maxBytes) {
            protocolError(`file exceeds ${maxBytes} bytes`, TFTP_ERROR.DISK_FULL.code);
            return;
          }
          chunks.push(packet.data);
          gapReported = false;
          progress();
          if (packet.data.length < negotiated.blksize) {
            ack(received);
            const raw = Buffer.concat(chunks, bytes);
            finish(null, { data: mode === 'netascii' ? fromNetascii(raw) : raw, negotiated, oack });
          } else if (received - acked >= negotiated.windowsize) {
            ack(received);
          }
          return;
        }
        default:
          return; // ACK/RRQ/WRQ mean nothing to a reading client
      }
    });
    socket.bind(0, () => send(rrq));
  });
}
