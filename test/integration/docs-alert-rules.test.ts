// The example Prometheus alert rules of docs/operations.md ("Certificate monitor"): `promtool check rules` accepts
// them when Debian's prometheus package is installed (.ci/apt/monitor.txt), and every metric they use is one a node
// exposes (checked against the registry of src/metrics, so a renamed metric fails here).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMetrics } from '../../src/metrics/index.ts';

const PROMTOOL = '/usr/bin/promtool';
const doc = readFileSync(new URL('../../docs/operations.md', import.meta.url), 'utf8');

function alertRulesBlock(): string {
  const at = doc.indexOf('### Alert rules (Prometheus)');
  assert.ok(at >= 0, 'docs/operations.md has the "Alert rules (Prometheus)" section');
  const m = /```yaml\n(groups:[\s\S]*?)```/.exec(doc.slice(at));
  assert.ok(m, 'the section holds a ```yaml block starting with groups:');
  return m[1]!;
}

test('every metric the example alert rules use is exposed by a node', async () => {
  const rules = alertRulesBlock();
  const used = new Set([...rules.matchAll(/\b(opencapf_[a-z_]+)\b/g)].map((m) => m[1]!));
  assert.ok(used.size >= 4, [...used].join(', '));
  const names = new Set((await createMetrics().registry.getMetricsAsJSON()).map((m) => m.name));
  for (const n of used) assert.ok(names.has(n), `${n} is not a metric of src/metrics`);
  const alerts = [...rules.matchAll(/- alert: (\w+)/g)].map((m) => m[1]);
  assert.equal(new Set(alerts).size, alerts.length, 'alert names are unique');
});

test('promtool check rules accepts the example alert rules', {
  skip: existsSync(PROMTOOL) ? false : `${PROMTOOL} is missing (apt-get install prometheus)`,
}, () => {
  const dir = mkdtempSync(join(tmpdir(), 'opencapf-rules-'));
  try {
    const file = join(dir, 'opencapf.rules.yml');
    writeFileSync(file, alertRulesBlock());
    const r = spawnSync(PROMTOOL, ['check', 'rules', file], { encoding: 'utf8' });
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /SUCCESS: 7 rules found/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
