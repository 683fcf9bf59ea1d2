import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DEVICE_NAME_MAX, hasPerMacFiles, macOfDeviceName, parseDeviceName } from './device-name.ts';

test('desk phones, ATAs and softphones in the forms CUCM has them', () => {
  const ok = (raw: string, name: string, kind: string, mac: string | null = null) =>
    assert.deepEqual(parseDeviceName(raw), { ok: true, name, kind, mac }, raw);
  ok('SEP001122AABBCC', 'SEP001122AABBCC', 'desk-phone', '001122AABBCC');
  ok(' sep001122aabbcc ', 'SEP001122AABBCC', 'desk-phone', '001122AABBCC');
  ok('00:11:22:aa:bb:cc', 'SEP001122AABBCC', 'desk-phone', '001122AABBCC');
  ok('00-11-22-AA-BB-CC', 'SEP001122AABBCC', 'desk-phone', '001122AABBCC');
  ok('0011.22aa.bbcc', 'SEP001122AABBCC', 'desk-phone', '001122AABBCC');
  ok('001122aabbcc', 'SEP001122AABBCC', 'desk-phone', '001122AABBCC');
  ok('ATA001122AABBCC', 'ATA001122AABBCC', 'ata', '001122AABBCC');
  ok('CSF123', 'CSF123', 'softphone');
  ok('csfjsmith', 'CSFJSMITH', 'softphone');
  ok('BOTJ.SMITH-2_X', 'BOTJ.SMITH-2_X', 'softphone');
  ok('TCTJSMITH', 'TCTJSMITH', 'softphone');
  ok('TABABCDEFGHIJKL', 'TABABCDEFGHIJKL', 'softphone');
  assert.equal(macOfDeviceName('CSF123'), null);
  assert.equal(hasPerMacFiles('SEP001122AABBCC'), true);
  assert.equal(hasPerMacFiles('CSF123'), false);
  assert.equal(hasPerMacFiles('ATA001122AABBCC'), false);
});

test('bad names get a reason that says what is wrong', () => {
  const bad = (raw: string, re: RegExp) => {
    const p = parseDeviceName(raw);
    assert.equal(p.ok, false, raw);
    if (!p.ok) assert.match(p.reason, re, raw);
  };
  bad('', /empty/);
  bad('SEP0011', /SEP must be followed by the 12 hexadecimal digits/);
  bad('SEP00112233445G', /12 hexadecimal digits/);
  bad('CSFABCDEFGHIJKLM', /at most 15 characters .* has 16/);
  bad('CSF', /must be followed by the rest/);
  bad('CSFJ SMITH', /holds " ": only letters, digits, dot, dash and underscore/);
  bad('CSFjsmith<script>', /at most 15|holds "<"/);
  bad('PHONE1', /not a device name: expected SEP \+ 12 hex digits.*CSF\/BOT\/TCT\/TAB/);
  bad('00:11:22:33:44', /not a device name/);
});

test('property: parsing never throws; an accepted name is its own normal form, short, and in the charset', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 40 }), (raw) => {
      const p = parseDeviceName(raw);
      if (!p.ok) return;
      assert.ok(p.name.length <= DEVICE_NAME_MAX);
      assert.match(p.name, /^[A-Z0-9._-]+$/);
      assert.deepEqual(parseDeviceName(p.name), p, 'normal form is a fixed point');
    }),
    { numRuns: 2000 },
  );
  const softphone = fc
    .tuple(fc.constantFrom('CSF', 'BOT', 'TCT', 'TAB', 'csf', 'Bot'), fc.stringMatching(/^[A-Za-z0-9._-]{1,12}$/))
    .map(([p, r]) => p + r);
  fc.assert(
    fc.property(softphone, (raw) => {
      const p = parseDeviceName(raw);
      assert.ok(p.ok && p.kind === 'softphone' && p.name === raw.toUpperCase(), raw);
    }),
  );
});
