// Public surface of audit/ (domain): the closed action table, recordAudit, the storage port, the reader.
export * from './actions.ts';
export * from './ports.ts';
export * from './record.ts';
export * from './service.ts';
