// Owns what a device name is: the CUCM device-name forms a CAPF client can send, their normal form, their kind
// (desk phone, ATA, softphone) and a clear reason when a name is none of them. Every place that reads a
// device name from a person, a file or the network goes through parseDeviceName.
//
// Sources: ../shared/spec/phone-config.md ("SEP + 12 upper-case hex digits of the MAC … software clients use
// other CUCM device names, e.g. CSF…"), capf-protocol.md §8 (Jabber sends CSF names; do not insist on SEP);
// Cisco's AXL/UCCX data dictionaries give deviceName as 1–15 characters; Jabber's device types take the prefixes
// CSF (Jabber for Windows/Mac), BOT (Android), TCT (iPhone) and TAB (iPad/tablet), followed by letters, digits,
// dot, dash or underscore. CUCM compares device names without regard to case (UNCERTAIN for softphones:
// we store the upper-case form and match case-insensitively, the liberal choice).

export type DeviceKind = 'desk-phone' | 'ata' | 'softphone';

/** Softphone device-name prefixes and the client each belongs to. */
export const SOFTPHONE_PREFIXES = {
  CSF: 'Jabber for Windows/Mac (Client Services Framework)',
  BOT: 'Jabber for Android',
  TCT: 'Jabber for iPhone',
  TAB: 'Jabber for iPad / tablet',
} as const;

/** Prefixes followed by the 12 hex digits of a MAC address. */
const MAC_PREFIXES = { SEP: 'desk-phone', ATA: 'ata' } as const;

export const DEVICE_NAME_MAX = 15;

/** What an accepted device name looks like, for error messages and help texts. */
export const DEVICE_NAME_FORMS =
  'SEP + 12 hex digits of the MAC (desk phones; a MAC such as 00:11:22:33:44:55 is accepted too), ATA + 12 hex ' +
  `digits, or ${Object.keys(SOFTPHONE_PREFIXES).join('/')} + up to ${DEVICE_NAME_MAX - 3} letters, digits, dots, ` +
  `dashes or underscores (softphones; ${DEVICE_NAME_MAX} characters in all)`;

export type DeviceNameParse =
  | { ok: true; name: string; kind: DeviceKind; mac: string | null }
  | { ok: false; reason: string };

const MAC_FORMS = [
  /^([0-9A-F]{2})[:-]([0-9A-F]{2})[:-]([0-9A-F]{2})[:-]([0-9A-F]{2})[:-]([0-9A-F]{2})[:-]([0-9A-F]{2})$/,
  /^([0-9A-F]{4})\.([0-9A-F]{4})\.([0-9A-F]{4})$/,
  /^([0-9A-F]{12})$/,
];

/** Parses a device name as typed, imported or sent by a CAPF client. */
export function parseDeviceName(raw: string): DeviceNameParse {
  const input = raw.trim().toUpperCase();
  if (input === '') return { ok: false, reason: 'the device name is empty' };
  for (const form of MAC_FORMS) {
    const m = form.exec(input);
    if (m) {
      const mac = m.slice(1).join('');
      return { ok: true, name: `SEP${mac}`, kind: 'desk-phone', mac };
    }
  }
  const prefix = input.slice(0, 3);
  if (prefix in MAC_PREFIXES) {
    const rest = input.slice(3);
    if (/^[0-9A-F]{12}$/.test(rest))
      return { ok: true, name: input, kind: MAC_PREFIXES[prefix as keyof typeof MAC_PREFIXES], mac: rest };
    return {
      ok: false,
      reason: `${prefix} must be followed by the 12 hexadecimal digits of the MAC address (got "${raw.trim()}")`,
    };
  }
  if (prefix in SOFTPHONE_PREFIXES) {
    const rest = input.slice(3);
    const bad = /[^A-Z0-9._-]/.exec(rest);
    if (input.length > DEVICE_NAME_MAX)
      return {
        ok: false,
        reason: `a device name has at most ${DEVICE_NAME_MAX} characters ("${raw.trim()}" has ${input.length})`,
      };
    if (rest === '') return { ok: false, reason: `${prefix} must be followed by the rest of the device name` };
    if (bad)
      return {
        ok: false,
        reason:
          `"${raw.trim()}" holds ${JSON.stringify(bad[0])}: ` +
          `only letters, digits, dot, dash and underscore follow ${prefix}`,
      };
    return { ok: true, name: input, kind: 'softphone', mac: null };
  }
  return { ok: false, reason: `"${raw.trim()}" is not a device name: expected ${DEVICE_NAME_FORMS}` };
}

/** The normal form of a device name (`sep00112233aabb` → `SEP00112233AABB`), or null when it is not one. */
export function normaliseDeviceName(raw: string): string | null {
  const p = parseDeviceName(raw);
  return p.ok ? p.name : null;
}

/** Why a name is not a device name (for ERR_PHONE_BAD_NAME), or null when it is one. */
export function deviceNameProblem(raw: string): string | null {
  const p = parseDeviceName(raw);
  return p.ok ? null : p.reason;
}

/** The 12 hex digits of the MAC of a SEP/ATA name; null for softphones and non-names. */
export function macOfDeviceName(name: string): string | null {
  const p = parseDeviceName(name);
  return p.ok ? p.mac : null;
}

/** Desk phones download SEP<MAC>.cnf.xml and per-MAC trust lists; ATAs and softphones get neither from us. */
export function hasPerMacFiles(name: string): boolean {
  const p = parseDeviceName(name);
  return p.ok && p.kind === 'desk-phone';
}
