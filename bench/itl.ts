// Benchmarks build+sign and parse+verify of a 40-certificate ITL against the raw RSA/SHA costs measured in the
// same run.
// Run: npx tsx bench/itl.ts

import { createHash, sign as rsaSign, verify as rsaVerify } from 'node:crypto';
import { createSelfSignedIdentity, subjectAttributes } from '../src/pki/index.ts';
import { buildItl, itlWarnings, openTrustList } from '../src/trust/index.ts';
import { FIXTURE_NOW, trustFixtures } from '../src/trust/test-fixtures.ts';

function timeMs(iterations: number, fn: () => unknown): number {
  for (let i = 0; i < Math.min(20, iterations); i++) fn(); // warm-up
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn();
  return Number(process.hrtime.bigint() - t0) / 1e6 / iterations;
}

const f = await trustFixtures();
const certs = await Promise.all(
  Array.from({ length: 37 }, (_, i) =>
    createSelfSignedIdentity({
      role: 'tvs',
      subject: subjectAttributes(`node${i}`, { organization: 'Bench' }),
      keys: f.keys.other,
      validityDays: 365,
      now: FIXTURE_NOW,
    }),
  ),
);
const members = [
  { certificate: f.itlRecovery.certificate, roles: ['SAST'] as const },
  { certificate: f.capf.certificate, roles: ['CAPF'] as const },
  ...certs.map((c) => ({ certificate: c, roles: ['TVS'] as const })),
];
// 1 signer + 1 recovery + 1 CAPF + 37 TVS = 40 certificates
const build = () => buildItl({ members, signer: f.callManager, now: FIXTURE_NOW });
const itl = build();
const list = openTrustList(itl);
const certificates = new Set(list.records.map((r) => r.certificateSha1)).size;
const N = 200;

const buildMs = timeMs(N, build);
const parseVerifyMs = timeMs(N, () => openTrustList(itl));
const rsaSignMs = timeMs(N, () => rsaSign('sha1', itl, f.callManager.privateKey));
const sig = rsaSign('sha1', itl, f.callManager.privateKey);
const rsaVerifyMs = timeMs(N, () => rsaVerify('sha1', itl, f.keys.signer.publicKey, sig));
const sha256Ms = timeMs(N, () => createHash('sha256').update(itl).digest());

const fmt = (x: number): string => x.toFixed(3);
console.log(
  `ITL: ${certificates} certificates, ${list.records.length} records, ${itl.length} bytes; warnings: ${
    itlWarnings(list)
      .map((w) => w.code)
      .join(', ') || 'none'
  }`,
);
console.log(`baseline  RSA-2048 sign (SHA-1, same bytes)   ${fmt(rsaSignMs)} ms`);
console.log(`baseline  RSA-2048 verify (SHA-1, same bytes) ${fmt(rsaVerifyMs)} ms`);
console.log(`baseline  SHA-256 over the file               ${fmt(sha256Ms)} ms`);
const label = (name: string) => name.padEnd(46);
console.log(`${label('build+sign')}${fmt(buildMs)} ms/file  (${(buildMs / rsaSignMs).toFixed(2)}x RSA sign)`);
console.log(
  `${label('parse+verify')}${fmt(parseVerifyMs)} ms/file  ` +
    `(${(parseVerifyMs / rsaVerifyMs).toFixed(2)}x RSA verify, ${(parseVerifyMs / sha256Ms).toFixed(1)}x SHA-256)`,
);
