// Owns the phone's own wording: Status Messages lines and Security Configuration values, one table each
// (seed "Troubleshoot" section and its status-message screenshot; phone-config.md §6).

/** Status Messages lines the emulator prints. `seed` marks wording copied from the seed; the others are UNCERTAIN. */
export const STATUS_MESSAGES = {
  noValidCapfServer: { text: 'No valid CAPF server', seed: true },
  lscConnectionFailed: { text: 'LSC: Connection failed', seed: true },
  lscFailed: { text: 'LSC: Failed', seed: true },
  lscInstalled: { text: 'LSC: Installed', seed: false },
  lscDeleted: { text: 'LSC: Deleted', seed: false },
  // Capitalised as in the Status Messages of Cisco doc 113500 ("12:58:15 Trust List Update Failed").
  trustListUpdateFailed: { text: 'Trust List Update Failed', seed: false },
  trustListUpdated: { text: 'Trust List Updated', seed: false },
  vpnNotConfigured: { text: 'VPN not configured', seed: true },
  configVerificationFailed: { text: 'Config file verification failed', seed: false },
  configNotFound: { text: 'Config file not found', seed: false },
} as const;
export type StatusMessageId = keyof typeof STATUS_MESSAGES;

/**
 * The line after `Trust List Update Failed` / `Config file verification failed`: the file and the reason the
 * phone log gives (UNCERTAIN wording), e.g. `ITLSEP001122334455.tlv: TVS did not vouch for the signer (…)`.
 */
export function refusedFile(fileName: string, reason: string, about?: string): string {
  return `${fileName}: ${reason}${about ? ` (${about})` : ''}`;
}

/** `DNS unknown IPv4 host PUB11.brianw2.lab` (seed). */
export function dnsUnknownHost(host: string): string {
  return `DNS unknown IPv4 host ${host}`;
}

/** `SEP682C7B5C2342.cnf.xml.sgn(HTTP)` (seed): the config file name and the transport it came over. */
export function fetchedConfig(fileName: string, via: 'HTTP' | 'TFTP' | 'HTTPS'): string {
  return `${fileName}(${via})`;
}

/** LSC line of the Security Configuration screen (seed screenshots: Not Installed, Pending, Installed). */
export const LSC_SCREEN_STATES = { none: 'Not Installed', pending: 'Pending', installed: 'Installed' } as const;
export type LscScreenState = keyof typeof LSC_SCREEN_STATES;

/** Seed screenshots show "[14:05:42 03/15/21]": local time HH:MM:SS MM/DD/YY. */
export function statusTimestamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return (
    `[${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())} ` +
    `${p(d.getMonth() + 1)}/${p(d.getDate())}/${p(d.getFullYear() % 100)}]`
  );
}
