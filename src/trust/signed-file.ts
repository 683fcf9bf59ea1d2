// Owns signing and verifying the common header of .tlv / .sgn / .enc.sgn files (tlv-files.md §2.2, §3).
//
// Signed message = whole file minus the SIGNATURE element (tag, length and value); RSASSA-PKCS1-v1_5
// with SHA-1 (hash id 1) or SHA-512 (hash id 3). The signer is named by SIGNER_NAME / ISSUER_NAME /
// SERIAL_NUMBER in the header.

import { createPublicKey, sign as rsaSign, verify as rsaVerify, type KeyObject } from 'node:crypto';
import type { CertificateInfo } from '../pki/index.ts';
import { AppError } from '../shared/errors.ts';
import { HASH_ID_OF, NODE_DIGEST, type SigningHash } from './constants.ts';
import { certificatePublicKey, serialBytes, trustListName, type NameStyle } from './certificate-fields.ts';
import {
  assembleSignedFile,
  layoutHeader,
  messageToSign,
  signedMessageOf,
  type EncryptionInit,
  type HeaderInit,
  type TlvHeader,
  type Version,
} from './tlv-codec.ts';

/** A certificate with the private key that signs for it (SAST for .tlv, TFTP for .sgn). */
export interface Signer {
  certificate: CertificateInfo;
  privateKey: KeyObject;
}

export interface SignParams {
  version: Version;
  signerVersion?: Version;
  fileName: string;
  /** Build time; written as Unix seconds (§2 tag 15). */
  now: Date;
  hash: SigningHash;
  nameStyle?: NameStyle;
  encryption?: EncryptionInit;
}

/** §3: only RSA signers; the key must belong to the certificate. */
export function assertRsaSigner(signer: Signer): void {
  if (signer.privateKey.asymmetricKeyType !== 'rsa') {
    throw new AppError(
      'ERR_PKI_BAD_KEY',
      `.tlv/.sgn signers must be RSA (§3), got ${signer.privateKey.asymmetricKeyType ?? 'unknown'}`,
    );
  }
  const fromKey = createPublicKey(signer.privateKey).export({ format: 'der', type: 'spki' });
  const fromCert = certificatePublicKey(signer.certificate.der).export({ format: 'der', type: 'spki' });
  if (!fromKey.equals(fromCert))
    throw new AppError('ERR_PKI_KEY_MISMATCH', `private key does not match ${signer.certificate.subjectDn}`);
}

/** Header fields naming the signer (§2 tags 4, 6, 5). */
export function signerFields(
  cert: CertificateInfo,
  style: NameStyle = 'cucm',
): Pick<HeaderInit, 'signerName' | 'issuerName' | 'serialNumber'> {
  return {
    signerName: trustListName(cert.subject, style),
    issuerName: trustListName(cert.issuer, style),
    serialNumber: serialBytes(cert.serialHex),
  };
}

/** Builds header + body and signs it (§2.2 padding, §3 signature placement). */
export function signFile(params: SignParams, body: Uint8Array, signer: Signer): Buffer {
  assertRsaSigner(signer);
  const sigLen = (signer.privateKey.asymmetricKeyDetails?.modulusLength ?? 0) / 8;
  const init: HeaderInit = {
    version: params.version,
    ...signerFields(signer.certificate, params.nameStyle),
    hashAlgorithm: HASH_ID_OF[params.hash],
    fileName: params.fileName,
    timestamp: Math.floor(params.now.getTime() / 1000),
  };
  if (params.signerVersion) init.signerVersion = params.signerVersion;
  if (params.encryption) init.encryption = params.encryption;
  const layout = layoutHeader(init, sigLen);
  const signature = rsaSign(params.hash, messageToSign(layout, body), signer.privateKey);
  return assembleSignedFile(layout, signature, body);
}

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

/** Verifies the header signature of a decoded file with `key`. Never throws. */
export function checkSignature(file: Uint8Array, header: TlvHeader, key: KeyObject): SignatureCheck {
  const digest = NODE_DIGEST[header.hashAlgorithm ?? 1];
  if (!digest) return { ok: false, reason: `unknown hash algorithm id ${header.hashAlgorithm}` };
  if (key.asymmetricKeyType !== 'rsa')
    return {
      ok: false,
      reason: `signer key is ${key.asymmetricKeyType ?? 'unknown'}, only RSA signatures are defined (§3)`,
    };
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  const keyBytes = Math.ceil(bits / 8);
  if (header.signature.length !== keyBytes) {
    return {
      ok: false,
      reason: `signature is ${header.signature.length} bytes, the signer's RSA-${bits} key gives ${keyBytes}`,
    };
  }
  try {
    if (rsaVerify(digest, signedMessageOf(file, header), key, header.signature)) return { ok: true };
  } catch (e) {
    return { ok: false, reason: `signature check failed: ${(e as Error).message}` };
  }
  return { ok: false, reason: 'signature does not verify' };
}

/** As checkSignature, but throws ERR_TRUST_BAD_SIGNATURE. */
export function assertSignature(file: Uint8Array, header: TlvHeader, key: KeyObject): void {
  const r = checkSignature(file, header, key);
  if (!r.ok) throw new AppError('ERR_TRUST_BAD_SIGNATURE', r.reason);
}
