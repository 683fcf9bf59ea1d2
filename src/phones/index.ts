// Public surface of phones/ (pure domain).
export * from './model.ts';
export * from './ports.ts';
export * from './query-fields.ts';
export * from './service.ts';
export * from './capf-operations.ts';
export type { CapfUpdate, PhoneBatchStore, PhoneBatchUnit } from './admin-ports.ts';
export * from './device-name.ts';
