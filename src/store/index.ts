// Public surface of store/ (only app/ and tests construct stores).
export * from './open.ts';
export type { Database } from './tables.ts';
export { rowAfter0006 } from './migrations/0006-status-codes.ts';
