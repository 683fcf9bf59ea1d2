// Public surface of access/ (domain): roles and principals, passwords, the storage port, the user service.
export * from './roles.ts';
export * from './passwords.ts';
export * from './ports.ts';
export * from './service.ts';
