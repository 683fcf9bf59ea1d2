// Owns what the web UI offers for each doctor finding: the remedy in the UI's words and the pages that carry it
// out. The CLI prints the finding's own remedy (opencapf commands); a browser gets links. Keyed by the doctor's
// finding ids (src/doctor/findings.ts), so a new finding without an entry here does not type-check.

import type { FindingId } from '../../src/doctor/findings.ts';

export interface RemedyAction {
  label: string;
  /** A path of this UI; {device} is the device name asked about. */
  to: string;
}

export interface UiRemedy {
  remedy: string;
  actions: RemedyAction[];
}

const phoneCapf: RemedyAction = { label: "Open the phone's CAPF Information", to: '/phones/{device}#capf' };
const trust: RemedyAction = { label: 'Trust lists (ITL/CTL)', to: '/trust' };
const capfCert: RemedyAction = { label: 'CAPF certificate', to: '/certificates/capf' };
const dashboard: RemedyAction = { label: 'Dashboard: listener status', to: '/' };

export const UI_REMEDIES: Record<FindingId, UiRemedy> = {
  'capf-cert-expired': {
    remedy: 'Regenerate the CAPF certificate, reset the phones so they get the new ITL, then retry the operation.',
    actions: [capfCert],
  },
  'capf-cert-expiring': {
    remedy: 'Regenerate the CAPF certificate in a maintenance window; phones get the new ITL when they reset.',
    actions: [capfCert],
  },
  'capf-not-running': {
    remedy:
      'Start the CAPF service (capf.enabled in the configuration, then restart the server) and make sure its port ' +
      'is open; reset the phone and retry.',
    actions: [dashboard],
  },
  'capf-unreachable-from-phones': {
    remedy:
      "Make the CAPF port reachable at the address in the phones' configuration (cluster.publicHost): bind " +
      'address, firewall, routing.',
    actions: [dashboard],
  },
  'tvs-not-running': {
    remedy: "Start the TVS listener and make it reachable at the address in the phones' configuration.",
    actions: [dashboard],
  },
  'capf-host-unresolvable': {
    remedy:
      'Add the DNS record for the CAPF host name, or set cluster.publicHost to a name phones resolve or an IP ' +
      'address; then reset the phone.',
    actions: [dashboard],
  },
  'itl-missing': {
    remedy: 'Start the TFTP/HTTP provisioning listeners, check the ITL they serve, then reset the phone.',
    actions: [trust, dashboard],
  },
  'itl-corrupt': {
    remedy:
      'Rebuild the ITL and remove any pinned per-phone ITL; if phones no longer accept it, use Reset localkey so ' +
      'they accept one signed by ITLRecovery.',
    actions: [trust],
  },
  'itl-no-capf': {
    remedy: 'Rebuild the ITL, check that it lists the CAPF certificate, reset the phone and retry.',
    actions: [trust, capfCert],
  },
  'itl-capf-mismatch': {
    remedy:
      'Rebuild the ITL so it lists the CAPF certificate in service, remove stale per-phone ITLs, reset the phone.',
    actions: [trust, capfCert],
  },
  'itl-per-mac-override': {
    remedy: 'Remove the per-phone ITL unless you need it, reset the phone, and retry.',
    actions: [trust],
  },
  'itl-older-served': {
    remedy:
      'Reset the phone so it fetches the current ITL. If the signer changed since, the phone accepts it only ' +
      'through ITLRecovery or TVS: Reset localkey until it has it.',
    actions: [trust, { label: 'ITL File Status report', to: '/reports' }],
  },
  'itl-foreign-suspected': {
    remedy:
      "The phone trusts another cluster: have that cluster's TVS vouch for our signer, or turn on its rollback ITL, " +
      'or erase the ITL on the phone (Settings > Security > Reset Security Settings).',
    actions: [{ label: 'Move phones here', to: '/migration' }],
  },
  'phone-unknown': {
    remedy: 'Add the phone, then schedule the operation.',
    actions: [{ label: 'Add the phone', to: '/phones' }],
  },
  'deadline-past': {
    remedy: 'Set Operation Completes By in the future (an hour or more ahead), save, and retry.',
    actions: [phoneCapf],
  },
  'auth-mode-profile-mismatch': {
    remedy:
      "Schedule the operation with the profile's Authentication Mode, or change the profile (the phones using " +
      'it restart).',
    actions: [phoneCapf, { label: 'Phone Security Profiles', to: '/profiles' }],
  },
  'lsc-precedence-mic-only': {
    remedy:
      "Use By Null String or By Authentication String for the first install, or trust the phone's manufacturing CA " +
      'so its MIC is accepted.',
    actions: [phoneCapf, { label: 'Manufacturing CAs', to: '/manufacturing-cas' }],
  },
  'lsc-precedence-mic-fallback': {
    remedy:
      "Nothing to do if the phone's MIC chains to a trusted manufacturing CA; otherwise use By Null String or By " +
      'Authentication String.',
    actions: [{ label: 'Manufacturing CAs', to: '/manufacturing-cas' }],
  },
  'auth-string-invalid': {
    remedy:
      'Give the user the Authentication String shown in the CAPF Information (for a bulk job, its unique-strings ' +
      'CSV), or Generate String and Save, then have it typed on the phone again.',
    actions: [phoneCapf, { label: 'Bulk jobs', to: '/bulk' }],
  },
  'repeated-failures': {
    remedy: 'Fix the reason that repeats (see the evidence and the session timeline), then reschedule.',
    actions: [phoneCapf],
  },
  'auth-string-locked': {
    remedy: 'Give the user the right string (or Generate String), and schedule the operation again.',
    actions: [phoneCapf],
  },
  'not-contacted': {
    remedy: 'Apply Config (or reset the phone) so it reads its configuration; the other findings name the cause.',
    actions: [phoneCapf],
  },
  'tls-policy-weak': {
    remedy:
      'Keep the legacy-7900 TLS profile only on the listeners 7900-series phones use (CAPF, TVS) and only while ' +
      'such phones remain.',
    actions: [dashboard],
  },
  'identity-extension-missing': {
    remedy:
      'Have the certificate issued again with the extensions (Generate CSR, then Upload), or Regenerate a ' +
      'self-signed one.',
    actions: [{ label: 'Certificates', to: '/certificates' }],
  },
};

export function remedyFor(id: string, device: string | null): UiRemedy | null {
  const r = (UI_REMEDIES as Record<string, UiRemedy | undefined>)[id];
  if (!r) return null;
  const actions = r.actions
    .filter((a) => device || !a.to.includes('{device}'))
    .map((a) => ({ ...a, to: a.to.replace('{device}', encodeURIComponent(device ?? '')) }));
  return { remedy: r.remedy, actions };
}
