// Owns migration 0004: an index of the LSCs sent but never acknowledged (state 'issued'), which the
// unacknowledged-LSC sweep reads every revocation.crlRefreshMinutes (docs/capf.md, "Unacknowledged LSCs").
// Partial, so it holds only those rows (orphans and sessions in flight) instead of the whole certificate
// history; keyed by created_at, which only grows, so an enrollment touches its rightmost page twice
// (insert at issue, removal at acknowledgement), a page the group commit shares. Both SQLite and
// PostgreSQL use it only for queries that spell the predicate as the literal `state = 'issued'`.

import { sql, type Kysely, type Migration } from 'kysely';

export function unacknowledgedLscsMigration(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createIndex('certificates_unacknowledged_idx')
        .on('certificates')
        .column('created_at')
        .where(sql.ref('state'), '=', sql.lit('issued'))
        .execute();
    },
  };
}
