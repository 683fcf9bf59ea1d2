// Owns the JSON Schemas of the REST API (request validation with unknown fields rejected, response
// serialisation) and the mapping of domain objects to their API shape. Enumerations come from phones/model.ts.

import {
  AUTH_MODES,
  CERT_OPERATIONS,
  DEVICE_SECURITY_MODES,
  EC_KEY_SIZES,
  FAILURE_REASONS,
  KEY_ORDERS,
  RSA_KEY_SIZES,
  STATUS_OUTCOMES,
  PHONE_SORT_NAMES,
  phoneFilterFields,
  phoneFilterFrom,
  type FilterFieldSpec,
  type Phone,
  type PhoneFilter,
  type PhoneFilterInput,
} from '../phones/index.ts';
import { capfInformation, lscStatus } from '../phones/phone-admin.ts';
import { ROLES, TOKEN_SCOPES } from '../access/index.ts';
import type { BulkJob } from '../bulk/index.ts';

type Schema = Record<string, unknown>;

export const str = (max = 256, extra: Schema = {}): Schema => ({ type: 'string', maxLength: max, ...extra });
/**
 * The schema or JSON null. Written as `type: [T, 'null']` (not anyOf) because the validator coerces types:
 * inside anyOf its first branch would turn a null into "" or 0 before the null branch is tried.
 */
export const nullable = (s: Schema): Schema => {
  if (typeof s.type === 'string' && !('anyOf' in s) && !('oneOf' in s)) {
    return {
      ...s,
      type: [s.type, 'null'],
      ...(Array.isArray(s.enum) ? { enum: [...(s.enum as unknown[]), null] } : {}),
    };
  }
  return { anyOf: [{ type: 'null' }, s] };
};
export const obj = (properties: Record<string, Schema>, required: string[] = [], extra: Schema = {}): Schema => ({
  type: 'object',
  additionalProperties: false,
  properties,
  ...(required.length ? { required } : {}),
  ...extra,
});
export const arr = (items: Schema, maxItems = 100_000): Schema => ({ type: 'array', items, maxItems });

export const deviceNameParam = obj(
  {
    deviceName: str(32, {
      description: 'SEP/ATA + 12 hex digits (a MAC is accepted), or a CSF/BOT/TCT/TAB softphone name',
    }),
  },
  ['deviceName'],
);
export const isoTime = str(40, { description: 'ISO 8601 date/time, e.g. 2026-12-01T17:00:00Z' });

export const enums = {
  operation: { type: 'string', enum: Object.keys(CERT_OPERATIONS) },
  authMode: { type: 'string', enum: Object.keys(AUTH_MODES) },
  keyOrder: { type: 'string', enum: Object.keys(KEY_ORDERS) },
  rsaKeySize: { type: 'integer', enum: [...RSA_KEY_SIZES] },
  ecKeySize: { anyOf: [{ type: 'integer', enum: [...EC_KEY_SIZES] }, { type: 'null' }] },
  deviceSecurityMode: { type: 'string', enum: Object.keys(DEVICE_SECURITY_MODES) },
  role: { type: 'string', enum: Object.keys(ROLES) },
  scope: { type: 'string', enum: [...TOKEN_SCOPES] },
  onProfileMismatch: {
    type: 'string',
    enum: ['refuse', 'use-profile'],
    description:
      "When the authentication mode contradicts the phone security profile: refuse (default) or use the profile's mode",
  },
  lscStatus: { type: 'string', enum: ['none', 'installed'] },
  statusOutcome: { type: 'string', enum: Object.keys(STATUS_OUTCOMES) },
  statusReason: { type: 'string', enum: Object.keys(FAILURE_REASONS) },
};

