import { test } from 'node:test';
import assert from 'node:assert/strict';
import tls from 'node:tls';
import { PROFILES, resolveTlsPolicy, tlsServerOptions, type TlsSettings } from './tls-policy.ts';

const none: Omit<TlsSettings, 'profile'> = { minVersion: null, maxVersion: null, ciphers: null, groups: null };

test('profiles resolve to what they promise; compatible is what listeners used before policies', () => {
  const modern = resolveTlsPolicy('capf', { profile: 'modern', ...none });
  assert.equal(modern.minVersion, 'TLSv1.2');
  assert.equal(modern.maxVersion, 'TLSv1.3');
  for (const suite of modern.ciphers.split(':'))
    assert.match(suite, /^TLS_|^ECDHE-(RSA|ECDSA)-(AES\d+-GCM|CHACHA20-POLY1305)/, `${suite} is AEAD with ECDHE`);
  assert.deepEqual(modern.weaknesses, []);
  const compatible = resolveTlsPolicy('api', { profile: 'compatible', ...none });
  assert.equal(compatible.ciphers, tls.DEFAULT_CIPHERS);
  assert.equal(compatible.minVersion, 'TLSv1.2');
  assert.deepEqual(compatible.overridden, []);
  const legacy = resolveTlsPolicy('tvs', { profile: 'legacy-7900', ...none });
  assert.equal(legacy.minVersion, 'TLSv1');
  assert.equal(legacy.ciphers, 'DEFAULT:@SECLEVEL=0');
  assert.equal(legacy.weaknesses.length, 2, 'TLS 1.0 and security level 0 are both named');
  assert.deepEqual(tlsServerOptions(legacy), {
    minVersion: 'TLSv1',
    maxVersion: 'TLSv1.3',
    ciphers: 'DEFAULT:@SECLEVEL=0',
    ecdhCurve: 'auto',
    honorCipherOrder: true,
  });
  assert.deepEqual(Object.keys(PROFILES).sort(), ['compatible', 'legacy-7900', 'modern']);
});

test('overrides win over the profile and are listed; weak overrides are named', () => {
  const p = resolveTlsPolicy('https', { ...none, profile: 'modern', maxVersion: 'TLSv1.2', groups: 'P-256' });
  assert.equal(p.maxVersion, 'TLSv1.2');
  assert.equal(p.groups, 'P-256');
  assert.deepEqual(p.overridden, ['maxVersion', 'groups']);
  const weak = resolveTlsPolicy('api', { ...none, profile: 'compatible', minVersion: 'TLSv1.1', ciphers: 'ALL' });
  assert.equal(weak.weaknesses.length, 2);
  assert.match(weak.weaknesses.join(' '), /TLSv1\.1.*RFC 8996/);
  assert.match(weak.weaknesses.join(' '), /NULL, export/);
});

test('bad policies are refused naming the option', () => {
  assert.throws(
    () => resolveTlsPolicy('capf', { ...none, profile: 'modern', minVersion: 'TLSv1.3', maxVersion: 'TLSv1.2' }),
    (e: Error & { code?: string }) =>
      e.code === 'ERR_CONFIG_INVALID' &&
      /tls\.capf\.minVersion: TLSv1\.3 is above tls\.capf\.maxVersion/.test(e.message),
  );
  assert.throws(
    () => resolveTlsPolicy('tvs', { ...none, profile: 'compatible', ciphers: 'NO-SUCH-CIPHER' }),
    /tls\.tvs\.ciphers: OpenSSL selects no cipher from "NO-SUCH-CIPHER"/,
  );
  assert.throws(
    () => resolveTlsPolicy('api', { ...none, profile: 'compatible', groups: 'P-999' }),
    /tls\.api\.groups: OpenSSL does not know the groups "P-999"/,
  );
});
