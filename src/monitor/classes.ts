// Owns the closed table of certificate classes the monitor watches: what each is called, and whether it is a
// fleet (thousands of phone certificates, counted and listed in bounded windows) or a cluster certificate (one
// or a few, each listed; its last day escalates the digest from daily to hourly).

export const CERT_CLASSES = {
  'capf-ca': { label: 'CAPF CA certificate', fleet: false },
  identity: { label: 'Node identity certificates (ITLRecovery, CallManager/TFTP, TVS)', fleet: false },
  chain: { label: 'Upstream CA chain of a CA-signed identity', fleet: false },
  crl: { label: 'CRL next update (listed once overdue for re-signing)', fleet: false },
  'manufacturing-ca': { label: 'Manufacturing CAs MICs are checked against', fleet: false },
  lsc: { label: 'Phone LSCs', fleet: true },
  mic: { label: 'Phone MICs', fleet: true },
} as const satisfies Record<string, { label: string; fleet: boolean }>;

export type CertClass = keyof typeof CERT_CLASSES;
export const CERT_CLASS_NAMES = Object.keys(CERT_CLASSES) as CertClass[];

export function isCertClass(s: string): s is CertClass {
  return Object.hasOwn(CERT_CLASSES, s);
}
