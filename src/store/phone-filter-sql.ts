// Owns the SQL of the phone query fields and sort columns (SQLite and PostgreSQL): one condition per field
// of phones/query-fields.ts, keyed by its query name so that tsc refuses a field without its SQL, and the
// one function that builds a query's WHERE from them (listing, counting, bulk scans and reports).

import { sql, type Expression, type SelectQueryBuilder, type SqlBool } from 'kysely';
import type { Database, PhonesTable } from './tables.ts';
import type { PhoneFilter, PhoneSort, QueryFacts, StatusMatch } from '../phones/index.ts';
import { AppError } from '../shared/errors.ts';

/** Escapes LIKE wildcards so user text is matched literally. */
function likeLiteral(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

// LIKE with an explicit ESCAPE: SQLite has no default escape character, PostgreSQL's is backslash.
const like = (col: string, pattern: string) => sql<SqlBool>`${sql.raw(col)} like ${pattern} escape '\\'`;
const contains = (col: string, text: string) => like(`lower(${col})`, `%${likeLiteral(text.toLowerCase())}%`);

/** WHERE of a status filter: any of the matches (OR), each the AND of the codes it names. */
function statusCondition(matches: readonly StatusMatch[]): Expression<SqlBool> {
  if (matches.length === 0) return sql<SqlBool>`1 = 0`;
  const one = (m: StatusMatch) => {
    const parts = [];
    if (m.outcome) parts.push(sql`status_outcome = ${m.outcome}`);
    if (m.operation) parts.push(sql`status_operation = ${m.operation}`);
    if (m.reason) parts.push(sql`status_reason = ${m.reason}`);
    return parts.length ? sql`(${sql.join(parts, sql` and `)})` : sql`1 = 1`;
  };
  return sql<SqlBool>`(${sql.join(matches.map(one), sql` or `)})`;
}

/** The node's facts a condition may compare to; the domain sets them on every query it runs. */
function factsOf(facts: QueryFacts | undefined): QueryFacts {
  if (!facts) throw new AppError('ERR_INTERNAL', "a phone filter compares to the node's facts; the query has none");
  return facts;
}

type FilterSql = {
  [K in keyof PhoneFilter]-?: (value: NonNullable<PhoneFilter[K]>, facts: () => QueryFacts) => Expression<SqlBool>;
};

/** The SQL mapping: the condition of each query field on the phones table. */
export const PHONE_FILTER_SQL: FilterSql = {
  namePattern: (v) => {
    const p = v.toUpperCase();
    return like('device_name', p.endsWith('*') ? `${likeLiteral(p.slice(0, -1))}%` : `%${likeLiteral(p)}%`);
  },
  modelContains: (v) => contains('model', v),
  descriptionContains: (v) => contains('description', v),
  // lsc_not_after, not lsc_serial: both are written from the same LSC value (fromPhone, patchColumns),
  // and only lsc_not_after is indexed (migration 0003).
  lscStatus: (v) => (v === 'installed' ? sql<SqlBool>`lsc_not_after is not null` : sql<SqlBool>`lsc_not_after is null`),
  lscExpiresBefore: (v) => sql<SqlBool>`lsc_not_after < ${v}`,
  lscExpiresAfter: (v) => sql<SqlBool>`lsc_not_after > ${v}`,
  lscIssuerContains: (v) => contains('lsc_issuer', v),
  lscNotCurrentCapf: (_v, facts) => sql<SqlBool>`(lsc_issuer is not null and lsc_issuer <> ${facts().capfSubjectDn})`,
  // The recorded MIC (migration 0009): mic_serial is set whenever a MIC is; mic_not_after is indexed.
  micStatus: (v) => (v === 'recorded' ? sql<SqlBool>`mic_serial is not null` : sql<SqlBool>`mic_serial is null`),
  micIssuerContains: (v) => contains('mic_issuer', v),
  micExpiresBefore: (v) => sql<SqlBool>`mic_not_after < ${v}`,
  micExpiresAfter: (v) => sql<SqlBool>`mic_not_after > ${v}`,
  // ITL File Status (migration 0008): the row of the ITL this phone was last served.
  itlStatus: (v, facts) => {
    const row = sql`select 1 from phone_itl_status s where s.device_name = phones.device_name`;
    if (v === 'never') return sql<SqlBool>`not exists (${row})`;
    const sha1 = facts().currentItlSha1;
    return v === 'current'
      ? sql<SqlBool>`exists (${row} and s.itl_sha1 = ${sha1})`
      : sql<SqlBool>`exists (${row} and s.itl_sha1 <> ${sha1})`;
  },
  authString: (v) => sql<SqlBool>`auth_string = ${v}`,
  status: statusCondition,
  operation: (v) => sql<SqlBool>`cert_operation = ${v}`,
  profileName: (v) => sql<SqlBool>`profile_name = ${v}`,
};

/** The columns of each sort (the device name breaks ties). */
export const PHONE_SORT_SQL: Record<PhoneSort, readonly (keyof PhonesTable & string)[]> = {
  deviceName: ['device_name'],
  model: ['model'],
  // Codes, not the sentence: by outcome, then operation, then reason (the index of migration 0006).
  status: ['status_outcome', 'status_operation', 'status_reason'],
  lscNotAfter: ['lsc_not_after'],
  updatedAt: ['updated_at'],
};

/** The conditions of a query's filter, in table order; an absent, empty or false value is no condition. */
export function phoneFilterConditions(
  q: PhoneFilter & { facts?: QueryFacts },
  mapping: FilterSql = PHONE_FILTER_SQL,
): Expression<SqlBool>[] {
  const out: Expression<SqlBool>[] = [];
  const facts = () => factsOf(q.facts);
  type Condition = (v: unknown, f: typeof facts) => Expression<SqlBool>;
  for (const [key, toSql] of Object.entries(mapping) as [keyof PhoneFilter, Condition][]) {
    const v: unknown = q[key];
    if (v === undefined || v === null || v === '' || v === false) continue;
    out.push(toSql(v, facts));
  }
  return out;
}

/** The WHERE clauses of a phone query (shared by listing, counting, bulk scans and reports). */
// biome-ignore lint/suspicious/noExplicitAny: any selection: the filter only adds WHERE clauses, whatever is selected
type AnyPhoneSelect = SelectQueryBuilder<Database, 'phones', any>;
export function applyPhoneFilter<Q extends AnyPhoneSelect>(qb0: Q, q: PhoneFilter & { facts?: QueryFacts }): Q {
  let qb: AnyPhoneSelect = qb0;
  for (const c of phoneFilterConditions(q)) qb = qb.where(c);
  return qb as Q;
}
