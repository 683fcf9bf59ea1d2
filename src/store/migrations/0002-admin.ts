// Owns migration 0002: administration tables (users, API tokens, web sessions, bulk jobs and their items),
// and the seeded default phone security profile.

import { sql, type Kysely, type Migration } from 'kysely';
import type { DialectTypes } from './index.ts';

export function adminMigration(t: DialectTypes): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('users')
        .addColumn('username', 'text', (c) => c.primaryKey())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('must_change_password', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('last_login_at', 'text')
        .execute();
      await db.schema
        .createTable('api_tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('username', 'text', (c) => c.notNull().references('users.username').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('secret_hash', 'text', (c) => c.notNull())
        .addColumn('scopes', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text')
        .addColumn('last_used_at', 'text')
        .execute();
      await db.schema
        .createTable('web_sessions')
        .addColumn('id_hash', 'text', (c) => c.primaryKey())
        .addColumn('username', 'text', (c) => c.notNull().references('users.username').onDelete('cascade'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('bulk_jobs')
        .addColumn('id', t.idType, (c) => (t.idType === 'integer' ? c.primaryKey().autoIncrement() : c.primaryKey()))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('filter', 'text', (c) => c.notNull())
        .addColumn('request', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('total', 'integer', (c) => c.notNull())
        .addColumn('processed', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('succeeded', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('failed', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('cursor', 'text')
        .addColumn('error', 'text')
        .addColumn('runner', 'text')
        .addColumn('lease_until', 'text')
        .execute();
      await db.schema.createIndex('bulk_jobs_state_idx').on('bulk_jobs').column('state').execute();
      await db.schema
        .createTable('bulk_job_items')
        .addColumn('job_id', 'bigint', (c) => c.notNull().references('bulk_jobs.id').onDelete('cascade'))
        .addColumn('device_name', 'text', (c) => c.notNull())
        .addColumn('ok', 'integer', (c) => c.notNull())
        .addColumn('auth_string', 'text')
        .addColumn('code', 'text')
        .addColumn('message', 'text')
        .addPrimaryKeyConstraint('bulk_job_items_pk', ['job_id', 'device_name'])
        .execute();
      await db.schema.createIndex('phones_lsc_serial_idx').on('phones').column('lsc_serial').execute();
      await db.schema.createIndex('audit_log_target_idx').on('audit_log').columns(['target', 'id']).execute();
      const now = new Date().toISOString();
      await sql`insert into security_profiles (name, description, device_security_mode, auth_mode, key_order,
          rsa_key_size, ec_key_size, encrypted_config, created_at, updated_at)
        values ('Universal Device Template - Model-independent Security Profile',
          'Default profile (CUCM Universal Device Template)', 'non-secure', 'null-string', 'rsa', 2048, null, 0,
          ${now}, ${now})
        on conflict (name) do nothing`.execute(db);
    },
  };
}
