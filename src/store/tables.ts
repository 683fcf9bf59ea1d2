// Owns the database table shapes (Kysely's view of the schema created by migrations/).

import type { Generated } from 'kysely';

export interface PhonesTable {
  device_name: string;
  model: string;
  description: string;
  profile_name: string | null;
  cert_operation: string;
  auth_mode: string;
  auth_string: string | null;
  key_order: string;
  rsa_key_size: number;
  ec_key_size: number | null;
  completes_by: string | null;
  /** Certificate Operation Status as codes (migration 0006; phones/model.ts OperationStatusCode). */
  status_operation: string;
  status_outcome: string;
  status_reason: string | null;
  auth_failures: number;
  lsc_serial: string | null;
  lsc_issuer: string | null;
  lsc_not_before: string | null;
  lsc_not_after: string | null;
  mic_serial: string | null;
  mic_subject: string | null;
  mic_issuer: string | null;
  mic_seen_at: string | null;
  /** The MIC's not-after and SHA-1 of its DER (migration 0009). */
  mic_not_after: string | null;
  mic_sha1: string | null;
  last_session_at: string | null;
  config_version: number;
  created_at: string;
  updated_at: string;
}

export interface SecurityProfilesTable {
  name: string;
  description: string;
  device_security_mode: string;
  auth_mode: string;
  key_order: string;
  rsa_key_size: number;
  ec_key_size: number | null;
  encrypted_config: number;
  /** 1: accept an expired MIC for CAPF authentication (migration 0009). */
  accept_expired_mic: number;
  created_at: string;
  updated_at: string;
}

export interface CertificatesTable {
  serial_hex: string;
  device_name: string;
  kind: string;
  der: Buffer;
  subject_dn: string;
  issuer_dn: string;
  not_before: string;
  not_after: string;
  created_at: string;
  state: string;
  revoked_at: string | null;
  revocation_reason: string | null;
  session_id: number | null;
}

export interface CapfSessionsTable {
  id: Generated<number>;
  session_id: number;
  device_name: string | null;
  peer: string;
  started_at: string;
  ended_at: string;
  operation: string | null;
  auth_mode: string | null;
  outcome: string;
  reason: string | null;
  status: string | null;
  protocol_version: number | null;
  log: string;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: string;
  actor: string;
  source: string;
  action: string;
  target: string;
  details: string;
}

export interface PhoneItlStatusTable {
  device_name: string;
  itl_sha1: string;
  itl_timestamp: string | null;
  served_at: string;
  via: string;
  address: string;
  served_count: number;
  last_contact_at: string;
}

export interface Database {
  phones: PhonesTable;
  security_profiles: SecurityProfilesTable;
  certificates: CertificatesTable;
  capf_sessions: CapfSessionsTable;
  audit_log: AuditLogTable;
  phone_itl_status: PhoneItlStatusTable;
}
