// Owns `opencapf migrate plan` and the web UI's migration page: the ordered steps for moving phones that trust
// another cluster (CUCM or OpenCAPF) onto this one without touching a phone, each ticked from what this cluster
// has observed — the last trust export and migration check (audit log), the ITL each phone was served (ITL File
// Status) and the LSCs it issued. Pure: facts in, steps out.

import type { ExportedCertificate } from './trust-export.ts';
import { verdictText, type CheckVerdict } from './check.ts';

export const MIGRATION_SOURCES = ['cucm', 'opencapf'] as const;
export type MigrationSource = (typeof MIGRATION_SOURCES)[number];

export function isMigrationSource(s: string): s is MigrationSource {
  return (MIGRATION_SOURCES as readonly string[]).includes(s);
}

export interface PhoneCounts {
  current: number;
  older: number;
  never: number;
  total: number;
}

export interface PlanFacts {
  from: MigrationSource;
  node: string;
  /** What phones are told to reach us by (cluster.publicHost) and our ports. */
  publicHost: string;
  tftpPort: number | null;
  httpPort: number | null;
  tvsPort: number;
  exports: readonly ExportedCertificate[];
  /** The last `migrate export-trust`, from the audit log. */
  exportedAt: string | null;
  lastCheck: { at: string; ok: boolean; verdict: CheckVerdict } | null;
  /** ITL File Status of the phones in our table; null when it is not recorded. */
  itl: PhoneCounts | null;
  /** Phones whose LSC was issued by our current CAPF, of all phones in our table. */
  lsc: { fromUs: number; total: number } | null;
  /** Our own rollback mode (we are the old cluster of someone else when it is on). */
  rollbackOn: boolean;
}

/** done: observed; todo: not yet; watch: partly (a count moves); manual: nothing we can observe shows it. */
export type StepState = 'done' | 'todo' | 'watch' | 'manual';

export interface PlanStep {
  id: string;
  title: string;
  state: StepState;
  /** What the admin does, in order. */
  details: string[];
  /** Commands to run (on this cluster unless the text says otherwise). */
  commands: string[];
  /** What we observed, when anything. */
  evidence: string | null;
}

function tftpAddress(f: PlanFacts): string {
  return f.tftpPort === null ? `${f.publicHost} (TFTP is off: tftp.enabled)` : f.publicHost;
}

