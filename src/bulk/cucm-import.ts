// Owns reading a CUCM Bulk Administration (BAT) phone export — "Export Phones – All Details" or "Specific
// Details" — into phones with their CAPF settings: which columns mean what, how CUCM writes each value, and what
// is wrong with a file or a row (file-level errors stop everything; row errors are reported with their line).
// Pure: records in (from the one CSV parser, csv-import-codec.ts), rows and errors out.
//
// Sources: Cisco Unified CM Bulk Administration Guide, appendix "Text-Based CSV Files" — "Export File Fields for
// All Phone Details Option" (BAT 5.0(2) and later; the export writes one header line of upper-case field names,
// e.g. DEVICE NAME, DESCRIPTION, DEVICE TYPE, DEVICE SECURITY PROFILE) and the Phone Configuration window's
// "Certificate Authority Proxy Function (CAPF) Information" fields (Certificate Operation, Authentication Mode,
// Authentication String, Key Order, RSA Key Size (Bits), EC Key Size (Bits), Operation Completes By) with the
// values CUCM shows for them. The exact header spelling of the CAPF columns and the date format of Operation
// Completes By in an export are UNCERTAIN (no export file was at hand): headers are matched case- and
// punctuation-insensitively with the variants below, and dates are read as YYYY:MM:DD:HH (the four fields of the
// Phone Configuration window), YYYY-MM-DD[ HH[:MM]] or ISO 8601, in UTC.

import type { CsvRecord } from './csv-import-codec.ts';
import {
  AUTH_MODES,
  CERT_OPERATIONS,
  KEY_ORDERS,
  type AuthMode,
  type CertOperation,
  type KeyOrder,
} from '../phones/model.ts';

export type CucmColumn =
  | 'deviceName'
  | 'description'
  | 'model'
  | 'profileName'
  | 'operation'
  | 'authMode'
  | 'authString'
  | 'keyOrder'
  | 'rsaKeySize'
  | 'ecKeySize'
  | 'completesBy';

/** Header keys (lower-case, letters and digits only) → column. */
const HEADERS: Record<string, CucmColumn> = {
  devicename: 'deviceName',
  macaddress: 'deviceName',
  description: 'description',
  devicetype: 'model',
  phonetype: 'model',
  model: 'model',
  product: 'model',
  devicesecurityprofile: 'profileName',
  securityprofile: 'profileName',
  phonesecurityprofile: 'profileName',
  certificateoperation: 'operation',
  authenticationmode: 'authMode',
  authenticationstring: 'authString',
  keyorder: 'keyOrder',
  keysize: 'rsaKeySize',
  keysizebits: 'rsaKeySize',
  rsakeysize: 'rsaKeySize',
  rsakeysizebits: 'rsaKeySize',
  eckeysize: 'ecKeySize',
  eckeysizebits: 'ecKeySize',
  operationcompletesby: 'completesBy',
};

const key = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');

export interface CucmRow {
  line: number;
  deviceName: string;
  description: string;
  model: string;
  profileName: string | null;
  capf: {
    operation: CertOperation;
    authMode?: AuthMode;
    authString?: string | null;
    keyOrder?: KeyOrder;
    rsaKeySize?: number;
    ecKeySize?: number | null;
    completesBy?: string | null;
  };
}

export interface CucmRowError {
  line: number;
  deviceName: string | null;
  code: string;
  message: string;
}

export interface CucmHeader {
  columns: (CucmColumn | null)[];
  /** Header fields that mean nothing to OpenCAPF (line profiles, CSS, device pool …): ignored. */
  ignored: string[];
}

/** Maps the header line, or returns a file-level error message. */
export function cucmHeader(rec: CsvRecord): CucmHeader | { error: string } {
  if ('error' in rec) return { error: rec.error.message };
  const fields = rec.fields;
  if (fields.length === 1) {
    const sep = [';', '\t', '|'].find((s) => fields[0]!.includes(s));
    if (sep)
      return {
        error:
          `line 1: the header is separated by ${sep === '\t' ? 'tabs' : `"${sep}"`}, not commas: a BAT export ` +
          'is comma-separated (save it again as CSV, comma-delimited)',
      };
  }
  const columns = fields.map((f) => HEADERS[key(f)] ?? null);
  if (!columns.includes('deviceName'))
    return {
      error:
        'line 1: no DEVICE NAME (or MAC ADDRESS) column: this does not look like a BAT phone export ' +
        `(header: ${fields.slice(0, 6).join(', ')}${fields.length > 6 ? ', …' : ''})`,
    };
  const seen = new Map<CucmColumn, string>();
  for (const [i, c] of columns.entries()) {
    if (!c) continue;
    if (seen.has(c)) return { error: `line 1: "${seen.get(c)}" and "${fields[i]}" both give the ${c} column` };
    seen.set(c, fields[i]!);
  }
  return { columns, ignored: fields.filter((_, i) => columns[i] === null) };
}

