// Owns migration 0007: tvs_foreign_trust, the certificates of other clusters our TVS vouches for
// (`opencapf tvs trust import`, provisioning/foreign-trust.ts). Keyed by the SHA-256 of the DER, as tvsd keys its
// database (tvs-protocol.md §5); roles are TvsRole names in canonical order, comma-separated. Only a new table:
// databases written by earlier versions keep every table as it was.

import type { Kysely, Migration } from 'kysely';
import type { DialectTypes } from './index.ts';

export function foreignTrustMigration(t: DialectTypes): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('tvs_foreign_trust')
        .addColumn('sha256', 'text', (c) => c.primaryKey())
        .addColumn('sha1', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('issuer', 'text', (c) => c.notNull())
        .addColumn('serial', 'text', (c) => c.notNull())
        .addColumn('not_before', 'text', (c) => c.notNull())
        .addColumn('not_after', 'text', (c) => c.notNull())
        .addColumn('roles', 'text', (c) => c.notNull())
        .addColumn('der', t.binaryType, (c) => c.notNull())
        .addColumn('added_at', 'text', (c) => c.notNull())
        .addColumn('added_by', 'text', (c) => c.notNull())
        .addColumn('comment', 'text', (c) => c.notNull().defaultTo(''))
        .execute();
      // `tvs trust remove SHA1` finds the row by its SHA-1.
      await db.schema.createIndex('tvs_foreign_trust_sha1_idx').on('tvs_foreign_trust').column('sha1').execute();
    },
  };
}
