// Owns ITL File Status (CUCM 14's report of that name): per phone, the ITL our TFTP/HTTP servers last served it,
// and whether that is the ITL we serve now ("current"), an older one ("older"), or none at all ("never").
// The rows are written by provisioning/itl-status-recorder.ts from what the servers answered; this reads them.

import { AppError } from '../shared/errors.ts';

export const ITL_STATUSES = ['current', 'older', 'never'] as const;
export type ItlStatus = (typeof ITL_STATUSES)[number];

export function isItlStatus(s: string): s is ItlStatus {
  return (ITL_STATUSES as readonly string[]).includes(s);
}

export interface ItlServedRow {
  deviceName: string;
  itlSha1: string;
  /** The served file's header TIMESTAMP (ISO), when it could be read. */
  itlTimestamp: string | null;
  servedAt: string;
  via: 'TFTP' | 'HTTP' | 'HTTPS';
  address: string;
  /** How many times it was served since the last write (added to the stored count). */
  count: number;
}

export interface ItlStatusRow {
  deviceName: string;
  /** null: never served an ITL. */
  itlSha1: string | null;
  itlTimestamp: string | null;
  servedAt: string | null;
  via: string | null;
  address: string | null;
  servedCount: number;
  /** The phone's last CAPF session (phones table). */
  lastCapfSessionAt: string | null;
  status: ItlStatus;
}

export interface ItlStatusCounts {
  current: number;
  older: number;
  never: number;
  /** Phones in the phone table. */
  total: number;
  /** Devices we served an ITL that are not in the phone table. */
  unlisted: number;
}

/** Storage port (store/itl-status-store.ts), SQLite and PostgreSQL alike. */
export interface ItlStatusStore {
  /** Upserts: the newest row per device wins, counts add up. */
  recordItlServed(rows: readonly ItlServedRow[]): Promise<void>;
  itlStatusCounts(currentSha1s: readonly string[]): Promise<ItlStatusCounts>;
  listItlStatus(q: {
    currentSha1s: readonly string[];
    status?: ItlStatus;
    limit: number;
    offset: number;
  }): Promise<{ items: ItlStatusRow[]; total: number }>;
  getItlStatus(deviceName: string, currentSha1s: readonly string[]): Promise<ItlStatusRow | null>;
}

export interface ItlStatusService {
  /** The SHA-1s that count as current now (the ITL we serve). */
  current(): string[];
  counts(sha1s?: readonly string[]): Promise<ItlStatusCounts>;
  list(q?: { status?: string; limit?: number; offset?: number; sha1s?: readonly string[] }): Promise<{
    items: ItlStatusRow[];
    total: number;
    current: string[];
  }>;
  get(deviceName: string): Promise<ItlStatusRow | null>;
}

/**
 * `pending`: writes what the servers answered but the write-behind has not stored yet, so a report read after a
 * phone's boot includes that boot (read your own writes).
 */
export function createItlStatusService(
  store: ItlStatusStore,
  currentSha1: () => string,
  pending: () => Promise<void> = async () => {},
): ItlStatusService {
  const current = () => [currentSha1()];
  return {
    current,
    async counts(sha1s) {
      await pending();
      return store.itlStatusCounts(sha1s?.length ? sha1s : current());
    },
    async list(q = {}) {
      await pending();
      const limit = q.limit ?? 1000;
      const offset = q.offset ?? 0;
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
        throw new AppError('ERR_BAD_REQUEST', 'limit must be 1 to 10000');
      if (!Number.isInteger(offset) || offset < 0) throw new AppError('ERR_BAD_REQUEST', 'offset must be 0 or more');
      if (q.status !== undefined && !isItlStatus(q.status))
        throw new AppError('ERR_BAD_REQUEST', `status must be ${ITL_STATUSES.join(', ')}, not "${q.status}"`);
      const sha1s = q.sha1s?.length ? [...q.sha1s] : current();
      const r = await store.listItlStatus({
        currentSha1s: sha1s,
        ...(q.status ? { status: q.status as ItlStatus } : {}),
        limit,
        offset,
      });
      return { ...r, current: sha1s };
    },
    async get(deviceName) {
      await pending();
      return store.getItlStatus(deviceName, current());
    },
  };
}
