// Owns every numeric table of the CAPF wire protocol (spec: shared/spec/capf-protocol.md); reverse maps are derived.

import { nameOr, reverse } from '../shared/enum-table.ts';

/** §2: first byte of every frame. capfd packs it as the constant 85. */
export const CAPF_PROTOCOL_ID = 0x55;
/** §2: protocol id u8, command u8, session id u32 BE, body length u16 BE. */
export const CAPF_HEADER_BYTES = 8;
/** §2: the body length is a u16, so no body can exceed this. */
export const CAPF_MAX_BODY_BYTES = 0xffff;
/** §1: default TCP port of capfd, capfc and CUCM. */
export const CAPF_DEFAULT_PORT = 3804;
/** §6.1 / §8: the version capfd offers in AUTH_REQUEST; Jabber answers 2. */
export const CAPF_PROTOCOL_VERSION = 3;

/**
 * §3 command codes, from the capfd/capfc constant tables. Codes 5-8 and 16, 18-23 are defined
 * there but never sent by the reference code (meanings UNCERTAIN). Note 5 is ENCRYPT_RESPONSE and
 * 6 ENCRYPT_REQUEST: the numbering is reversed compared with the other pairs, as in the source.
 */
export const CapfCommand = {
  AUTH_REQUEST: 1, // server -> phone, always first
  AUTH_RESPONSE: 2, // phone -> server
  KEY_GENERATE_REQUEST: 3, // server -> phone (install)
  KEY_GENERATE_RESPONSE: 4, // phone -> server (install)
  ENCRYPT_RESPONSE: 5, // unused, UNCERTAIN
  ENCRYPT_REQUEST: 6, // unused, UNCERTAIN
  DECRYPT_REQUEST: 7, // unused, UNCERTAIN
  DECRYPT_RESPONSE: 8, // unused, UNCERTAIN
  STORE_CERTIFICATE_REQUEST: 9, // server -> phone, delivers the LSC
  STORE_CERTIFICATE_RESPONSE: 10, // phone -> server
  FETCH_CERTIFICATE_REQUEST: 11, // server -> phone ("Troubleshoot")
  FETCH_CERTIFICATE_RESPONSE: 12, // phone -> server
  DELETE_CERTIFICATE_REQUEST: 13, // server -> phone
  DELETE_CERTIFICATE_RESPONSE: 14, // phone -> server
  END_SESSION: 15, // server -> phone, always last
  RETRY_LATER: 16, // defined, never sent (§6.8), UNCERTAIN
  REQUEST_IN_PROGRESS: 17, // phone -> server, empty body, while generating keys
  STATUS_REQUEST: 18, // unused, UNCERTAIN
  STATUS_RESPONSE: 19, // unused, UNCERTAIN
  ABORT_REQUEST: 20, // unused, UNCERTAIN
  ABORT_RESPONSE: 21, // unused, UNCERTAIN
  SIGN_CERTIFICATE_REQUEST: 22, // unused, UNCERTAIN
  SIGN_CERTIFICATE_RESPONSE: 23, // unused, UNCERTAIN
} as const;
export type CapfCommandName = keyof typeof CapfCommand;
export type CapfCommandCode = (typeof CapfCommand)[CapfCommandName];
export const CAPF_COMMAND_NAMES = reverse(CapfCommand);
export function capfCommandName(code: number): string {
  return nameOr(CAPF_COMMAND_NAMES, code);
}

/**
 * §4 element tags (TLV: tag u8, length u16 BE, value). Tags 14 and 15 are not defined anywhere.
 * CERTIFICATE_ID (5), RETRY_DELAY (12) and DIGEST_TYPE (19) are named in the source but never used;
 * their encodings are UNCERTAIN, so the codec keeps them as uninterpreted elements.
 */
export const CapfTag = {
  REASON: 1, // u8, see CapfReason
  REASON_INFO: 2, // text, format UNCERTAIN (capfd keeps the first character)
  CERTIFICATE_TYPE: 3, // u8, see CapfCertificateType
  CERTIFICATE: 4, // nested, §4.1
  CERTIFICATE_ID: 5, // unused, UNCERTAIN
  SIGNED_DATA: 6, // raw signature bytes, §5.4
  VERSION: 7, // u8
  AUTH_TYPE: 8, // u8, see CapfAuthType
  PUBLIC_KEY: 9, // DER SubjectPublicKeyInfo
  KEY_SIZE: 10, // u16 BE, RSA modulus bits
  PASSWORD: 11, // C-string
  RETRY_DELAY: 12, // unused, UNCERTAIN
  DEVICE_NAME: 13, // C-string
  SUDI_DATA: 16, // structured, §5.5
  KEY_TYPE: 17, // u8, see CapfKeyType
  CURVE: 18, // u8, see CapfCurve
  DIGEST_TYPE: 19, // unused, UNCERTAIN
  SHA2_SIGNED_DATA: 20, // hashId u8 | sigLen u16 BE | signature
} as const;
export type CapfTagName = keyof typeof CapfTag;
export type CapfTagCode = (typeof CapfTag)[CapfTagName];
export const CAPF_TAG_NAMES = reverse(CapfTag);
export function capfTagName(tag: number): string {
  return nameOr(CAPF_TAG_NAMES, tag);
}

