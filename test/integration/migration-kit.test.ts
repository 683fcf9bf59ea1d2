// The migration kit against a real old cluster on 127.0.0.1: `migrate export-trust` writes what the old cluster
// needs, `migrate check` asks A's TFTP and TVS as a phone would, the plan ticks from what was done, and the API
// gives the same (roles, bad input).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCapfLab, type CapfLab } from '../helpers/capf-lab.ts';
import { cli } from '../helpers/cli.ts';
import { parseCertificate, pemToDer } from '../../src/pki/index.ts';
import { createApiApp } from '../../src/api/app.ts';
import { apiDepsFrom } from '../../src/app/listeners/api.ts';
import { createListenerRegistry } from '../../src/shared/listener.ts';

let a: CapfLab; // the old cluster
let b: CapfLab; // this one (the new cluster)
let out: string;

before(async () => {
  a = await startCapfLab({ 'cluster.nodeName': 'cucm-a' });
  b = await startCapfLab({ 'cluster.nodeName': 'capf-b' });
  out = mkdtempSync(join(tmpdir(), 'opencapf-migrate-'));
  // The CLI reads the data directory's configuration as an admin's would, not the lab's overrides.
  writeFileSync(join(out, 'b.json'), JSON.stringify({ 'cluster.nodeName': 'capf-b' }));
});
after(async () => {
  await a.close();
  await b.close();
  rmSync(out, { recursive: true, force: true });
});

const onB = (...args: string[]) => cli(['--data-dir', b.dir, '--config', join(out, 'b.json'), ...args]);
const oldTftp = () => `127.0.0.1:${a.server.ports.tftp}`;
const oldTvs = () => `127.0.0.1:${a.server.ports.tvs}`;

test('export-trust writes our CallManager and ITLRecovery certificates and the manifest; no overwrite', async () => {
  const dir = join(out, 'to-old-cluster');
  const r = await onB('migrate', 'export-trust', dir);
  assert.equal(r.code, 0, r.stderr);
  const tftp = b.ctx.identities.get('tftp').certificate;
  const rec = b.ctx.identities.get('itlrecovery').certificate;
  const cm = parseCertificate(pemToDer(readFileSync(join(dir, 'capf-b-CallManager.pem'), 'utf8')));
  const ir = parseCertificate(pemToDer(readFileSync(join(dir, 'capf-b-ITLRecovery.pem'), 'utf8')));
  assert.equal(cm.sha1, tftp.sha1);
  assert.equal(ir.sha1, rec.sha1);
  const manifest = readFileSync(join(dir, 'MANIFEST.txt'), 'utf8');
  assert.match(manifest, /capf-b-CallManager\.pem[\s\S]*CallManager-trust, then again as Phone-SAST-trust/);
  assert.match(manifest, /opencapf tvs trust import capf-b-ITLRecovery\.pem/);
  const json = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  assert.equal(json.certificates.length, 2);
  assert.ok(!JSON.stringify(json).includes('PRIVATE'), 'no key in the manifest');
  for (const f of ['capf-b-CallManager.pem', 'capf-b-ITLRecovery.pem'])
    assert.ok(!readFileSync(join(dir, f), 'utf8').includes('PRIVATE KEY'), `${f} holds only a certificate`);
  assert.equal(statSync(join(dir, 'MANIFEST.txt')).mode & 0o777, 0o644);

  const again = await onB('migrate', 'export-trust', dir);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /already holds capf-b-CallManager\.pem.*--force/);
  const forced = await onB('migrate', 'export-trust', dir, '--force');
  assert.equal(forced.code, 0, forced.stderr);
});

test("check: a phone holding A's ITL refuses ours while A's TVS does not know our signer (exit 1, cures)", async () => {
  const r = await onB('migrate', 'check', '--old-tftp', oldTftp(), '--old-tvs', oldTvs(), '--json');
  assert.equal(r.code, 1, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.ok, false);
  assert.equal(j.verdict, 'refused');
  const byId = new Map(j.lines.map((l: { id: string }) => [l.id, l]));
  assert.equal((byId.get('old-itl') as { ok: boolean }).ok, true);
  assert.equal((byId.get('old-tvs-reachable') as { ok: boolean }).ok, true);
  assert.equal((byId.get('old-tvs-listed') as { ok: boolean }).ok, true);
  const v = byId.get('old-tvs-vouches') as { ok: boolean; cure: string };
  assert.equal(v.ok, false);
  assert.match(v.cure, /export-trust/);
  const p = byId.get('phone-accepts') as { ok: boolean; cure: string };
  assert.equal(p.ok, false);
  assert.match(p.cure, /rollback/i);
});

test("check: a TVS that the old ITL does not list is refused as a phone would (B's own TVS is not A's)", async () => {
  const r = await onB('migrate', 'check', '--old-tftp', oldTftp(), '--old-tvs', `127.0.0.1:${b.server.ports.tvs}`);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /FAIL old TVS 127\.0\.0\.1:\d+ presents certificate SHA-1 [0-9a-f]{40}, which the old ITL/);
});

