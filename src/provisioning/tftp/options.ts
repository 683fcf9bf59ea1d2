// Owns TFTP option negotiation (RFC 2347/2348/2349/7440) for both ends: pure functions, no I/O.

import { CodecError } from '../../shared/errors.ts';
import { MAX_BLKSIZE, type TftpOptions } from './packets.ts';

/** RFC 1350 block size, used whenever blksize is not negotiated. */
export const DEFAULT_BLKSIZE = 512;
/** RFC 2348 §2: valid blksize values are 8..65464. */
export const MIN_BLKSIZE = 8;
/**
 * Default server cap on blksize: 1500 (Ethernet MTU) - 20 (IPv4) - 8 (UDP) - 4 (TFTP) = 1468.
 * A larger block becomes several IP fragments; losing any one loses the whole block, and some
 * phone-side stacks and firewalls drop fragments outright. This is also the value Cisco phones ask for.
 */
export const DEFAULT_MAX_BLKSIZE = 1468;
/** RFC 7440 §3: windowsize 1..65535. */
export const MAX_WINDOWSIZE = 65535;
/**
 * Default server cap on windowsize. 64 * 1468 bytes (~94 KB) fits in a default Linux socket buffer,
 * so a whole window does not overflow the receiver; RFC 7440 §4 found gains flatten out well below that.
 */
export const DEFAULT_MAX_WINDOW = 64;
/** RFC 2349 §2: timeout 1..255 seconds. */
export const MIN_TIMEOUT_S = 1;
export const MAX_TIMEOUT_S = 255;

export interface OptionLimits {
  /** Largest blksize the server grants (8..65464). */
  maxBlksize: number;
  /** Largest windowsize the server grants (1..65535). */
  maxWindow: number;
}

export interface NegotiatedOptions {
  blksize: number;
  windowsize: number;
  /** Retransmission timeout asked for by the client (RFC 2349), or null to use the server default. */
  timeoutMs: number | null;
}

export interface ReadNegotiation {
  negotiated: NegotiatedOptions;
  /** Options to acknowledge in an OACK, in request order; empty means "send no OACK" (RFC 2347 §3). */
  oack: Map<string, string>;
}

/** Strict decimal parser: digits only (no sign, no spaces, no hex), at most 10 digits. */
export function parseOptionInt(v: string): number | null {
  return /^[0-9]{1,10}$/.test(v) ? Number(v) : null;
}

/**
 * Decides what the server grants for a read request. Unknown or unparsable options are not
 * acknowledged (RFC 2347 §3: the server omits options it does not accept).
 *
 * - blksize < 8 is ignored (falls back to 512); larger than the cap is lowered to the cap (RFC 2348 §2).
 * - windowsize 0 is ignored; larger than the cap is lowered (RFC 7440 §3).
 * - timeout outside 1..255 is ignored; otherwise echoed unchanged (RFC 2349 §2 forbids altering it).
 * - tsize on a read request is answered with the real size of what will be sent (RFC 2349 §3),
 *   whatever the client put there.
 */
export function negotiateReadOptions(
  requested: TftpOptions,
  transferSize: number,
  limits: OptionLimits,
): ReadNegotiation {
  const maxBlksize = Math.min(Math.max(limits.maxBlksize, MIN_BLKSIZE), MAX_BLKSIZE);
  const maxWindow = Math.min(Math.max(limits.maxWindow, 1), MAX_WINDOWSIZE);
  const negotiated: NegotiatedOptions = { blksize: DEFAULT_BLKSIZE, windowsize: 1, timeoutMs: null };
  const oack = new Map<string, string>();
  for (const [name, raw] of requested) {
    const n = parseOptionInt(raw);
    switch (name) {
      case 'blksize':
        if (n === null || n < MIN_BLKSIZE) break;
        negotiated.blksize = Math.min(n, maxBlksize);
        oack.set(name, String(negotiated.blksize));
        break;
      case 'windowsize':
        if (n === null || n < 1) break;
        negotiated.windowsize = Math.min(n, maxWindow);
        oack.set(name, String(negotiated.windowsize));
        break;
      case 'timeout':
        if (n === null || n < MIN_TIMEOUT_S || n > MAX_TIMEOUT_S) break;
        negotiated.timeoutMs = n * 1000;
        oack.set(name, String(n));
        break;
      case 'tsize':
        if (n === null) break;
        oack.set(name, String(transferSize));
        break;
      default:
        break;
    }
  }
  return { negotiated, oack };
}

export interface ClientOptionRequest {
  blksize?: number;
  windowsize?: number;
  timeoutS?: number;
  tsize?: boolean;
}

export interface ClientNegotiated {
  blksize: number;
  windowsize: number;
  /** Size announced by the server, if it answered tsize. */
  tsize: number | null;
}

/** The option map a client puts into its RRQ. */
export function buildRequestOptions(req: ClientOptionRequest): Map<string, string> {
  const o = new Map<string, string>();
  if (req.blksize !== undefined) o.set('blksize', String(req.blksize));
  if (req.windowsize !== undefined) o.set('windowsize', String(req.windowsize));
  if (req.timeoutS !== undefined) o.set('timeout', String(req.timeoutS));
  if (req.tsize) o.set('tsize', '0');
  return o;
}

/**
 * Client side: checks a server's OACK against what was asked. A server may only acknowledge
 * options that were requested, may lower blksize/windowsize but never raise them, and must echo
 * timeout unchanged. Violations throw CodecError (the client then answers ERROR 8).
 */
export function acceptOack(req: ClientOptionRequest, oack: TftpOptions): ClientNegotiated {
  const out: ClientNegotiated = { blksize: DEFAULT_BLKSIZE, windowsize: 1, tsize: null };
  for (const [name, raw] of oack) {
    const n = parseOptionInt(raw);
    const bad = (why: string): never => {
      throw new CodecError('ERR_CODEC_BAD_VALUE', `OACK ${name}=${raw}: ${why}`);
    };
    if (n === null) bad('not a decimal number');
    switch (name) {
      case 'blksize':
        if (req.blksize === undefined) bad('not requested');
        if (n! < MIN_BLKSIZE || n! > req.blksize!) bad(`outside ${MIN_BLKSIZE}..${req.blksize}`);
        out.blksize = n!;
        break;
      case 'windowsize':
        if (req.windowsize === undefined) bad('not requested');
        if (n! < 1 || n! > req.windowsize!) bad(`outside 1..${req.windowsize}`);
        out.windowsize = n!;
        break;
      case 'timeout':
        if (req.timeoutS === undefined) bad('not requested');
        if (n !== req.timeoutS) bad('timeout must be echoed unchanged');
        break;
      case 'tsize':
        if (!req.tsize) bad('not requested');
        out.tsize = n;
        break;
      default:
        bad('not requested');
    }
  }
  return out;
}
