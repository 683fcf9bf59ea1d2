// Public surface of migration/: moving phones that trust another cluster (CUCM or OpenCAPF) onto this one —
// the trust export for the old cluster, the phone-side check and the observed plan (docs/migration.md).

export * from './trust-export.ts';
export * from './check.ts';
export * from './plan.ts';
export * from './service.ts';
