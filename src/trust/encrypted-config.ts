// Owns encrypted phone configuration: SEP<MAC>.cnf.xml.enc.sgn plus its signed stub SEP<MAC>.cnf.xml.sgn (tlv-files.md
// §11).
//
// .enc.sgn = header (VERSION 2.0, FILENAME SEP<MAC>.cnf.xml.enc.sgn, encryption elements 0x10-0x1B
// after TIMESTAMP and before the padding) + AES-128-CBC ciphertext of the XML padded with
// 1..16 bytes of 0x0D. The AES key is wrapped with the phone's RSA public key (LSC or MIC) using
// RSAES-PKCS1-v1_5. The whole file is signed by the TFTP key like any .sgn (§3).

import {
  constants,
  createCipheriv,
  createDecipheriv,
  createHash,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
  timingSafeEqual,
  type KeyObject,
} from 'node:crypto';
import { parseCertificate, type CertificateInfo } from '../pki/index.ts';
import { AppError } from '../shared/errors.ts';
import {
  ENC_IV_BYTES,
  ENC_KEY_ALGORITHM_AES,
  ENC_KEY_BYTES,
  ENC_PAD_BYTE,
  FILE_VERSION,
  HASH_ID_OF,
  NODE_DIGEST,
  type SigningHash,
} from './constants.ts';
import { certificatePublicKey, type NameStyle } from './certificate-fields.ts';
import { signFile, type Signer } from './signed-file.ts';
import { decodeSgn, deviceCertHash, signSgn, verifySgn } from './sgn.ts';
import type { DecodeOptions, TlvHeader } from './tlv-codec.ts';

export interface EncryptConfigParams {
  /** The full SEP<MAC>.cnf.xml. */
  xml: Uint8Array | string;
  /** `SEP` + 12 upper-case hex digits. */
  deviceName: string;
  /** The phone certificate the key is wrapped for (LSC, else MIC). Must be RSA (§11.1). */
  deviceCertificate: CertificateInfo | Uint8Array;
  /** The TFTP signer. */
  signer: Signer;
  now: Date;
  hash?: SigningHash;
  nameStyle?: NameStyle;
  /** Test hook: fixed AES key and IV instead of random ones. */
  keyAndIv?: { key: Uint8Array; iv: Uint8Array };
}

export interface EncryptedConfig {
  encSgnFileName: string;
  encSgn: Buffer;
  stubFileName: string;
  stub: Buffer;
  stubXml: string;
}

/** Elements copied from the full config into the stub, in this order (§11.2, enccnf). */
const STUB_COPIED_ELEMENTS = ['ipAddressMode', 'loadInformation', 'capfAuthMode', 'capfList'] as const;

function findElement(xml: string, name: string): string | undefined {
  const re = new RegExp(`<${name}(?:\\s[^>]*)?(?:/>|>[\\s\\S]*?</${name}\\s*>)`);
  return re.exec(xml)?.[0];
}

/**
 * The stub that points the phone at the encrypted file (§11.2). Pretty-printing with two-space
 * indentation and verbatim copies of the kept elements is our choice (enccnf uses lxml; UNCERTAIN).
 */
export function encryptedConfigStub(xml: string, deviceCertificateDer: Uint8Array): string {
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<device>', '  <fullConfig>false</fullConfig>'];
  for (const name of STUB_COPIED_ELEMENTS) {
    const el = findElement(xml, name);
    if (el) lines.push(`  ${el}`);
  }
  lines.push(
    `  <certHash>${deviceCertHash(deviceCertificateDer)}</certHash>`,
    '  <encrConfig>true</encrConfig>',
    '</device>',
    '',
  );
  return lines.join('\n');
}

/** §11.1 padding: p = 16 - (len % 16) bytes of 0x0D (a full block when aligned). Not PKCS#7. */
function padPlaintext(plain: Buffer): { padded: Buffer; padLength: number } {
  const padLength = 16 - (plain.length % 16);
  return { padded: Buffer.concat([plain, Buffer.alloc(padLength, ENC_PAD_BYTE)]), padLength };
}

export function encryptConfig(p: EncryptConfigParams): EncryptedConfig {
  const device =
    p.deviceCertificate instanceof Uint8Array ? parseCertificate(p.deviceCertificate) : p.deviceCertificate;
  const deviceKey = certificatePublicKey(device.der);
  if (deviceKey.asymmetricKeyType !== 'rsa') {
    throw new AppError(
      'ERR_PKI_BAD_KEY',
      `${p.deviceName}: configuration can only be encrypted for an RSA phone certificate (§11.1; EC is UNCERTAIN)`,
    );
  }
  const hash = p.hash ?? 'sha1';
  const plain = typeof p.xml === 'string' ? Buffer.from(p.xml, 'utf8') : Buffer.from(p.xml);
  const key = p.keyAndIv ? Buffer.from(p.keyAndIv.key) : randomBytes(ENC_KEY_BYTES);
  const iv = p.keyAndIv ? Buffer.from(p.keyAndIv.iv) : randomBytes(ENC_IV_BYTES);
  const { padded, padLength } = padPlaintext(plain);
  const cipher = createCipheriv('aes-128-cbc', key, iv).setAutoPadding(false);
  const ciphertext = Buffer.concat([cipher.update(padded), cipher.final()]);
  const wrappedKey = publicEncrypt({ key: deviceKey, padding: constants.RSA_PKCS1_PADDING }, key);
  const encSgnFileName = `${p.deviceName}.cnf.xml.enc.sgn`;
  const encSgn = signFile(
    {
      version: FILE_VERSION.encSgn,
      fileName: encSgnFileName,
      now: p.now,
      hash,
      nameStyle: p.nameStyle ?? 'cucm',
      encryption: {
        iv,
        paddingLength: padLength,
        wrappedKey,
        keyAlgorithm: ENC_KEY_ALGORITHM_AES,
        digestAlgorithm: HASH_ID_OF[hash],
        digest: createHash(hash).update(plain).digest(),
      },
    },
    ciphertext,
    p.signer,
  );
  const stubXml = encryptedConfigStub(plain.toString('utf8'), device.der);
  const stubFileName = `${p.deviceName}.cnf.xml.sgn`;
  const stub = signSgn({
    payload: Buffer.from(stubXml, 'utf8'),
    fileName: stubFileName,
    signer: p.signer,
    now: p.now,
    hash,
    nameStyle: p.nameStyle ?? 'cucm',
  });
  return { encSgnFileName, encSgn, stubFileName, stub, stubXml };
}

