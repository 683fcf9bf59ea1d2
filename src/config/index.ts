// Public surface of config/.
export * from './schema.ts';
export * from './load.ts';
export * from './docs.ts';
export * from './views.ts';
