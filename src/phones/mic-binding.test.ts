// The MIC-to-device binding: a MIC names its own device in every form a MIC writes it, and never another device,
// in particular not the devices whose MAC is a run of hex digits spanning the model and the MAC (the old check).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { macsInValue, micNamesDevice } from './mic-binding.ts';

const hex12 = fc.stringMatching(/^[0-9A-F]{12}$/);
const model = fc.constantFrom('7965', '8845', '7942G', 'CP-8861', '9971', 'A1B2');
const subject = (cn: string, ...more: string[]) => ({ commonName: cn, subjectValues: [cn, ...more] });

test('a MIC names its own device: CP-<model>-SEP<MAC>, SEP<MAC>, bare and grouped MACs', () => {
  fc.assert(
    fc.property(hex12, model, (mac, m) => {
      const dev = `SEP${mac}`;
      const groups = mac.match(/../g)!;
      for (const s of [
        subject(`CP-${m}-SEP${mac}`, 'Cisco Systems Inc.'),
        subject(`SEP${mac}`),
        subject(`CP-${m}-SEP${mac.toLowerCase()}`),
        subject('Cisco IP Phone', `MAC ${groups.join(':')}`),
        subject('Cisco IP Phone', groups.join('-')),
        subject('Cisco IP Phone', `${mac.slice(0, 4)}.${mac.slice(4, 8)}.${mac.slice(8)}`),
      ])
        assert.equal(micNamesDevice(s, dev), true, JSON.stringify(s));
    }),
    { seed: 18_4, numRuns: 300 },
  );
});

test('a MIC never names another device, nor one whose MAC is a run across model and MAC', () => {
  fc.assert(
    fc.property(hex12, hex12, model, (mac, other, m) => {
      fc.pre(mac !== other);
      const s = subject(`CP-${m}-SEP${mac}`, 'Cisco Systems Inc.');
      assert.equal(micNamesDevice(s, `SEP${other}`), false);
      // Every 12-digit window of what the old check compared ("C7965E" + MAC): none but the MAC itself is named.
      const stripped = s.commonName.replace(/[^0-9A-F]/gi, '');
      for (let i = 0; i + 12 <= stripped.length; i++) {
        const window = stripped.slice(i, i + 12);
        assert.equal(micNamesDevice(s, `SEP${window}`), window === mac, window);
      }
    }),
    { seed: 18_5, numRuns: 300 },
  );
});

test('the former loophole: the MIC of SEP001122334455 (model 7965) does not name SEP7965E0011223', () => {
  const s = subject('CP-7965-SEP001122334455');
  assert.equal(micNamesDevice(s, 'SEP001122334455'), true);
  assert.equal(micNamesDevice(s, 'SEP7965E0011223'), false);
  assert.equal(micNamesDevice(s, 'SEPE00112233445'), false);
  assert.deepEqual(macsInValue('CP-7965-SEP001122334455'), ['001122334455']);
});

test('names without a MAC (softphones) match the CN exactly or as its "-<name>" suffix', () => {
  assert.equal(micNamesDevice(subject('CSFJSMITH'), 'CSFJSMITH'), true);
  assert.equal(micNamesDevice(subject('CP-JABBER-CSFJSMITH'), 'CSFJSMITH'), true);
  assert.equal(micNamesDevice(subject('CSFJSMITH2'), 'CSFJSMITH'), false);
  assert.equal(micNamesDevice(subject('XCSFJSMITH'), 'CSFJSMITH'), false);
});
