// Owns what the admin reads when the API refuses something: one sentence per API error code (keyed by the
// server's ERROR_TABLE, so a new code without a sentence does not type-check, and
// test/integration/web-error-messages.test.ts checks every code the server can send), the UI's name of every
// request field, and validation errors turned into words at the field ("Authentication String must be 4 to 10
// digits", never `body/authString must match pattern`).

import type { ErrorCode } from '../../src/shared/errors.ts';

/** Codes the web app makes itself (no answer from the server). */
export type ClientErrorCode = 'ERR_NETWORK';

export const ERROR_MESSAGES: Record<ErrorCode | ClientErrorCode, string> = {
  ERR_CODEC_TRUNCATED: 'The file or message ends too early: it is cut short or damaged.',
  ERR_CODEC_TOO_LARGE: 'The file or message is larger than OpenCAPF accepts.',
  ERR_CODEC_BAD_MAGIC: 'This is not the kind of file or message expected here.',
  ERR_CODEC_BAD_ELEMENT: 'The file or message has a malformed part.',
  ERR_CODEC_BAD_VALUE: 'The file or message holds a value out of range.',
  ERR_CODEC_MISSING_ELEMENT: 'The file or message lacks a part it must have.',
  ERR_TRUST_BAD_SIGNATURE: 'The signature of the file does not verify: it was changed or signed by another key.',
  ERR_TRUST_UNTRUSTED_SIGNER: 'The file is signed by a certificate this cluster does not trust.',
  ERR_TRUST_NO_SIGNER: "The file does not carry its signer's certificate.",
  ERR_CONFIG_INVALID: "The server's configuration is invalid; fix the configuration file and restart it.",
  ERR_CONFIG_UNKNOWN_KEY: "The server's configuration names an option that does not exist.",
  ERR_PKI_CA_EXPIRED: 'The CAPF certificate has expired: regenerate it before installing LSCs.',
  ERR_PKI_KEY_MISMATCH: "The certificate does not belong to this server's private key.",
  ERR_PKI_CHAIN: 'The certificate does not chain to a CA this server trusts.',
  ERR_PKI_BAD_KEY: 'The public key is not acceptable (type or size).',
  ERR_PKI_BAD_CERT: 'This is not a certificate that can be read.',
  ERR_PKI_EXTENSION: 'The certificate lacks an extension the phones require.',
  ERR_PKI_UNKNOWN_IDENTITY: 'There is no such certificate on this server.',
  ERR_SIGNER_STRANDS_PHONES: 'Refused: this change of the ITL signers would leave phones unable to trust new files.',
  ERR_CERT_NOT_FOUND: 'There is no LSC with that serial number.',
  ERR_CERT_ALREADY_REVOKED: 'That certificate is already revoked.',
  ERR_FOREIGN_NOT_CERTIFICATE: 'This is not a certificate (PEM or DER).',
  ERR_FOREIGN_PRIVATE_KEY: 'This is a private key: give the certificate instead, and keep the key secret.',
  ERR_FOREIGN_VALIDITY: 'The certificate is expired or not yet valid.',
  ERR_FOREIGN_OURS: "This is one of this cluster's own certificates, or a CA it already holds.",
  ERR_FOREIGN_DUPLICATE: 'Our TVS already vouches for this certificate.',
  ERR_MFG_CA_NOT_CERTIFICATE: 'This is not a certificate (PEM or DER).',
  ERR_MFG_CA_PRIVATE_KEY: 'This is a private key: give the CA certificate instead, and keep the key secret.',
  ERR_MFG_CA_NOT_CA: 'This certificate is not a CA certificate.',
  ERR_MFG_CA_DUPLICATE: 'This manufacturing CA is already trusted.',
  ERR_MFG_CA_READ_ONLY:
    'This manufacturing CA comes from the configured file (capf.manufacturingCaFile): edit that file.',
  ERR_PHONE_NOT_FOUND: 'There is no phone with that device name.',
  ERR_PHONE_EXISTS: 'A phone with that device name already exists.',
  ERR_PHONE_BAD_NAME:
    'That is not a device name: SEP or ATA and the 12 hex digits of the MAC address, or a softphone name.',
  ERR_AUTH_STRING_FORMAT: 'The Authentication String must be 4 to 10 digits.',
  ERR_DEADLINE_PAST: 'Operation Completes By must be in the future.',
  ERR_PROFILE_MISMATCH: "The Authentication Mode contradicts the phone's Phone Security Profile.",
  ERR_PROFILE_NOT_FOUND: 'There is no such Phone Security Profile.',
  ERR_PROFILE_IN_USE: 'Phones use this Phone Security Profile: move them to another one first.',
  ERR_BAD_REQUEST: 'The request was refused: a value is missing or not valid.',
  ERR_NOT_FOUND: 'Not found: it may have been deleted, or this server does not offer it.',
  ERR_CONFLICT: 'Refused: it conflicts with the current state; reload the page and try again.',
  ERR_UNAUTHENTICATED: 'You are not logged in, or your session ended: log in again.',
  ERR_FORBIDDEN: 'Your role does not allow this.',
  ERR_THROTTLED: 'Too many failed attempts: wait a while, then try again.',
  ERR_PASSWORD_CHANGE_REQUIRED: 'Change your one-time password first.',
  ERR_CONFIRMATION_REQUIRED: 'This change needs your password again.',
  ERR_CONFIRMATION_FAILED: 'The password is wrong: nothing was changed.',
  ERR_CSRF: 'The request lacked the header the web UI sends: reload the page.',
  ERR_SECRET_IN_URL: 'Secrets are never sent in an address: this request put one there.',
  ERR_CSV_SYNTAX: 'The CSV file is malformed.',
  ERR_CSV_LIMIT: 'A line or field of the CSV file is too long.',
  ERR_PAYLOAD_TOO_LARGE: 'The file or request is too large.',
  ERR_BULK_JOB_STATE: 'The bulk job is not in a state that allows this (it may have finished).',
  ERR_BACKUP_PASSPHRASE: 'Wrong passphrase, or the backup file is damaged.',
  ERR_BACKUP_FORMAT: 'This is not an OpenCAPF backup file, or it comes from an unsupported version.',
  ERR_PORT_IN_USE: 'A port the server needs is already in use.',
  ERR_STORE: 'The database failed; the change was not saved. Try again, and check the server log.',
  ERR_STORE_FULL: "The database's disk is full: the change was not saved.",
  ERR_STORE_UNAVAILABLE: 'The database is unavailable right now: try again in a moment.',
  ERR_INTERNAL: 'The server failed on this request; the server log has the details.',
  ERR_NETWORK: 'The OpenCAPF server cannot be reached: check that it is running, then retry.',
};

