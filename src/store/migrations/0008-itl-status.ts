// Owns migration 0008: ITL File Status — per phone, the ITL our TFTP/HTTP servers last served it (SHA-1 and the
// file's TIMESTAMP), when, over which transport and to which address, how often, and when the phone last
// contacted us (issue 17 item 4). Only a new table: databases written by earlier versions keep every table.

import type { Kysely, Migration } from 'kysely';

export function itlStatusMigration(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('phone_itl_status')
        .addColumn('device_name', 'text', (c) => c.primaryKey())
        .addColumn('itl_sha1', 'text', (c) => c.notNull())
        .addColumn('itl_timestamp', 'text')
        .addColumn('served_at', 'text', (c) => c.notNull())
        .addColumn('via', 'text', (c) => c.notNull())
        .addColumn('address', 'text', (c) => c.notNull())
        .addColumn('served_count', 'integer', (c) => c.notNull())
        .addColumn('last_contact_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('phone_itl_status_sha1_idx').on('phone_itl_status').column('itl_sha1').execute();
    },
  };
}
