// Owns the administrator-visible vocabulary of a phone's CAPF settings, exactly as CUCM shows it
// (seed: "Certification Authority Proxy Function (CAPF) Information"). One table per enumeration.

/** Longest Device Type (model) and Description a phone may have, in characters. */
export const MODEL_MAX_CHARS = 64;
export const DESCRIPTION_MAX_CHARS = 128;

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

/** Outcome part of the Certificate Operation Status. `none` and `pending` print the same for every operation. */
export const STATUS_OUTCOMES = {
  none: { label: 'None' },
  pending: { label: 'Operation Pending' },
  success: { label: 'Success' },
  failed: { label: 'Failed' },
} as const;
export type StatusOutcome = keyof typeof STATUS_OUTCOMES;

/** The verb CUCM puts before "Success" / "Failed: <reason>", per certificate operation. */
export const STATUS_VERBS = { install: 'Upgrade', delete: 'Delete', troubleshoot: 'Troubleshoot' } as const;
export type ActiveOperation = keyof typeof STATUS_VERBS;

/**
 * Certificate Operation Status as stored and compared: codes, never CUCM's sentence (renaming a label
 * must not orphan stored rows). `operation` is the operation the status is about (for `pending`, the
 * scheduled one; `none` only with outcome `none`, or `pending` rows migrated without an operation);
 * `reason` is set exactly when the outcome is `failed`. The sentence is derived by statusText().
 */
export interface OperationStatusCode {
  operation: CertOperation;
  outcome: StatusOutcome;
  reason: FailureReason | null;
}

/** The constructors of every status the code writes. */
export const STATUS = {
  none: Object.freeze({ operation: 'none', outcome: 'none', reason: null }) as OperationStatusCode,
  pending(op: CertOperation): OperationStatusCode {
    return { operation: op, outcome: 'pending', reason: null };
  },
  success(op: ActiveOperation): OperationStatusCode {
    return { operation: op, outcome: 'success', reason: null };
  },
  failed(op: ActiveOperation, reason: FailureReason): OperationStatusCode {
    return { operation: op, outcome: 'failed', reason };
  },
} as const;

/** CUCM's Certificate Operation Status sentence for a status code: the one place it is derived. */
export function statusText(s: OperationStatusCode): string {
  if (s.outcome === 'none') return STATUS_OUTCOMES.none.label;
  if (s.outcome === 'pending' || s.operation === 'none') return STATUS_OUTCOMES.pending.label;
  const verb = STATUS_VERBS[s.operation];
  if (s.outcome === 'success') return `${verb} ${STATUS_OUTCOMES.success.label}`;
  return `${verb} ${STATUS_OUTCOMES.failed.label}: ${FAILURE_REASONS[s.reason ?? 'protocol']}`;
}

export function sameStatus(a: OperationStatusCode, b: OperationStatusCode): boolean {
  return a.operation === b.operation && a.outcome === b.outcome && a.reason === b.reason;
}

/** Is `s` a (well-formed) status code? For rows and input read from outside. */
export function isStatusCode(s: {
  operation: string;
  outcome: string;
  reason: string | null;
}): s is OperationStatusCode {
  if (!Object.hasOwn(CERT_OPERATIONS, s.operation) || !Object.hasOwn(STATUS_OUTCOMES, s.outcome)) return false;
  if (s.outcome === 'failed') {
    return s.reason !== null && Object.hasOwn(FAILURE_REASONS, s.reason) && s.operation !== 'none';
  }
  if (s.reason !== null) return false;
  if (s.outcome === 'success') return s.operation !== 'none';
  return s.outcome === 'pending' || s.operation === 'none';
}

/**
 * A status filter: a phone matches when each field given equals its status's (an empty match matches
 * every phone). Lists of matches are alternatives (OR).
 */
export interface StatusMatch {
  operation?: CertOperation;
  outcome?: StatusOutcome;
  reason?: FailureReason;
}

/** Every status the code can write, one per distinct sentence but `pending` (one per operation). */
function allStatuses(): OperationStatusCode[] {
  const out: OperationStatusCode[] = [STATUS.none];
  for (const op of Object.keys(CERT_OPERATIONS) as CertOperation[]) out.push(STATUS.pending(op));
  for (const op of Object.keys(STATUS_VERBS) as ActiveOperation[]) {
    out.push(STATUS.success(op));
    for (const r of Object.keys(FAILURE_REASONS) as FailureReason[]) out.push(STATUS.failed(op, r));
  }
  return out;
}

/**
 * Today's text filters (Certificate Operation Status equals / starts with) as code matches: the
 * statuses whose sentence satisfies the test, folded (all pending -> {outcome: pending}; every
 * reason of one operation -> {operation, outcome: failed}). An empty list matches no phone.
 */
