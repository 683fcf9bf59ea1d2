import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair, spkiDer } from './keys.ts';
import {
  createIssuer,
  createSelfSignedIdentity,
  issueLsc,
  randomSerialHex,
  subjectAttributes,
  subjectPublicKeyBits,
} from './profiles.ts';
import { derToPem, isIssuedBy } from './certificate-info.ts';

const now = new Date('2026-11-27T10:00:00Z');
const template = {
  organization: 'Example Org',
  organizationalUnit: 'Phones',
  locality: 'Wellington',
  state: 'WGN',
  country: 'NZ',
};

test('CAPF CA profile and RSA/EC LSCs verify with openssl', async () => {
  const caKeys = await generateKeyPair({ type: 'rsa', bits: 2048 });
  const ca = await createSelfSignedIdentity({
    role: 'capf',
    subject: subjectAttributes('CAPF-0a1b2c3d', template),
    keys: caKeys,
    validityDays: 1825,
    now: new Date(),
  });
  assert.equal(ca.isCa, true);
  assert.equal(ca.selfSigned, true);
  assert.equal(ca.signatureAlgorithm, 'SHA256withRSA');
  assert.equal(ca.serialHex.length, 32);
  const issuer = await createIssuer(ca, caKeys.privateKey);
  const dir = mkdtempSync(join(tmpdir(), 'pki-'));
  writeFileSync(join(dir, 'capf.pem'), derToPem(ca.der));
  for (const spec of [
    { type: 'rsa', bits: 2048 },
    { type: 'ec', curve: 'P-256' },
  ] as const) {
    const phone = await generateKeyPair(spec);
    const lsc = await issueLsc(issuer, {
      deviceName: 'SEP001122334455',
      publicKeySpki: spkiDer(phone.publicKey),
      validityDays: 1825,
      now: new Date(),
    });
    assert.equal(lsc.subjectDn, 'CN=SEP001122334455, OU=Phones, O=Example Org, L=Wellington, ST=WGN, C=NZ');
    assert.equal(lsc.issuerDn, ca.subjectDn);
    assert.equal(lsc.isCa, false);
    assert.ok(isIssuedBy(lsc.der, ca.der));
    assert.ok(lsc.notAfter.getTime() <= ca.notAfter.getTime());
    writeFileSync(join(dir, 'lsc.pem'), derToPem(lsc.der));
    const out = execFileSync('openssl', ['verify', '-CAfile', join(dir, 'capf.pem'), join(dir, 'lsc.pem')]).toString();
    assert.match(out, /lsc\.pem: OK/);
    const text = execFileSync('openssl', ['x509', '-in', join(dir, 'lsc.pem'), '-noout', '-text']).toString();
    assert.match(text, /CA:FALSE/);
    assert.match(text, /TLS Web Server Authentication, TLS Web Client Authentication, IPSec End System/);
    assert.match(text, /X509v3 Subject Key Identifier/);
    assert.match(text, /X509v3 Authority Key Identifier/);
    if (spec.type === 'rsa') assert.match(text, /Digital Signature, Key Encipherment/);
    else assert.doesNotMatch(text, /Key Encipherment/);
  }
});

test('issuing refuses an expired CAPF certificate and bad validity', async () => {
  const caKeys = await generateKeyPair({ type: 'ec', curve: 'P-256' });
  const ca = await createSelfSignedIdentity({
    role: 'capf',
    subject: subjectAttributes('CAPF-00000001', template),
    keys: caKeys,
    validityDays: 1,
    now: new Date('2020-01-01T00:00:00Z'),
  });
  const issuer = await createIssuer(ca, caKeys.privateKey);
  const phone = await generateKeyPair({ type: 'ec', curve: 'P-256' });
  await assert.rejects(
    issueLsc(issuer, { deviceName: 'SEP001122334455', publicKeySpki: spkiDer(phone.publicKey), validityDays: 10, now }),
    { code: 'ERR_PKI_CA_EXPIRED' },
  );
  await assert.rejects(
    issueLsc(issuer, {
      deviceName: 'SEP001122334455',
      publicKeySpki: spkiDer(phone.publicKey),
      validityDays: 1826,
      now,
    }),
    { code: 'ERR_BAD_REQUEST' },
  );
});

test('serials: 16 bytes, positive with no leading zero byte, all distinct across pool refills', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 1000; i++) {
    const s = randomSerialHex();
    assert.match(s, /^[4-7][0-9a-f]{31}$/);
    seen.add(s);
  }
  assert.equal(seen.size, 1000);
});

test('subjectPublicKeyBits: the key bits of RSA and EC SPKIs; malformed SPKIs are ERR_PKI_BAD_KEY', async () => {
  const { generateKeyPairSync } = await import('node:crypto');
  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
  const rsaSpki = rsa.export({ format: 'der', type: 'spki' });
  assert.deepEqual(Buffer.from(subjectPublicKeyBits(rsaSpki)), rsa.export({ format: 'der', type: 'pkcs1' }));
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
  const ecBits = subjectPublicKeyBits(ec.export({ format: 'der', type: 'spki' }));
  assert.equal(ecBits.length, 65);
  assert.equal(ecBits[0], 0x04);
  for (const bad of [
    rsaSpki.subarray(0, 40),
    Buffer.from('3003020100', 'hex'),
    Buffer.from('300530030601', 'hex'),
    Buffer.alloc(0),
  ]) {
    assert.throws(
      () => subjectPublicKeyBits(bad),
      (e: Error & { code?: string }) => e.code === 'ERR_PKI_BAD_KEY',
      bad.toString('hex'),
    );
  }
});
