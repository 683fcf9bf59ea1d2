import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readNode, seq, tlv, unsignedInteger, bitString } from './der.ts';

test('DER lengths at every form boundary (X.690 §8.1.3), read back by the bounded reader', () => {
  const heads: [number, string][] = [
    [0, '0400'],
    [127, '047f'],
    [128, '048180'],
    [255, '0481ff'],
    [256, '04820100'],
    [65535, '0482ffff'],
    [65536, '0483010000'],
  ];
  for (const [n, head] of heads) {
    const content = Buffer.alloc(n, 0xab);
    const der = tlv(0x04, content);
    assert.equal(der.subarray(0, head.length / 2).toString('hex'), head, `length ${n}`);
    assert.equal(der.length, head.length / 2 + n);
    const node = readNode(der, 0);
    assert.equal(node.end, der.length);
    assert.equal(node.contentStart, head.length / 2);
  }
});

test('seq concatenates its parts; INTEGER and BIT STRING prefixes', () => {
  assert.equal(seq(Buffer.from('0101ff', 'hex'), Buffer.from('0500', 'hex')).toString('hex'), '30050101ff0500');
  assert.equal(seq().toString('hex'), '3000');
  assert.equal(unsignedInteger(Buffer.from('0080', 'hex')).toString('hex'), '02020080');
  assert.equal(unsignedInteger(Buffer.from('80', 'hex')).toString('hex'), '02020080');
  assert.equal(unsignedInteger(Buffer.from('000001', 'hex')).toString('hex'), '020101');
  assert.equal(bitString(Buffer.from('a0', 'hex'), 5).toString('hex'), '030205a0');
});