/**
 * RSAES-PKCS1-v1_5 decryption done by hand: Node 20 refuses RSA_PKCS1_PADDING in privateDecrypt
 * (CVE-2023-46809). We decrypt raw and check the EME block; a failure says nothing about where.
 */
function unwrapKey(wrapped: Uint8Array, privateKey: KeyObject): Buffer {
  let em: Buffer;
  try {
    em = privateDecrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, Buffer.from(wrapped));
  } catch (e) {
    throw new AppError(
      'ERR_PKI_KEY_MISMATCH',
      'the wrapped configuration key cannot be decrypted with this private key',
      undefined,
      { cause: e },
    );
  }
  let sep = -1;
  for (let i = 2; i < em.length; i++) {
    if (em[i] === 0) {
      sep = i;
      break;
    }
  }
  const ok = em[0] === 0 && em[1] === 2 && sep >= 10;
  const key = ok ? em.subarray(sep + 1) : Buffer.alloc(0);
  if (!ok || ![16, 24, 32].includes(key.length)) {
    throw new AppError('ERR_PKI_KEY_MISMATCH', 'the configuration key was not wrapped for this private key');
  }
  return key;
}

export interface DecryptConfigParams {
  /** The phone's private key (of the LSC or MIC the file was made for). */
  privateKey: KeyObject;
  /** When given, the signature must verify with one of these TFTP certificates. */
  trustedSigners?: readonly CertificateInfo[];
  decode?: DecodeOptions;
}

export interface DecryptedConfig {
  header: TlvHeader;
  xml: Buffer;
  signer?: CertificateInfo;
}

/**
 * Phone side of §11.1: verify (optional), unwrap, decrypt, drop padding, check digest. Liberal about missing optional
 * tags.
 */
export function decryptConfig(input: Uint8Array, p: DecryptConfigParams): DecryptedConfig {
  const verified = p.trustedSigners ? verifySgn(input, p.trustedSigners, p.decode) : undefined;
  const { header, payload } = verified ?? decodeSgn(input, p.decode);
  const enc = header.encryption;
  if (!enc?.wrappedKey || !enc.iv) {
    throw new AppError(
      'ERR_BAD_REQUEST',
      `${header.fileName ?? 'file'} carries no encryption key or IV (tags 0x13, 0x19); it is not an .enc.sgn`,
    );
  }
  if (enc.iv.length !== ENC_IV_BYTES)
    throw new AppError('ERR_BAD_REQUEST', `IV is ${enc.iv.length} bytes, expected ${ENC_IV_BYTES}`);
  if (payload.length === 0 || payload.length % 16 !== 0)
    throw new AppError('ERR_BAD_REQUEST', `ciphertext of ${payload.length} bytes is not a whole number of AES blocks`);
  const key = unwrapKey(enc.wrappedKey, p.privateKey);
  const decipher = createDecipheriv(`aes-${key.length * 8}-cbc`, key, enc.iv).setAutoPadding(false);
  const padded = Buffer.concat([decipher.update(payload), decipher.final()]);
  let xml: Buffer;
  if (enc.paddingLength !== undefined && enc.paddingLength <= padded.length) {
    xml = padded.subarray(0, padded.length - enc.paddingLength);
  } else {
    let end = padded.length;
    while (end > 0 && padded.length - end < 16 && padded[end - 1] === ENC_PAD_BYTE) end--;
    xml = padded.subarray(0, end);
  }
  if (enc.digest) {
    const digestName = NODE_DIGEST[enc.digestAlgorithm ?? header.hashAlgorithm ?? 1];
    if (!digestName)
      throw new AppError('ERR_TRUST_BAD_SIGNATURE', `unknown plaintext digest algorithm ${enc.digestAlgorithm}`);
    const actual = createHash(digestName).update(xml).digest();
    if (actual.length !== enc.digest.length || !timingSafeEqual(actual, enc.digest)) {
      throw new AppError('ERR_TRUST_BAD_SIGNATURE', 'decrypted configuration does not match its digest (tag 0x1B)');
    }
  }
  const out: DecryptedConfig = { header, xml };
  if (verified) out.signer = verified.signer;
  return out;
}
