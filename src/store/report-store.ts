// Owns the Kysely implementation of the ReportStore port: the aggregates reports read (LSC expiry by model).

import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from './tables.ts';
import type { ReportStore } from '../reports/ports.ts';

export function createReportRows(base: Kysely<Database> | Transaction<Database>): ReportStore {
  const phonesDb = base as Kysely<Database>;
  return {
    async expiryBuckets(now, in30, in90) {
      const n = (cond: ReturnType<typeof sql>) => sql<number>`sum(case when ${cond} then 1 else 0 end)`;
      const rows = await phonesDb
        .selectFrom('phones')
        .select([
          'model',
          n(sql`lsc_not_after is null`).as('none'),
          n(sql`lsc_not_after is not null and lsc_not_after <= ${now}`).as('expired'),
          n(sql`lsc_not_after > ${now} and lsc_not_after <= ${in30}`).as('within30'),
          n(sql`lsc_not_after > ${in30} and lsc_not_after <= ${in90}`).as('within90'),
          n(sql`lsc_not_after > ${in90}`).as('valid'),
        ])
        .groupBy('model')
        .orderBy('model')
        .execute();
      return rows.map((r) => ({
        model: r.model,
        none: Number(r.none),
        expired: Number(r.expired),
        within30: Number(r.within30),
        within90: Number(r.within90),
        valid: Number(r.valid),
      }));
    },
  };
}
