// Public surface of bulk/: Bulk Administration — bulk CAPF jobs, the renewal policy that schedules them,
// CSV import of phones (pure domain over its ports).
export * from './ports.ts';
export * from './service.ts';
export * from './renewal.ts';
export * from './csv-import.ts';
export * from './csv-import-codec.ts';
