// Owns the Kysely implementation of the PhoneBatchStore port: phones selected by a filter, in batches
// (bulk scans, counts, profile conflicts) and updated together (CAPF settings, a profile's defaults).

import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from './tables.ts';
import { toPhone } from './phone-store.ts';
import { applyPhoneFilter } from './phone-filter-sql.ts';
import type { PhoneBatchStore } from '../phones/admin-ports.ts';

export function createPhoneBatchRows(base: Kysely<Database> | Transaction<Database>): PhoneBatchStore {
  const phonesDb = base as Kysely<Database>;
  return {
    async scanPhones(filter, after, limit) {
      let qb = applyPhoneFilter(phonesDb.selectFrom('phones'), filter);
      if (after) qb = qb.where('device_name', '>', after);
      const rows = await qb.selectAll().orderBy('device_name').limit(limit).execute();
      return rows.map(toPhone);
    },
    async countPhones(filter) {
      const r = await applyPhoneFilter(phonesDb.selectFrom('phones'), filter)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
    async profileMismatches(filter, authMode) {
      const rows = await applyPhoneFilter(phonesDb.selectFrom('phones'), filter)
        .innerJoin('security_profiles as sp', 'sp.name', 'phones.profile_name')
        .where('sp.auth_mode', '<>', authMode)
        .select(['sp.name as profileName', 'sp.auth_mode as profileMode', (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy(['sp.name', 'sp.auth_mode'])
        .orderBy('sp.name')
        .execute();
      return rows.map((r) => ({ profileName: r.profileName, profileMode: r.profileMode, phones: Number(r.n) }));
    },
    async applyCapfUpdates(updates, now) {
      for (const u of updates) {
        await phonesDb
          .updateTable('phones')
          .set({
            cert_operation: u.capf.operation,
            auth_mode: u.capf.authMode,
            auth_string: u.capf.authString,
            key_order: u.capf.keyOrder,
            rsa_key_size: u.capf.rsaKeySize,
            ec_key_size: u.capf.ecKeySize,
            completes_by: u.capf.completesBy,
            status_operation: u.operationStatus.operation,
            status_outcome: u.operationStatus.outcome,
            status_reason: u.operationStatus.reason,
            auth_failures: 0,
            updated_at: now,
            config_version: sql<number>`config_version + 1`,
          })
          .where('device_name', '=', u.deviceName)
          .execute();
      }
    },
    async applyProfileDefaults(profileName, s, now) {
      const r = await phonesDb
        .updateTable('phones')
        .set({
          auth_mode: s.authMode,
          key_order: s.keyOrder,
          rsa_key_size: s.rsaKeySize,
          ec_key_size: s.ecKeySize,
          updated_at: now,
          config_version: sql<number>`config_version + 1`,
        })
        .where('profile_name', '=', profileName)
        .where('cert_operation', '=', 'none')
        .executeTakeFirst();
      return Number(r.numUpdatedRows);
    },
    async countPendingWithProfile(profileName, notAuthMode) {
      const r = await phonesDb
        .selectFrom('phones')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('profile_name', '=', profileName)
        .where('cert_operation', '<>', 'none')
        .where('auth_mode', '<>', notAuthMode)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
  };
}
