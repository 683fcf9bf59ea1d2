// Owns every numeric table of the TVS wire protocol (spec: shared/spec/tvs-protocol.md); reverse maps are derived.

import { nameOr, reverse } from '../shared/enum-table.ts';

/** §1: default TCP port of tvsd, tvsc and CUCM (phone log `port:2445`). */
export const TVS_DEFAULT_PORT = 2445;
/** §2 offset 0: first byte of every frame (tvsd packs the constant 87). */
export const TVS_PROTOCOL_ID = 0x57;
/** §2 offset 1: the only version tvsd accepts. */
export const TVS_PROTOCOL_VERSION = 0x01;
/** §2: protocol u8, version u8, command u8, reserved u8, request id u32 BE, body length u16 BE. */
export const TVS_HEADER_BYTES = 10;
/** §2: the body length is a u16, so no body can exceed this. */
export const TVS_MAX_BODY_BYTES = 0xffff;
/** §2 offset 3: always written 0; never checked on read (the real CUCM reply carried 0xF7, meaning UNCERTAIN). */
export const TVS_RESERVED_BYTE = 0x00;
/** §4 tag 1: the byte tvsc and the real 8861 put before the device name text (meaning UNCERTAIN). */
export const TVS_DEVICE_NAME_LEAD_BYTE = 0x01;
/** §4 tag 1: the pattern tvsd checks after dropping the lead byte. */
export const TVS_DEVICE_NAME_PATTERN = /^CP-[0-9]{4}-SEP[0-9A-F]{12}$/;
/** §4 tag 1: tvsc's default device name. */
export const TVS_DEFAULT_DEVICE_NAME = 'CP-0000-SEP000000000000';
/** §5 database rules (tvsctl): default cache lifetime, and the accepted range. */
export const TVS_DEFAULT_TTL_SECONDS = 86_400;
export const TVS_MAX_TTL_SECONDS = 2_592_000;

/** §3 command codes (tvsd/tvsc constants; CUCM calls 3/4 TVS_MSG_QUERY_CERT_REQ/RES). */
export const TvsCommand = {
  NONE: 0, // defined, never sent
  VERIFY_REQUEST: 1, // phone -> server
  VERIFY_RESPONSE: 2, // server -> phone
  QUERY_REQUEST: 3, // phone -> server; tvsd does not implement it (doc 213407 capture)
  QUERY_RESPONSE: 4, // server -> phone
} as const;
export type TvsCommandName = keyof typeof TvsCommand;
export type TvsCommandCode = (typeof TvsCommand)[TvsCommandName];
export const TVS_COMMAND_NAMES = reverse(TvsCommand);
export function tvsCommandName(code: number): string {
  return nameOr(TVS_COMMAND_NAMES, code);
}

/**
 * §4 element tags (TLV: tag u8, length u16 BE, value). 3 is named by inference from the CUCM log;
 * 4 and 5 are UNCERTAIN (the doc 213407 dump was cut before their tag bytes; "probably 4 = issuer,
 * 5 = serial"). Tag 6 is not defined anywhere; decoders skip unknown tags.
 */
export const TvsTag = {
  DEVICE_NAME: 1, // 0x01 lead byte + ASCII `CP-<model>-SEP<mac>`, no NUL
  CERTIFICATE: 2, // certificate DER
  SUBJECT_NAME: 3, // C-string, CUCM format `CN=…;OU=…;O=…`
  ISSUER_NAME: 4, // C-string, UNCERTAIN tag number
  SERIAL_NUMBER: 5, // raw serial bytes, UNCERTAIN tag number
  STATUS: 7, // u8, see TvsStatus
  ROLES: 8, // one u8 role code per byte, see TvsRole
  TTL: 9, // u32 BE seconds
} as const;
export type TvsTagName = keyof typeof TvsTag;
export type TvsTagCode = (typeof TvsTag)[TvsTagName];
export const TVS_TAG_NAMES = reverse(TvsTag);
export function tvsTagName(tag: number): string {
  return nameOr(TVS_TAG_NAMES, tag);
}

/** §4 STATUS (tag 7). Any other value is treated as "not trusted" by the client. */
export const TvsStatus = {
  VALID: 0, // trusted; ROLES and TTL follow
  INVALID: 1, // unknown / not trusted; STATUS is the only element
} as const;
export type TvsStatusName = keyof typeof TvsStatus;
export type TvsStatusCode = (typeof TvsStatus)[TvsStatusName];
export const TVS_STATUS_NAMES = reverse(TvsStatus);
export function tvsStatusName(code: number): string {
  return nameOr(TVS_STATUS_NAMES, code);
}

/**
 * §4 role codes (tvsd, matching tlvfile's FUNCTION values but one byte each here). Listed in
 * tvsctl's canonical order, which is also the order roles are written.
 */
export const TvsRole = {
  SAST: 0,
  CCM: 1,
  CCM_TFTP: 2,
  TFTP: 3,
  CAPF: 4,
  APP_SERVER: 7,
  TVS: 21,
} as const;
export type TvsRoleName = keyof typeof TvsRole;
export type TvsRoleCode = (typeof TvsRole)[TvsRoleName];
export const TVS_ROLE_NAMES = reverse(TvsRole);
export function tvsRoleName(code: number): string {
  return nameOr(TVS_ROLE_NAMES, code);
}