/** The UI's name of every field the API's requests take (body, query, path), in CUCM's words where it has them. */
export const FIELD_LABELS: Record<string, string> = {
  base64: 'File',
  oldItlBase64: "The old cluster's ITL file",
  acceptExpiredMic: 'Accept an expired MIC for CAPF authentication',
  action: 'Action',
  active: 'Active jobs only',
  actor: 'User',
  after: 'After',
  all: 'All',
  applyToPhones: 'Apply to the phones using the profile',
  authMode: 'Authentication Mode',
  authString: 'Authentication String',
  caPem: 'CA certificate (PEM)',
  certificate: 'Certificate',
  chain: 'Certificate chain',
  channel: 'Channel',
  channels: 'Channels',
  classes: 'Certificate classes',
  comment: 'Comment',
  completesBy: 'Operation Completes By',
  confirmPassword: 'Your password (to confirm)',
  currentPassword: 'Current password',
  description: 'Description',
  device: 'Device Name',
  deviceName: 'Device Name',
  deviceNames: 'Device Names',
  deviceSecurityMode: 'Device Security Mode',
  disabled: 'Disabled',
  dryRun: 'Check only',
  ecKeySize: 'EC Key Size (Bits)',
  email: 'E-mail settings',
  enabled: 'Enabled',
  encryptedConfig: 'Encrypted TFTP Configuration',
  expiresInDays: 'Expires in (days)',
  files: 'Files',
  filter: 'Query',
  force: 'Force',
  format: 'Format',
  from: 'From',
  host: 'SMTP server',
  hourlyLastDay: 'Hourly on the last day',
  id: 'Id',
  itlStatus: 'ITL File Status',
  keyOrder: 'Key Order',
  kind: 'Kind',
  limit: 'Rows per page',
  lscExpiresAfter: 'LSC expires after',
  lscExpiresBefore: 'LSC expires before',
  lscIssuer: 'LSC issuer',
  lscNotCurrentCapf: 'LSC not issued by the current CAPF',
  lscStatus: 'LSC Status',
  micExpiresAfter: 'MIC expires after',
  micExpiresBefore: 'MIC expires before',
  micIssuer: 'MIC issuer',
  micStatus: 'MIC Status',
  mode: 'Mode',
  model: 'Device Type',
  name: 'Name',
  namePattern: 'Device Name',
  names: 'Certificates',
  newPassword: 'New password',
  offset: 'Page',
  oldTftp: 'Old cluster TFTP',
  oldTvs: 'Old cluster TVS',
  on: 'On',
  onlyFailed: 'Only failed devices',
  onProfileMismatch: "Use each profile's Authentication Mode",
  operation: 'Certificate Operation',
  order: 'Order',
  password: 'Password',
  pem: 'Certificate (PEM)',
  phones: 'Phones',
  port: 'Port',
  previous: 'Previous certificate',
  profile: 'Device Security Profile',
  profileName: 'Device Security Profile',
  reason: 'Reason',
  role: 'Role',
  roles: 'Roles',
  rsaKeySize: 'RSA Key Size (Bits)',
  rule: 'Rule',
  scopes: 'Scopes',
  secret: 'Webhook secret',
  security: 'Connection security',
  serial: 'Serial Number',
  sha: 'Fingerprint',
  since: 'Since',
  sort: 'Sort by',
  startDaysBefore: 'Start days before expiry',
  status: 'Certificate Operation Status',
  statusOperation: 'Status: operation',
  statusOutcome: 'Status: outcome',
  statusPrefix: 'Certificate Operation Status',
  statusReason: 'Status: reason',
  target: 'Target',
  tftp: 'Our TFTP as the phones reach it',
  to: 'Recipients',
  update: 'CAPF update',
  url: 'Webhook URL',
  username: 'User name',
  webhook: 'Webhook settings',
};

