// Public surface of monitor/: the certificate monitor (rules, channels, digests, its sources and ports).
export * from './classes.ts';
export * from './schedule.ts';
export * from './ports.ts';
export * from './sources.ts';
export * from './digest.ts';
export * from './service.ts';
export { MAX_START_DAYS } from './inputs.ts';
