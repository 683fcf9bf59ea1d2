import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from './load.ts';
import { renderConfigurationReference } from './docs.ts';

test('defaults, file, env and flags in precedence order; frozen', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
  const file = join(dir, 'c.json');
  writeFileSync(file, JSON.stringify({ capf: { port: 4000, maxSessions: 10 }, 'log.level': 'warn' }));
  const c = loadConfig({ file, env: { OPENCAPF_CAPF_MAX_SESSIONS: '20' }, overrides: { 'log.level': 'debug' } });
  assert.equal(c['capf.port'], 4000);
  assert.equal(c['capf.maxSessions'], 20);
  assert.equal(c['log.level'], 'debug');
  assert.equal(c['capf.lscValidityDays'], 1825);
  assert.ok(Object.isFrozen(c));
});

test('unknown keys and bad values are rejected with the key named', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
  const file = join(dir, 'c.json');
  writeFileSync(file, JSON.stringify({ capf: { prot: 1 } }));
  assert.throws(() => loadConfig({ file, env: {} }), { code: 'ERR_CONFIG_UNKNOWN_KEY', message: /capf\.prot/ });
  assert.throws(() => loadConfig({ env: { OPENCAPF_CAPF_PROT: '1' } }), {
    code: 'ERR_CONFIG_UNKNOWN_KEY',
    message: /OPENCAPF_CAPF_PROT/,
  });
  assert.throws(() => loadConfig({ env: { OPENCAPF_CAPF_PORT: '70000' } }), {
    code: 'ERR_CONFIG_INVALID',
    message: /capf\.port/,
  });
  assert.throws(() => loadConfig({ env: {}, overrides: { 'store.driver': 'mysql' } }), { code: 'ERR_CONFIG_INVALID' });
  assert.throws(() => loadConfig({ env: {}, overrides: { 'store.driver': 'postgres' } }), {
    code: 'ERR_CONFIG_INVALID',
    message: /postgresUrl/,
  });
  writeFileSync(file, '{not json');
  assert.throws(() => loadConfig({ file, env: {} }), {
    code: 'ERR_CONFIG_INVALID',
    message: /cannot read config file/,
  });
});

test('docs/configuration.md is generated from the schema and up to date', () => {
  const committed = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
  assert.equal(committed, renderConfigurationReference(), 'run `npm run docs:config`');
});
