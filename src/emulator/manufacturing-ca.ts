// Owns the emulator's test manufacturing CA (stands in for "Cisco Manufacturing CA SHA2"): created once per
// state root, kept there, and used to issue each emulated phone's MIC. The CAPF trusts these MICs only when
// an administrator points capf.manufacturingCaFile at its ca.pem (`opencapf emulate ca`).

import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import {
  createIssuer,
  createSelfSignedIdentity,
  derToPem,
  generateKeyPair,
  issueLsc,
  parseCertificate,
  pemToDer,
  privateKeyFromPem,
  privateKeyPem,
  spkiDer,
  subjectAttributes,
  type Issuer,
  type KeyPair,
} from '../pki/index.ts';

export interface ManufacturingCa {
  issuer: Issuer;
  certPem: string;
  /** A MIC for the device: CN=CP-<model>-SEP<MAC> (the form CUCM shows for MICs), 10 years. */
  issueMic(deviceName: string, model: string, keys: KeyPair, now: Date): Promise<{ certPem: string; keyPem: string }>;
}

async function fromParts(certPem: string, privateKey: KeyObject): Promise<ManufacturingCa> {
  const issuer = await createIssuer(parseCertificate(pemToDer(certPem)), privateKey);
  return {
    issuer,
    certPem,
    async issueMic(deviceName, model, keys, now) {
      const cert = await issueLsc(issuer, {
        deviceName: `CP-${model}-${deviceName}`,
        publicKeySpki: spkiDer(keys.publicKey),
        validityDays: 1825,
        now,
      });
      return { certPem: derToPem(cert.der), keyPem: privateKeyPem(keys.privateKey) };
    },
  };
}

/** Creates a fresh CA in memory (fleet runs without a state root, tests). */
export async function createManufacturingCa(now = new Date()): Promise<ManufacturingCa> {
  const keys = await generateKeyPair({ type: 'ec', curve: 'P-256' });
  const cert = await createSelfSignedIdentity({
    role: 'capf',
    subject: subjectAttributes('OpenCAPF Emulator Manufacturing CA', { organization: 'OpenCAPF emulator (test only)' }),
    keys,
    validityDays: 7300,
    now,
  });
  return fromParts(derToPem(cert.der), keys.privateKey);
}

export function manufacturingCaPath(root: string): string {
  return join(root, 'manufacturing-ca', 'ca.pem');
}

/** Loads the CA kept under the state root, creating it on first use. */
export async function loadOrCreateManufacturingCa(root: string): Promise<ManufacturingCa> {
  const dir = join(root, 'manufacturing-ca');
  const certFile = join(dir, 'ca.pem');
  const keyFile = join(dir, 'ca-key.pem');
  if (existsSync(certFile) && existsSync(keyFile))
    return fromParts(readFileSync(certFile, 'utf8'), privateKeyFromPem(readFileSync(keyFile)));
  const ca = await createManufacturingCa();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(keyFile, privateKeyPem(ca.issuer.privateKey), { mode: 0o600 });
  chmodSync(keyFile, 0o600);
  writeFileSync(certFile, ca.certPem);
  return ca;
}
