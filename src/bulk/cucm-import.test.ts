import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createCsvParser } from './csv-import-codec.ts';
import { cucmHeader, cucmRow, parseCompletesBy } from './cucm-import.ts';

const records = (text: string) => {
  const p = createCsvParser({ maxFieldChars: 1024, maxRecordChars: 65536, maxFields: 256 });
  return [...p.push(text), ...p.end()];
};

test('CUCM values: the labels CUCM shows map to our settings; dates in the forms CUCM and people write', () => {
  const [h, r] = records(
    'Device Name,Certificate Operation,Authentication Mode,Key Order,RSA Key Size (Bits),EC Key Size (Bits),' +
      'Operation Completes By\nSEP001122334455,Install/Upgrade,By Existing Certificate (Precedence to MIC),' +
      'EC Only,2048,256,2027:01:15:12\n',
  );
  const header = cucmHeader(h!);
  assert.ok(!('error' in header));
  assert.deepEqual(cucmRow(r!, header), {
    line: 2,
    deviceName: 'SEP001122334455',
    description: '',
    model: 'Cisco 8845',
    profileName: null,
    capf: {
      operation: 'install',
      authMode: 'existing-mic',
      keyOrder: 'ec',
      rsaKeySize: 2048,
      ecKeySize: 256,
      completesBy: '2027-01-15T12:00:00.000Z',
    },
  });
  assert.equal(parseCompletesBy('2027-01-15 08:30'), '2027-01-15T08:30:00.000Z');
  assert.equal(parseCompletesBy('2027-01-15T08:30:00Z'), '2027-01-15T08:30:00.000Z');
  assert.throws(() => parseCompletesBy('2027:13:01:00'), /is not a date/);
  assert.throws(() => parseCompletesBy('tomorrow'), /is not a date/);
});

test('property: header and row mapping never throw on any CSV text; errors carry the line', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 400 }), fc.string({ maxLength: 400 }), (head, body) => {
      const recs = records(`Device Name,${head}\n${body}`);
      const header = cucmHeader(recs[0]!);
      if ('error' in header) return;
      for (const rec of recs.slice(1)) {
        const r = cucmRow(rec, header);
        assert.equal(r.line, rec.line);
        if ('code' in r) assert.match(r.message, /^line \d+: |^line \d+/);
      }
    }),
    { numRuns: 500 },
  );
});
