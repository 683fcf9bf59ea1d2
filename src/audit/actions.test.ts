// The audit action table is closed: recordAudit refuses a name outside it before writing, every name has a
// display text, and outside store/ and audit/ no module appends audit rows except through recordAudit.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError } from '../shared/errors.ts';
import { AUDIT_ACTIONS, assertAuditAction, auditActionText, isAuditAction, type AuditAction } from './actions.ts';
import { recordAudit } from './record.ts';
import type { AuditEntry } from './ports.ts';

const SRC = fileURLToPath(new URL('../', import.meta.url));

function sink() {
  const one: AuditEntry[] = [];
  const many: AuditEntry[][] = [];
  return {
    one,
    many,
    single: { appendAudit: async (e: AuditEntry) => void one.push(e) },
    batch: { appendAuditMany: async (es: readonly AuditEntry[]) => void many.push([...es]) },
  };
}

test('every action has a display text; names are dotted lower case', () => {
  const names = Object.keys(AUDIT_ACTIONS);
  assert.ok(names.length >= 28, `only ${names.length} actions`);
  for (const [name, text] of Object.entries(AUDIT_ACTIONS)) {
    assert.match(name, /^[a-z]+\.[a-z-]+$/, name);
    assert.ok(text.length > 3 && text !== name, `${name} has no display text`);
    assert.equal(auditActionText(name), text);
    assert.ok(isAuditAction(name));
  }
  assert.equal(auditActionText('legacy.thing'), 'legacy.thing', 'a stored name the table does not know is shown as is');
  assert.equal(isAuditAction('toString'), false, 'inherited properties are not actions');
  assert.equal(isAuditAction('phone.update'), false, "the stored name is 'phone.edit'");
});

test('recordAudit refuses an action outside the table at run time and writes nothing', async () => {
  const s = sink();
  const at = '2026-01-01T00:00:00.000Z';
  const actor = { name: 'admin', source: '10.0.0.1' };
  const bogus = 'phone.explode' as AuditAction;
  await assert.rejects(recordAudit(s.single, { at, actor, action: bogus, target: 'SEP000000000001' }), (e: unknown) => {
    assert.ok(e instanceof AppError);
    assert.equal(e.code, 'ERR_INTERNAL');
    assert.match(e.message, /unknown audit action "phone\.explode"/);
    return true;
  });
  // One bad event in a batch refuses the whole batch before anything is appended.
  const good = { at, actor, action: 'phone.add' as const, target: 'SEP000000000001' };
  await assert.rejects(recordAudit(s.batch, [good, { ...good, action: bogus }]), /unknown audit action/);
  assert.deepEqual([s.one.length, s.many.length], [0, 0]);
  assert.throws(() => assertAuditAction('__proto__'), /unknown audit action/);
});

test('recordAudit writes the row shape: actor name and source, details default {}; batches in one call', async () => {
  const s = sink();
  const at = '2026-01-01T00:00:00.000Z';
  const actor = { name: 'capf', source: '10.0.0.9:5000', extra: 'ignored' };
  await recordAudit(s.single, { at, actor, action: 'certificate.issue', target: 'SEP000000000001' });
  assert.deepEqual(s.one, [
    { at, actor: 'capf', source: '10.0.0.9:5000', action: 'certificate.issue', target: 'SEP000000000001', details: {} },
  ]);
  const events = (['phone.add', 'capf.schedule'] as const).map((action) => ({ at, actor, action, target: 'T' }));
  await recordAudit(s.batch, events);
  assert.deepEqual(
    s.many.map((b) => b.map((e) => e.action)),
    [['phone.add', 'capf.schedule']],
  );
  await recordAudit(s.batch, []);
  assert.equal(s.many.length, 1, 'an empty batch is no write');
});

test('outside store/ and audit/, audit rows are appended only through recordAudit', () => {
  const offenders: string[] = [];
  const walk = (dir: string): void => {
    for (const d of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, d.name);
      if (d.isDirectory()) walk(p);
      else if (d.name.endsWith('.ts') && !d.name.endsWith('.test.ts')) {
        const rel = relative(SRC, p);
        if (rel.startsWith('store/') || rel.startsWith('audit/')) continue;
        readFileSync(p, 'utf8')
          .split('\n')
          .forEach((line, i) => {
            if (/\.appendAudit(Many)?\(/.test(line)) offenders.push(`${rel}:${i + 1}`);
          });
      }
    }
  };
  walk(SRC);
  assert.ok(readdirSync(join(SRC, 'phones')).length > 5, 'the walk sees src/');
  assert.deepEqual(offenders, []);
});
