// Public surface of store/ (only app/ and tests construct stores).
export * from './open.ts';
export type { Database } from './tables.ts';
