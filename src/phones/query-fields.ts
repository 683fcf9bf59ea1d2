// Owns the one table of phone query fields (Bulk Administration > Phones > Query, and Find) and the one
// table of sort columns. Everything else about a filter is derived from these rows: the PhoneQuery type,
// the API's JSON schemas (api/schemas.ts), the CLI options (cli/admin-common.ts), the mapping of API and
// CLI names to the query, the secret-filter guard (filter-access.ts) and the web filter form
// (web/src/components/phone-filter.tsx). The SQL of each field is the store's (store/phone-filter-sql.ts),
// keyed by the query names below so that tsc refuses a field without its SQL.
//
// Pure data and pure functions: the web UI imports this file.

import {
  CERT_OPERATIONS,
  FAILURE_REASONS,
  STATUS_OUTCOMES,
  STATUS_VERBS,
  statusFilter,
  type StatusFilterInput,
  type StatusMatch,
} from './model.ts';

/** What kind of value a filter takes; each kind has one JSON schema, one CLI shape and one form control. */
export type FilterFieldType = 'text' | 'enum' | 'time' | 'boolean';

export interface FilterFieldSpec {
  /** The PhoneQuery key the field sets. Fields with `status` all combine into PhoneQuery.status. */
  query: string;
  /** The part of the status filter this field is (codes, or today's sentence / prefix mapped to codes). */
  status?: keyof StatusFilterInput;
  type: FilterFieldType;
  /** The form label (CUCM's words where CUCM has the field). */
  label: string;
  /** The description in the API schema and the CLI help. */
  help: string;
  /** The commander flags, e.g. `--lsc-issuer <text>` (a boolean field takes none: `--flag`). */
  cli: string;
  maxLength?: number;
  pattern?: string;
  /** Enum codes with their display text, in display order. */
  values?: Readonly<Record<string, string>>;
  /** A secret: what it is called in refusals. Never in a URL, and only for roles that may read it. */
  secret?: string;
  /** A hint under the form control. */
  hint?: string;
  /** Where the web filter form shows it (absent: not in the form, e.g. the legacy status sentences). */
  web?: 'main' | 'more';
}

const labelsOf = <K extends string>(t: Record<K, { label: string }>): Record<K, string> =>
  Object.fromEntries(Object.entries<{ label: string }>(t).map(([k, v]) => [k, v.label])) as Record<K, string>;
const STATUS_OPERATION_LABELS = Object.fromEntries(
  Object.entries(CERT_OPERATIONS).map(([k, v]) => [k, (STATUS_VERBS as Record<string, string>)[k] ?? v.label]),
) as Record<keyof typeof CERT_OPERATIONS, string>;

/**
 * The phone query fields, keyed by their API name (query string and request bodies). Order is the order of
 * the schema, the CLI help and the form.
 */
