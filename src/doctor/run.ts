// Owns one doctor run: collect facts, apply the rules, shape the report.

import { parseDeviceName } from '../phones/model.ts';
import { AppError } from '../shared/errors.ts';
import { collectFacts, type DoctorSources } from './collector.ts';
import type { DoctorReport } from './report.ts';
import { diagnose } from './rules.ts';

export async function runDoctor(sources: DoctorSources, device?: string | null): Promise<DoctorReport> {
  let name: string | null = null;
  if (device) {
    const p = parseDeviceName(device);
    if (!p.ok) throw new AppError('ERR_PHONE_BAD_NAME', p.reason);
    name = p.name;
  }
  const facts = await collectFacts(sources, name);
  const findings = diagnose(facts);
  return {
    checkedAt: facts.checkedAt,
    device: name,
    ok: !findings.some((f) => f.severity === 'error'),
    findings,
    facts,
  };
}
