// Owns what revocation needs from storage and from the identity service (implemented in store/ and pki/,
// wired by app/).

import type { KeyObject } from 'node:crypto';
import type { CertificateInfo } from '../pki/index.ts';
import type { CertificateRecord } from '../phones/index.ts';
import type { AuditEvent } from '../audit/index.ts';

export interface RevokedCertificate {
  serialHex: string;
  issuerDn: string;
  revokedAt: string;
  reason: string | null;
  notAfter: string;
}

export interface RevocationStore {
  /** Every LSC in state revoked (or superseded), any issuer. */
  listRevoked(): Promise<RevokedCertificate[]>;
  /** Changes whenever a certificate is revoked (cheap; polled to regenerate the CRL on change). */
  revocationStamp(): Promise<string>;
  getCertificate(serialHex: string): Promise<CertificateRecord | null>;
  /** The serial of the phone's current LSC; undefined when the phone does not exist. */
  currentLscSerial(deviceName: string): Promise<string | null | undefined>;
  /**
   * Revokes every LSC issued before `issuedBefore` that was never acknowledged (still `issued`), with one
   * audit entry each by `actor`, in one transaction; returns what it revoked.
   */
  revokeUnacknowledged(
    issuedBefore: string,
    at: string,
    reason: string,
    actor: { name: string; source: string },
  ): Promise<{ serialHex: string; deviceName: string }[]>;
  /** Marks a certificate revoked and appends the audit entry, in one transaction. */
  revoke(serialHex: string, at: string, reason: string, audit: AuditEvent): Promise<void>;
}

export interface CaKeyMaterial {
  certificate: CertificateInfo;
  /** Any chain certificates after the CA certificate (when the CAPF certificate is CA-signed). */
  chain: CertificateInfo[];
  privateKey: KeyObject;
}

export interface CaSource {
  current(): CaKeyMaterial;
  /** The CAPF CA before the last regenerate/import (kept during a rollover), with its key, or null. */
  previous(): CaKeyMaterial | null;
}
