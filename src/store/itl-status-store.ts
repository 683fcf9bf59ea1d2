// Owns the Kysely implementation of reports' ItlStatusStore (ITL File Status), SQLite and PostgreSQL alike:
// phone_itl_status (migration 0008) joined to the phone table, so "never" means a phone we know that never
// fetched an ITL from us.

import { sql, type Kysely } from 'kysely';
import type { Database } from './tables.ts';
import type { ItlStatus, ItlStatusRow, ItlStatusStore } from '../reports/itl-status.ts';

interface JoinedRow {
  device_name: string;
  itl_sha1: string | null;
  itl_timestamp: string | null;
  served_at: string | null;
  via: string | null;
  address: string | null;
  served_count: number | null;
  last_session_at: string | null;
}

function statusOf(sha1: string | null, current: readonly string[]): ItlStatus {
  return sha1 === null ? 'never' : current.includes(sha1) ? 'current' : 'older';
}

function view(r: JoinedRow, current: readonly string[]): ItlStatusRow {
  return {
    deviceName: r.device_name,
    itlSha1: r.itl_sha1,
    itlTimestamp: r.itl_timestamp,
    servedAt: r.served_at,
    via: r.via,
    address: r.address,
    servedCount: Number(r.served_count ?? 0),
    lastCapfSessionAt: r.last_session_at,
    status: statusOf(r.itl_sha1, current),
  };
}

export function createKyselyItlStatusStore(db: Kysely<Database>): ItlStatusStore {
  const joined = () =>
    db
      .selectFrom('phones as p')
      .leftJoin('phone_itl_status as s', 's.device_name', 'p.device_name')
      .select([
        'p.device_name',
        's.itl_sha1',
        's.itl_timestamp',
        's.served_at',
        's.via',
        's.address',
        's.served_count',
        'p.last_session_at',
      ]);
  // An empty IN () is not SQL: a SHA-1 nothing has ('-') stands in.
  const set = (sha1s: readonly string[]) => (sha1s.length ? [...sha1s] : ['-']);
  return {
    async recordItlServed(rows) {
      if (rows.length === 0) return;
      await db.transaction().execute(async (tx) => {
        for (let i = 0; i < rows.length; i += 200) {
          const chunk = rows.slice(i, i + 200);
          await tx
            .insertInto('phone_itl_status')
            .values(
              chunk.map((r) => ({
                device_name: r.deviceName,
                itl_sha1: r.itlSha1,
                itl_timestamp: r.itlTimestamp,
                served_at: r.servedAt,
                via: r.via,
                address: r.address,
                served_count: r.count,
                last_contact_at: r.servedAt,
              })),
            )
            .onConflict((oc) =>
              oc.column('device_name').doUpdateSet({
                itl_sha1: sql`excluded.itl_sha1`,
                itl_timestamp: sql`excluded.itl_timestamp`,
                served_at: sql`excluded.served_at`,
                via: sql`excluded.via`,
                address: sql`excluded.address`,
                served_count: sql`phone_itl_status.served_count + excluded.served_count`,
                last_contact_at: sql`excluded.last_contact_at`,
              }),
            )
            .execute();
        }
      });
    },
    async itlStatusCounts(currentSha1s) {
      const cur = set(currentSha1s);
      const r = await db
        .selectFrom('phones as p')
        .leftJoin('phone_itl_status as s', 's.device_name', 'p.device_name')
        .select((eb) => [
          eb.fn.countAll<number>().as('total'),
          eb.fn.count<number>('s.device_name').as('served'),
          eb.fn.sum<number>(eb.case().when('s.itl_sha1', 'in', cur).then(1).else(0).end()).as('current'),
        ])
        .executeTakeFirstOrThrow();
      const unlisted = await db
        .selectFrom('phone_itl_status as s')
        .leftJoin('phones as p', 'p.device_name', 's.device_name')
        .where('p.device_name', 'is', null)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      const total = Number(r.total);
      const served = Number(r.served);
      const current = Number(r.current ?? 0);
      return { current, older: served - current, never: total - served, total, unlisted: Number(unlisted.n) };
    },
    async listItlStatus(q) {
      const cur = set(q.currentSha1s);
      let base = joined();
      if (q.status === 'never') base = base.where('s.device_name', 'is', null);
      else if (q.status === 'current') base = base.where('s.itl_sha1', 'in', cur);
      else if (q.status === 'older')
        base = base.where('s.device_name', 'is not', null).where('s.itl_sha1', 'not in', cur);
      const [rows, n] = await Promise.all([
        base.orderBy('p.device_name').limit(q.limit).offset(q.offset).execute(),
        base
          .clearSelect()
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow(),
      ]);
      return { items: rows.map((r) => view(r as JoinedRow, q.currentSha1s)), total: Number(n.n) };
    },
    async getItlStatus(deviceName, currentSha1s) {
      const r = await joined().where('p.device_name', '=', deviceName).executeTakeFirst();
      return r ? view(r as JoinedRow, currentSha1s) : null;
    },
  };
}
