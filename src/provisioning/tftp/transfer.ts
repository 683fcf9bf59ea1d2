// Owns one server-side read transfer as a state machine driven by datagrams and a timer port.
//
// Rules it implements (and why):
// - Windowed sending (RFC 7440): up to `windowsize` DATA blocks in flight; windowsize 1 is RFC 1350 lock-step.
// - Only *progress* triggers sending. A duplicate ACK never causes a retransmission, which is the
//   cure for the Sorcerer's Apprentice Syndrome (RFC 1123 §4.2.3.1). Lost packets are recovered by the timer.
// - An ACK for a block inside the window that is not its last one (RFC 7440 §4) moves the window
//   to the following block and sends a new window from there.
// - Block numbers are 16-bit on the wire and wrap 65535 -> 0 (the usual rollover, as tftpd-hpa and
//   atftp do); internally blocks are counted without wrapping and mapped back on each ACK.
// - The final block is shorter than blksize; when the size is an exact multiple of blksize it is empty.
// - Packets from any other address/port get ERROR 5 and the transfer continues (RFC 1350 §4).
// - A bounded number of retransmissions, then the transfer ends as timed out (and is freed by its owner).

import {
  TFTP_ERROR,
  TFTP_OPCODE,
  decodePacket,
  encodeData,
  encodeError,
  encodePacket,
  type TftpPacket,
} from './packets.ts';
import { CodecError } from '../../shared/errors.ts';

export interface TftpPeer {
  address: string;
  port: number;
}

/** What a transfer needs from the outside world: a socket and a single one-shot timer. */
export interface TransferIo {
  /** Sends to the transfer's peer, or to `to` when given (ERROR 5 for strangers). */
  send(packet: Buffer, to?: TftpPeer): void;
  /** (Re)arms the one retransmission timer; the owner calls `onTimer()` when it fires. */
  armTimer(ms: number): void;
  clearTimer(): void;
}

export type TransferOutcome =
  | { status: 'complete'; bytes: number }
  | { status: 'timeout'; bytes: number }
  | { status: 'peer-error'; bytes: number; code: number; message: string }
  | { status: 'aborted'; bytes: number; reason: string };

export interface ReadTransferParams {
  peer: TftpPeer;
  /** The exact bytes to send (already converted for netascii). */
  data: Uint8Array;
  blksize: number;
  windowsize: number;
  timeoutMs: number;
  /** Retransmissions of one window before giving up. */
  retries: number;
  /** Options to acknowledge first (RFC 2347), or null to start with DATA 1. */
  oack: ReadonlyMap<string, string> | null;
  io: TransferIo;
  onDone(outcome: TransferOutcome): void;
}

export function samePeer(a: TftpPeer, b: TftpPeer): boolean {
  return a.port === b.port && a.address === b.address;
}

export class ReadTransfer {
  private readonly p: ReadTransferParams;
  private readonly totalBlocks: number;
  /** Lowest block not yet acknowledged (absolute, 1-based); 0 while the OACK is outstanding. */
  private base: number;
  /** Highest block sent so far (absolute). */
  private sentUpTo = 0;
  private retriesLeft: number;
  private finished = false;
  private readonly oackPacket: Buffer | null;

  constructor(params: ReadTransferParams) {
    if (params.blksize < 1 || params.windowsize < 1) throw new RangeError('blksize and windowsize must be positive');
    this.p = params;
    this.totalBlocks = Math.floor(params.data.length / params.blksize) + 1;
    this.retriesLeft = params.retries;
    this.oackPacket = params.oack && params.oack.size > 0 ? encodePacket({ op: 'OACK', options: params.oack }) : null;
    this.base = this.oackPacket ? 0 : 1;
  }

  get done(): boolean {
    return this.finished;
  }

  /** Payload bytes the peer has acknowledged. */
  get bytesAcked(): number {
    const blocks = Math.max(this.base - 1, 0);
    return Math.min(blocks * this.p.blksize, this.p.data.length);
  }

  start(): void {
    if (this.oackPacket) {
      this.p.io.send(this.oackPacket);
      this.p.io.armTimer(this.p.timeoutMs);
    } else {
      this.sendWindow();
    }
  }

  onDatagram(msg: Uint8Array, from: TftpPeer): void {
    if (this.finished) return;
    if (!samePeer(from, this.p.peer)) {
      // Never answer an ERROR with an ERROR (RFC 1350 §7: errors are not acknowledged).
      if (!(msg.length >= 2 && msg[0] === 0 && msg[1] === TFTP_OPCODE.ERROR)) {
        this.p.io.send(encodeError(TFTP_ERROR.UNKNOWN_TID.code, TFTP_ERROR.UNKNOWN_TID.text), from);
      }
      return;
    }
    let packet: TftpPacket;
    try {
      packet = decodePacket(msg);
    } catch (e) {
      // A garbled datagram from the peer is dropped like a lost one; the timer recovers.
      if (e instanceof CodecError) return;
      throw e;
    }
    if (packet.op === 'ERROR') {
      this.finish({ status: 'peer-error', bytes: this.bytesAcked, code: packet.code, message: packet.message });
    } else if (packet.op === 'ACK') {
      this.onAck(packet.block);
    }
    // Anything else (DATA, RRQ, OACK) has no meaning for a read transfer and is ignored, as tftpd-hpa does.
  }

  onTimer(): void {
    if (this.finished) return;
    if (this.retriesLeft <= 0) {
      this.finish({ status: 'timeout', bytes: this.bytesAcked });
      return;
    }
    this.retriesLeft--;
    if (this.base === 0) {
      this.p.io.send(this.oackPacket!);
      this.p.io.armTimer(this.p.timeoutMs);
    } else {
      this.sendWindow();
    }
  }

  /** Ends the transfer from outside (server shutdown); tells the peer why. */
  abort(reason: string): void {
    if (this.finished) return;
    this.p.io.send(encodeError(TFTP_ERROR.NOT_DEFINED.code, reason));
    this.finish({ status: 'aborted', bytes: this.bytesAcked, reason });
  }

  private onAck(wireBlock: number): void {
    // Map the 16-bit block onto [base-1, sentUpTo]; that span is at most windowsize+1 <= 65536 values, so unique.
    const last = this.base - 1;
    const abs = last + ((wireBlock - (last & 0xffff)) & 0xffff);
    if (abs === last || abs > this.sentUpTo) return; // duplicate or stale ACK: no resend (Sorcerer's Apprentice)
    this.base = abs + 1;
    this.retriesLeft = this.p.retries;
    if (abs >= this.totalBlocks) {
      this.finish({ status: 'complete', bytes: this.p.data.length });
      return;
    }
    this.sendWindow();
  }

  private sendWindow(): void {
    const { data, blksize, windowsize, io } = this.p;
    const end = Math.min(this.base + windowsize - 1, this.totalBlocks);
    for (let block = this.base; block <= end; block++) {
      const start = (block - 1) * blksize;
      io.send(encodeData(block & 0xffff, data.subarray(start, Math.min(start + blksize, data.length))));
    }
    if (end > this.sentUpTo) this.sentUpTo = end;
    io.armTimer(this.p.timeoutMs);
  }

  private finish(outcome: TransferOutcome): void {
    this.finished = true;
    this.p.io.clearTimer();
    this.p.onDone(outcome);
  }
}
