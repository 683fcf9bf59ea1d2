// Owns rendering a .tlv file the way CUCM's `show itl` / `show ctl` prints it (seed; tlv-files.md §13), and a JSON
// form.
//
// Record rows:  BYTEPOS(=tag) TAG LENGTH VALUE, in file order, columns padded to 8/17/8 as in §13.
// The header table layout is not in the seed (UNCERTAIN): it uses the same four columns.

import { createHash } from 'node:crypto';
import { colonHex } from '../pki/index.ts';
import { isAppError } from '../shared/errors.ts';
import {
  HASH_ALGORITHM_NAMES,
  HEADER_TAG_LABELS,
  HEADER_TAG_NAMES,
  HeaderTag,
  RECORD_TAG_LABELS,
  RecordTag,
  ROLES,
  roleDisplay,
  type TrustListKind,
} from './constants.ts';
import { decodeCString, type DecodeOptions, type TlvElement } from './tlv-codec.ts';
import { parseTrustList, verifyTrustList, type TrustList } from './trust-list.ts';

export interface ShowItlOptions extends DecodeOptions {
  /** ITL or CTL wording; default from the header FILENAME. */
  kind?: TrustListKind;
}

function spacedHex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex').toUpperCase().match(/../g)?.join(' ') ?? '';
}

/** Pads to the §13 column width, keeping at least one space when the text is wider (CUCM's own labels can be). */
function col(text: string, width: number): string {
  return text.length >= width ? `${text} ` : text.padEnd(width);
}

function row(tag: number | string, label: string, length: number | string, value = ''): string {
  return `${col(String(tag), 8)}${col(label, 17)}${col(String(length), 8)}${value}`.trimEnd();
}

const TABLE_HEAD = [row('BYTEPOS', 'TAG', 'LENGTH', 'VALUE'), row('-------', '---', '------', '-----')];

function hashName(id: number): string {
  return HASH_ALGORITHM_NAMES.get(id) ?? String(id);
}

function headerValue(e: TlvElement): string {
  switch (e.tag) {
    case HeaderTag.SIGNER_NAME:
    case HeaderTag.ISSUER_NAME:
    case HeaderTag.FILENAME:
      return decodeCString(e.value);
    case HeaderTag.SERIAL_NUMBER:
      return e.value.length ? colonHex(e.value.toString('hex')) : '';
    case HeaderTag.HASH_ALGORITHM:
    case HeaderTag.DIGEST_ALGORITHM:
      return hashName(e.value[0]!);
    case HeaderTag.TIMESTAMP:
      return new Date(e.value.readUInt32BE(0) * 1000).toISOString().replace('.000Z', 'Z');
    case HeaderTag.SIGNER_VERSION:
      return `${e.value[0]}.${e.value[1]}`;
    case HeaderTag.SIGNATURE:
    case HeaderTag.SIGNATURE_ALGORITHM:
    case HeaderTag.SIGNATURE_MODULUS:
    case HeaderTag.ENCRYPTION_KEY:
      return '';
    default:
      return e.value.length <= 32 ? spacedHex(e.value) : '';
  }
}

/** CUCM shows a container as LENGTH 2 with its length as the value (UNCERTAIN, not in the seed). */
function headerRow(e: TlvElement): string {
  const label = HEADER_TAG_LABELS[e.tag] ?? HEADER_TAG_NAMES.get(e.tag) ?? `TAG${e.tag}`;
  if (e.container) return row(e.tag, label, 2, String(e.length));
  return row(e.tag, label, e.length, headerValue(e));
}

function recordValue(e: TlvElement): string {
  switch (e.tag) {
    case RecordTag.RECORD_LENGTH:
      return String(e.value.readUInt16BE(0));
    case RecordTag.DNS_NAME:
    case RecordTag.SUBJECT_NAME:
    case RecordTag.ISSUER_NAME:
      return decodeCString(e.value);
    case RecordTag.ROLE:
      return roleDisplay(e.value.readUInt16BE(0));
    case RecordTag.SERIAL_NUMBER:
      return e.value.length ? colonHex(e.value.toString('hex')) : '';
    case RecordTag.PUBLIC_KEY:
    case RecordTag.SIGNATURE:
      return '';
    case RecordTag.CERTIFICATE:
      return `${spacedHex(createHash('sha1').update(e.value).digest())} (SHA1 Hash HEX)`;
    case RecordTag.CERTIFICATE_HASH:
    case RecordTag.IP_ADDRESS:
      return spacedHex(e.value);
    case RecordTag.HASH_ALGORITHM:
      // The seed prints "null"; we print the hash name when the byte names one (UNCERTAIN).
      return e.value[0] === 0 ? 'null' : hashName(e.value[0]!);
    default:
      return '';
  }
}

function failureText(kind: TrustListKind, code: string, reason: string): string {
  return `The ${kind} file could not be verified: ${reason} (${code}).`;
}

function renderList(list: TrustList, kind: TrustListKind): string[] {
  const lines: string[] = [`Length of ${kind} file: ${list.size}`, `Parse ${kind} File`, '----------------', ''];
  const h = list.header;
  lines.push(
    `Version: ${h.version.major}.${h.version.minor}`,
    `HeaderLength: ${h.headerLength} (BYTES)`,
    '',
    ...TABLE_HEAD,
  );
  for (const e of h.elements) {
    if (e.tag === HeaderTag.VERSION || e.tag === HeaderTag.HEADER_LENGTH || e.tag === HeaderTag.PADDING) continue;
    lines.push(headerRow(e));
  }
  for (const r of list.records) {
    lines.push('', `${kind} Record #:${r.index + 1}`, '----', ...TABLE_HEAD);
    for (const e of r.elements)
      lines.push(row(e.tag, RECORD_TAG_LABELS[e.tag] ?? `TAG${e.tag}`, e.length, recordValue(e)));
    if (r.role === ROLES.SAST.code) {
      lines.push(
        r.index === list.signerRecordIndex
          ? `This etoken was used to sign the ${kind} file.`
          : `This etoken was not used to sign the ${kind} file.`,
      );
    }
  }
  lines.push('');
  const v = verifyTrustList(list);
  lines.push(v.ok ? `The ${kind} file was verified successfully.` : failureText(kind, v.code, v.reason));
  return lines;
}

