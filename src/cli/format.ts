// Owns human-readable CLI output: aligned tables and the CUCM page layouts.

import { AUTH_MODES, CERT_OPERATIONS, KEY_ORDERS, type Phone } from '../phones/index.ts';
import type { CertificateInfo } from '../pki/index.ts';
import { colonHex } from '../pki/index.ts';

export function table(headers: string[], rows: (string | number | null | undefined)[][]): string {
  const cells = rows.map((r) => r.map((c) => (c === null || c === undefined ? '' : String(c))));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

/** CUCM shows Operation Completes By as "YYYY MM DD HH (YYYY:MM:DD:HH)". */
export function cucmDeadline(iso: string | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  const p = (n: number) => String(n).padStart(2, '0');
  return (
    `${d.getUTCFullYear()} ${p(d.getUTCMonth() + 1)} ${p(d.getUTCDate())} ` +
    `${p(d.getUTCHours())} (YYYY:MM:DD:HH, UTC)  ${iso}`
  );
}

export function capfSection(p: Phone): string {
  const rows: [string, string][] = [
    ['Certificate Operation*', CERT_OPERATIONS[p.capf.operation].label],
    ['Authentication Mode*', AUTH_MODES[p.capf.authMode].label],
    ['Authentication String', p.capf.authString ?? ''],
    ['Key Order*', KEY_ORDERS[p.capf.keyOrder].label],
    ['RSA Key Size (Bits)*', String(p.capf.rsaKeySize)],
    ['EC Key Size (Bits)', p.capf.ecKeySize ? String(p.capf.ecKeySize) : ''],
    ['Operation Completes By', cucmDeadline(p.capf.completesBy)],
    ['Certificate Operation Status:', p.status],
  ];
  const w = Math.max(...rows.map((r) => r[0].length));
  return [
    'Certification Authority Proxy Function (CAPF) Information',
    ...rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`.trimEnd()),
  ].join('\n');
}

export function certificateDetails(name: string, purpose: string, c: CertificateInfo, warning?: string): string {
  const lines = [
    `Certificate Details for ${c.subject.find((a) => a.type === 'CN')?.value ?? name}, ${purpose}`,
    `  File Name:            ${name}.pem`,
    `  Certificate Purpose:  ${purpose}`,
    `  Certificate Type:     ${c.selfSigned ? 'Self-signed' : 'CA-signed'}`,
    '',
    `  Version:              V${c.version}`,
    `  Serial Number:        ${c.serialHex}  (${colonHex(c.serialHex)})`,
    `  SignatureAlgorithm:   ${c.signatureAlgorithm} (${c.signatureAlgorithmOid})`,
    `  Issuer Name:          ${c.issuerDn}`,
    `  Validity From:        ${c.notBefore.toUTCString()}`,
    `             To:        ${c.notAfter.toUTCString()}`,
    `  Subject Name:         ${c.subjectDn}`,
    `  Key:                  ${c.keyDescription}`,
    `  CA:                   ${c.isCa ? 'yes' : 'no'}`,
    `  SHA-1 Fingerprint:    ${colonHex(c.sha1)}`,
    `  SHA-256 Fingerprint:  ${colonHex(c.sha256)}`,
  ];
  if (warning) lines.push('', `  WARNING: ${warning}`);
  return lines.join('\n');
}
