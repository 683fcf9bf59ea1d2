// Owns every stable error code of OpenCAPF: one table maps code -> HTTP status, user text, exposure.
//
// Codes never change once released; tests assert them. Add new codes to ERROR_TABLE only.

export const ERROR_TABLE = {
  // --- codecs (bytes from the network or from files) ---
  ERR_CODEC_TRUNCATED: { http: 400, expose: true, text: 'input ends before a declared length' },
  ERR_CODEC_TOO_LARGE: { http: 413, expose: true, text: 'declared length exceeds the allowed maximum' },
  ERR_CODEC_BAD_MAGIC: { http: 400, expose: true, text: 'unexpected protocol identifier' },
  ERR_CODEC_BAD_ELEMENT: { http: 400, expose: true, text: 'malformed element' },
  ERR_CODEC_BAD_VALUE: { http: 400, expose: true, text: 'element value out of range' },
  ERR_CODEC_MISSING_ELEMENT: { http: 400, expose: true, text: 'required element missing' },
  // --- trust lists / signed files ---
  ERR_TRUST_BAD_SIGNATURE: { http: 400, expose: true, text: 'signature does not verify' },
  ERR_TRUST_UNTRUSTED_SIGNER: { http: 400, expose: true, text: 'file signed by a signer that is not trusted' },
  ERR_TRUST_NO_SIGNER: { http: 400, expose: true, text: 'signer certificate not found in the file' },
  // --- configuration ---
  ERR_CONFIG_INVALID: { http: 500, expose: true, text: 'configuration is invalid' },
  ERR_CONFIG_UNKNOWN_KEY: { http: 500, expose: true, text: 'unknown configuration key' },
  // --- PKI ---
  ERR_PKI_CA_EXPIRED: {
    http: 409,
    expose: true,
    text: 'the CAPF certificate has expired; regenerate it before installing LSCs',
  },
  ERR_PKI_KEY_MISMATCH: { http: 400, expose: true, text: 'certificate does not match the private key' },
  ERR_PKI_CHAIN: { http: 400, expose: true, text: 'certificate does not chain to a trusted issuer' },
  ERR_PKI_BAD_KEY: { http: 400, expose: true, text: 'public key is not acceptable' },
  ERR_PKI_BAD_CERT: { http: 400, expose: true, text: 'certificate cannot be parsed' },
  ERR_PKI_EXTENSION: { http: 400, expose: true, text: 'certificate lacks an extension phones require' },
  ERR_PKI_UNKNOWN_IDENTITY: { http: 404, expose: true, text: 'no such certificate' },
  // Refused signer changes (provisioning/signer-safety.ts): the message says what the phones would do.
  ERR_SIGNER_STRANDS_PHONES: {
    http: 409,
    expose: true,
    text: 'this change of the ITL signers would leave phones with an ITL they can no longer leave',
  },
  ERR_CERT_NOT_FOUND: { http: 404, expose: true, text: 'no LSC with that serial number' },
  ERR_CERT_ALREADY_REVOKED: { http: 409, expose: true, text: 'the certificate is already revoked' },
  // --- foreign TVS trust (certificates of another cluster our TVS vouches for) ---
  ERR_FOREIGN_NOT_CERTIFICATE: { http: 400, expose: true, text: 'not an X.509 certificate (PEM or DER)' },
  ERR_FOREIGN_PRIVATE_KEY: { http: 400, expose: true, text: 'this is a private key; give the certificate' },
  ERR_FOREIGN_VALIDITY: { http: 400, expose: true, text: 'the certificate is expired or not yet valid' },
  ERR_FOREIGN_OURS: {
    http: 409,
    expose: true,
    text: "the certificate is one of this cluster's own, or a CA it already holds",
  },
  ERR_FOREIGN_DUPLICATE: { http: 409, expose: true, text: 'the certificate is already in the TVS trust' },
  // --- manufacturing CAs MICs are checked against (provisioning/manufacturing-trust.ts) ---
  ERR_MFG_CA_NOT_CERTIFICATE: { http: 400, expose: true, text: 'not an X.509 certificate (PEM or DER)' },
  ERR_MFG_CA_PRIVATE_KEY: { http: 400, expose: true, text: 'this is a private key; give the CA certificate' },
  ERR_MFG_CA_NOT_CA: { http: 400, expose: true, text: 'the certificate is not a CA certificate' },
  ERR_MFG_CA_DUPLICATE: { http: 409, expose: true, text: 'the manufacturing CA is already trusted' },
  ERR_MFG_CA_READ_ONLY: {
    http: 409,
    expose: true,
    text: 'the manufacturing CA comes from capf.manufacturingCaFile; edit that file to remove it',
  },
  // --- phones / operations ---
  ERR_PHONE_NOT_FOUND: { http: 404, expose: true, text: 'no phone with that device name' },
  ERR_PHONE_EXISTS: { http: 409, expose: true, text: 'a phone with that device name already exists' },
  ERR_PHONE_BAD_NAME: {
    http: 400,
    expose: true,
    text: 'not a device name (SEP/ATA + 12 hex digits, or a CSF/BOT/TCT/TAB softphone name)',
  },
  ERR_AUTH_STRING_FORMAT: { http: 400, expose: true, text: 'authentication string must be 4 to 10 digits' },
  ERR_DEADLINE_PAST: { http: 400, expose: true, text: 'Operation Completes By must be in the future' },
  ERR_PROFILE_MISMATCH: { http: 409, expose: true, text: 'authentication mode contradicts the phone security profile' },
  ERR_PROFILE_NOT_FOUND: { http: 404, expose: true, text: 'no such phone security profile' },
  ERR_PROFILE_IN_USE: { http: 409, expose: true, text: 'phone security profile is in use' },
  ERR_BAD_REQUEST: { http: 400, expose: true, text: 'bad request' },
  ERR_NOT_FOUND: { http: 404, expose: true, text: 'not found' },
  ERR_CONFLICT: { http: 409, expose: true, text: 'conflict' },
  // --- API / users ---
  ERR_UNAUTHENTICATED: { http: 401, expose: true, text: 'authentication required' },
  ERR_FORBIDDEN: { http: 403, expose: true, text: 'not allowed for this role' },
  ERR_THROTTLED: { http: 429, expose: true, text: 'too many attempts; try again later' },
  ERR_PASSWORD_CHANGE_REQUIRED: {
    http: 403,
    expose: true,
    text: 'change your password first (POST /api/v1/auth/password)',
  },
  // Cluster-wide trust changes from a browser session ask for the password again (api/app.ts, route config confirm).
  ERR_CONFIRMATION_REQUIRED: {
    http: 428,
    expose: true,
    text: 'this change needs your password again (confirmPassword in the request body)',
  },
  ERR_CONFIRMATION_FAILED: { http: 403, expose: true, text: 'the password given to confirm the change is wrong' },
  ERR_CSRF: { http: 403, expose: true, text: 'cookie-authenticated changes need the X-Requested-With header' },
  ERR_SECRET_IN_URL: {
    http: 400,
    expose: true,
    text:
      'secrets (authentication strings, passwords, tokens) are ' +
      'never accepted in a URL; send them in the request body',
  },
  // --- administration: CSV import, bulk jobs, backup ---
  ERR_CSV_SYNTAX: { http: 400, expose: true, text: 'CSV is malformed' },
  ERR_CSV_LIMIT: { http: 413, expose: true, text: 'CSV line or field exceeds the allowed length' },
  ERR_PAYLOAD_TOO_LARGE: { http: 413, expose: true, text: 'request body is too large' },
  ERR_BULK_JOB_STATE: { http: 409, expose: true, text: 'the bulk job is not in a state that allows this' },
  ERR_BACKUP_PASSPHRASE: { http: 400, expose: true, text: 'wrong passphrase, or the backup file is damaged' },
  ERR_BACKUP_FORMAT: { http: 400, expose: true, text: 'not an OpenCAPF backup file, or an unsupported version' },
  // --- I/O / listeners ---
  ERR_PORT_IN_USE: { http: 500, expose: true, text: 'port cannot be bound' },
  ERR_STORE: { http: 500, expose: false, text: 'storage failure' },
  ERR_STORE_FULL: { http: 507, expose: true, text: 'the database disk is full; the change was not saved' },
  // Retryable: the database is unreachable or cannot write (disk full); the message names the driver's code.
  ERR_STORE_UNAVAILABLE: { http: 503, expose: true, text: 'the database is unavailable; try again later' },
  ERR_INTERNAL: { http: 500, expose: false, text: 'internal error' },
} as const satisfies Record<string, { http: number; expose: boolean; text: string }>;

