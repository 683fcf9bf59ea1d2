// Owns every numeric table of the .tlv / .sgn / .enc.sgn formats (spec: shared/spec/tlv-files.md); reverse maps are
// derived.

import { reverse } from '../shared/enum-table.ts';

/**
 * §2 header tags (tlvfile / sgnfile / enccnf constant tables; 2020 Perl names in comments).
 * Every element is `tag u8 | length u16 BE | value`, except PADDING which is one bare byte (§1).
 */
export const HeaderTag = {
  VERSION: 1, // u8 major, u8 minor; always first
  HEADER_LENGTH: 2, // u16, whole header incl. signature element and padding; always second
  SIGNER_INFO: 3, // container [Perl: SIGNER_ID]
  SIGNER_NAME: 4, // C-string, signer subject
  SERIAL_NUMBER: 5, // minimal unsigned big-endian serial of the signer
  ISSUER_NAME: 6, // C-string [Perl: CA_NAME]
  SIGNATURE_INFO: 7, // container, length 15
  HASH_ALGORITHM: 8, // u8, see HashAlgorithm [Perl: DIGEST_ALGORITHM]
  SIGNATURE_ALGORITHM_INFO: 9, // container, length 8
  SIGNATURE_ALGORITHM: 10, // u8, always 0 (RSA presumably; other values UNCERTAIN)
  SIGNATURE_MODULUS: 11, // u8 index into SIGNATURE_MODULUS_BYTES
  SIGNATURE: 12, // RSA PKCS#1 v1.5 signature, modulus-sized
  PADDING: 13, // single byte, no length (§1)
  FILENAME: 14, // C-string (§8)
  TIMESTAMP: 15, // u32 Unix seconds
  ENCRYPTION_INFO: 16, // .enc.sgn container (§11.1)
  ENCRYPTION_IV_INFO: 17, // .enc.sgn container (28 bytes)
  ENCRYPTION_UNKNOWN1: 18, // u8, always 0
  ENCRYPTION_IV: 19, // 16-byte AES-CBC IV
  ENCRYPTION_PADDING: 20, // u16, number of 0x0D bytes appended to the plaintext
  ENCRYPTION_KEY_INFO: 21, // .enc.sgn container
  ENCRYPTION_UNKNOWN2: 22, // u8, always 0
  ENCRYPTION_KEY_SIZE: 23, // u16, 8 × wrapped-key length (meaning UNCERTAIN)
  ENCRYPTION_KEY_ALGORITHM: 24, // u8, 1 (AES guessed; UNCERTAIN)
  ENCRYPTION_KEY: 25, // AES key wrapped with the device RSA key, PKCS#1 v1.5
  DIGEST_ALGORITHM: 26, // u8 hash id of the plaintext digest
  DIGEST: 27, // digest of the original plaintext
  SIGNER_VERSION: 28, // u8 major, u8 minor; .tlv only, 1.0 / 1.1 (§7)
} as const;
export type HeaderTagName = keyof typeof HeaderTag;
export const HEADER_TAG_NAMES = reverse(HeaderTag);

/** §1: tags whose length counts nested elements; a parser steps into them instead of over them. */
export const HEADER_CONTAINER_TAGS: ReadonlySet<number> = new Set([
  HeaderTag.SIGNER_INFO,
  HeaderTag.SIGNATURE_INFO,
  HeaderTag.SIGNATURE_ALGORITHM_INFO,
  HeaderTag.ENCRYPTION_INFO,
  HeaderTag.ENCRYPTION_IV_INFO,
  HeaderTag.ENCRYPTION_KEY_INFO,
]);

/**
 * Header labels for the `show itl` header table. The seed has no header section (§13 UNCERTAIN);
 * these follow CUCM's own spelling as seen in other public `show itl` captures (typos included),
 * which is UNCERTAIN as well. Tags without a known CUCM label use the tlvfile name.
 */
