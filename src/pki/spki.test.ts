import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createPublicKey } from 'node:crypto';
import { generateKeyPair, keySpecOf, spkiDer, type KeySpec } from './keys.ts';
import { parseSpki } from './spki.ts';
import { AppError } from '../shared/errors.ts';

const specs: KeySpec[] = [
  { type: 'rsa', bits: 512 },
  { type: 'rsa', bits: 1024 },
  { type: 'rsa', bits: 2048 },
  { type: 'rsa', bits: 3072 },
  { type: 'ec', curve: 'P-256' },
  { type: 'ec', curve: 'P-384' },
  { type: 'ec', curve: 'P-521' },
];

test('parseSpki agrees with OpenSSL on every key type CAPF can request', async () => {
  for (const spec of specs) {
    const k = await generateKeyPair(spec);
    assert.deepEqual(parseSpki(spkiDer(k.publicKey)), keySpecOf(k.publicKey));
  }
});

test('parseSpki refuses what OpenSSL refuses, and trailing bytes (fuzz, fixed seed)', async () => {
  const samples = await Promise.all(specs.slice(2).map(async (s) => spkiDer((await generateKeyPair(s)).publicKey)));
  assert.throws(() => parseSpki(Buffer.concat([samples[0]!, Buffer.from([0])])), { code: 'ERR_PKI_BAD_KEY' });
  assert.throws(() => parseSpki(Buffer.from('301a300d06092a864886f70d0101010500030900300602010102010', 'hex')), {
    code: 'ERR_PKI_BAD_KEY',
  });
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: samples.length - 1 }),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
      (which, edits) => {
        const buf = Buffer.from(samples[which]!);
        for (const [pos, v] of edits) buf[pos % buf.length] = v;
        let ours: unknown;
        try {
          ours = parseSpki(buf);
        } catch (e) {
          assert.ok(e instanceof AppError && e.code === 'ERR_PKI_BAD_KEY', `unexpected ${String(e)}`);
          return;
        }
        // Whatever we accept, OpenSSL must parse to the same key type and size.
        const theirs = keySpecOf(createPublicKey({ key: buf, format: 'der', type: 'spki' }));
        assert.deepEqual(ours, theirs);
      },
    ),
    { seed: 0x59c1, numRuns: 1500 },
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      try {
        parseSpki(bytes);
      } catch (e) {
        assert.ok(e instanceof AppError);
      }
    }),
    { seed: 0x59c2, numRuns: 2000 },
  );
});