function byLabel<T extends string>(table: Record<T, { label: string }>, value: string, what: string): T {
  const v = key(value);
  for (const [k, d] of Object.entries(table) as [T, { label: string }][])
    if (key(d.label) === v || key(k) === v) return k;
  throw new Error(
    `${what} "${value}" is not one of ${Object.values<{ label: string }>(table)
      .map((d) => d.label)
      .join(', ')}`,
  );
}

/** CUCM's Operation Completes By: YYYY:MM:DD:HH, YYYY-MM-DD[ HH[:MM]] or ISO 8601 (UTC). */
export function parseCompletesBy(value: string): string {
  const m = /^(\d{4})[:\-/](\d{1,2})[:\-/](\d{1,2})(?:[:\sT](\d{1,2})(?::(\d{2}))?)?$/.exec(value.trim());
  const d = m
    ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0)))
    : new Date(value.trim());
  const rolled =
    m &&
    (d.getUTCMonth() !== Number(m[2]) - 1 ||
      d.getUTCDate() !== Number(m[3]) ||
      Number(m[4] ?? 0) > 23 ||
      Number(m[5] ?? 0) > 59);
  if (Number.isNaN(d.getTime()) || rolled)
    throw new Error(`Operation Completes By "${value}" is not a date (YYYY:MM:DD:HH)`);
  return d.toISOString();
}

function int(value: string, what: string): number {
  if (!/^\d{1,5}$/.test(value.trim())) throw new Error(`${what} "${value}" is not a number`);
  return Number(value.trim());
}

/** One data record → a row, or its error. Empty CAPF cells leave that setting to the profile and defaults. */
export function cucmRow(rec: CsvRecord, header: CucmHeader): CucmRow | CucmRowError {
  if ('error' in rec) return { line: rec.line, deviceName: null, code: rec.error.code, message: rec.error.message };
  const v: Partial<Record<CucmColumn, string>> = {};
  header.columns.forEach((c, i) => {
    if (c) v[c] = (rec.fields[i] ?? '').trim();
  });
  const deviceName = v.deviceName ?? '';
  const fail = (code: string, message: string): CucmRowError => ({
    line: rec.line,
    deviceName: deviceName.slice(0, 64) || null,
    code,
    message: `line ${rec.line}: ${message}`,
  });
  if (rec.fields.length > header.columns.length)
    return fail('ERR_CSV_SYNTAX', `${rec.fields.length} fields, the header has ${header.columns.length}`);
  if (!deviceName) return fail('ERR_PHONE_BAD_NAME', 'DEVICE NAME is empty');
  try {
    const capf: CucmRow['capf'] = {
      operation: v.operation ? byLabel(CERT_OPERATIONS, v.operation, 'Certificate Operation') : 'none',
    };
    if (v.authMode) capf.authMode = byLabel(AUTH_MODES, v.authMode, 'Authentication Mode');
    if (v.authString) capf.authString = v.authString;
    if (v.keyOrder) capf.keyOrder = byLabel(KEY_ORDERS, v.keyOrder, 'Key Order');
    if (v.rsaKeySize) capf.rsaKeySize = int(v.rsaKeySize, 'RSA Key Size (Bits)');
    if (v.ecKeySize) capf.ecKeySize = int(v.ecKeySize, 'EC Key Size (Bits)');
    if (v.completesBy) capf.completesBy = parseCompletesBy(v.completesBy);
    return {
      line: rec.line,
      deviceName,
      description: v.description ?? '',
      model: v.model || 'Cisco 8845',
      profileName: v.profileName || null,
      capf,
    };
  } catch (e) {
    return fail('ERR_BAD_REQUEST', (e as Error).message);
  }
}
