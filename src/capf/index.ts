// Public surface of capf/: codec, constants, signatures, session, server and the phone-side client.
export * from './constants.ts';
export * from './codec.ts';
export * from './signed-data.ts';
export * from './ports.ts';
export * from './session.ts';
export * from './server.ts';
export * from './client.ts';
