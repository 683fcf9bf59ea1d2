// Public surface of keys/ (only app/ constructs key stores).
export * from './file-key-store.ts';
