// Owns recording ITL File Status from what the TFTP and HTTP(S) servers answered (the catalogue's onServed):
// a per-MAC request (ITLSEP/CTLSEP<MAC>.tlv, SEP<MAC>.cnf.xml…) names the phone; a plain ITLFile.tlv is given to
// the phone whose per-MAC request came from the same client address shortly before or after (phones fetch
// CTLSEP, ITLSEP, ITLFile.tlv, then SEP<MAC>.cnf.xml in one boot: phone-config.md §5).
//
// Write-behind: the servers never wait for the database. Rows are merged per device in memory and written in
// one transaction at most every flushMs; a failed write keeps them for the next attempt (the store may be down),
// and only past maxPending devices are rows dropped — counted, for /metrics. Many phones behind one NAT address
// can be mixed up in the address link (the per-MAC ITLSEP request, which real phones make first, is exact).

import { createHash } from 'node:crypto';
import { parseTrustList } from '../trust/index.ts';
import type { ItlServedRow, ItlStatusStore } from '../reports/itl-status.ts';
import type { ServedFile } from './catalogue.ts';

const PER_MAC = /^(?:(?:ITL|CTL)(SEP[0-9A-F]{12})\.tlv|(SEP[0-9A-F]{12})\.cnf\.xml(?:\.sgn|\.enc\.sgn)?)$/i;
const PER_MAC_ITL = /^ITLSEP[0-9A-F]{12}\.tlv$/i;

export interface ItlStatusRecorderOptions {
  sink: Pick<ItlStatusStore, 'recordItlServed'>;
  now(): Date;
  flushMs?: number;
  /** How long a client address stays linked to the device that last named itself from it. */
  linkMs?: number;
  maxPending?: number;
  onDropped?(n: number): void;
  onFlushError?(e: unknown): void;
}

export interface ItlStatusRecorder {
  observe(f: ServedFile): void;
  /** Writes what is pending now (also on stop). */
  flush(): Promise<void>;
  start(): void;
  stop(): Promise<void>;
  pending(): number;
}

interface ItlFacts {
  sha1: string;
  timestamp: string | null;
}

export function createItlStatusRecorder(o: ItlStatusRecorderOptions): ItlStatusRecorder {
  const flushMs = o.flushMs ?? 1000;
  const linkMs = o.linkMs ?? 120_000;
  const maxPending = o.maxPending ?? 200_000;
  /** The served ITL buffers are cached by the trust files: hash each once. */
  const facts = new WeakMap<Buffer, ItlFacts>();
  const byAddress = new Map<string, { device: string; at: number }>();
  /** A plain ITLFile.tlv served to an address no phone has named yet. */
  const unclaimed = new Map<string, { row: Omit<ItlServedRow, 'deviceName'>; at: number }>();
  let rows = new Map<string, ItlServedRow>();
  let timer: NodeJS.Timeout | null = null;
  let writing: Promise<void> | null = null;

  const factsOf = (body: Buffer): ItlFacts => {
    let f = facts.get(body);
    if (!f) {
      let timestamp: string | null = null;
      try {
        const t = parseTrustList(body).header.timestamp;
        timestamp = t ? new Date(t * 1000).toISOString() : null;
      } catch {
        timestamp = null; // a pinned override that does not parse is still what was served
      }
      f = { sha1: createHash('sha1').update(body).digest('hex'), timestamp };
      facts.set(body, f);
    }
    return f;
  };

  const put = (row: ItlServedRow) => {
    const had = rows.get(row.deviceName);
    if (!had && rows.size >= maxPending) {
      o.onDropped?.(1);
      return;
    }
    rows.set(row.deviceName, had ? { ...row, count: had.count + row.count } : row);
  };

  const prune = (now: number) => {
    for (const [k, v] of byAddress) if (now - v.at > linkMs) byAddress.delete(k);
    for (const [k, v] of unclaimed) if (now - v.at > linkMs) unclaimed.delete(k);
  };

  return {
    observe(f) {
      const nowDate = o.now();
      const now = nowDate.getTime();
      const m = PER_MAC.exec(f.name);
      if (m) {
        const device = (m[1] ?? m[2])!.toUpperCase();
        if (f.address) {
          byAddress.set(f.address, { device, at: now });
          const u = unclaimed.get(f.address);
          if (u) {
            unclaimed.delete(f.address);
            put({ ...u.row, deviceName: device });
          }
        }
        if (PER_MAC_ITL.test(f.name) && f.body) {
          const it = factsOf(f.body);
          put({
            deviceName: device,
            itlSha1: it.sha1,
            itlTimestamp: it.timestamp,
            servedAt: nowDate.toISOString(),
            via: f.via,
            address: f.address,
            count: 1,
          });
        }
        return;
      }
      if (f.name !== 'ITLFile.tlv' || !f.body) return;
      const it = factsOf(f.body);
      const row = {
        itlSha1: it.sha1,
        itlTimestamp: it.timestamp,
        servedAt: nowDate.toISOString(),
        via: f.via,
        address: f.address,
        count: 1,
      };
      const link = f.address ? byAddress.get(f.address) : undefined;
      if (link && now - link.at <= linkMs) put({ ...row, deviceName: link.device });
      else if (f.address) {
        unclaimed.set(f.address, { row, at: now });
        if (unclaimed.size > maxPending) {
          prune(now);
          if (unclaimed.size > maxPending) {
            unclaimed.delete(unclaimed.keys().next().value!);
            o.onDropped?.(1);
          }
        }
      }
    },
    async flush() {
      if (writing) await writing;
      prune(o.now().getTime());
      if (rows.size === 0) return;
      const batch = rows;
      rows = new Map();
      writing = (async () => {
        try {
          await o.sink.recordItlServed([...batch.values()]);
        } catch (e) {
          // Kept for the next attempt; newer rows of the same device win, counts add up.
          for (const [k, r] of batch) {
            const newer = rows.get(k);
            rows.set(k, newer ? { ...newer, count: newer.count + r.count } : r);
          }
          o.onFlushError?.(e);
        } finally {
          writing = null;
        }
      })();
      await writing;
    },
    start() {
      if (timer) return;
      timer = setInterval(() => void this.flush(), flushMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await this.flush();
    },
    pending: () => rows.size,
  };
}