export const PHONE_FILTER_FIELDS = {
  namePattern: {
    query: 'namePattern',
    type: 'text',
    maxLength: 16,
    label: 'Device Name',
    hint: 'part of the name, or a prefix ending with *',
    help: 'device name contains, or a prefix ending with *',
    cli: '--name <pattern>',
    web: 'main',
  },
  model: {
    query: 'modelContains',
    type: 'text',
    maxLength: 64,
    label: 'Device Type contains',
    help: 'Device Type / model contains',
    cli: '--model <text>',
    web: 'main',
  },
  description: {
    query: 'descriptionContains',
    type: 'text',
    maxLength: 128,
    label: 'Description contains',
    help: 'description contains',
    cli: '--description <text>',
    web: 'main',
  },
  lscStatus: {
    query: 'lscStatus',
    type: 'enum',
    values: { installed: 'Installed', none: 'None' },
    label: 'LSC Status',
    help: 'LSC status',
    cli: '--lsc <status>',
    web: 'main',
  },
  lscExpiresBefore: {
    query: 'lscExpiresBefore',
    type: 'time',
    label: 'LSC expires before',
    help: 'LSC expires before',
    cli: '--lsc-expires-before <iso-time>',
    web: 'more',
  },
  lscExpiresAfter: {
    query: 'lscExpiresAfter',
    type: 'time',
    label: 'LSC expires after',
    help: 'LSC expires after',
    cli: '--lsc-expires-after <iso-time>',
    web: 'more',
  },
  lscIssuer: {
    query: 'lscIssuerContains',
    type: 'text',
    maxLength: 256,
    label: 'LSC issuer contains',
    help: 'LSC issuer contains',
    cli: '--lsc-issuer <text>',
    web: 'more',
  },
  lscNotCurrentCapf: {
    query: 'lscNotCurrentCapf',
    type: 'boolean',
    label: 'LSC not issued by the current CAPF',
    help: 'the LSC was issued by another CA than the current CAPF certificate (e.g. the CAPF before a rollover)',
    cli: '--lsc-not-current-capf',
    web: 'more',
  },
  micStatus: {
    query: 'micStatus',
    type: 'enum',
    values: { recorded: 'Recorded', none: 'None' },
    label: 'MIC Status',
    help: 'a MIC was recorded (the phone proved one in a CAPF session, chained to a trusted manufacturing CA) or none',
    cli: '--mic <status>',
    web: 'more',
  },
  micIssuer: {
    query: 'micIssuerContains',
    type: 'text',
    maxLength: 256,
    label: 'MIC issuer contains',
    help: 'issuer of the recorded MIC contains (e.g. "CAP-RTP-001", "Cisco Manufacturing CA SHA2")',
    cli: '--mic-issuer <text>',
    web: 'more',
  },
  micExpiresBefore: {
    query: 'micExpiresBefore',
    type: 'time',
    label: 'MIC expires before',
    help: 'the recorded MIC expires before (now: the phones whose MIC has expired)',
    cli: '--mic-expires-before <iso-time>',
    web: 'more',
  },
  micExpiresAfter: {
    query: 'micExpiresAfter',
    type: 'time',
    label: 'MIC expires after',
    help: 'the recorded MIC expires after',
    cli: '--mic-expires-after <iso-time>',
    web: 'more',
  },
  itlStatus: {
    query: 'itlStatus',
    type: 'enum',
    values: { current: 'Current ITL', older: 'An older ITL', never: 'Never fetched an ITL' },
    label: 'ITL File Status',
    help: 'the ITL our TFTP/HTTP servers last served the phone: the current one, an older one, or none (never)',
    cli: '--itl-status <status>',
    web: 'more',
  },
  authString: {
    query: 'authString',
    type: 'text',
    maxLength: 10,
    pattern: '^\\d{4,10}$',
    secret: 'authentication string',
    label: 'Authentication String',
    cli: '--auth-string-is <digits>',
    web: 'more',
    help: 'authentication string equals (a secret: request bodies only, and only for roles that may read strings)',
  },
  statusOutcome: {
    query: 'status',
    status: 'outcome',
    type: 'enum',
    values: labelsOf(STATUS_OUTCOMES),
    label: 'Operation Status',
    help: 'Certificate Operation Status outcome code',
    cli: '--status-outcome <code>',
    web: 'main',
  },
  statusOperation: {
    query: 'status',
    status: 'operation',
    type: 'enum',
    values: STATUS_OPERATION_LABELS,
    label: 'Status of operation',
    help: 'the operation the Certificate Operation Status is about (install prints "Upgrade")',
    cli: '--status-operation <op>',
    web: 'main',
  },
  statusReason: {
    query: 'status',
    status: 'reason',
    type: 'enum',
    values: FAILURE_REASONS,
    label: 'Failure reason',
    help: 'failure reason code of the Certificate Operation Status',
    cli: '--status-reason <code>',
    web: 'more',
  },
  status: {
    query: 'status',
    status: 'text',
    type: 'text',
    maxLength: 128,
    label: 'Certificate Operation Status',
    help:
      "Certificate Operation Status, exactly (CUCM's sentence, mapped to codes; " +
      'prefer statusOutcome/statusOperation/statusReason)',
    cli: '--status <text>',
  },
  statusPrefix: {
    query: 'status',
    status: 'textPrefix',
    type: 'text',
    maxLength: 128,
    label: 'Certificate Operation Status starts with',
    cli: '--status-prefix <text>',
    help: 'Certificate Operation Status starts with, e.g. "Upgrade Failed" (mapped to codes)',
  },
  operation: {
    query: 'operation',
    type: 'enum',
    values: labelsOf(CERT_OPERATIONS),
    label: 'Certificate Operation',
    help: 'pending certificate operation',
    cli: '--operation-is <op>',
    web: 'main',
  },
  profile: {
    query: 'profileName',
    type: 'text',
    maxLength: 128,
    label: 'Phone Security Profile',
    help: 'phone security profile name',
    cli: '--profile <name>',
    web: 'more',
  },
} as const satisfies Record<string, FilterFieldSpec>;