export const HEADER_TAG_LABELS: Readonly<Record<number, string>> = {
  [HeaderTag.VERSION]: 'VERSION',
  [HeaderTag.HEADER_LENGTH]: 'HEADERLENGTH',
  [HeaderTag.SIGNER_INFO]: 'SIGNERID',
  [HeaderTag.SIGNER_NAME]: 'SIGNERNAME',
  [HeaderTag.SERIAL_NUMBER]: 'SERIALNUMBER',
  [HeaderTag.ISSUER_NAME]: 'CANAME',
  [HeaderTag.SIGNATURE_INFO]: 'SIGNATUREINFO',
  [HeaderTag.HASH_ALGORITHM]: 'DIGESTALGORTITHM',
  [HeaderTag.SIGNATURE_ALGORITHM_INFO]: 'SIGNATUREALGOINFO',
  [HeaderTag.SIGNATURE_ALGORITHM]: 'SIGNATUREALGORTITHM',
  [HeaderTag.SIGNATURE_MODULUS]: 'SIGNATUREMODULUS',
  [HeaderTag.SIGNATURE]: 'SIGNATURE',
  [HeaderTag.PADDING]: 'PADDING',
  [HeaderTag.FILENAME]: 'FILENAME',
  [HeaderTag.TIMESTAMP]: 'TIMESTAMP',
  [HeaderTag.SIGNER_VERSION]: 'SIGNERVERSION',
};

/** §4 record tags, with CUCM's `show itl` label (seed) next to the tlvfile name. */
export const RecordTag = {
  RECORD_LENGTH: 1, // u16, whole record incl. this element
  DNS_NAME: 2, // C-string; CUCM writes it in every record (len 2 when empty)
  SUBJECT_NAME: 3, // C-string
  ROLE: 4, // u16 role code (RoleCode) [Perl / CUCM: FUNCTION]
  ISSUER_NAME: 5, // C-string
  SERIAL_NUMBER: 6, // minimal unsigned big-endian
  PUBLIC_KEY: 7, // RSA: PKCS#1 RSAPublicKey DER; EC: uncompressed point 04||X||Y
  SIGNATURE: 8, // the certificate's own signatureValue bytes
  CERTIFICATE: 9, // full DER
  IP_ADDRESS: 10, // parsed and ignored by tlvfile; format UNCERTAIN; never emitted
  CERTIFICATE_HASH: 11, // SHA-1 of the DER (20 bytes), CUCM's alternative to tag 9
  HASH_ALGORITHM: 12, // u8 accompanying tag 11; CUCM prints "null"; value UNCERTAIN
} as const;
export type RecordTagName = keyof typeof RecordTag;
export const RECORD_TAG_NAMES = reverse(RecordTag);

/** §13: CUCM `show itl` column-2 labels for record tags (seed). IP_ADDRESS is not in the seed. */
export const RECORD_TAG_LABELS: Readonly<Record<number, string>> = {
  [RecordTag.RECORD_LENGTH]: 'RECORDLENGTH',
  [RecordTag.DNS_NAME]: 'DNSNAME',
  [RecordTag.SUBJECT_NAME]: 'SUBJECTNAME',
  [RecordTag.ROLE]: 'FUNCTION',
  [RecordTag.ISSUER_NAME]: 'ISSUERNAME',
  [RecordTag.SERIAL_NUMBER]: 'SERIALNUMBER',
  [RecordTag.PUBLIC_KEY]: 'PUBLICKEY',
  [RecordTag.SIGNATURE]: 'SIGNATURE',
  [RecordTag.CERTIFICATE]: 'CERTIFICATE',
  [RecordTag.IP_ADDRESS]: 'IPADDRESS',
  [RecordTag.CERTIFICATE_HASH]: 'CERTHASH',
  [RecordTag.HASH_ALGORITHM]: 'HASH ALGORITHM',
};

/**
 * §4.1 role (FUNCTION) codes and the text CUCM's `show itl` prints for them. Texts for SAST, TFTP,
 * CAPF and TVS are from the seed; CCM, CCM+TFTP, SRST and APP-SERVER are UNCERTAIN.
 */
export const ROLES = {
  SAST: { code: 0, display: 'System Administrator Security Token' }, // signs .tlv files
  CCM: { code: 1, display: 'CCM' }, // SIP-TLS server (display UNCERTAIN)
  CCM_TFTP: { code: 2, display: 'CCM+TFTP' }, // both roles (display UNCERTAIN)
  TFTP: { code: 3, display: 'TFTP' }, // RSA: signs .sgn; EC: HTTPS 6971
  CAPF: { code: 4, display: 'CAPF' }, // CAPF TLS server, port 3804
  SRST: { code: 5, display: 'SRST' }, // 2020 Perl table only (display UNCERTAIN)
  APP_SERVER: { code: 7, display: 'APP-SERVER' }, // HTTPS XML services (display UNCERTAIN)
  TVS: { code: 21, display: 'TVS' }, // TVS TLS server, port 2445
} as const;
export type Role = keyof typeof ROLES;
export const ROLE_BY_CODE: ReadonlyMap<number, Role> = new Map(
  (Object.entries(ROLES) as [Role, { code: number }][]).map(([name, r]) => [r.code, name]),
);

