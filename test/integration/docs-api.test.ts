// docs/api.md documents every stable error code with its HTTP status (checked against ERROR_TABLE), every
// audit action with its display text (AUDIT_ACTIONS) and every phone filter with its CLI flag (field table).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ERROR_TABLE } from '../../src/shared/errors.ts';
import { AUDIT_ACTIONS } from '../../src/audit/actions.ts';

test('docs/api.md lists every error code with its HTTP status, and no stale ones', () => {
  const md = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');
  const rows = new Map([...md.matchAll(/^\| `(ERR_[A-Z0-9_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1]!, Number(m[2])]));
  for (const [code, v] of Object.entries(ERROR_TABLE))
    assert.equal(rows.get(code), v.http, `${code} missing or wrong in docs/api.md (run: npm run docs:api)`);
  for (const code of rows.keys()) assert.ok(code in ERROR_TABLE, `${code} is documented but no longer exists`);
});

test('docs/api.md lists every audit action with its display text, and no stale ones', () => {
  const md = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');
  const rows = new Map([...md.matchAll(/^\| `([a-z]+\.[a-z-]+)` \| (.+) \|$/gm)].map((m) => [m[1]!, m[2]!]));
  for (const [name, text] of Object.entries(AUDIT_ACTIONS)) {
    assert.equal(rows.get(name), text, `${name} missing or wrong in docs/api.md (run: npm run docs:api)`);
  }
  for (const name of rows.keys()) {
    assert.ok(Object.hasOwn(AUDIT_ACTIONS, name), `audit action ${name} is documented but not in src/audit/actions.ts`);
  }
});

test('docs/api.md lists every phone filter with its CLI flag (the field table)', async () => {
  const { phoneFilterFields } = await import('../../src/phones/query-fields.ts');
  const md = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');
  const rows = new Map([...md.matchAll(/^\| `([A-Za-z]+)` \| `([^`]+)` \|/gm)].map((m) => [m[1]!, m[2]!]));
  for (const [name, f] of phoneFilterFields()) {
    assert.equal(rows.get(name), f.cli, `${name} missing or stale in docs/api.md (run: npm run docs:api)`);
  }
});
