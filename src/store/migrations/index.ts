// Owns the numbered schema migrations. SQL is written to run on SQLite and PostgreSQL alike;
// the only dialect difference (auto-increment ids, binary columns) goes through `DialectTypes`.

import type { Kysely, Migration } from 'kysely';
import { adminMigration } from './0002-admin.ts';
import { enrollmentPagesMigration } from './0003-enrollment-pages.ts';
import { unacknowledgedLscsMigration } from './0004-unacknowledged-lscs.ts';
import { loginThrottleMigration } from './0005-login-throttle.ts';
import { statusCodesMigration } from './0006-status-codes.ts';
import { foreignTrustMigration } from './0007-foreign-trust.ts';
import { itlStatusMigration } from './0008-itl-status.ts';
import { micLifecycleMigration } from './0009-mic-lifecycle.ts';
import { certMonitorMigration } from './0010-cert-monitor.ts';

export interface DialectTypes {
  /** Column definition of an auto-increment primary key. */
  idType: 'integer' | 'bigserial';
  binaryType: 'blob' | 'bytea';
}

export function migrations(t: DialectTypes): Record<string, Migration> {
  return {
    '0001_initial': {
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('security_profiles')
          .addColumn('name', 'text', (c) => c.primaryKey())
          .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
          .addColumn('device_security_mode', 'text', (c) => c.notNull())
          .addColumn('auth_mode', 'text', (c) => c.notNull())
          .addColumn('key_order', 'text', (c) => c.notNull())
          .addColumn('rsa_key_size', 'integer', (c) => c.notNull())
          .addColumn('ec_key_size', 'integer')
          .addColumn('encrypted_config', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('phones')
          .addColumn('device_name', 'text', (c) => c.primaryKey())
          .addColumn('model', 'text', (c) => c.notNull())
          .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
          .addColumn('profile_name', 'text', (c) => c.references('security_profiles.name'))
          .addColumn('cert_operation', 'text', (c) => c.notNull())
          .addColumn('auth_mode', 'text', (c) => c.notNull())
          .addColumn('auth_string', 'text')
          .addColumn('key_order', 'text', (c) => c.notNull())
          .addColumn('rsa_key_size', 'integer', (c) => c.notNull())
          .addColumn('ec_key_size', 'integer')
          .addColumn('completes_by', 'text')
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('auth_failures', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('lsc_serial', 'text')
          .addColumn('lsc_issuer', 'text')
          .addColumn('lsc_not_before', 'text')
          .addColumn('lsc_not_after', 'text')
          .addColumn('mic_serial', 'text')
          .addColumn('mic_subject', 'text')
          .addColumn('mic_issuer', 'text')
          .addColumn('mic_seen_at', 'text')
          .addColumn('last_session_at', 'text')
          .addColumn('config_version', 'integer', (c) => c.notNull().defaultTo(1))
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .execute();
        for (const col of ['status', 'lsc_not_after', 'auth_string', 'model', 'profile_name']) {
          await db.schema.createIndex(`phones_${col}_idx`).on('phones').column(col).execute();
        }
        await db.schema
          .createTable('certificates')
          .addColumn('serial_hex', 'text', (c) => c.primaryKey())
          .addColumn('device_name', 'text', (c) => c.notNull())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('der', t.binaryType, (c) => c.notNull())
          .addColumn('subject_dn', 'text', (c) => c.notNull())
          .addColumn('issuer_dn', 'text', (c) => c.notNull())
          .addColumn('not_before', 'text', (c) => c.notNull())
          .addColumn('not_after', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('revoked_at', 'text')
          .addColumn('revocation_reason', 'text')
          .addColumn('session_id', 'bigint')
          .execute();
        await db.schema
          .createIndex('certificates_device_idx')
          .on('certificates')
          .columns(['device_name', 'created_at'])
          .execute();
        await db.schema
          .createTable('capf_sessions')
          .addColumn('id', t.idType, (c) => (t.idType === 'integer' ? c.primaryKey().autoIncrement() : c.primaryKey()))
          .addColumn('session_id', 'bigint', (c) => c.notNull())
          .addColumn('device_name', 'text')
          .addColumn('peer', 'text', (c) => c.notNull())
          .addColumn('started_at', 'text', (c) => c.notNull())
          .addColumn('ended_at', 'text', (c) => c.notNull())
          .addColumn('operation', 'text')
          .addColumn('auth_mode', 'text')
          .addColumn('outcome', 'text', (c) => c.notNull())
          .addColumn('reason', 'text')
          .addColumn('status', 'text')
          .addColumn('protocol_version', 'integer')
          .addColumn('log', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('capf_sessions_device_idx')
          .on('capf_sessions')
          .columns(['device_name', 'id'])
          .execute();
        await db.schema
          .createTable('audit_log')
          .addColumn('id', t.idType, (c) => (t.idType === 'integer' ? c.primaryKey().autoIncrement() : c.primaryKey()))
          .addColumn('at', 'text', (c) => c.notNull())
          .addColumn('actor', 'text', (c) => c.notNull())
          .addColumn('source', 'text', (c) => c.notNull())
          .addColumn('action', 'text', (c) => c.notNull())
          .addColumn('target', 'text', (c) => c.notNull())
          .addColumn('details', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('audit_log_at_idx').on('audit_log').column('at').execute();
      },
    },
    '0002_admin': adminMigration(t),
    '0003_enrollment_pages': enrollmentPagesMigration(t),
    '0004_unacknowledged_lscs': unacknowledgedLscsMigration(),
    '0005_login_throttle': loginThrottleMigration(),
    '0006_status_codes': statusCodesMigration(),
    '0007_foreign_trust': foreignTrustMigration(t),
    '0008_itl_status': itlStatusMigration(),
    '0009_mic_lifecycle': micLifecycleMigration(t),
    '0010_cert_monitor': certMonitorMigration(t),
  };
}