/** CUCM display text of a role code; unknown codes print as `Unknown(<n>)`. */
export function roleDisplay(code: number): string {
  const role = ROLE_BY_CODE.get(code);
  return role ? ROLES[role].display : `Unknown(${code})`;
}

/**
 * §2 tag 8 hash ids. 2 = SHA-256 is defined but never produced or accepted by the tools (decode
 * only). The 2020 Perl tool used 3 = SHA-384 / 4 = SHA-512; since e0a8822, 3 = SHA-512.
 */
export const HashAlgorithm = {
  SHA1: 1,
  SHA256: 2,
  SHA512: 3,
} as const;
export type HashAlgorithmName = keyof typeof HashAlgorithm;
export type HashAlgorithmId = (typeof HashAlgorithm)[HashAlgorithmName];
export const HASH_ALGORITHM_NAMES = reverse(HashAlgorithm);
/** Node digest names by hash id. */
export const NODE_DIGEST: Readonly<Record<number, 'sha1' | 'sha256' | 'sha512'>> = {
  [HashAlgorithm.SHA1]: 'sha1',
  [HashAlgorithm.SHA256]: 'sha256',
  [HashAlgorithm.SHA512]: 'sha512',
};
/** Hash ids OpenCAPF writes (§3: the tools produce only these two). */
export const SIGNING_HASHES = ['sha1', 'sha512'] as const;
export type SigningHash = (typeof SIGNING_HASHES)[number];
export const HASH_ID_OF: Readonly<Record<SigningHash, HashAlgorithmId>> = {
  sha1: HashAlgorithm.SHA1,
  sha512: HashAlgorithm.SHA512,
};

/** §2 tag 10: the only value written. */
export const SIGNATURE_ALGORITHM_RSA = 0;
/** §2 tag 11: index -> signature size in bytes. RSA-3072 (384 bytes) cannot be expressed. */
export const SIGNATURE_MODULUS_BYTES = [64, 128, 256, 512] as const;

/** §2 / §7 / §10 / §11: VERSION values as written by the tools. */
export const FILE_VERSION = {
  tlv: { major: 1, minor: 2 },
  sgn: { major: 1, minor: 0 },
  encSgn: { major: 2, minor: 0 },
} as const;
/** §7 tag 28. 1.1 enables EC keys and HTTPS 6971 config fetches. */
export const SIGNER_VERSIONS = { '1.0': { major: 1, minor: 0 }, '1.1': { major: 1, minor: 1 } } as const;
export type SignerVersion = keyof typeof SIGNER_VERSIONS;

/** §8 FILENAME values: per-phone files carry the generic name. */
export const TRUST_LIST_FILENAME = { ITL: 'ITLFile.tlv', CTL: 'CTLFile.tlv' } as const;
export type TrustListKind = keyof typeof TRUST_LIST_FILENAME;

/** §5: at most two SAST records per file. */
export const MAX_SAST_RECORDS = 2;
/** Real phones reject ITLs above these sizes (issue 3 brief; CUCM field notices). */
export const ITL_MAX_CERTIFICATES = 39;
export const ITL_MAX_BYTES = 64 * 1024;

/** Default decode limits; both configurable per call. */
export const DEFAULT_MAX_TLV_BYTES = 1024 * 1024;
export const DEFAULT_MAX_SGN_BYTES = 16 * 1024 * 1024;

/** §4 seed: CUCM's HASH_ALGORITHM byte next to CERTHASH prints as "null"; 0 is our guess (UNCERTAIN). */
export const CERTHASH_ALGORITHM_VALUE = 0;

/** §11.1: AES-128-CBC, 16-byte key and IV, plaintext padded with 1..16 bytes of 0x0D. */
export const ENC_KEY_BYTES = 16;
export const ENC_IV_BYTES = 16;
export const ENC_PAD_BYTE = 0x0d;
export const ENC_KEY_ALGORITHM_AES = 1;
