// Owns the CAPF certificate-mode signatures (spec §5.4 SIGNED_DATA / SHA2_SIGNED_DATA, §5.5 SUDI_DATA).
//
// Pure computation over node:crypto; no sockets, no files.
//
// RSA here is NOT RSASSA-PKCS1-v1_5: the phone pads the bare digest (no DigestInfo) as
//   EM = 00 01 FF..FF 00 || H   (k bytes, k = modulus length)
// and computes EM^d mod n, i.e. OpenSSL RSA_private_encrypt(RSA_PKCS1_PADDING). capfd verifies by
// computing sig^e mod n and comparing only the last len(H) bytes with H; we do the same (lenient)
// and report whether the prefix was well formed so callers can log deviations (§5.4 UNCERTAIN).
// EC keys use ordinary DER-encoded ECDSA over the data (ECDSA-with-SHA1 / -SHA512).

import { constants, createHash, privateEncrypt, publicDecrypt, sign, timingSafeEqual, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { AppError } from '../shared/errors.ts';
import type { CapfSudiData } from './codec.ts';

/** SHA-1 for SIGNED_DATA (tag 6) and the SUDI block 0x01; SHA-512 for tag 20 and SUDI block 0x03. */
export type CapfHash = 'sha1' | 'sha512';

export interface VerifyResult {
  ok: boolean;
  /** RSA only: whether the recovered block was exactly `00 01 FF..FF 00 || H`. */
  prefixWellFormed?: boolean;
}

/** §5.4: DEVICE_NAME bytes (no NUL) || 0x00 || DER of the certificate in element 4. */
export function authData(deviceName: string, certDer: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from(deviceName, 'utf8'), Uint8Array.of(0), certDer]);
}

/** §5.5: session id as u32 LITTLE-endian (Cisco's server uses x86 host order) || SUDI certificate DER. */
export function sudiAuthData(sessionId: number, sudiCertDer: Uint8Array): Buffer {
  if (!Number.isInteger(sessionId) || sessionId < 0 || sessionId > 0xffffffff)
    throw new RangeError(`sessionId out of range: ${sessionId}`);
  const id = Buffer.alloc(4);
  id.writeUInt32LE(sessionId, 0);
  return Buffer.concat([id, sudiCertDer]);
}

function keyKind(key: KeyObject): 'rsa' | 'ec' {
  const t = key.asymmetricKeyType;
  if (t === 'rsa' || t === 'ec') return t;
  throw new AppError('ERR_PKI_BAD_KEY', `CAPF signatures need an RSA or EC key, got ${t ?? key.type}`);
}

/** Signs `data` as a phone does: raw RSA private encrypt of the bare digest, or DER ECDSA. */
export function signAuthData(privateKey: KeyObject, data: Uint8Array, hash: CapfHash): Buffer {
  if (keyKind(privateKey) === 'ec') return sign(hash, data, { key: privateKey, dsaEncoding: 'der' });
  const digest = createHash(hash).update(data).digest();
  return privateEncrypt({ key: privateKey, padding: constants.RSA_PKCS1_PADDING }, digest);
}

function modulusBytes(publicKey: KeyObject): Buffer {
  const n = publicKey.export({ format: 'jwk' }).n;
  if (n === undefined) throw new AppError('ERR_PKI_BAD_KEY', 'RSA key without modulus');
  const bytes = Buffer.from(n, 'base64url');
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  return bytes.subarray(start);
}

/**
 * Verifies a phone signature over `data`. RSA: capfd's lenient rule (only the last len(H) bytes of
 * sig^e mod n must equal H); `prefixWellFormed` says whether the PKCS#1 type-1 prefix was intact.
 * EC: DER ECDSA verification. `publicKey` may also be a private key (its public half is used).
 */
