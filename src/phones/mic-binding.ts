// Owns the rule that binds a manufacturing certificate (MIC) to a device name: which subject values name which MAC.
// A MIC names its phone as CN=CP-<model>-SEP<MAC> (the form CUCM shows, seed and capf-protocol.md §10), sometimes
// CN=SEP<MAC> or a MAC written with separators (00:1b:2a:…, 001b.2a89.3c7e). The MAC must be a whole token: the
// earlier check stripped every non-hex character and looked for the MAC anywhere in what was left, so the MIC of
// SEP001122334455 with model 7965 ("C7965E001122334455") also "named" SEP7965E0011223 and five other devices.

/** The MAC of a SEP/ATA device name (device-name.ts owns the rule); null for softphones. */
export { macOfDeviceName } from './device-name.ts';
import { macOfDeviceName } from './device-name.ts';

// A MAC written in groups, as one token: 00:11:22:33:44:55, 00-11-22-33-44-55, 0011.2233.4455.
const GROUPED_MAC = new RegExp(
  '(?<![0-9A-F])(' +
    '[0-9A-F]{2}([:-])[0-9A-F]{2}(?:\\2[0-9A-F]{2}){4}' + // 00:11:22:33:44:55 or 00-11-22-33-44-55
    '|[0-9A-F]{4}\\.[0-9A-F]{4}\\.[0-9A-F]{4}' + // 0011.2233.4455
    ')(?![0-9A-F])',
  'g',
);

/** The 12-hex-digit MACs a subject value holds as whole tokens (SEP<MAC>, a bare MAC, or a grouped MAC). */
export function macsInValue(value: string): string[] {
  const v = value
    .toUpperCase()
    .replace(GROUPED_MAC, (m) => m.replace(/[:.-]/g, ''))
    // "SEP" ends in a hex digit (E): without this, SEP<MAC> would read as one 13-digit run.
    .replace(/SEP(?=[0-9A-F]{12}(?![0-9A-F]))/g, ' ');
  return (v.match(/[0-9A-F]+/g) ?? []).filter((run) => run.length === 12);
}

/**
 * Does the MIC with this subject name the device? A device name with a MAC: some subject value holds exactly that MAC
 * as a token. Any other name (softphones have no MAC): the CN is the device name, or ends with "-<device name>".
 */
export function micNamesDevice(subject: { commonName: string; subjectValues: readonly string[] }, deviceName: string) {
  const mac = macOfDeviceName(deviceName);
  if (!mac) return subject.commonName === deviceName || subject.commonName.endsWith(`-${deviceName}`);
  return subject.subjectValues.some((v) => macsInValue(v).includes(mac));
}