/** A CAPF update (one phone, a device list, or a bulk job). */
export const capfUpdateProps = {
  operation: enums.operation,
  authMode: enums.authMode,
  authString: nullable(
    str(10, {
      pattern: '^(\\d{4,10}|generate)$',
      description: '4 to 10 digits, or "generate" for a unique string per device',
    }),
  ),
  keyOrder: enums.keyOrder,
  rsaKeySize: enums.rsaKeySize,
  ecKeySize: enums.ecKeySize,
  completesBy: nullable(isoTime),
  onProfileMismatch: enums.onProfileMismatch,
};
export const capfUpdate = obj(capfUpdateProps, ['operation']);

/** The JSON schema of one phone query field (one per field type; the help is its description). */
export function filterFieldSchema(f: FilterFieldSpec): Schema {
  const description = { description: f.help };
  switch (f.type) {
    case 'text':
      return str(f.maxLength ?? 256, { ...(f.pattern ? { pattern: f.pattern } : {}), ...description });
    case 'time':
      return { ...isoTime, description: `${f.help} (${isoTime.description as string})` };
    case 'enum':
      return { type: 'string', enum: Object.keys(f.values ?? {}), ...description };
    case 'boolean':
      return { type: 'boolean', ...description };
  }
}

/** The properties of a filter object: one per field of the table, by API name. */
export function filterSchemaProps(fields: readonly [string, FilterFieldSpec][]): Record<string, Schema> {
  return Object.fromEntries(fields.map(([name, f]) => [name, filterFieldSchema(f)]));
}

/** Phone query (Bulk Administration > Phones > Query, and Find): the field table of phones/query-fields.ts. */
export const phoneFilterProps = filterSchemaProps(phoneFilterFields());
export const phoneFilter = obj(phoneFilterProps);

/** The filters a URL may carry: every filter but the secret ones (those go in a request body). */
export const urlFilterProps = filterSchemaProps(phoneFilterFields().filter(([, f]) => !f.secret));

export type { PhoneFilterInput };

/** API filter names -> domain PhoneQuery names (the table's mapping). */
export function toPhoneQuery(f: PhoneFilterInput): PhoneFilter {
  return phoneFilterFrom(f);
}

/** The sort columns of a phone list (PHONE_SORTS). */
export const phoneSortSchema: Schema = { type: 'string', enum: [...PHONE_SORT_NAMES] };

const lscSchema = nullable(obj({ serialHex: str(), issuerDn: str(1024), notBefore: str(), notAfter: str() }));
const micSchema = nullable(
  obj({
    serialHex: str(),
    subjectDn: str(1024),
    issuerDn: str(1024),
    notAfter: nullable(str()),
    sha1: nullable(str(40)),
    seenAt: str(),
  }),
);

export const phoneSchema = obj({
  deviceName: str(),
  model: str(),
  description: str(),
  profileName: nullable(str()),
  capf: obj({
    operation: str(),
    authMode: str(),
    authString: nullable(str()),
    keyOrder: str(),
    rsaKeySize: { type: 'integer' },
    ecKeySize: nullable({ type: 'integer' }),
    completesBy: nullable(str()),
  }),
  capfInformation: obj(
    {
      certificateOperation: str(),
      authenticationMode: str(),
      authenticationString: nullable(str()),
      keyOrder: str(),
      rsaKeySize: { type: 'integer' },
      ecKeySize: nullable({ type: 'integer' }),
      operationCompletesBy: nullable(str()),
      certificateOperationStatus: str(),
    },
    [],
    { description: "The CAPF Information section with CUCM's labels" },
  ),
  status: str(256, { description: 'Certificate Operation Status as CUCM prints it (derived from operationStatus)' }),
  operationStatus: obj(
    { operation: enums.operation, outcome: enums.statusOutcome, reason: nullable(enums.statusReason) },
    ['operation', 'outcome', 'reason'],
    {
      description: 'Certificate Operation Status as codes (what filters take)',
    },
  ),
  lscStatus: { type: 'string', enum: ['None', 'Installed'] },
  lsc: lscSchema,
  mic: micSchema,
  micSeen: { type: 'boolean' },
  authFailures: { type: 'integer' },
  lastSessionAt: nullable(str()),
  configVersion: { type: 'integer' },
  createdAt: str(),
  updatedAt: str(),
});

