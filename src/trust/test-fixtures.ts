// Owns the throw-away identities the trust tests share (imported by *.test.ts and bench only): keys made once per
// process.

import {
  createSelfSignedIdentity,
  generateKeyPair,
  subjectAttributes,
  type CertificateInfo,
  type KeyPair,
} from '../pki/index.ts';
import type { Signer } from './signed-file.ts';

export const FIXTURE_NOW = new Date('2026-01-15T12:00:00Z');
const TEMPLATE = {
  organizationalUnit: 'TAC',
  organization: 'Cisco Systems',
  locality: 'Boxborough',
  state: 'MA',
  country: 'US',
};

export interface TrustFixtures {
  keys: { signer: KeyPair; recovery: KeyPair; other: KeyPair; ec: KeyPair };
  /** CallManager-like certificate of the TFTP node: SAST signer and TFTP. */
  callManager: Signer;
  itlRecovery: Signer;
  capf: Signer;
  tvsPub: CertificateInfo;
  tvsSub: CertificateInfo;
  tftpEc: CertificateInfo;
  /** An RSA phone certificate (stands in for an LSC) with its key. */
  phone: Signer;
}

let cached: Promise<TrustFixtures> | undefined;

async function make(): Promise<TrustFixtures> {
  const [signer, recovery, other, ec] = await Promise.all([
    generateKeyPair({ type: 'rsa', bits: 2048 }),
    generateKeyPair({ type: 'rsa', bits: 2048 }),
    generateKeyPair({ type: 'rsa', bits: 2048 }),
    generateKeyPair({ type: 'ec', curve: 'P-384' }),
  ]);
  const id = (role: 'capf' | 'itlrecovery' | 'tftp' | 'tvs', cn: string, keys: KeyPair) =>
    createSelfSignedIdentity({
      role,
      subject: subjectAttributes(cn, TEMPLATE),
      keys,
      validityDays: 1825,
      now: FIXTURE_NOW,
    });
  const [cm, rec, capf, tvsPub, tvsSub, tftpEc, phone] = await Promise.all([
    id('tftp', 'ao115sub', signer),
    id('itlrecovery', 'ITLRECOVERY_ao115pub', recovery),
    id('capf', 'CAPF-7f0ae8d7', other),
    id('tvs', 'ao115pub', other),
    id('tvs', 'ao115sub', other),
    id('tftp', 'ao115sub-EC', ec),
    id('tftp', 'SEP001122334455', other),
  ]);
  return {
    keys: { signer, recovery, other, ec },
    callManager: { certificate: cm, privateKey: signer.privateKey },
    itlRecovery: { certificate: rec, privateKey: recovery.privateKey },
    capf: { certificate: capf, privateKey: other.privateKey },
    tvsPub,
    tvsSub,
    tftpEc,
    phone: { certificate: phone, privateKey: other.privateKey },
  };
}

export function trustFixtures(): Promise<TrustFixtures> {
  cached ??= make();
  return cached;
}
