// Owns the shapes the UI reads from the REST API (the API's response schemas are the source).

import type { OperationStatusCode } from '../../src/phones/model.ts';

export type { OperationStatusCode };

export interface Me { username: string; role: 'admin' | 'operator' | 'read-only'; via: string; scopes: string[]; mustChangePassword: boolean }

export interface CapfInformation {
  certificateOperation: string; authenticationMode: string; authenticationString: string | null; keyOrder: string;
  rsaKeySize: number; ecKeySize: number | null; operationCompletesBy: string | null; certificateOperationStatus: string;
}
export interface Phone {
  deviceName: string; model: string; description: string; profileName: string | null;
  capf: { operation: string; authMode: string; authString: string | null; keyOrder: string; rsaKeySize: number; ecKeySize: number | null; completesBy: string | null };
  capfInformation: CapfInformation;
  /** CUCM's sentence (display); filter and compare `operationStatus`. */
  status: string; operationStatus: OperationStatusCode; lscStatus: 'None' | 'Installed';
  lsc: { serialHex: string; issuerDn: string; notBefore: string; notAfter: string } | null;
  mic: { serialHex: string; subjectDn: string; issuerDn: string; seenAt: string } | null;
  micSeen: boolean; authFailures: number; lastSessionAt: string | null; configVersion: number; createdAt: string; updatedAt: string;
}
export interface CapfSession {
  sessionId: number; deviceName: string | null; peer: string; startedAt: string; endedAt: string; operation: string | null; authMode: string | null;
  outcome: string; reason: string | null; status: string | null; protocolVersion: number | null; log: { at: string; dir: string; text: string }[];
}
export interface IssuedCertificate {
  serialHex: string; deviceName: string; kind: string; subjectDn: string; issuerDn: string; notBefore: string; notAfter: string; createdAt: string;
  state: string; revokedAt: string | null; revocationReason: string | null; sessionId: number | null;
}
export interface PhoneDetail { phone: Phone; sessions: CapfSession[]; certificates: IssuedCertificate[] }
export interface Page<T> { items: T[]; total: number; offset: number; limit: number }
export interface ItemResult { deviceName: string; ok: boolean; phone?: Phone; code?: string; message?: string }
export interface Results { succeeded: number; failed: number; results: ItemResult[] }

export interface Profile {
  name: string; description: string; deviceSecurityMode: string; authMode: string; keyOrder: string; rsaKeySize: number; ecKeySize: number | null;
  encryptedConfig: boolean; createdAt: string; updatedAt: string; phones: number;
}
export interface BulkJob {
  id: number; kind: string; state: 'queued' | 'running' | 'done' | 'cancelled' | 'failed'; filter: Record<string, unknown>; request: Record<string, unknown>;
  createdBy: string; source: string; createdAt: string; updatedAt: string; total: number; processed: number; succeeded: number; failed: number; cursor: string | null; error: string | null;
}
export interface ExpiryCounts { none: number; expired: number; within30: number; within90: number; valid: number; phones: number }
export interface ExpirySummary { generatedAt: string; totals: ExpiryCounts; byModel: (ExpiryCounts & { model: string })[]; capfCa: { notAfter: string; daysLeft: number; expired: boolean } }
export interface AuditEntry {
  id: number; at: string; actor: string; source: string;
  /** The stored action name (audit/actions.ts) and its display text. */
  action: string; actionText: string;
  target: string; details: Record<string, unknown>;
}

export interface NodeStatus {
  nodeName: string; generatedAt: string;
  listeners: { name: string; description: string; running: boolean; host: string | null; port: number | null }[];
  capfCa: { level: 'ok' | 'warning' | 'expired'; message: string; notAfter: string; daysLeft: number };
  activeCapfSessions: number | null;
  itl: { builtAt: string; signer: string; records: number; includesCapf: boolean } | null;
}
export interface IdentitySummary { name: string; purpose: string; description: string; commonName: string; type: string; keyType: string; issuedBy: string; notBefore: string; notAfter: string; serialHex: string }
export interface CertDetails {
  version: number; serialHex: string; signatureAlgorithm: string; signatureAlgorithmOid: string; issuerDn: string; subjectDn: string; notBefore: string; notAfter: string;
  keyType: string; publicKeyHex: string; sha1: string; sha256: string; isCa: boolean; selfSigned: boolean;
}
export interface IdentityDetail extends IdentitySummary {
  certificate: CertDetails; chain: CertDetails[]; previous: CertDetails | null; pem: string;
  expiry: { level: string; message: string; notAfter: string; daysLeft: number } | null;
}
