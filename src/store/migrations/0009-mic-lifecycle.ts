// Owns migration 0009: the MIC lifecycle (issue 18 item 4). Each phone's MIC gains its not-after and SHA-1 (the
// issuer, serial and subject were there since 0001), indexed for the MIC filters and report; each security profile
// gains the "accept an expired MIC for CAPF authentication" policy (off for every existing profile); and the
// administrator-managed manufacturing CAs get their table (`opencapf capf manufacturing import`), alongside the
// read-only bundle of capf.manufacturingCaFile. Only added columns and a new table: rows written by earlier versions
// keep their meaning (a MIC recorded before has no not-after until the phone presents it again).

import type { Kysely, Migration } from 'kysely';
import type { DialectTypes } from './index.ts';

export function micLifecycleMigration(t: DialectTypes): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('phones').addColumn('mic_not_after', 'text').execute();
      await db.schema.alterTable('phones').addColumn('mic_sha1', 'text').execute();
      await db.schema.createIndex('phones_mic_not_after_idx').on('phones').column('mic_not_after').execute();
      await db.schema
        .alterTable('security_profiles')
        .addColumn('accept_expired_mic', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .createTable('manufacturing_cas')
        .addColumn('sha256', 'text', (c) => c.primaryKey())
        .addColumn('sha1', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('issuer', 'text', (c) => c.notNull())
        .addColumn('serial', 'text', (c) => c.notNull())
        .addColumn('not_before', 'text', (c) => c.notNull())
        .addColumn('not_after', 'text', (c) => c.notNull())
        .addColumn('der', t.binaryType, (c) => c.notNull())
        .addColumn('added_at', 'text', (c) => c.notNull())
        .addColumn('added_by', 'text', (c) => c.notNull())
        .addColumn('comment', 'text', (c) => c.notNull().defaultTo(''))
        .execute();
    },
  };
}
