// Public surface of emulator/: an emulated Cisco IP phone (boot, state, screens) and a fleet of them.
export * from './messages.ts';
export * from './resolver.ts';
export * from './config-file.ts';
export * from './transport.ts';
export * from './state.ts';
export * from './manufacturing-ca.ts';
export * from './phone.ts';
export * from './screens.ts';
export * from './fleet.ts';
export * from './jabber.ts';
export * from './durations.ts';
