// Owns the doctor's rules: pure functions from DoctorFacts to findings, one per troubleshooting case of the
// seed (docs/troubleshooting.md). No I/O here; the collector gathers the facts.

import { AUTH_MODES, sameStatus, STATUS } from '../phones/model.ts';
import type { DoctorFacts, ItlFacts } from './facts.ts';
import { finding, type Finding } from './findings.ts';

/** How many of the recent sessions must have failed before "repeated failures" is reported. */
export const REPEATED_FAILURE_THRESHOLD = 2;
const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 } as const;

function itlFindings(itl: ItlFacts, capfSha1: string, what: string): Finding[] {
  if (!itl.found) return [finding('itl-missing', [`${what}: ${itl.source} answered "file not found"`])];
  if (itl.error) return [finding('itl-corrupt', [`${what}: ${itl.source}: ${itl.error}`])];
  if (itl.capfSha1s.length === 0)
    return [finding('itl-no-capf', [`${what} (${itl.source}, SHA-1 ${itl.sha1}) lists no CAPF certificate`])];
  if (!itl.capfSha1s.includes(capfSha1)) {
    return [
      finding('itl-capf-mismatch', [
        `${what} (${itl.source}) lists CAPF ${itl.capfSha1s.join(', ')}`,
        `the CAPF service presents ${capfSha1}`,
      ]),
    ];
  }
  return [];
}

const bySeverity = (a: Finding, b: Finding) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity];

/**
 * The findings, those about the phone asked about first (the admin asked about it), each group by severity. For a
 * phone, every finding prints the phone's own Certificate Operation Status, not the one its case usually shows.
 */
