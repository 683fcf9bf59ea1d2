// The web UI has a sentence for every error code the server can send and a name for every field its requests take:
// the codes are enumerated from ERROR_TABLE and from every literal ERR_* in src/ (a code sent without the table
// would show up here), the fields from the OpenAPI document of the running app. A validation error of the real API
// becomes words at its field, never `body/authString must match pattern`.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_TABLE } from '../../src/shared/errors.ts';
import {
  describeError,
  ERROR_MESSAGES,
  FIELD_LABELS,
  validationOf,
  validationSentence,
} from '../../web/src/error-messages.ts';
import { startApiLab, type ApiLab } from '../helpers/api-lab.ts';

const SRC = join(import.meta.dirname, '..', '..', 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return n.endsWith('.ts') && !n.endsWith('.test.ts') ? [p] : [];
  });
}

let lab: ApiLab;
before(async () => {
  lab = await startApiLab();
});
after(async () => {
  await lab.close();
});

test('every error code the server can send has a sentence, in words, ending with a full stop', () => {
  const codes = new Set(Object.keys(ERROR_TABLE));
  for (const f of sourceFiles(SRC))
    for (const m of readFileSync(f, 'utf8').matchAll(/['"`](ERR_[A-Z0-9_]*[A-Z0-9])['"`]/g)) codes.add(m[1]!);
  assert.ok(codes.size >= Object.keys(ERROR_TABLE).length);
  const missing = [...codes].filter((c) => !(c in ERROR_MESSAGES));
  assert.deepEqual(missing, [], `codes without a sentence in web/src/error-messages.ts: ${missing.join(', ')}`);
  for (const [code, text] of Object.entries(ERROR_MESSAGES)) {
    assert.match(text, /^[A-Z"].{10,}[.]$/, `${code}: a sentence`);
    assert.doesNotMatch(text, /ERR_|body\/|must match pattern|onProfileMismatch/, `${code}: no API terms`);
  }
});

test('every field of every request of the API has a name in the UI', async () => {
  const doc = (await lab.app.inject({ method: 'GET', url: '/api/docs' })).json() as {
    paths: Record<string, Record<string, { requestBody?: unknown; parameters?: { name: string }[] }>>;
  };
  const names = new Set<string>();
  const walk = (s: unknown): void => {
    if (!s || typeof s !== 'object') return;
    const o = s as Record<string, unknown>;
    if (o.properties && typeof o.properties === 'object')
      for (const [k, v] of Object.entries(o.properties)) {
        names.add(k);
        walk(v);
      }
    walk(o.items);
    for (const k of ['anyOf', 'oneOf', 'allOf']) if (Array.isArray(o[k])) for (const x of o[k]) walk(x);
  };
  for (const ops of Object.values(doc.paths))
    for (const op of Object.values(ops)) {
      walk((op.requestBody as { content?: Record<string, { schema?: unknown }> } | undefined)?.content);
      for (const c of Object.values(
        (op.requestBody as { content?: Record<string, { schema?: unknown }> } | undefined)?.content ?? {},
      ))
        walk(c.schema);
      for (const p of op.parameters ?? []) names.add(p.name);
    }
  assert.ok(names.size > 50, `${names.size} fields found`);
  const missing = [...names].filter((n) => !(n in FIELD_LABELS));
  assert.deepEqual(missing, [], `request fields without a UI name in FIELD_LABELS: ${missing.join(', ')}`);
});

test('a validation error of the real API becomes words at its field', async () => {
  await lab.ctx.phones.addPhones([{ deviceName: 'SEP001122334455', model: 'Cisco 8845', description: '' }], {
    name: 'test',
    source: 'test',
  });
  const r = await lab.call('PUT', '/api/v1/phones/SEP001122334455/capf', {
    operation: 'install',
    authMode: 'auth-string',
    authString: '12',
  });
  assert.equal(r.statusCode, 400, r.body);
  const e = r.json().error as { code: string; message: string; details: Record<string, unknown> };
  assert.match(e.message, /authString/, 'scripts still get the schema path');
  const v = validationOf(e.details);
  assert.deepEqual(v && { field: v.field, keyword: v.keyword }, { field: 'authString', keyword: 'pattern' });
  assert.equal(describeError(e.code, e.message, e.details), 'Authentication String must be 4 to 10 digits.');
  const unknown = await lab.call('PUT', '/api/v1/phones/SEP001122334455/capf', { operation: 'install', color: 1 });
  const u = unknown.json().error;
  assert.equal(validationSentence(validationOf(u.details)!), 'Color is not accepted here.');
  const bad = await lab.call('PUT', '/api/v1/phones/SEP001122334455/capf', { operation: 'sideways' });
  assert.match(describeError('ERR_BAD_REQUEST', '', bad.json().error.details), /^Certificate Operation must be one of/);
});

test('a profile mismatch is told in the UI words, without the API term onProfileMismatch', () => {
  const text = describeError(
    'ERR_PROFILE_MISMATCH',
    "ask to use each profile's mode (onProfileMismatch: use-profile), or narrow the query.",
    { mismatches: [{ profileName: 'Strings', profileMode: 'auth-string', phones: 2 }] },
    (k) => (k === 'auth-string' ? 'By Authentication String' : k),
  );
  assert.match(text, /"Strings" uses By Authentication String \(2 phones\)/);
  assert.match(text, /Use each profile's Authentication Mode/);
  assert.doesNotMatch(text, /onProfileMismatch/);
});