export const sessionSchema = obj({
  sessionId: { type: 'integer' },
  deviceName: nullable(str()),
  peer: str(),
  startedAt: str(),
  endedAt: str(),
  operation: nullable(str()),
  authMode: nullable(str()),
  outcome: str(),
  reason: nullable(str(4096)),
  status: nullable(str()),
  protocolVersion: nullable({ type: 'integer' }),
  log: arr(obj({ at: str(), dir: str(), text: str(4096) })),
});

export const certificateSchema = obj({
  serialHex: str(),
  deviceName: str(),
  kind: str(),
  subjectDn: str(1024),
  issuerDn: str(1024),
  notBefore: str(),
  notAfter: str(),
  createdAt: str(),
  state: str(),
  revokedAt: nullable(str()),
  revocationReason: nullable(str()),
  sessionId: nullable({ type: 'integer' }),
});

export const itemResultSchema = obj({
  deviceName: str(),
  ok: { type: 'boolean' },
  phone: phoneSchema,
  code: str(),
  message: str(4096),
});

export const profileSchema = obj({
  name: str(),
  description: str(),
  deviceSecurityMode: str(),
  authMode: str(),
  keyOrder: str(),
  rsaKeySize: { type: 'integer' },
  ecKeySize: nullable({ type: 'integer' }),
  encryptedConfig: { type: 'boolean' },
  acceptExpiredMic: { type: 'boolean' },
  createdAt: str(),
  updatedAt: str(),
  phones: { type: 'integer' },
});

export const bulkJobSchema = obj({
  id: { type: 'integer' },
  kind: str(),
  state: str(),
  filter: { type: 'object', additionalProperties: true },
  request: { type: 'object', additionalProperties: true },
  createdBy: str(),
  source: str(),
  createdAt: str(),
  updatedAt: str(),
  total: { type: 'integer' },
  processed: { type: 'integer' },
  succeeded: { type: 'integer' },
  failed: { type: 'integer' },
  cursor: nullable(str()),
  error: nullable(str(4096)),
});

export const userSchema = obj({
  username: str(),
  role: str(),
  mustChangePassword: { type: 'boolean' },
  disabled: { type: 'boolean' },
  createdAt: str(),
  lastLoginAt: nullable(str()),
});
export const tokenSchema = obj({
  id: str(),
  username: str(),
  name: str(),
  scopes: arr(str()),
  createdAt: str(),
  expiresAt: nullable(str()),
  lastUsedAt: nullable(str()),
});
/** An audit row; `actionText` is the display text of `action` (audit/actions.ts; the stored name if unknown). */
export const auditSchema = obj({
  id: { type: 'integer' },
  at: str(),
  actor: str(),
  source: str(),
  action: str(),
  actionText: str(),
  target: str(),
  details: { type: 'object', additionalProperties: true },
});
export const errorSchema = obj({
  error: obj({ code: str(), message: str(8192), details: { type: 'object', additionalProperties: true } }),
});

/** The API shape of a bulk job: its filter and update hide a common authentication string from read-only users. */
export function bulkJobView(j: BulkJob, showSecrets: boolean) {
  if (showSecrets) return j;
  const hide = (v: unknown) => (v === undefined || v === null || v === 'generate' ? v : '(hidden)');
  return {
    ...j,
    filter: { ...j.filter, ...(j.filter.authString !== undefined ? { authString: hide(j.filter.authString) } : {}) },
    request: {
      ...j.request,
      ...(j.request.authString !== undefined ? { authString: hide(j.request.authString) } : {}),
    },
  };
}

/** The API shape of a phone; read-only users never see authentication strings. */
export function phoneView(p: Phone, showSecrets: boolean) {
  const info = capfInformation(p);
  const authString = showSecrets ? p.capf.authString : null;
  return {
    ...p,
    capf: { ...p.capf, authString },
    capfInformation: { ...info, authenticationString: authString },
    lscStatus: lscStatus(p),
    micSeen: p.mic !== null,
  };
}
