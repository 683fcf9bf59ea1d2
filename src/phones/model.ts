// Owns the administrator-visible vocabulary of a phone's CAPF settings, exactly as CUCM shows it
// (seed: "Certification Authority Proxy Function (CAPF) Information"). One table per enumeration.

/** Certificate Operation. Labels are CUCM's drop-down entries. */
export const CERT_OPERATIONS = {
  none: { label: 'No Pending Operation' },
  install: { label: 'Install/Upgrade' },
  delete: { label: 'Delete' },
  troubleshoot: { label: 'Troubleshoot' },
} as const;
export type CertOperation = keyof typeof CERT_OPERATIONS;

/**
 * Authentication Mode. capfAuthMode is the value written into SEP<MAC>.cnf.xml (capf-protocol.md §5.1).
 * "precedence to MIC" is not in the seed; its label follows CUCM's naming pattern (UNCERTAIN).
 */
export const AUTH_MODES = {
  'auth-string': { label: 'By Authentication String', capfAuthMode: 1 },
  'null-string': { label: 'By Null String', capfAuthMode: 2 },
  'existing-lsc': { label: 'By Existing Certificate (precedence to LSC)', capfAuthMode: 3 },
  'existing-mic': { label: 'By Existing Certificate (precedence to MIC)', capfAuthMode: 4 },
} as const;
export type AuthMode = keyof typeof AUTH_MODES;

/** Key Order. How CUCM encodes the EC-then-RSA fallback on the wire is UNCERTAIN (capf-protocol.md §6.3). */
export const KEY_ORDERS = {
  rsa: { label: 'RSA Only' },
  ec: { label: 'EC Only' },
  'ec-rsa': { label: 'EC Preferred, RSA Backup' },
} as const;
export type KeyOrder = keyof typeof KEY_ORDERS;

/** RSA Key Size (Bits): what capfctl/capfc allow and CUCM offers; default 2048 (seed). */
export const RSA_KEY_SIZES = [512, 1024, 2048, 3072, 4096] as const;
/** EC Key Size (Bits): P-256, P-384, P-521. */
export const EC_KEY_SIZES = [256, 384, 521] as const;
export type RsaKeySize = (typeof RSA_KEY_SIZES)[number];
export type EcKeySize = (typeof EC_KEY_SIZES)[number];

export const DEVICE_SECURITY_MODES = {
  'non-secure': { label: 'Non Secure' },
  authenticated: { label: 'Authenticated' },
  encrypted: { label: 'Encrypted' },
} as const;
export type DeviceSecurityMode = keyof typeof DEVICE_SECURITY_MODES;

/** Failure reasons shown after "Upgrade Failed: ", "Delete Failed: ", "Troubleshoot Failed: ". */
export const FAILURE_REASONS = {
  late: 'User Initiated Request Late/Timedout', // seed, "LSC: Failed"
  badAuthString: 'Invalid Authentication String',
  authLocked: 'Authentication String Locked (too many failures)',
  keyGeneration: 'Key Generation Failed',
  weakKey: 'Key Does Not Match Requested Key Type/Size',
  certAuth: 'Certificate Authentication Failed',
  authModeMismatch: 'Authentication Mode Mismatch',
  noCertificate: 'No Certificate Found On Phone',
  phoneRejected: 'Phone Failed To Store Certificate',
  phoneDeleteFailed: 'Phone Failed To Delete Certificate',
  connectionLost: 'Connection Lost Before Completion',
  timeout: 'Phone Did Not Respond In Time',
  capfExpired: 'CAPF Certificate Expired',
  protocol: 'Protocol Error',
} as const;
export type FailureReason = keyof typeof FAILURE_REASONS;

const OPERATION_VERB = { install: 'Upgrade', delete: 'Delete', troubleshoot: 'Troubleshoot' } as const;

/** Certificate Operation Status strings, exactly as CUCM prints them. */
export const OperationStatus = {
  None: 'None',
  Pending: 'Operation Pending',
  success(op: Exclude<CertOperation, 'none'>): string {
    return `${OPERATION_VERB[op]} Success`;
  },
  failed(op: Exclude<CertOperation, 'none'>, reason: FailureReason): string {
    return `${OPERATION_VERB[op]} Failed: ${FAILURE_REASONS[reason]}`;
  },
  /** The seed's "LSC: Failed" case. */
  UpgradeFailedLate: `Upgrade Failed: ${FAILURE_REASONS.late}`,
} as const;

export function isFailedStatus(status: string): boolean {
  return / Failed: /.test(status);
}

export interface CapfSettings {
  operation: CertOperation;
  authMode: AuthMode;
  /** 4..10 digits; only meaningful for auth-string. Never logged. */
  authString: string | null;
  keyOrder: KeyOrder;
  rsaKeySize: RsaKeySize;
  ecKeySize: EcKeySize | null;
  /** Operation Completes By (ISO 8601, UTC). */
  completesBy: string | null;
}

export interface LscSummary {
  serialHex: string;
  issuerDn: string;
  notBefore: string;
  notAfter: string;
}

export interface MicSummary {
  serialHex: string;
  subjectDn: string;
  issuerDn: string;
  seenAt: string;
}

export interface Phone {
  deviceName: string;
  model: string;
  description: string;
  profileName: string | null;
  capf: CapfSettings;
  /** Certificate Operation Status. */
  status: string;
  authFailures: number;
  lsc: LscSummary | null;
  mic: MicSummary | null;
  lastSessionAt: string | null;
  /** Bumped by every change; the phone's config file version follows it. */
  configVersion: number;
  createdAt: string;
  updatedAt: string;
}

export interface SecurityProfile {
  name: string;
  description: string;
  deviceSecurityMode: DeviceSecurityMode;
  authMode: AuthMode;
  keyOrder: KeyOrder;
  rsaKeySize: RsaKeySize;
  ecKeySize: EcKeySize | null;
  /** Encrypt SEP<MAC>.cnf.xml (.enc.sgn) for phones with this profile. */
  encryptedConfig: boolean;
  createdAt: string;
  updatedAt: string;
}

export const DEFAULT_PROFILE_NAME = 'Universal Device Template - Model-independent Security Profile';

export const DEVICE_NAME_RE = /^SEP[0-9A-F]{12}$/;

/** Normalises `sep00112233aabb` to `SEP00112233AABB`; returns null when it is not a SEP<MAC> name. */
export function normaliseDeviceName(name: string): string | null {
  const n = name.trim().toUpperCase();
  return DEVICE_NAME_RE.test(n) ? n : null;
}

export const AUTH_STRING_RE = /^\d{4,10}$/;

export const DEFAULT_CAPF: CapfSettings = {
  operation: 'none',
  authMode: 'null-string',
  authString: null,
  keyOrder: 'rsa',
  rsaKeySize: 2048,
  ecKeySize: null,
  completesBy: null,
};
