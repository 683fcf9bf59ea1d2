// Owns migration 0010: the certificate monitor (issue 22 item 1). Its rules (seeded with the default rule: every
// certificate class, from 30 days before expiry, daily, hourly on the last day), its notification channels (the
// SMTP password or webhook HMAC secret in `secret`, like authentication strings: in the 0600 database, never in
// logs, audit or API answers), what was sent per rule, slot and channel (the claim that keeps two runs or two nodes
// from sending the same notification), and the log of every delivery attempt. New tables only.

import type { Kysely, Migration } from 'kysely';
import type { DialectTypes } from './index.ts';

export function certMonitorMigration(t: DialectTypes): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('monitor_rules')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('classes', 'text', (c) => c.notNull())
        .addColumn('start_days_before', 'integer', (c) => c.notNull())
        .addColumn('hourly_last_day', 'integer', (c) => c.notNull())
        .addColumn('channels', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('monitor_channels')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('settings', 'text', (c) => c.notNull())
        .addColumn('secret', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('monitor_notifications')
        .addColumn('rule_name', 'text', (c) => c.notNull())
        .addColumn('slot', 'text', (c) => c.notNull())
        .addColumn('channel_name', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('claimed_by', 'text', (c) => c.notNull())
        .addColumn('claimed_until', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('monitor_notifications_pk', ['rule_name', 'slot', 'channel_name'])
        .execute();
      await db.schema
        .createTable('monitor_deliveries')
        .addColumn('id', t.idType, (c) => (t.idType === 'integer' ? c.primaryKey().autoIncrement() : c.primaryKey()))
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('rule_name', 'text', (c) => c.notNull())
        .addColumn('slot', 'text', (c) => c.notNull())
        .addColumn('channel_name', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('attempt', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('detail', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('monitor_deliveries_at_idx').on('monitor_deliveries').column('at').execute();
      await db.schema
        .createIndex('monitor_deliveries_channel_idx')
        .on('monitor_deliveries')
        .columns(['channel_name', 'id'])
        .execute();
      const at = new Date().toISOString();
      await db
        .insertInto('monitor_rules')
        .values({
          name: 'default',
          description: 'Every certificate, from 30 days before expiry, daily; hourly on the last day',
          enabled: 1,
          classes: '[]',
          start_days_before: 30,
          hourly_last_day: 1,
          channels: '[]',
          created_at: at,
          updated_at: at,
        })
        .execute();
    },
  };
}