test('check: our own TFTP as the phones reach it serves our ITL; a server that is not ours is named', async () => {
  const ok = await onB('migrate', 'check', '--tftp', `127.0.0.1:${b.server.ports.tftp}`, '--json');
  const j = JSON.parse(ok.stdout);
  assert.deepEqual(
    j.lines.map((l: { id: string; ok: boolean }) => [l.id, l.ok]),
    [['our-tftp', true]],
  );
  const wrong = await onB('migrate', 'check', '--tftp', oldTftp());
  assert.match(wrong.stdout, /FAIL 127\.0\.0\.1:\d+ serves an ITLFile\.tlv that is not ours/);
  assert.equal(wrong.code, 1);
});

test('check: bad input gets a clear error and nothing is recorded', async () => {
  const before = (await b.ctx.admin.audit.list({ action: 'migration.check' })).total;
  const cases: [string[], RegExp][] = [
    [['migrate', 'check'], /nothing to check/],
    [['migrate', 'check', '--old-tvs', 'host:99999'], /not host\[:port\]/],
    [['migrate', 'check', '--old-itl', join(out, 'nope.tlv')], /no such file/],
    [['migrate', 'check', '--old-itl', 'x', '--old-tftp', 'y'], /not both/],
    [['migrate', 'plan', '--from', 'callmanager'], /--from must be cucm or opencapf/],
  ];
  for (const [args, re] of cases) {
    const r = await onB(...args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, re);
  }
  assert.equal((await b.ctx.admin.audit.list({ action: 'migration.check' })).total, before);
  // A file that is not an ITL is a failed check line, not a crash.
  const junk = join(out, 'junk.tlv');
  writeFileSync(junk, Buffer.from('not an ITL at all'));
  const r = await onB('migrate', 'check', '--old-itl', junk, '--old-tvs', oldTvs());
  assert.equal(r.code, 1);
  assert.match(r.stdout, /FAIL old ITL from .*junk\.tlv/);
});

test('plan ticks the export and shows the failed check; the API gives the same plan, by role', async () => {
  const r = await onB('migrate', 'plan', '--from', 'cucm', '--json');
  assert.equal(r.code, 0, r.stderr);
  const plan = JSON.parse(r.stdout);
  const step = (id: string) => plan.steps.find((s: { id: string }) => s.id === id);
  assert.equal(step('export-trust').state, 'done');
  assert.equal(step('check').state, 'todo');
  assert.match(step('check').evidence, /FAILED/);
  assert.match(step('old-cluster-trust').details.join('\n'), /capf-b-CallManager\.pem as CallManager-trust/);
  const text = await onB('migrate', 'plan', '--from', 'opencapf');
  assert.match(text.stdout, /\[x\] 1\. Export our signing certificates/);
  assert.match(text.stdout, /opencapf tvs trust import capf-b-CallManager\.pem/);

  const running = createListenerRegistry();
  const app = await createApiApp(apiDepsFrom(b.ctx, { tls: false, running }));
  try {
    await b.ctx.admin.users.bootstrap('correct horse battery staple').catch(() => undefined);
    const mk = async (role: 'read-only' | 'operator') => {
      const name = `mig-${role}`;
      await b.ctx.admin.users.create(name, role, 'a long enough password', { name: 't', source: 't' });
      return (await b.ctx.admin.users.createToken(name, 't', ['api'], null, { name: 't', source: 't' })).token;
    };
    const ro = await mk('read-only');
    const op = await mk('operator');
    const call = (token: string, method: 'GET' | 'POST', url: string, payload?: object) =>
      app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload ? { payload } : {}) });
    const got = await call(ro, 'GET', '/api/v1/migration/plan?from=cucm');
    assert.equal(got.statusCode, 200, got.body);
    assert.deepEqual(
      got.json().steps.map((s: { id: string }) => s.id),
      plan.steps.map((s: { id: string }) => s.id),
    );
    assert.equal((await call(ro, 'GET', '/api/v1/migration/plan?from=nope')).statusCode, 400);
    assert.equal((await call(ro, 'POST', '/api/v1/migration/check', { oldTvs: [oldTvs()] })).statusCode, 403);
    const exp = await call(op, 'POST', '/api/v1/migration/export-trust');
    assert.equal(exp.statusCode, 200, exp.body);
    assert.equal(exp.json().certificates.length, 2);
    assert.match(exp.json().manifest, /Phone-SAST-trust/);
    const chk = await call(op, 'POST', '/api/v1/migration/check', { oldTftp: oldTftp(), oldTvs: [oldTvs()] });
    assert.equal(chk.statusCode, 200, chk.body);
    assert.equal(chk.json().verdict, 'refused');
    const bad = await call(op, 'POST', '/api/v1/migration/check', { oldTvs: ['a b c'] });
    assert.equal(bad.statusCode, 400);
    const audit = await b.ctx.admin.audit.list({ action: 'migration.export-trust' });
    assert.ok(
      audit.items.some((i) => i.actor === 'mig-operator'),
      'the API download is audited',
    );
  } finally {
    await app.close();
  }
  assert.ok(existsSync(join(out, 'to-old-cluster', 'MANIFEST.txt')));
});
