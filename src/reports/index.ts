// Public surface of reports/: the CAPF report and the LSC expiry summary (pure domain over its ports).
export * from './ports.ts';
export * from './service.ts';