export type ErrorCode = keyof typeof ERROR_TABLE;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details?: Record<string, unknown>;
  constructor(code: ErrorCode, message?: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(message ?? ERROR_TABLE[code].text, options);
    this.name = 'AppError';
    this.code = code;
    if (details) this.details = details;
  }
  get httpStatus(): number {
    return ERROR_TABLE[this.code].http;
  }
  /** The message a client may see; internal errors show the generic table text only. */
  get publicMessage(): string {
    return ERROR_TABLE[this.code].expose ? this.message : ERROR_TABLE[this.code].text;
  }
}

/** Thrown by pure codecs for any malformed input; never anything else. */
export class CodecError extends AppError {
  constructor(code: Extract<ErrorCode, `ERR_CODEC_${string}`>, message: string, details?: Record<string, unknown>) {
    super(code, message, details);
    this.name = 'CodecError';
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}

/**
 * The driver error codes that mean the database could not be written for lack of space: SQLite's
 * SQLITE_FULL, SQLITE_IOERR* (what SQLite reports when the WAL or its index cannot grow on a full disk),
 * ENOSPC from the file system, PostgreSQL's 53100 disk_full. Checked by code only, so no driver is imported.
 */
function storeFullReason(code: string): string | null {
  if (code === 'SQLITE_FULL') return 'the database disk is full (SQLITE_FULL)';
  if (code.startsWith('SQLITE_IOERR'))
    return `the database could not be written (${code}; its disk is full or failing)`;
  if (code === 'ENOSPC') return "no space left on the database's device (ENOSPC)";
  if (code === '53100') return "the PostgreSQL server's disk is full (53100 disk_full)";
  return null;
}

/**
 * Translates a storage failure caused by a full disk (anywhere in the `cause` chain) into ERR_STORE_FULL
 * with a message naming the real reason; null for anything else. Used where errors leave the process
 * (CLI, API), so that neither prints a generic or secondary error instead.
 */
export function asStoreFullError(e: unknown): AppError | null {
  let c: unknown = e;
  for (let depth = 0; c && typeof c === 'object' && depth < 8; depth++) {
    if (c instanceof AppError && c.code === 'ERR_STORE_FULL') return c;
    const code = (c as { code?: unknown }).code;
    const reason = typeof code === 'string' ? storeFullReason(code) : null;
    if (reason) {
      return new AppError(
        'ERR_STORE_FULL',
        `${reason}; the change was not saved. Free space on that file system and retry`,
        { driverCode: code },
        { cause: e },
      );
    }
    c = (c as { cause?: unknown }).cause;
  }
  return null;
}

/** The store cannot be used right now (database unreachable, disk full): retryable, not the caller's fault. */
export function isStoreUnavailable(e: unknown): boolean {
  return e instanceof AppError && (e.code === 'ERR_STORE_UNAVAILABLE' || e.code === 'ERR_STORE_FULL');
}
