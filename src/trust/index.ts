// Public surface of trust/: ITL/CTL content and signing, show itl, .sgn, .enc.sgn, a phone's trust rules.
export * from './constants.ts';
export {
  decodeHeader,
  decodeRecords,
  decodeTlvFile,
  encodeTlvFile,
  encodeRecord,
  layoutHeader,
  assembleSignedFile,
  messageToSign,
  signedMessageOf,
  headerInitOf,
  recordElementsOf,
  decodeCString,
  encodeCString,
  signatureModulusIndex,
  type DecodeOptions,
  type EncryptionInfo,
  type EncryptionInit,
  type HeaderInit,
  type HeaderLayout,
  type RecordElementInit,
  type TlvElement,
  type TlvFile,
  type TlvHeader,
  type TlvRecord,
  type Version,
} from './tlv-codec.ts';
export {
  trustListName,
  serialBytes,
  serialsEqual,
  publicKeyField,
  keyFromPublicKeyField,
  certificateSignatureValue,
  type NameStyle,
} from './certificate-fields.ts';
export {
  signFile,
  signerFields,
  checkSignature,
  assertSignature,
  type Signer,
  type SignParams,
  type SignatureCheck,
} from './signed-file.ts';
export {
  buildTrustList,
  parseTrustList,
  verifyTrustList,
  openTrustList,
  findSignerRecord,
  recordElements,
  recordPublicKey,
  certificateCount,
  type BuildTrustListParams,
  type CertificateForm,
  type TrustList,
  type TrustListMember,
  type TrustListVerification,
  type TrustListWarning,
  type TrustRecord,
} from './trust-list.ts';
export {
  ROLLBACK_BLANK_ROLES,
  emptyRecordBytes,
  isEmptyRecord,
  isRollbackTrustList,
} from './rollback.ts';
export { buildItl, parseItl, itlWarnings, cucmItlMembers, type CucmItlIdentities } from './itl.ts';
export { buildCtl, parseCtl, ctlWarnings } from './ctl.ts';
export { showItl, showItlJson, type ShowItlJson, type ShowItlOptions } from './show-itl.ts';
export {
  signSgn,
  decodeSgn,
  unwrapSgn,
  verifySgn,
  selectSigner,
  sgnFileName,
  certHash,
  deviceCertHash,
  type SignSgnParams,
  type DecodedSgn,
  type VerifiedSgn,
} from './sgn.ts';
export {
  encryptConfig,
  decryptConfig,
  encryptedConfigStub,
  type EncryptConfigParams,
  type EncryptedConfig,
  type DecryptConfigParams,
  type DecryptedConfig,
} from './encrypted-config.ts';
export {
  createPhoneTrustStore,
  restorePhoneTrustStore,
  type PhoneTrustStore,
  type PhoneTrustStoreOptions,
  type PhoneTrustStoreState,
  type InstallOutcome,
  type InstallReason,
  type TrustedCertificate,
} from './trust-rules.ts';
