// Public surface of shared/.
export * from './errors.ts';
export * from './bytes.ts';
export * from './secrets.ts';
export * from './clock.ts';