export function statusMatchesForText(test: (sentence: string) => boolean): StatusMatch[] {
  const hits = allStatuses().filter((s) => test(statusText(s)));
  const out: StatusMatch[] = [];
  const reasons = Object.keys(FAILURE_REASONS).length;
  if (hits.some((s) => s.outcome === 'none')) out.push({ outcome: 'none' });
  // Every pending status prints the same sentence: they are all hit or none is.
  if (hits.some((s) => s.outcome === 'pending')) out.push({ outcome: 'pending' });
  for (const op of Object.keys(STATUS_VERBS) as ActiveOperation[]) {
    if (hits.some((s) => s.operation === op && s.outcome === 'success'))
      out.push({ operation: op, outcome: 'success' });
    const failed = hits.filter((s) => s.operation === op && s.outcome === 'failed');
    if (failed.length === reasons) out.push({ operation: op, outcome: 'failed' });
    else for (const s of failed) out.push({ operation: op, outcome: 'failed', reason: s.reason! });
  }
  return out;
}

/**
 * The status code of one of CUCM's sentences as this code prints them (with the scheduled operation for
 * "Operation Pending"); null if no code prints it.
 */
export function parseStatusText(sentence: string, pendingOperation: CertOperation): OperationStatusCode | null {
  if (sentence === STATUS_OUTCOMES.pending.label) return STATUS.pending(pendingOperation);
  return allStatuses().find((s) => s.outcome !== 'pending' && statusText(s) === sentence) ?? null;
}

/** Both match lists at once (AND of two OR-lists): the pairwise merges that do not contradict. */
export function intersectStatusMatches(a: readonly StatusMatch[], b: readonly StatusMatch[]): StatusMatch[] {
  const out: StatusMatch[] = [];
  for (const x of a) {
    for (const y of b) {
      const m: StatusMatch = { ...x };
      let ok = true;
      for (const k of ['operation', 'outcome', 'reason'] as const) {
        if (y[k] === undefined) continue;
        if (m[k] !== undefined && m[k] !== y[k]) ok = false;
        else (m as Record<string, string>)[k] = y[k]!;
      }
      if (ok) out.push(m);
    }
  }
  return out;
}

/** What the API and CLI accept to filter by status: codes, and (still) today's sentences and prefixes. */
export interface StatusFilterInput {
  /** The sentence, exactly (e.g. "Operation Pending"). */
  text?: string;
  /** The sentence starts with (e.g. "Upgrade Failed"). */
  textPrefix?: string;
  outcome?: StatusOutcome;
  operation?: CertOperation;
  reason?: FailureReason;
}

/** The filter's code matches (every part given must hold); undefined when it names no status condition. */
export function statusFilter(f: StatusFilterInput): StatusMatch[] | undefined {
  let m: StatusMatch[] | undefined;
  const and = (x: StatusMatch[]) => (m = m ? intersectStatusMatches(m, x) : x);
  if (f.text) and(statusMatchesForText((t) => t === f.text));
  if (f.textPrefix) and(statusMatchesForText((t) => t.startsWith(f.textPrefix!)));
  const code: StatusMatch = {
    ...(f.outcome ? { outcome: f.outcome } : {}),
    ...(f.operation ? { operation: f.operation } : {}),
    ...(f.reason ? { reason: f.reason } : {}),
  };
  if (Object.keys(code).length) and([code]);
  return m;
}

/** Certificate Operation Status sentences, exactly as CUCM prints them (display only: compare codes). */
export const OperationStatus = {
  None: statusText(STATUS.none),
  Pending: statusText(STATUS.pending('install')),
  success(op: ActiveOperation): string {
    return statusText(STATUS.success(op));
  },
  failed(op: ActiveOperation, reason: FailureReason): string {
    return statusText(STATUS.failed(op, reason));
  },
  /** The seed's "LSC: Failed" case. */
  UpgradeFailedLate: statusText(STATUS.failed('install', 'late')),
} as const;

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

/**
 * The MIC a phone last presented in a CAPF session, with proof of possession, chained to a configured manufacturing
 * CA and naming the device (recorded even when refused because it expired). notAfter and sha1 are null for MICs
 * recorded before migration 0009.
 */
export interface MicSummary {
  serialHex: string;
  subjectDn: string;
  issuerDn: string;
  notAfter: string | null;
  /** SHA-1 of the MIC's DER, lower-case hex. */
  sha1: string | null;
  seenAt: string;
}

export interface Phone {
  deviceName: string;
  model: string;
  description: string;
  profileName: string | null;
  capf: CapfSettings;
  /** Certificate Operation Status: what is stored, filtered and compared. */
  operationStatus: OperationStatusCode;
  /**
   * CUCM's sentence for `operationStatus`, derived by statusText() when the phone is read (display
   * only; never written, compared or filtered).
   */
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
  /**
   * Accept an expired MIC for CAPF authentication (By Existing Certificate) of phones with this profile. Off by
   * default. The MIC must still chain to a configured manufacturing CA and name the device (docs/capf.md, "Expired
   * MICs": the risk).
   */
  acceptExpiredMic: boolean;
  createdAt: string;
  updatedAt: string;
}

export const DEFAULT_PROFILE_NAME = 'Universal Device Template - Model-independent Security Profile';

// Device names (SEP/ATA + MAC, CSF/BOT/TCT/TAB softphones) are owned by device-name.ts.
export { normaliseDeviceName, deviceNameProblem, parseDeviceName, DEVICE_NAME_FORMS } from './device-name.ts';

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