/** What a field must be, by JSON Schema rule (the words after the field's name). */
const RULES: Record<string, (v: Validation) => string> = {
  required: () => 'is required',
  pattern: (v) => (v.field === 'authString' ? 'must be 4 to 10 digits' : 'is not in the expected form'),
  enum: (v) => (v.allowed?.length ? `must be one of: ${v.allowed.join(', ')}` : 'is not one of the choices'),
  type: () => 'has the wrong kind of value',
  minLength: (v) => (v.limit === 1 ? 'must not be empty' : `must be at least ${v.limit} characters`),
  maxLength: (v) => `must be at most ${v.limit} characters`,
  minimum: (v) => `must be at least ${v.limit}`,
  maximum: (v) => `must be at most ${v.limit}`,
  minItems: (v) => `needs at least ${v.limit}`,
  maxItems: (v) => `takes at most ${v.limit}`,
  additionalProperties: () => 'is not accepted here',
  format: () => 'is not in the expected form',
};

export interface Validation {
  location?: string;
  field: string | null;
  keyword: string | null;
  allowed?: string[];
  limit?: number;
}

export function fieldLabel(field: string): string {
  return FIELD_LABELS[field] ?? field.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/^./, (c) => c.toUpperCase());
}

/** The validation detail of an API error, when it is one (ERR_BAD_REQUEST from the schema). */
export function validationOf(details: Record<string, unknown> | undefined): Validation | null {
  const v = details?.validation as Validation | undefined;
  return v && typeof v === 'object' && v.field ? v : null;
}

/** A field's refusal in words: "Authentication String must be 4 to 10 digits." */
export function validationSentence(v: Validation): string {
  const rule = (v.keyword && RULES[v.keyword]?.(v)) || 'is not valid';
  return `${v.field ? fieldLabel(v.field) : 'A value'} ${rule}.`;
}

interface Mismatch {
  profileName: string;
  profileMode: string;
  phones: number;
}

/**
 * The sentence for an error: the code's sentence, then what the server said when it adds something (the device,
 * the date, the profile), except where the server's words are API terms: validation and profile mismatches are
 * rebuilt from their details.
 */
export function describeError(
  code: string,
  serverMessage: string,
  details?: Record<string, unknown>,
  authModeLabel: (k: string) => string = (k) => k,
): string {
  const base = (ERROR_MESSAGES as Record<string, string | undefined>)[code];
  const v = code === 'ERR_BAD_REQUEST' ? validationOf(details) : null;
  if (v) return validationSentence(v);
  if (code === 'ERR_PROFILE_MISMATCH') {
    const list = details?.mismatches as Mismatch[] | undefined;
    if (list?.length)
      return `${base} ${list
        .map(
          (m) =>
            `"${m.profileName}" uses ${authModeLabel(m.profileMode)} (${m.phones} phone${m.phones === 1 ? '' : 's'})`,
        )
        .join('; ')}. Choose that mode, tick "Use each profile's Authentication Mode", or narrow the query.`;
    if (details?.profile)
      return (
        `${base} The profile "${String(details.profile)}" uses ${authModeLabel(String(details.profileMode))}: ` +
        'choose that mode, or change the profile.'
      );
  }
  if (!base) return serverMessage || 'The request failed.';
  const extra = serverMessage.trim();
  if (!extra || base.toLowerCase().includes(extra.toLowerCase().replace(/\.$/, ''))) return base;
  return `${base} ${extra.charAt(0).toUpperCase()}${extra.slice(1)}${/[.!?)]$/.test(extra) ? '' : '.'}`;
}
