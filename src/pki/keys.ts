// Owns key specifications, key generation and conversion between Node KeyObjects and WebCrypto keys.

import {
  createPrivateKey,
  createPublicKey,
  generateKeyPair as genKeyPairCb,
  webcrypto,
  type KeyObject,
} from 'node:crypto';
import { promisify } from 'node:util';
import { AppError } from '../shared/errors.ts';

const genKeyPair = promisify(genKeyPairCb);

/** Curves by their CAPF/CUCM names (capf-protocol.md §7 CURVE table) and Node/WebCrypto names. */
export const EC_CURVES = {
  'P-256': { nodeName: 'prime256v1', bits: 256, hash: 'SHA-256' },
  'P-384': { nodeName: 'secp384r1', bits: 384, hash: 'SHA-384' },
  'P-521': { nodeName: 'secp521r1', bits: 521, hash: 'SHA-512' },
} as const;
export type EcCurve = keyof typeof EC_CURVES;

export type KeySpec = { type: 'rsa'; bits: number } | { type: 'ec'; curve: EcCurve };

export interface KeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export function describeKeySpec(spec: KeySpec): string {
  return spec.type === 'rsa' ? `RSA ${spec.bits}` : `EC ${spec.curve}`;
}

/** Parses "rsa2048", "rsa-3072", "ec-p256", "p-384", "ec384"... into a KeySpec. */
export function parseKeySpec(text: string): KeySpec {
  const t = text.trim().toLowerCase().replace(/[-_ ]/g, '');
  const rsa = /^rsa(\d{3,4})$/.exec(t);
  if (rsa) return { type: 'rsa', bits: Number(rsa[1]) };
  const ec = /^(?:ec)?p?(256|384|521)$/.exec(t);
  if (ec) return { type: 'ec', curve: `P-${ec[1]}` as EcCurve };
  throw new AppError('ERR_BAD_REQUEST', `unknown key type "${text}" (use rsa2048, rsa3072, rsa4096, ec-p256, ec-p384)`);
}

export async function generateKeyPair(spec: KeySpec): Promise<KeyPair> {
  if (spec.type === 'rsa') {
    return genKeyPair('rsa', { modulusLength: spec.bits, publicExponent: 0x10001 });
  }
  return genKeyPair('ec', { namedCurve: EC_CURVES[spec.curve].nodeName });
}

/** What kind of key this is, as CUCM's certificate pages show it. */
export function keySpecOf(key: KeyObject): KeySpec {
  const d = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === 'rsa') return { type: 'rsa', bits: d?.modulusLength ?? 0 };
  if (key.asymmetricKeyType === 'ec') {
    const entry = Object.entries(EC_CURVES).find(([, c]) => c.nodeName === d?.namedCurve);
    if (entry) return { type: 'ec', curve: entry[0] as EcCurve };
  }
  throw new AppError(
    'ERR_PKI_BAD_KEY',
    `unsupported key type ${key.asymmetricKeyType ?? '?'} ${d?.namedCurve ?? ''}`.trim(),
  );
}

export function spkiDer(key: KeyObject): Buffer {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return pub.export({ format: 'der', type: 'spki' });
}

export function privateKeyPem(key: KeyObject): string {
  return key.export({ format: 'pem', type: 'pkcs8' }).toString();
}

export function privateKeyFromPem(pem: string | Buffer): KeyObject {
  return createPrivateKey(pem);
}

/** WebCrypto algorithm used to sign with a key of this spec. */
export function signingAlgorithm(spec: KeySpec): RsaHashedImportParams | EcKeyImportParams {
  return spec.type === 'rsa'
    ? { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }
    : { name: 'ECDSA', namedCurve: spec.curve };
}

export function signatureParams(spec: KeySpec): Algorithm | EcdsaParams {
  return spec.type === 'rsa'
    ? { name: 'RSASSA-PKCS1-v1_5' }
    : ({ name: 'ECDSA', hash: EC_CURVES[spec.curve].hash } as EcdsaParams);
}

export async function toCryptoKeyPair(pair: KeyPair): Promise<CryptoKeyPair> {
  const spec = keySpecOf(pair.privateKey);
  const alg = signingAlgorithm(spec);
  const priv = await webcrypto.subtle.importKey(
    'pkcs8',
    pair.privateKey.export({ format: 'der', type: 'pkcs8' }),
    alg,
    true,
    ['sign'],
  );
  const pub = await webcrypto.subtle.importKey('spki', spkiDer(pair.publicKey), alg, true, ['verify']);
  return { privateKey: priv as CryptoKey, publicKey: pub as CryptoKey };
}
