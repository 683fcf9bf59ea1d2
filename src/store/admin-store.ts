// Owns the AdminStore unit of work (SQLite and PostgreSQL): phone-batch-store.ts, report-store.ts and
// bulk-job-store.ts on one connection with the audit log's batch append, and transactions over them
// (users, tokens, sessions and the throttle are store/access-store.ts).

import type { Kysely, Transaction } from 'kysely';
import type { Database } from './tables.ts';
import { createKyselyPhoneStore } from './phone-store.ts';
import { createPhoneBatchRows } from './phone-batch-store.ts';
import { createReportRows } from './report-store.ts';
import { createBulkJobRows } from './bulk-job-store.ts';
import { runTransaction } from './transaction.ts';
import { createKyselyAuditStore } from './audit-store.ts';
import type { AdminStore } from './admin-ports.ts';

export function createKyselyAdminStore(
  base: Kysely<Database> | Transaction<Database>,
  inTransaction = false,
): AdminStore {
  const audit = createKyselyAuditStore(base);
  const self: AdminStore = {
    ...createPhoneBatchRows(base),
    ...createReportRows(base),
    ...createBulkJobRows(base),
    appendAuditMany: (entries) => audit.appendAuditMany(entries),
    phoneStore() {
      return createKyselyPhoneStore(base, inTransaction);
    },
    async transaction(fn) {
      if (inTransaction) return fn(self);
      return runTransaction(base as Kysely<Database>, (trx) => fn(createKyselyAdminStore(trx, true)));
    },
  };
  return self;
}