export function verifyAuthData(
  publicKey: KeyObject,
  data: Uint8Array,
  signature: Uint8Array,
  hash: CapfHash,
): VerifyResult {
  if (keyKind(publicKey) === 'ec') {
    return { ok: verify(hash, data, { key: publicKey, dsaEncoding: 'der' }, signature) };
  }
  const n = modulusBytes(publicKey);
  const k = n.length;
  const digest = createHash(hash).update(data).digest();
  if (signature.length > k || digest.length > k) return { ok: false, prefixWellFormed: false };
  const sig = Buffer.alloc(k);
  sig.set(signature, k - signature.length);
  // sig >= n is not a valid RSA input; OpenSSL would refuse it, so decide here instead of catching.
  if (Buffer.compare(sig, n) >= 0) return { ok: false, prefixWellFormed: false };
  const em = publicDecrypt({ key: publicKey, padding: constants.RSA_NO_PADDING }, sig);
  const tail = em.subarray(k - digest.length);
  const ok = timingSafeEqual(tail, digest);
  return { ok, prefixWellFormed: isWellFormedPrefix(em, digest.length) };
}

/** `00 01 FF..FF 00` filling everything before the digest, with at least 8 bytes of FF (PKCS#1 type 1). */
function isWellFormedPrefix(em: Buffer, digestLength: number): boolean {
  const sep = em.length - digestLength - 1;
  if (sep < 10 || em[0] !== 0x00 || em[1] !== 0x01 || em[sep] !== 0x00) return false;
  for (let i = 2; i < sep; i++) if (em[i] !== 0xff) return false;
  return true;
}

/** §5.4: both certificate-mode signatures a phone adds to AUTH_RESPONSE. */
export function signCertificateAuth(
  privateKey: KeyObject,
  deviceName: string,
  certDer: Uint8Array,
): { signedData: Buffer; sha2Signature: Buffer } {
  const data = authData(deviceName, certDer);
  return {
    signedData: signAuthData(privateKey, data, 'sha1'),
    sha2Signature: signAuthData(privateKey, data, 'sha512'),
  };
}

/** §5.4: verifies SIGNED_DATA (SHA-1) and SHA2_SIGNED_DATA (SHA-512); `ok` only if both verify. */
export function verifyCertificateAuth(
  publicKey: KeyObject,
  deviceName: string,
  certDer: Uint8Array,
  signedData: Uint8Array,
  sha2Signature: Uint8Array,
): { ok: boolean; sha1: VerifyResult; sha512: VerifyResult } {
  const data = authData(deviceName, certDer);
  const sha1 = verifyAuthData(publicKey, data, signedData, 'sha1');
  const sha512 = verifyAuthData(publicKey, data, sha2Signature, 'sha512');
  return { ok: sha1.ok && sha512.ok, sha1, sha512 };
}

/** §5.5: builds SUDI_DATA with the SUDI key: both signatures over sessionId(LE) || SUDI DER. */
export function signSudiData(sudiPrivateKey: KeyObject, sessionId: number, sudiCertDer: Uint8Array): CapfSudiData {
  const data = sudiAuthData(sessionId, sudiCertDer);
  return {
    certDer: sudiCertDer,
    sigSha1: signAuthData(sudiPrivateKey, data, 'sha1'),
    sigSha512: signAuthData(sudiPrivateKey, data, 'sha512'),
  };
}

/**
 * §5.5: verifies both SUDI signatures against the SUDI certificate's key. Unlike capfd, which
 * accepts an EC SUDI unchecked, EC SUDI signatures are verified as DER ECDSA.
 */
export function verifySudiData(
  sudiPublicKey: KeyObject,
  sessionId: number,
  sudi: CapfSudiData,
): { ok: boolean; sha1: VerifyResult; sha512: VerifyResult } {
  const data = sudiAuthData(sessionId, sudi.certDer);
  const sha1 = verifyAuthData(sudiPublicKey, data, sudi.sigSha1, 'sha1');
  const sha512 = verifyAuthData(sudiPublicKey, data, sudi.sigSha512, 'sha512');
  return { ok: sha1.ok && sha512.ok, sha1, sha512 };
}
