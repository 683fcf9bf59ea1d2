// Public surface of doctor/: findings (seed causes and remedies), pure rules, the fact collector, the report.
export * from './findings.ts';
export * from './facts.ts';
export { diagnose, REPEATED_FAILURE_THRESHOLD } from './rules.ts';
export { collectFacts, fetchItlFacts, itlFactsOf, probe, type DoctorSources, type Endpoint } from './collector.ts';
export { renderReport, type DoctorReport } from './report.ts';
export { runDoctor } from './run.ts';