type Fields = typeof PHONE_FILTER_FIELDS;
/** An API name of a phone query field. */
export type PhoneFilterName = keyof Fields;

/** The value a field takes as input (API, CLI, form). */
type InputOf<F> = F extends { type: 'enum'; values: infer V }
  ? Extract<keyof V, string>
  : F extends { type: 'boolean' }
    ? boolean
    : string;
/** The value a field gives the query (the status fields give code matches). */
type QueryValueOf<F> = F extends { status: string } ? StatusMatch[] : InputOf<F>;

/** The filter as the API and CLI take it (API names). */
export type PhoneFilterInput = { [K in PhoneFilterName]?: InputOf<Fields[K]> };
/** The filter as the domain and the store take it (query names). */
export type PhoneFilter = { [K in PhoneFilterName as Fields[K]['query']]?: QueryValueOf<Fields[K]> };

/** The fields as a list, in table order. */
export const phoneFilterFields = (): [PhoneFilterName, FilterFieldSpec][] =>
  Object.entries(PHONE_FILTER_FIELDS) as [PhoneFilterName, FilterFieldSpec][];

/**
 * The query of a filter given by API names, or by any other naming (`nameOf`: the CLI's option names). An
 * absent, empty or false value sets nothing; the status fields combine into one list of code matches.
 */
export function phoneFilterFrom(
  input: Readonly<Record<string, unknown>>,
  nameOf: (field: PhoneFilterName, spec: FilterFieldSpec) => string = (field) => field,
  fields: readonly [string, FilterFieldSpec][] = phoneFilterFields(),
): PhoneFilter {
  const out: Record<string, unknown> = {};
  const status: Record<string, unknown> = {};
  for (const [name, f] of fields) {
    const v = input[nameOf(name as PhoneFilterName, f)];
    if (v === undefined || v === null || v === '' || v === false) continue;
    if (f.status) status[f.status] = v;
    else out[f.query] = v;
  }
  const matches = statusFilter(status as StatusFilterInput);
  if (matches) out.status = matches;
  return out as PhoneFilter;
}

/**
 * What the node knows that a filter may compare to (e.g. the current CAPF certificate). The domain adds it to
 * each query it runs (withFacts); users never give it, and the API and CLI mappers never set it.
 */
export interface QueryFacts {
  /** Subject DN of the current CAPF certificate: the issuer of every LSC this node issues now. */
  capfSubjectDn: string;
  /** SHA-1 of the ITLFile.tlv served now (ITL File Status "current"). */
  currentItlSha1: string;
}

/** The query with the node's facts, for the store's SQL mapping. */
export function withFacts<Q extends object>(q: Q, facts: QueryFacts): Q & { facts: QueryFacts } {
  return { ...q, facts };
}

/** Query fields whose values are secrets (keyed by query name), with what they are called in refusals. */
export const SECRET_FILTER_FIELDS: Readonly<Record<string, { label: string }>> = Object.freeze(
  Object.fromEntries(phoneFilterFields().flatMap(([, f]) => (f.secret ? [[f.query, { label: f.secret }]] : []))),
);

/** The sort columns of a phone list, with their labels (the store maps each to its SQL columns). */
export const PHONE_SORTS = {
  deviceName: { label: 'Device Name' },
  model: { label: 'Model' },
  status: { label: 'Certificate Operation Status' },
  lscNotAfter: { label: 'LSC Expires' },
  updatedAt: { label: 'Updated' },
} as const;
export type PhoneSort = keyof typeof PHONE_SORTS;
export const PHONE_SORT_NAMES = Object.keys(PHONE_SORTS) as PhoneSort[];
