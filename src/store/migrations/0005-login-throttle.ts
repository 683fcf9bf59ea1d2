// Owns migration 0005: the login throttle in the database (failed logins per user name and per client
// address, and the lockout they earned), so a lockout survives a restart of `serve` (issue #15 item 9).
// Only new rows: databases written by earlier versions keep every table as it was.

import type { Kysely, Migration } from 'kysely';

export function loginThrottleMigration(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('login_throttle')
        // "u:<user name>" or "ip:<address>"
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('failures', 'integer', (c) => c.notNull())
        .addColumn('first_failure_at', 'text', (c) => c.notNull())
        .addColumn('locked_until', 'text')
        .execute();
      // Pruning finds stale rows by when their window started.
      await db.schema.createIndex('login_throttle_first_idx').on('login_throttle').column('first_failure_at').execute();
    },
  };
}
