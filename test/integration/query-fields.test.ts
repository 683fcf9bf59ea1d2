// Every field of the phone query table reaches each derivation: the API schema, the CLI options and their
// mapping back to the query, the SQL mapping, the web form; and each derivation reads the row it is given.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { Kysely, SqliteDialect } from 'kysely';
import Database from 'better-sqlite3';
import {
  PHONE_FILTER_FIELDS,
  PHONE_SORTS,
  phoneFilterFields,
  phoneFilterFrom,
  SECRET_FILTER_FIELDS,
  type FilterFieldSpec,
} from '../../src/phones/query-fields.ts';
import { filterFieldSchema, phoneFilterProps, phoneSortSchema, urlFilterProps } from '../../src/api/schemas.ts';
import { filterFrom, withFilterOptions } from '../../src/cli/admin-common.ts';
import { PHONE_FILTER_SQL, PHONE_SORT_SQL, phoneFilterConditions } from '../../src/store/phone-filter-sql.ts';
import type { Database as Db } from '../../src/store/tables.ts';

const fields = phoneFilterFields();

/** A value of the field's type that is not "no filter". */
function sample(f: FilterFieldSpec): string | boolean {
  if (f.type === 'enum') return Object.keys(f.values ?? {}).at(-1)!;
  if (f.type === 'time') return '2030-01-01T00:00:00Z';
  if (f.type === 'boolean') return true;
  return f.pattern ? '1234' : 'x';
}

test('the API schema has one property per field, of its type; the URL leaves out exactly the secrets', () => {
  assert.deepEqual(
    Object.keys(phoneFilterProps),
    fields.map(([k]) => k),
  );
  for (const [k, f] of fields) {
    const s = phoneFilterProps[k] as { type: string; enum?: string[] };
    assert.equal(s.type, f.type === 'boolean' ? 'boolean' : 'string', k);
    if (f.type === 'enum') assert.deepEqual(s.enum, Object.keys(f.values!), k);
    assert.equal(Object.hasOwn(urlFilterProps, k), !f.secret, k);
  }
  assert.deepEqual(
    Object.keys(SECRET_FILTER_FIELDS),
    fields.filter(([, f]) => f.secret).map(([, f]) => f.query),
  );
  const flag: FilterFieldSpec = { query: 'x', type: 'boolean', label: 'X', help: 'x is set', cli: '--x' };
  assert.deepEqual(filterFieldSchema(flag), { type: 'boolean', description: 'x is set' });
  assert.deepEqual(phoneSortSchema.enum, Object.keys(PHONE_SORTS));
});

test('the CLI has one option per field, and its parsed value reaches the query as the API name does', () => {
  const cmd = withFilterOptions(new Command('find').exitOverride());
  const flags = cmd.options.map((o) => o.flags);
  assert.deepEqual(
    flags,
    fields.map(([, f]) => f.cli),
  );
  for (const [k, f] of fields) {
    const v = sample(f);
    const argv = f.type === 'boolean' ? [f.cli] : [f.cli.split(' ')[0]!, String(v)];
    const c = withFilterOptions(new Command('find').exitOverride());
    c.parse(argv, { from: 'user' });
    assert.deepEqual(filterFrom(c.opts()), phoneFilterFrom({ [k]: v }), k);
    assert.notDeepEqual(phoneFilterFrom({ [k]: v }), {}, k);
  }
});

test('a boolean field: a flag on the CLI, true in the query, absent when false', () => {
  const flagged: FilterFieldSpec = { query: 'flagged', type: 'boolean', label: 'F', help: 'f', cli: '--flagged' };
  const extra: [string, FilterFieldSpec][] = [['flagged', flagged]];
  const c = withFilterOptions(new Command('x').exitOverride(), extra);
  c.parse(['--flagged'], { from: 'user' });
  assert.deepEqual(filterFrom(c.opts(), extra), { flagged: true });
  assert.deepEqual(phoneFilterFrom({ flagged: false }, undefined, extra), {});
});

test('the SQL mapping has one condition per query field, and each runs on SQLite', async () => {
  const queryKeys = [...new Set(fields.map(([, f]) => f.query))].sort();
  assert.deepEqual(Object.keys(PHONE_FILTER_SQL).sort(), queryKeys);
  assert.deepEqual(Object.keys(PHONE_SORT_SQL), Object.keys(PHONE_SORTS));
  const db = new Kysely<Db>({ dialect: new SqliteDialect({ database: new Database(':memory:') }) });
  try {
    await db.schema
      .createTable('phones')
      .addColumn('device_name', 'text')
      .addColumn('model', 'text')
      .addColumn('description', 'text')
      .addColumn('lsc_not_after', 'text')
      .addColumn('lsc_issuer', 'text')
      .addColumn('auth_string', 'text')
      .addColumn('status_outcome', 'text')
      .addColumn('status_operation', 'text')
      .addColumn('status_reason', 'text')
      .addColumn('cert_operation', 'text')
      .addColumn('profile_name', 'text')
      .addColumn('mic_serial', 'text')
      .addColumn('mic_issuer', 'text')
      .addColumn('mic_not_after', 'text')
      .execute();
    await db.schema
      .createTable('phone_itl_status')
      .addColumn('device_name', 'text')
      .addColumn('itl_sha1', 'text')
      .execute();
    for (const [k, f] of fields) {
      const q = phoneFilterFrom({ [k]: sample(f) });
      const facts = { capfSubjectDn: 'CN=CAPF-00000000', currentItlSha1: '0'.repeat(40) };
      const conditions = phoneFilterConditions({ ...q, facts });
      assert.equal(conditions.length, 1, k);
      await db.selectFrom('phones').selectAll().where(conditions[0]!).execute();
    }
  } finally {
    await db.destroy();
  }
});

test('the web form shows every field that is not a legacy sentence filter, and never a secret in the URL', () => {
  for (const [k, f] of Object.entries(PHONE_FILTER_FIELDS) as [string, FilterFieldSpec][]) {
    if (!f.web) assert.ok(f.status === 'text' || f.status === 'textPrefix', `${k} is not in the web form`);
  }
});