/** Renders `show itl` text. Never throws for bad bytes: a parse failure ends with the reason. */
export function showItl(bytes: Uint8Array, opts: ShowItlOptions = {}): string {
  const kind = opts.kind ?? 'ITL';
  if (bytes.length === 0) {
    return (
      [
        `Length of ${kind} file: 0`,
        `${kind} File not found. To generate an ${kind} file, run opencapf itl export.`,
        `Error parsing the ${kind} File.`,
      ].join('\n') + '\n'
    );
  }
  let list: TrustList;
  try {
    list = parseTrustList(bytes, opts);
  } catch (e) {
    if (!isAppError(e)) throw e;
    return (
      [`Length of ${kind} file: ${bytes.length}`, `Error parsing the ${kind} File.`, `${e.message} (${e.code}).`].join(
        '\n',
      ) + '\n'
    );
  }
  return renderList(list, opts.kind ?? list.kind).join('\n') + '\n';
}

export interface ShowItlJsonElement {
  bytepos: number;
  offset: number;
  tag: string;
  length: number;
  value?: string;
}

export interface ShowItlJson {
  kind: TrustListKind;
  length: number;
  parsed: boolean;
  error?: { code: string; message: string };
  header?: {
    version: string;
    headerLength: number;
    signerVersion?: string;
    signerName?: string;
    issuerName?: string;
    serialNumber?: string;
    hashAlgorithm?: string;
    fileName?: string;
    timestamp?: string;
    paddingBytes: number;
    elements: ShowItlJsonElement[];
  };
  records?: {
    number: number;
    offset: number;
    length: number;
    function: string;
    roleCode: number;
    subjectName?: string;
    issuerName?: string;
    serialNumber?: string;
    dnsName?: string;
    certificateSha1?: string;
    hashOnly: boolean;
    signer?: boolean;
    elements: ShowItlJsonElement[];
  }[];
  verification?: { ok: boolean; code?: string; reason?: string };
}

function jsonElement(e: TlvElement, value: string): ShowItlJsonElement {
  const out: ShowItlJsonElement = { bytepos: e.tag, offset: e.offset, tag: '', length: e.length };
  if (value) out.value = value;
  return out;
}

/** The same information as showItl, as data (for `opencapf itl show --json` and the API). */
export function showItlJson(bytes: Uint8Array, opts: ShowItlOptions = {}): ShowItlJson {
  let list: TrustList;
  try {
    list = parseTrustList(bytes, opts);
  } catch (e) {
    if (!isAppError(e)) throw e;
    return {
      kind: opts.kind ?? 'ITL',
      length: bytes.length,
      parsed: false,
      error: { code: e.code, message: e.message },
    };
  }
  const h = list.header;
  const v = verifyTrustList(list);
  const header: NonNullable<ShowItlJson['header']> = {
    version: `${h.version.major}.${h.version.minor}`,
    headerLength: h.headerLength,
    paddingBytes: h.paddingBytes,
    elements: h.elements
      .filter((e) => e.tag !== HeaderTag.PADDING)
      .map((e) => ({
        ...jsonElement(e, e.container ? '' : headerValue(e)),
        tag: HEADER_TAG_NAMES.get(e.tag) ?? `TAG${e.tag}`,
      })),
  };
  if (h.signerVersion) header.signerVersion = `${h.signerVersion.major}.${h.signerVersion.minor}`;
  if (h.signerName !== undefined) header.signerName = h.signerName;
  if (h.issuerName !== undefined) header.issuerName = h.issuerName;
  if (h.serialNumber) header.serialNumber = colonHex(h.serialNumber.toString('hex'));
  if (h.hashAlgorithm !== undefined) header.hashAlgorithm = hashName(h.hashAlgorithm);
  if (h.fileName !== undefined) header.fileName = h.fileName;
  if (h.timestamp !== undefined) header.timestamp = new Date(h.timestamp * 1000).toISOString();
  return {
    kind: opts.kind ?? list.kind,
    length: list.size,
    parsed: true,
    header,
    records: list.records.map((r) => {
      const rec: NonNullable<ShowItlJson['records']>[number] = {
        number: r.index + 1,
        offset: r.offset,
        length: r.length,
        function: r.roleDisplay,
        roleCode: r.role,
        hashOnly: !r.certificate && !!r.certificateHash,
        elements: r.elements.map((e) => ({
          ...jsonElement(e, recordValue(e)),
          tag: RECORD_TAG_LABELS[e.tag] ?? `TAG${e.tag}`,
        })),
      };
      if (r.subjectName !== undefined) rec.subjectName = r.subjectName;
      if (r.issuerName !== undefined) rec.issuerName = r.issuerName;
      if (r.serialNumber) rec.serialNumber = colonHex(r.serialNumber.toString('hex'));
      if (r.dnsName !== undefined) rec.dnsName = r.dnsName;
      if (r.certificateSha1) rec.certificateSha1 = r.certificateSha1;
      if (r.role === ROLES.SAST.code) rec.signer = r.index === list.signerRecordIndex;
      return rec;
    }),
    verification: v.ok ? { ok: true } : { ok: false, code: v.code, reason: v.reason },
  };
}
