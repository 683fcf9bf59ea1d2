import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatDn } from './names.ts';

/** RFC 4514 §2.4 escaping, written out plainly: the reference the fast path must agree with. */
function reference(v: string): string {
  let out = v.replace(/([,+"\\<>;=])/g, '\\$1');
  if (out.startsWith(' ') || out.startsWith('#')) out = `\\${out}`;
  if (out.endsWith(' ')) out = `${out.slice(0, -1)}\\ `;
  return out;
}

test('formatDn escapes RFC 4514 specials and leaves plain values alone', () => {
  assert.equal(
    formatDn([
      { type: 'CN', value: 'SEP001122334455' },
      { type: 'O', value: 'Example Org' },
    ]),
    'CN=SEP001122334455, O=Example Org',
  );
  assert.equal(formatDn([{ type: 'CN', value: 'a,b+c"d\\e<f>g;h=i' }]), 'CN=a\\,b\\+c\\"d\\\\e\\<f\\>g\\;h\\=i');
  assert.equal(formatDn([{ type: 'CN', value: '#x ' }]), 'CN=\\#x\\ ');
  assert.equal(formatDn([{ type: 'CN', value: ' lead' }]), 'CN=\\ lead');
});

test('formatDn agrees with the plain reference for any value (property, fixed seed)', () => {
  const chars = fc.constantFrom('a', 'Z', '0', ' ', '#', ',', '+', '"', '\\', '<', '>', ';', '=', 'é', '-');
  fc.assert(
    fc.property(
      fc.array(chars, { maxLength: 12 }).map((a) => a.join('')),
      (v) => {
        assert.equal(formatDn([{ type: 'CN', value: v }]), `CN=${reference(v)}`);
      },
    ),
    { seed: 20261127, numRuns: 3000 },
  );
});
