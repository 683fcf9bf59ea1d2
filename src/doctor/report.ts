// Owns the doctor's outputs: the readable report (what a TAC engineer would write) and the JSON document
// the CLI (--json) and the API return.

import type { DoctorFacts } from './facts.ts';
import type { Finding } from './findings.ts';

export interface DoctorReport {
  checkedAt: string;
  device: string | null;
  ok: boolean;
  findings: Finding[];
  facts: DoctorFacts;
}

const LABEL = { error: 'ERROR', warning: 'WARN ', info: 'INFO ' } as const;

export function renderReport(r: DoctorReport): string {
  const f = r.facts;
  const lines = [
    `OpenCAPF doctor  ${r.checkedAt}${r.device ? `  device ${r.device}` : ''}`,
    '',
    `CAPF certificate  ${f.capfCertificate.subjectDn}  expires ` +
      `${f.capfCertificate.notAfter} (${f.capfCertificate.daysLeft} days)`,
    `CAPF service      ${f.capfLocal.host}:${f.capfLocal.port} ` +
      `${f.capfLocal.reachable ? 'answers' : `does not answer (${f.capfLocal.error})`}`,
    `CAPF host name    ${f.capfHost.name} -> ${f.capfHost.address ?? `does not resolve (${f.capfHost.error})`}`,
    ...f.itls.map(
      (i) =>
        `ITL               ${i.source}: ` +
        `${!i.found ? 'not found' : i.error ? `bad (${i.error})` : `${i.capfSha1s.length} CAPF record(s)`}`,
    ),
    ...f.tls.map(
      (t) =>
        `TLS ${t.listener.padEnd(14)}${t.profile}: ${t.minVersion} to ${t.maxVersion}` +
        (t.overridden.length ? ` (overrides: ${t.overridden.join(', ')})` : ''),
    ),
  ];
  if (f.phone?.phone) {
    const p = f.phone.phone;
    lines.push(
      `Phone             ${p.deviceName} ${p.model}: ${p.capf.operation}, ${p.capf.authMode}, completes ` +
        `by ${p.capf.completesBy ?? '-'}; status "${p.status}"; LSC ${p.lsc ? 'installed' : 'none'}`,
    );
  }
  lines.push('');
  if (r.findings.length === 0) lines.push('No problems found.');
  let scope: string | null = null;
  for (const x of r.findings) {
    if (r.device && x.scope !== scope) {
      scope = x.scope;
      lines.push(scope === 'phone' ? `About ${r.device}:` : 'Cluster-wide:', '');
    }
    lines.push(`[${LABEL[x.severity]}] ${x.title}  (${x.id})`);
    lines.push(`  Cause:    ${x.cause}`);
    for (const e of x.evidence) lines.push(`  Evidence: ${e}`);
    if (x.phoneMessage) lines.push(`  Phone shows: ${x.phoneMessage}`);
    if (x.adminStatus) lines.push(`  Certificate Operation Status: ${x.adminStatus}`);
    lines.push(`  Remedy:   ${x.remedy}`);
    lines.push(`  See:      ${x.docsAnchor}`);
    lines.push('');
  }
  const errors = r.findings.filter((x) => x.severity === 'error').length;
  const warnings = r.findings.filter((x) => x.severity === 'warning').length;
  lines.push(`${errors} error(s), ${warnings} warning(s)`);
  return lines.join('\n');
}
