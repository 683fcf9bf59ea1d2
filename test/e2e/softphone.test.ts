// Softphones (issue 18 item 1): CUCM device names that are not SEP + MAC — CSF/BOT/TCT/TAB — go the whole path
// on a real OpenCAPF over 127.0.0.1: phone add and capf schedule through the CLI, a Jabber-style CAPF session
// (VERSION 2, no PASSWORD, no REQUEST_IN_PROGRESS) through `opencapf emulate jabber`, Upgrade Success, an LSC
// whose CN is the device name, the phone list; bad names get a clear reason and change nothing.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { startCapfLab, type CapfLab } from '../helpers/capf-lab.ts';
import { cli } from '../helpers/cli.ts';
import { runJabber } from '../../src/emulator/index.ts';

let lab: CapfLab;
let out: string;
const actor = { name: 'test', source: 'test' };
before(async () => {
  lab = await startCapfLab();
  out = mkdtempSync(join(tmpdir(), 'opencapf-jabber-'));
});
after(async () => {
  await lab.close();
  rmSync(out, { recursive: true, force: true });
});

test('CSF device: CLI add + schedule, emulate jabber enrols, Upgrade Success, LSC CN is the device name', async () => {
  const D = ['--data-dir', lab.dir];
  const add = await cli([
    'phone',
    'add',
    'csfjsmith',
    'TCTJ.DOE-2',
    '--model',
    'Cisco Unified Client Services Framework',
    ...D,
  ]);
  assert.equal(add.code, 0, add.stderr);
  const sch = await cli(['capf', 'schedule', 'install', 'CSFJSMITH', 'tctj.doe-2', ...D]);
  assert.equal(sch.code, 0, sch.stderr);
  assert.match(sch.stdout, /CSFJSMITH/);

  const r = await cli(['emulate', 'jabber', 'CSFJSMITH', '--capf', `127.0.0.1:${lab.port}`, '--save', out, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.outcome, 'installed');
  assert.ok(!j.log.some((l: string) => /REQUEST_IN_PROGRESS/.test(l)), 'Jabber sends no REQUEST_IN_PROGRESS');
  const [session] = (await lab.ctx.phones.detail('CSFJSMITH')).sessions;
  assert.equal(session!.protocolVersion, 2, 'the server saw VERSION 2');
  assert.match(JSON.stringify(session!.log), /AUTH_RESPONSE device=CSFJSMITH version=2/);
  assert.equal(JSON.stringify(j).includes('PRIVATE KEY'), false, 'the JSON output carries no private key');
  assert.equal(statSync(join(out, 'CSFJSMITH.key.pem')).mode & 0o777, 0o600);
  const lsc = new X509Certificate(readFileSync(join(out, 'CSFJSMITH.lsc.pem')));
  assert.match(lsc.subject, /^CN=CSFJSMITH$/m);

  const phone = await lab.ctx.phones.getPhone('CSFJSMITH');
  assert.equal(phone.status, 'Upgrade Success');
  assert.equal(phone.lsc?.serialHex, j.lsc.serialHex);
  const list = await cli(['phone', 'list', '--json', ...D]);
  const names = JSON.parse(list.stdout).items.map((p: { deviceName: string }) => p.deviceName);
  assert.ok(names.includes('CSFJSMITH') && names.includes('TCTJ.DOE-2'), list.stdout);
});

test('a client sending the name in another case is matched (liberal); the stored name stays upper-case', async () => {
  await lab.ctx.phones.addPhones([{ deviceName: 'BOTJDOE' }], actor);
  await lab.ctx.phones.schedule(['botjdoe'], { operation: 'install' }, actor);
  const r = await runJabber({ host: '127.0.0.1', port: lab.port, deviceName: 'BOTJDOE' });
  assert.equal(r.outcome, 'installed', r.log.join('\n'));
  assert.equal((await lab.ctx.phones.getPhone('BOTJDOE')).status, 'Upgrade Success');
});

test('bad device names: a clear reason, exit 2 (usage) or a per-name failure, nothing added', async () => {
  const D = ['--data-dir', lab.dir];
  const before = (await lab.ctx.phones.list({ limit: 1000 })).total;
  const long = await cli(['phone', 'add', 'CSFABCDEFGHIJKLM', ...D]);
  assert.notEqual(long.code, 0);
  assert.match(long.stdout + long.stderr, /at most 15 characters/);
  const space = await cli(['phone', 'add', 'CSFJ SMITH', 'PHONE1', 'SEP0011', ...D]);
  assert.notEqual(space.code, 0);
  const text = space.stdout + space.stderr;
  assert.match(text, /only letters, digits, dot, dash and underscore/);
  assert.match(text, /not a device name: expected SEP \+ 12 hex digits/);
  assert.match(text, /SEP must be followed by the 12 hexadecimal digits/);
  assert.equal((await lab.ctx.phones.list({ limit: 1000 })).total, before);
  const desk = await cli(['emulate', 'jabber', 'SEP001122334455', '--capf', `127.0.0.1:${lab.port}`]);
  assert.match(desk.stderr, /desk-phone name: Jabber uses CSF\/BOT\/TCT\/TAB names/);
  const soft = await cli(['emulate', 'phone', 'CSFJSMITH', '--tftp', '127.0.0.1']);
  assert.match(soft.stderr, /softphone name: emulate phone boots SEP desk phones/);
});
