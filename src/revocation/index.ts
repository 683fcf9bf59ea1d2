// Public surface of revocation/: CRLs, OCSP, manual revocation, trust bundle, certificate verification.
export * from './reasons.ts';
export * from './service.ts';
export * from './verify.ts';
export * from './crl.ts';
export { createRevocationHttpHandler } from './http-handler.ts';
export { decodeOcspRequest, OcspResponseStatus, OCSP_LIMITS, type OcspRequest, type OcspCertId } from './ocsp-codec.ts';
export type { CaSource, CaKeyMaterial, RevocationStore, RevokedCertificate } from './ports.ts';
export { createCaSource } from './ca-source.ts';
