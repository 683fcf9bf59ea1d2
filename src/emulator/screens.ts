// Owns rendering the phone's own screens as text: Settings > Security > Security Configuration and
// Settings > Status > Status Messages (seed screenshots), and Settings > Security > Trust List (the CTL and ITL
// the phone holds, entry by entry; layout UNCERTAIN, see docs/emulator.md), from a phone's saved state.

import { createHash } from 'node:crypto';
import { parseCertificate, pemToDer } from '../pki/index.ts';
import {
  isEmptyRecord,
  isRollbackTrustList,
  restorePhoneTrustStore,
  roleDisplay,
  type TrustList,
} from '../trust/index.ts';
import { LSC_SCREEN_STATES, statusTimestamp } from './messages.ts';
import type { PhoneState } from './state.ts';

export interface SecurityConfiguration {
  mic: 'Installed' | 'Not Installed';
  lsc: (typeof LSC_SCREEN_STATES)[keyof typeof LSC_SCREEN_STATES];
  trustList: 'Installed' | 'Not Installed';
  /** The ITL held is an empty (rollback) ITL: blank TVS/TFTP entries (tlv-files.md §9.6). */
  rollbackItl: boolean;
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
    rollbackItl: !!trust.itl() && isRollbackTrustList(trust.itl()!),
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
    `  Trust List   ${s.trustList}${s.trustList === 'Installed' ? ` (${capfRecords}` : ''}` +
      `${s.rollbackItl ? ', empty ITL: blank TVS/TFTP' : ''}${s.trustList === 'Installed' ? ')' : ''}`,
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

/** One entry of the Trust List screen: a record of the list, blank where a rollback ITL has an empty record. */
export interface TrustListEntry {
  /** 1-based, in file order. */
  n: number;
  /** Short role name as a phone shows it (SAST, CAPF, TVS, TFTP, CCM+TFTP, …). */
  role: string;
  /** Certificate subject; '' for a blank entry. */
  subject: string;
  dnsName: string;
  blank: boolean;
  /** This SAST entry signed the list. */
  signer: boolean;
}

export interface TrustListFileView {
  /** The generic name the phone keeps the file under (tlv-files.md §8). */
  file: 'ITLFile.tlv' | 'CTLFile.tlv';
  /** Checksums of the file held (CUCM 14 "ITL File Status" compares these with the cluster's). */
  md5: string;
  sha1: string;
  /** Subject and serial of the header signer. */
  signedBy: string;
  signerSerial: string;
  /** An empty (rollback) ITL: the next ITL is accepted from any signer, configuration files are taken unsigned. */
  rollback: boolean;
  entries: TrustListEntry[];
}

export interface TrustListScreen {
  ctl: TrustListFileView | null;
  itl: TrustListFileView | null;
}

function shortRole(code: number): string {
  const d = roleDisplay(code);
  return d === roleDisplay(0) ? 'SAST' : d;
}

function fileView(list: TrustList, file: TrustListFileView['file']): TrustListFileView {
  const hex = (alg: 'md5' | 'sha1') => createHash(alg).update(list.bytes).digest('hex').toUpperCase();
  return {
    file,
    md5: hex('md5'),
    sha1: hex('sha1'),
    signedBy: list.header.signerName ?? '',
    signerSerial: list.header.serialNumber?.toString('hex').toUpperCase() ?? '',
    rollback: file === 'ITLFile.tlv' && isRollbackTrustList(list),
    entries: list.records.map((r, i) => ({
      n: i + 1,
      role: shortRole(r.role),
      subject: r.subjectName ?? '',
      dnsName: r.dnsName ?? '',
      blank: isEmptyRecord(r),
      signer: i === list.signerRecordIndex,
    })),
  };
}

/** Settings > Security > Trust List, from the saved state. */
export function trustListScreen(state: PhoneState): TrustListScreen {
  const trust = restorePhoneTrustStore(state.trust);
  const ctl = trust.ctl();
  const itl = trust.itl();
  return { ctl: ctl ? fileView(ctl, 'CTLFile.tlv') : null, itl: itl ? fileView(itl, 'ITLFile.tlv') : null };
}

export function renderTrustList(state: PhoneState): string {
  const t = trustListScreen(state);
  const lines = [`Trust List  (Cisco IP Phone CP-${state.model}, ${state.deviceName})`];
  for (const [label, v] of [
    ['CTL File', t.ctl],
    ['ITL File', t.itl],
  ] as const) {
    if (!v) {
      lines.push(`  ${label}     Not Installed`);
      continue;
    }
    lines.push(`  ${label}     Installed${v.rollback ? ' (empty ITL: blank TVS/TFTP entries)' : ''}`);
    lines.push(`    MD5        ${v.md5}`, `    SHA-1      ${v.sha1}`);
    lines.push(`    Signed by  ${v.signedBy} (serial ${v.signerSerial})`);
    for (const e of v.entries) {
      const who = e.blank ? '' : `${e.subject}${e.dnsName ? ` [${e.dnsName}]` : ''}`;
      lines.push(`    ${String(e.n).padStart(2)} ${e.role.padEnd(10)} ${who}${e.signer ? '  (signer)' : ''}`.trimEnd());
    }
    if (v.rollback) lines.push('    The next ITL is accepted from any signer; configuration files are taken unsigned.');
  }
  return lines.join('\n');
}
