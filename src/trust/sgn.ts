// Owns .sgn signed provisioning files (tlv-files.md §10) and certhash values (§12, §11.2).
//
// Layout: header of §2 with VERSION 1.0 and no SIGNER_VERSION, then the original file unchanged.
// Signer: an RSA certificate with the TFTP role; SHA-1 (default) or SHA-512.

import { createHash } from 'node:crypto';
import type { CertificateInfo } from '../pki/index.ts';
import { AppError } from '../shared/errors.ts';
import { DEFAULT_MAX_SGN_BYTES, FILE_VERSION, type SigningHash } from './constants.ts';
import {
  certificatePublicKey,
  serialsEqual,
  serialBytes,
  trustListName,
  type NameStyle,
} from './certificate-fields.ts';
import { checkSignature, signFile, type Signer } from './signed-file.ts';
import { decodeHeader, type DecodeOptions, type TlvHeader } from './tlv-codec.ts';

export interface SignSgnParams {
  payload: Uint8Array;
  /**
   * FILENAME: the served name including `.sgn`, with its sub-directory if any (§8), e.g. `SEP001122334455.cnf.xml.sgn`.
   */
  fileName: string;
  signer: Signer;
  now: Date;
  hash?: SigningHash;
  nameStyle?: NameStyle;
}

/** `SoftKeys.xml` -> `SoftKeys.xml.sgn`. */
export function sgnFileName(name: string): string {
  return `${name}.sgn`;
}

export function signSgn(p: SignSgnParams): Buffer {
  return signFile(
    {
      version: FILE_VERSION.sgn,
      fileName: p.fileName,
      now: p.now,
      hash: p.hash ?? 'sha1',
      nameStyle: p.nameStyle ?? 'cucm',
    },
    p.payload,
    p.signer,
  );
}

export interface DecodedSgn {
  header: TlvHeader;
  /** The original file (a view into the input). */
  payload: Buffer;
}

/** Decodes without verifying. Default size limit 16 MiB (ring tones, backgrounds). */
export function decodeSgn(input: Uint8Array, opts?: DecodeOptions): DecodedSgn {
  const header = decodeHeader(input, opts, DEFAULT_MAX_SGN_BYTES);
  const b = Buffer.from(input.buffer, input.byteOffset, input.length);
  return { header, payload: b.subarray(header.headerLength) };
}

/** `stripsgn`: the original file, unverified (§10 "Unsigning"). */
export function unwrapSgn(input: Uint8Array, opts?: DecodeOptions): Buffer {
  return decodeSgn(input, opts).payload;
}

/** Picks the candidate the header names (serial, compared as an integer; issuer breaks ties). */
export function selectSigner(header: TlvHeader, candidates: readonly CertificateInfo[]): CertificateInfo | undefined {
  const serial = header.serialNumber;
  if (!serial) return undefined;
  const bySerial = candidates.filter((c) => serialsEqual(serialBytes(c.serialHex), serial));
  const sameIssuer = (c: CertificateInfo): boolean =>
    header.issuerName === trustListName(c.issuer, 'cucm') || header.issuerName === trustListName(c.issuer, 'tlvfile');
  return bySerial.find(sameIssuer) ?? bySerial[0];
}

export interface VerifiedSgn extends DecodedSgn {
  signer: CertificateInfo;
}

/**
 * Decodes and verifies against the TFTP certificates the phone trusts (§3: role TFTP or CCM+TFTP).
 * Throws CodecError, ERR_TRUST_NO_SIGNER (no candidate has the header's serial) or ERR_TRUST_BAD_SIGNATURE.
 */
export function verifySgn(
  input: Uint8Array,
  trustedSigners: readonly CertificateInfo[],
  opts?: DecodeOptions,
): VerifiedSgn {
  const decoded = decodeSgn(input, opts);
  const signer = selectSigner(decoded.header, trustedSigners);
  if (!signer) {
    const serial = decoded.header.serialNumber?.toString('hex').toUpperCase() ?? '(none)';
    throw new AppError(
      'ERR_TRUST_NO_SIGNER',
      `no trusted TFTP certificate has the signer serial ${serial} (${decoded.header.signerName ?? 'no signer name'})`,
    );
  }
  const r = checkSignature(input, decoded.header, certificatePublicKey(signer.der));
  if (!r.ok) throw new AppError('ERR_TRUST_BAD_SIGNATURE', `${decoded.header.fileName ?? 'file'}: ${r.reason}`);
  return { ...decoded, signer };
}

/** §12 `certhash`: base64 of SHA-1 (default) or SHA-512 of the certificate DER, for `<certHash1..10>`. */
export function certHash(der: Uint8Array, hash: SigningHash = 'sha1'): string {
  return createHash(hash).update(der).digest('base64');
}

/** §11.2 / phone-config.md §2 `<certHash>`: lower-case hex MD5 of the device certificate DER. */
export function deviceCertHash(der: Uint8Array): string {
  return createHash('md5').update(der).digest('hex');
}
