// Checks QUERY identifier matching: CUCM and RFC 4514 names, raw serial bytes (tvs-protocol.md §6).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hexToBytes } from '../shared/bytes.ts';
import { issuerSerialKey, normaliseDistinguishedName, serialKey } from './names.ts';

test('CUCM `;` names and RFC 4514 / tlvfile `,` names normalise to the same key', () => {
  const cucm = 'CN=ucm11pub.stormin.local;OU=IST;O=Stormin;L=Brisbane;ST=QLD;C=AU';
  const rfc = 'C=AU, ST=QLD, L=Brisbane, O=Stormin, OU=IST, CN=ucm11pub.stormin.local';
  assert.equal(normaliseDistinguishedName(cucm), normaliseDistinguishedName(rfc));
  assert.equal(
    normaliseDistinguishedName('cn = Stormin-WIN2012-CA\0'),
    normaliseDistinguishedName('CN=stormin-WIN2012-CA'),
  );
  assert.equal(normaliseDistinguishedName('CN=a\\, b, O=x'), normaliseDistinguishedName('CN=a, b;O=x'));
  assert.notEqual(normaliseDistinguishedName('CN=a;O=x'), normaliseDistinguishedName('CN=a;O=y'));
});

test('serial keys ignore leading zero bytes and match CertificateInfo.serialHex', () => {
  const raw = hexToBytes('24 00 00 00 17 94 79 b8 f1 24 ac 3f 3b 00 00 00 00 00 17');
  assert.equal(serialKey(raw), '2400000017947 9B8F124AC3F3B0000000000 17'.replace(/ /g, ''));
  assert.equal(serialKey(hexToBytes('00 80 01')), '8001');
  assert.equal(serialKey('00:80:01'), '8001');
  assert.equal(serialKey(Uint8Array.of(0)), '00');
  assert.equal(issuerSerialKey('CN=CA;O=X', hexToBytes('00 80 01')), issuerSerialKey('O=X, CN=CA', '8001'));
});