/**
 * §7 REASON values (tag 1). The codes are sparse; others exist but their meanings are UNCERTAIN,
 * so decoders keep any u8. UPDATE_CERTIFICATE is capfd's name; in practice it means "OK"
 * (Jabber4Linux), hence the alias.
 */
export const CapfReason = {
  NO_ACTION: 0, // nothing done / nothing pending
  UPDATE_CERTIFICATE: 1, // success / OK
  INVALID_ELEMENT: 7, // generic failure; CUCM also "certificate already issued"
  UNKNOWN_DEVICE: 9, // device name not configured
} as const;
/** Jabber4Linux's label for reason 1; same value, not a second table entry. */
export const CAPF_REASON_OK = CapfReason.UPDATE_CERTIFICATE;
export type CapfReasonName = keyof typeof CapfReason;
export const CAPF_REASON_NAMES = reverse(CapfReason);
export function capfReasonName(code: number): string {
  return nameOr(CAPF_REASON_NAMES, code);
}

/** §5.1 AUTH_TYPE (tag 8). capfd always sends NONE; CUCM omits the element. */
export const CapfAuthType = {
  NONE: 0,
  PASSWORD: 1, // "By Authentication String"
  NULL_STRING: 2, // "By Null String"
  EXISTING_LSC: 3, // "By Existing Certificate (precedence to LSC)"
  MIC: 4, // CUCM label "precedence to MIC" is UNCERTAIN
} as const;
export type CapfAuthTypeName = keyof typeof CapfAuthType;
export const CAPF_AUTH_TYPE_NAMES = reverse(CapfAuthType);
export function capfAuthTypeName(code: number): string {
  return nameOr(CAPF_AUTH_TYPE_NAMES, code);
}

/** §4 / §7 KEY_TYPE (tag 17). When absent the phone presumably assumes RSA (§8). */
export const CapfKeyType = {
  RSA: 0,
  EC: 1,
} as const;
export type CapfKeyTypeName = keyof typeof CapfKeyType;
export const CAPF_KEY_TYPE_NAMES = reverse(CapfKeyType);
export function capfKeyTypeName(code: number): string {
  return nameOr(CAPF_KEY_TYPE_NAMES, code);
}

/** §4 / §6.3 / §7 CURVE (tag 18). Values are the NIST names; OpenSSL names are in CAPF_CURVE_OPENSSL. */
export const CapfCurve = {
  'P-256': 0, // secp256r1 / prime256v1
  'P-384': 1, // secp384r1
  'P-521': 2, // secp521r1
} as const;
export type CapfCurveName = keyof typeof CapfCurve;
export const CAPF_CURVE_NAMES = reverse(CapfCurve);
export function capfCurveName(code: number): string {
  return nameOr(CAPF_CURVE_NAMES, code);
}
/** node:crypto / OpenSSL `namedCurve` for each CAPF curve name. */
export const CAPF_CURVE_OPENSSL = {
  'P-256': 'prime256v1',
  'P-384': 'secp384r1',
  'P-521': 'secp521r1',
} as const satisfies Record<CapfCurveName, string>;

/** §4 / §5.5 / §7 hash ids: SUDI block ids and SHA2_SIGNED_DATA's hashId (capfd requires SHA512). */
export const CapfHashId = {
  SHA1: 1,
  SHA256: 2,
  SHA512: 3,
} as const;
export type CapfHashIdName = keyof typeof CapfHashId;
export const CAPF_HASH_ID_NAMES = reverse(CapfHashId);
export function capfHashIdName(code: number): string {
  return nameOr(CAPF_HASH_ID_NAMES, code);
}

/** §4 / §7 CERTIFICATE_TYPE (tag 3), also the second of the two bytes inside the nested certificate (§4.1). */
export const CapfCertificateType = {
  LSC: 1,
  MIC: 2,
} as const;
export type CapfCertificateTypeName = keyof typeof CapfCertificateType;
export const CAPF_CERTIFICATE_TYPE_NAMES = reverse(CapfCertificateType);
export function capfCertificateTypeName(code: number): string {
  return nameOr(CAPF_CERTIFICATE_TYPE_NAMES, code);
}
