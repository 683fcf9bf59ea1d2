// Public surface of pki/: keys, certificate profiles, certificate reading.
export * from './keys.ts';
export * from './names.ts';
export * from './certificate-info.ts';
export * from './profiles.ts';
export { x509, ensureCryptoProvider } from './crypto-provider.ts';
export * from './identities.ts';
export * from './capf-ca.ts';
export type { KeyStore, StoredIdentity } from './ports.ts';
export * from './lsc-issuer.ts';
export * from './spki.ts';
export * from './identity-requirements.ts';
