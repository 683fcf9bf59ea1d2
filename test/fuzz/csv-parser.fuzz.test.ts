// Fuzz the CSV push parser (fixed seed): any input yields records or per-line errors and never throws;
// any table written with csvRow parses back to itself, however the text is split into chunks.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createCsvParser, csvRow, parseCsv, type CsvRecord } from '../../src/bulk/csv-import-codec.ts';

const SEED = 0x0ca9f;
const limits = { maxFieldChars: 200, maxRecordChars: 400, maxFields: 8 };

function parseChunked(text: string, cuts: number[]): CsvRecord[] {
  const p = createCsvParser(limits);
  const out: CsvRecord[] = [];
  let last = 0;
  for (const c of [...new Set(cuts.map((x) => x % (text.length + 1)))].sort((a, b) => a - b)) {
    out.push(...p.push(text.slice(last, c)));
    last = c;
  }
  out.push(...p.push(text.slice(last)), ...p.end());
  return out;
}

test(
  'arbitrary text: only records or ERR_CSV_* errors, ' + 'never an exception; chunking does not change the result',
  () => {
    const alphabet = fc.constantFrom('a', 'b', ',', '"', '\r', '\n', ' ', 'é', 'x');
    fc.assert(
      fc.property(
        fc.array(alphabet, { maxLength: 600 }).map((a) => a.join('')),
        fc.array(fc.nat(), { maxLength: 6 }),
        (text, cuts) => {
          const whole = parseCsv(text, limits);
          for (const r of whole) {
            if ('error' in r) assert.match(r.error.code, /^ERR_CSV_(SYNTAX|LIMIT)$/);
            else
              assert.ok(r.fields.length <= limits.maxFields && r.fields.every((f) => f.length <= limits.maxFieldChars));
            assert.ok(Number.isInteger(r.line) && r.line >= 1);
          }
          assert.deepEqual(parseChunked(text, cuts), whole);
        },
      ),
      { seed: SEED, numRuns: 2000 },
    );
  },
);

test('round trip: csvRow output parses back to the same fields', () => {
  const field = fc
    .string({ maxLength: 30, unit: fc.constantFrom('a', 'Z', '0', ',', '"', '\r', '\n', ' ', ';', '<', "'", 'ß') })
    .filter((s) => !/^[=+\-@\t\r]/.test(s));
  const row = fc.array(field, { minLength: 2, maxLength: 6 });
  fc.assert(
    fc.property(fc.array(row, { minLength: 1, maxLength: 20 }), fc.array(fc.nat(), { maxLength: 6 }), (rows, cuts) => {
      const text = rows.map((r) => csvRow(r)).join('');
      const parsed = parseChunked(text, cuts);
      assert.deepEqual(
        parsed.map((r) => ('fields' in r ? r.fields : r.error)),
        rows,
      );
    }),
    { seed: SEED, numRuns: 1000 },
  );
});

test('a 1 GB-class line is refused by length without being buffered, and the next line still parses', () => {
  const p = createCsvParser({ maxFieldChars: 64 * 1024, maxRecordChars: 64 * 1024, maxFields: 64 });
  const out: CsvRecord[] = [];
  const chunk = 'y'.repeat(1024 * 1024);
  for (let i = 0; i < 64; i++) out.push(...p.push(chunk));
  out.push(...p.push('\nSEP001122334455,Cisco 8845\n'), ...p.end());
  assert.equal(out.length, 2);
  assert.ok('error' in out[0]! && out[0].error.code === 'ERR_CSV_LIMIT');
  assert.deepEqual('fields' in out[1]! && out[1].fields, ['SEP001122334455', 'Cisco 8845']);
  assert.equal(out[1]!.line, 2);
});

test('formula-looking values are neutralised in exports', () => {
  assert.equal(csvRow(['=HYPERLINK("x")', '+1', 'ok']), `"'=HYPERLINK(""x"")",'+1,ok\r\n`);
});