export function diagnose(f: DoctorFacts): Finding[] {
  const out: Finding[] = [];
  const mine: Finding[] = [];
  const now = Date.parse(f.checkedAt);
  const c = f.capfCertificate;
  if (Date.parse(c.notAfter) <= now)
    out.push(finding('capf-cert-expired', [`${c.subjectDn} (serial ${c.serialHex}) expired ${c.notAfter}`]));
  else if (c.daysLeft < f.expiryWarningDays)
    out.push(
      finding('capf-cert-expiring', [
        `${c.subjectDn} expires ${c.notAfter} (${c.daysLeft} days left; warning at ${f.expiryWarningDays})`,
      ]),
    );

  if (!f.capfEnabled) out.push(finding('capf-not-running', ['capf.enabled is false: the CAPF service is deactivated']));
  else if (!f.capfLocal.reachable)
    out.push(
      finding('capf-not-running', [
        `nothing answers on ${f.capfLocal.host}:${f.capfLocal.port}: ${f.capfLocal.error ?? 'no connection'}`,
      ]),
    );
  else if (f.capfPublic && !f.capfPublic.reachable) {
    out.push(
      finding('capf-unreachable-from-phones', [
        `${f.capfLocal.host}:${f.capfLocal.port} answers`,
        `${f.capfHost.name} -> ${f.capfPublic.host}:${f.capfPublic.port} ` +
          `does not: ${f.capfPublic.error ?? 'no connection'}`,
      ]),
    );
  }
  if (f.tvs && !f.tvs.reachable)
    out.push(finding('tvs-not-running', [`TVS ${f.tvs.host}:${f.tvs.port}: ${f.tvs.error ?? 'no connection'}`]));
  if (f.capfHost.address === null)
    out.push(
      finding('capf-host-unresolvable', [
        `phones are told to use CAPF at "${f.capfHost.name}": ${f.capfHost.error ?? 'does not resolve'}`,
      ]),
    );

  for (const itl of f.itls) out.push(...itlFindings(itl, c.sha1, itl.fileName));
  for (const id of f.identityProblems)
    out.push(
      finding(
        'identity-extension-missing',
        id.problems.map((x) => `${id.name}: ${x}`),
      ),
    );
  for (const t of f.tls.filter((x) => x.weaknesses.length > 0))
    out.push(
      finding(
        'tls-policy-weak',
        t.weaknesses.map(
          (w) => `${t.listener} (profile ${t.profile}${t.overridden.length ? ', overridden' : ''}): ${w}`,
        ),
      ),
    );

  const p = f.phone;
  if (p) {
    if (p.perMacItl?.found) {
      const def = f.itls[0];
      if (p.perMacPinned || (def?.sha1 && p.perMacItl.sha1 !== def.sha1)) {
        mine.push(
          finding('itl-per-mac-override', [
            `${p.perMacItl.fileName} (SHA-1 ${p.perMacItl.sha1}) is served instead of ` +
              `ITLFile.tlv (SHA-1 ${def?.sha1 ?? '?'})${p.perMacPinned ? '; it is pinned' : ''}`,
          ]),
        );
        mine.push(...itlFindings(p.perMacItl, c.sha1, p.perMacItl.fileName));
      }
    }
    const served = p.itlServed;
    if (served?.status === 'older')
      mine.push(
        finding('itl-older-served', [
          `${p.deviceName} was last served ITL SHA-1 ${served.sha1} at ${served.servedAt}; ` +
            `ITLFile.tlv is now ${f.itls[0]?.sha1 ?? '(not read)'}`,
        ]),
      );
    const ph = p.phone;
    if (
      served?.status === 'current' &&
      served.servedCount >= REPEATED_FAILURE_THRESHOLD &&
      served.lastCapfSessionAt === null &&
      ph &&
      ph.capf.operation !== 'none'
    )
      mine.push(
        finding('itl-foreign-suspected', [
          `${p.deviceName} was served our current ITL ${served.servedCount} times (last ${served.servedAt}) and ` +
            'never opened a CAPF session with us',
          `Operation ${ph.capf.operation} is pending: ${ph.status}`,
        ]),
      );
    if (!ph) {
      mine.push(finding('phone-unknown', [`${p.deviceName} is not in the database`]));
    } else {
      const op = ph.capf.operation;
      const pending = op !== 'none';
      if (
        sameStatus(ph.operationStatus, STATUS.failed('install', 'late')) ||
        (pending && ph.capf.completesBy && Date.parse(ph.capf.completesBy) < now)
      ) {
        mine.push(
          finding('deadline-past', [
            `Operation Completes By ${ph.capf.completesBy ?? '-'}`,
            `Certificate Operation Status: ${ph.status}`,
          ]),
        );
      }
      if (pending && p.profileAuthMode && p.profileAuthMode !== ph.capf.authMode) {
        mine.push(
          finding('auth-mode-profile-mismatch', [
            `operation: ${AUTH_MODES[ph.capf.authMode].label}`,
            `profile "${p.profileName}": ${AUTH_MODES[p.profileAuthMode].label}`,
          ]),
        );
      }
      if (pending && ph.capf.authMode === 'existing-lsc' && !ph.lsc) {
        mine.push(
          finding(f.manufacturingCaConfigured ? 'lsc-precedence-mic-fallback' : 'lsc-precedence-mic-only', [
            `${ph.deviceName} has no LSC on record${ph.mic ? `; MIC seen: ${ph.mic.subjectDn}` : ''}`,
            f.manufacturingCaConfigured
              ? 'a manufacturing CA is trusted (capf.manufacturingCaFile or opencapf capf manufacturing)'
              : 'no manufacturing CA is trusted (capf.manufacturingCaFile, opencapf capf manufacturing): no MIC can ' +
                'be verified',
          ]),
        );
      }
      const locked = ph.operationStatus.outcome === 'failed' && ph.operationStatus.reason === 'authLocked';
      const invalid = ph.operationStatus.outcome === 'failed' && ph.operationStatus.reason === 'badAuthString';
      if (invalid || (!locked && pending && ph.authFailures > 0 && ph.authFailures < f.authFailureLimit)) {
        mine.push(
          finding('auth-string-invalid', [
            `Certificate Operation Status: ${ph.status}`,
            `${ph.authFailures} wrong authentication string(s) since the operation was scheduled ` +
              `(locked at ${f.authFailureLimit})`,
            ...(ph.capf.authMode === 'auth-string' ? [] : [`Authentication Mode is now ${ph.capf.authMode}`]),
          ]),
        );
      }
      if (locked || (pending && ph.authFailures >= f.authFailureLimit)) {
        mine.push(
          finding('auth-string-locked', [
            `${ph.authFailures} authentication failures (limit ${f.authFailureLimit})`,
            `Certificate Operation Status: ${ph.status}`,
          ]),
        );
      }
      const failures = p.sessions.filter((s) => s.outcome === 'failure' || s.outcome === 'rejected');
      if (failures.length >= REPEATED_FAILURE_THRESHOLD) {
        const byReason = new Map<string, number>();
        for (const s of failures)
          byReason.set(s.reason ?? s.status ?? 'unknown', (byReason.get(s.reason ?? s.status ?? 'unknown') ?? 0) + 1);
        mine.push(
          finding('repeated-failures', [
            `${failures.length} of the last ${p.sessions.length} CAPF sessions failed`,
            ...[...byReason].sort((a, b) => b[1] - a[1]).map(([r, n]) => `${n} x ${r}`),
          ]),
        );
      }
      if (pending && ph.operationStatus.outcome === 'pending' && p.sessions.length === 0) {
        mine.push(
          finding('not-contacted', [
            `${op} scheduled (completes by ${ph.capf.completesBy ?? '-'}); ` +
              `no CAPF session from ${ph.deviceName} on record`,
          ]),
        );
      }
    }
  }
  const status = p?.phone?.status;
  const all = [...mine.map((x) => ({ ...x, scope: 'phone' as const })).sort(bySeverity), ...out.sort(bySeverity)];
  return status ? all.map((x) => ({ ...x, adminStatus: status })) : all;
}
