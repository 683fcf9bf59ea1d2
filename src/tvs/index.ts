// Public surface of tvs/: the TVS wire codec, the TLS server, the phone-side client, and the ports they need.
export * from './constants.ts';
export * from './codec.ts';
export * from './names.ts';
export type * from './ports.ts';
export {
  createTvsServer,
  TVS_DEFAULT_MAX_REQUEST_BODY_BYTES,
  type TvsServer,
  type TvsServerLimits,
  type TvsServerOptions,
  type TvsServerTlsOptions,
} from './server.ts';
export {
  tvsExchange,
  tvsQuery,
  tvsVerify,
  type TvsClientOptions,
  type TvsQueryAnswer,
  type TvsVerifyResult,
} from './client.ts';