export function migrationPlan(f: PlanFacts): PlanStep[] {
  const steps: PlanStep[] = [];
  const files = f.exports;
  const cucm = f.from === 'cucm';

  steps.push({
    id: 'export-trust',
    title: 'Export our signing certificates for the old cluster',
    state: f.exportedAt ? 'done' : 'todo',
    details: [
      `Writes ${files.map((x) => x.fileName).join(' and ')} with MANIFEST.txt (what goes where).`,
      ...files.map((x) => `${x.fileName}: ${x.cucmName}, SHA-1 ${x.sha1}, valid to ${x.notAfter.slice(0, 10)}`),
    ],
    commands: ['opencapf migrate export-trust ./to-old-cluster'],
    evidence: f.exportedAt ? `exported ${f.exportedAt}` : null,
  });

  const uploadDetails = cucm
    ? [
        'On the old CUCM publisher: Cisco Unified OS Administration > Security > Certificate Management >',
        'Upload Certificate/Certificate chain, once per file and trust store:',
        ...files.map((x) => `  ${x.fileName} as ${x.cucmStores.join(' and as ')}`),
        'Restart the Cisco Trust Verification Service and Cisco TFTP on every old node (Cisco doc 213407).',
        'Enterprise parameter "Prepare Cluster for Rollback to pre-8.0" must stay False for this way.',
        'Instead of the upload, for an old cluster that will be retired: set that parameter to True, reset the',
        'phones and wait until they have all downloaded the empty ITL (its Trust List menu shows blank TVS/TFTP).',
      ]
    : [
        'On the old OpenCAPF cluster, copy the files over and import them into its TVS trust:',
        ...files.map((x) => `  opencapf tvs trust import ${x.fileName} --role ${x.openCapfRoles.join(',')}`),
        'Instead, for an old cluster that will be retired: `opencapf itl rollback on` there, reboot the phones',
        'and wait until they have all downloaded the rollback ITL (`opencapf report itl-status` there).',
      ];
  const vouched = f.lastCheck?.ok === true;
  steps.push({
    id: 'old-cluster-trust',
    title: cucm
      ? "Make the old CUCM's TVS vouch for us (or serve its rollback ITL)"
      : "Make the old OpenCAPF's TVS vouch for us (or turn on its rollback mode)",
    state: vouched ? 'done' : 'manual',
    details: uploadDetails,
    commands: [],
    evidence: f.lastCheck?.ok ? `migrate check ${f.lastCheck.at}: ${verdictText(f.lastCheck.verdict)}` : null,
  });

  steps.push({
    id: 'check',
    title: 'Check, before moving any phone, that a phone holding the old ITL accepts ours',
    state: f.lastCheck ? (f.lastCheck.ok ? 'done' : 'todo') : 'todo',
    details: [
      "Reads the old cluster's ITL (from its TFTP server or a saved ITLFile.tlv), asks its TVS about our signer as",
      'a phone would (the TVS must be one the old ITL lists), and fetches our ITL from the TFTP address the phones',
      'will be given. The old TVS must stay reachable from the phone networks until every phone has moved.',
    ],
    commands: [
      'opencapf migrate check --old-tftp OLD-TFTP-HOST --old-tvs OLD-TVS-HOST:2445 ' +
        `--tftp ${f.publicHost}${f.tftpPort !== null && f.tftpPort !== 69 ? `:${f.tftpPort}` : ''}`,
    ],
    evidence: f.lastCheck
      ? `${f.lastCheck.at}: ${f.lastCheck.ok ? 'passed' : 'FAILED'} — ${verdictText(f.lastCheck.verdict)}`
      : null,
  });

  const total = f.itl?.total ?? f.lsc?.total ?? 0;
  steps.push({
    id: 'add-phones',
    title: 'Add the phones and schedule their LSC operation here',
    state: total > 0 ? 'done' : 'todo',
    details: [
      'Import the phones (CSV: device name, model, security profile), then schedule Install/Upgrade with the',
      'authentication mode the phones can use (By Existing Certificate (Precedence MIC) needs their manufacturing',
      'CA: capf.manufacturingCaFile; By Null String is the simplest on a trusted network).',
    ],
    commands: [
      'opencapf phone import phones.csv',
      "opencapf bulk schedule install --name 'SEP*' --auth-mode null-string",
    ],
    evidence: total > 0 ? `${total} phone(s) in the phone table` : null,
  });

  const moved = f.itl ? f.itl.current : null;
  steps.push({
    id: 'point-phones',
    title: 'Point the phones at our TFTP server',
    state: moved === null ? 'manual' : moved === 0 ? 'todo' : f.itl && moved >= f.itl.total ? 'done' : 'watch',
    details: [
      `DHCP option 150 (or option 66, or the phones' Alternate TFTP) = ${tftpAddress(f)}; HTTP ${f.httpPort ?? 'off'}.`,
      cucm
        ? 'Then reset the phones from the old CUCM (Device > Phone > Reset) so they reboot and download our files.'
        : 'Then reboot the phones (from the old cluster, or power-cycle them) so they download our files.',
      'A phone that downloads our ITL and then never contacts our CAPF still holds the old ITL: `opencapf doctor',
      'SEP…` names the cure.',
    ],
    commands: ['opencapf report itl-status --status older', 'opencapf report itl-status --status never'],
    evidence: f.itl
      ? `${f.itl.current} of ${f.itl.total} phones were served our current ITL (${f.itl.older} an older one, ` +
        `${f.itl.never} never seen)`
      : null,
  });

  steps.push({
    id: 'lsc',
    title: 'Watch the phones enrol for an LSC from our CAPF',
    state: !f.lsc || f.lsc.total === 0 ? 'todo' : f.lsc.fromUs >= f.lsc.total ? 'done' : 'watch',
    details: [
      'Each phone that accepted our ITL fetches our signed configuration, finds our CAPF in it and enrols.',
      'RADIUS (802.1X) and VPN must trust our CAPF CA before the phones need them: opencapf cert export capf.',
    ],
    commands: ['opencapf report capf', 'opencapf phone find --lsc-not-current-capf'],
    evidence: f.lsc ? `${f.lsc.fromUs} of ${f.lsc.total} phones hold an LSC from our CAPF` : null,
  });

  steps.push({
    id: 'finish',
    title: 'When every phone has moved: tidy the old cluster',
    state: 'manual',
    details: [
      'If the old cluster stays in service: set its rollback parameter back to False (OpenCAPF: itl rollback off)',
      'and remove our certificates from its trust stores (OpenCAPF: opencapf tvs trust remove).',
      f.rollbackOn
        ? 'NOTE: rollback mode is ON on THIS cluster: `opencapf itl rollback off` once its own phones have left.'
        : 'Our own rollback mode is off, as it should be.',
    ],
    commands: [],
    evidence: null,
  });
  return steps;
}

const MARK: Readonly<Record<StepState, string>> = { done: '[x]', todo: '[ ]', watch: '[~]', manual: '[?]' };

export function renderPlan(from: MigrationSource, steps: readonly PlanStep[]): string {
  const lines = [
    `Moving phones from ${from === 'cucm' ? 'a CUCM cluster' : 'another OpenCAPF cluster'} to this one`,
    '([x] observed done, [~] under way, [ ] to do, [?] not observable from here)',
    '',
  ];
  steps.forEach((s, i) => {
    lines.push(`${MARK[s.state]} ${i + 1}. ${s.title}`);
    for (const d of s.details) lines.push(`      ${d}`);
    for (const c of s.commands) lines.push(`      $ ${c}`);
    if (s.evidence) lines.push(`      observed: ${s.evidence}`);
    lines.push('');
  });
  return lines.join('\n');
}
