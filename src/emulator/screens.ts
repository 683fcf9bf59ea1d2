// Owns rendering the phone's own screens as text: Settings > Security > Security Configuration and
// Settings > Status > Status Messages (seed screenshots), from a phone's saved state.

import { parseCertificate, pemToDer } from '../pki/index.ts';
import { restorePhoneTrustStore } from '../trust/index.ts';
import { LSC_SCREEN_STATES, statusTimestamp } from './messages.ts';
import type { PhoneState } from './state.ts';

export interface SecurityConfiguration {
  mic: 'Installed' | 'Not Installed';
  lsc: (typeof LSC_SCREEN_STATES)[keyof typeof LSC_SCREEN_STATES];
  trustList: 'Installed' | 'Not Installed';
  capfServer: string;
  lscSerial: string | null;
  lscIssuer: string | null;
  lscExpires: string | null;
  capfInTrustList: number;
}

export function securityConfiguration(state: PhoneState): SecurityConfiguration {
  const trust = restorePhoneTrustStore(state.trust);
  const lsc = state.lsc ? parseCertificate(pemToDer(state.lsc.certPem)) : null;
  const capf = state.lastConfig?.capfServers[0];
  return {
    mic: 'Installed',
    lsc: LSC_SCREEN_STATES[state.lscState],
    trustList: trust.itl() || trust.ctl() ? 'Installed' : 'Not Installed',
    // The seed: the CAPF server entry shows as the host name (or FQDN) the phone must resolve.
    capfServer: capf ? `${capf.host}:${capf.port}` : 'None',
    lscSerial: lsc?.serialHex ?? null,
    lscIssuer: lsc?.issuerDn ?? null,
    lscExpires: lsc?.notAfter.toISOString() ?? null,
    capfInTrustList: trust.capfCertificates().length,
  };
}

export function renderSecurityConfiguration(state: PhoneState): string {
  const s = securityConfiguration(state);
  const capfRecords = `${s.capfInTrustList} CAPF record${s.capfInTrustList === 1 ? '' : 's'}`;
  const lines = [
    `Security Configuration  (Cisco IP Phone CP-${state.model}, ${state.deviceName})`,
    `  MIC          ${s.mic}`,
    `  LSC          ${s.lsc}`,
    `  Trust List   ${s.trustList}${s.trustList === 'Installed' ? ` (${capfRecords})` : ''}`,
    `  CAPF Server  ${s.capfServer}`,
  ];
  if (s.lscSerial) lines.push(`  LSC serial ${s.lscSerial}, issuer ${s.lscIssuer}, expires ${s.lscExpires}`);
  return lines.join('\n');
}

/** Newest last, as the seed's screenshot lists them. */
export function renderStatusMessages(state: PhoneState, limit = 30): string {
  const lines = [`Status Messages  (Cisco IP Phone CP-${state.model}, ${state.deviceName})`];
  for (const m of state.messages.slice(-limit)) lines.push(`  ${statusTimestamp(new Date(m.at))} ${m.text}`);
  if (state.messages.length === 0) lines.push('  (none)');
  return lines.join('\n');
}
