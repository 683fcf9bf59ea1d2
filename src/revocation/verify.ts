// Owns `verify`: is this certificate an LSC issued by our CAPF (current or previous CA), for which
// device, is it the phone's current one, revoked, expired? MICs are named as such.

import { isIssuedBy, parseCertificate, type CertificateInfo } from '../pki/index.ts';
import { normalizeSerialHex } from './asn1.ts';
import type { CaSource, RevocationStore } from './ports.ts';

/** Issuers of Cisco manufacturing certificates (seed: "MICs versus LSCs"; SUDI CAs of newer phones). */
const MANUFACTURING_ISSUER_PATTERNS = [
  /Cisco Manufacturing CA/i,
  /CAP-RTP-\d+/i,
  /ACT2 SUDI CA/i,
  /High Assurance SUDI CA/i,
  /Cisco Basic Assurance Root CA/i,
];

export type VerifyVerdict = 'valid' | 'revoked' | 'expired' | 'not-yet-valid' | 'not-recorded' | 'mic' | 'foreign';

export interface VerifyResult {
  verdict: VerifyVerdict;
  /** True only for a valid LSC of ours: what a RADIUS server or VPN head-end should accept. */
  ok: boolean;
  message: string;
  certificate: {
    serialHex: string;
    subjectDn: string;
    issuerDn: string;
    notBefore: string;
    notAfter: string;
    sha256: string;
    keyType: string;
  };
  /** Which CAPF CA signed it (signature checked), or null. */
  issuedBy: 'current' | 'previous' | null;
  deviceName: string | null;
  /** What the certificates table says about this serial (null: never issued by this database). */
  record: { state: string; revokedAt: string | null; revocationReason: string | null; deviceName: string } | null;
  /** Is the phone's current LSC this one? null when the phone is not in the database. */
  currentForPhone: boolean | null;
  expired: boolean;
  manufacturing: { trustedMic: boolean; issuer: string } | null;
}

export interface VerifyDeps {
  cas: CaSource;
  store: RevocationStore;
  isTrustedMic(der: Buffer): boolean;
}

const day = (d: Date | string) => new Date(d).toISOString().slice(0, 10);

export async function verifyCertificate(
  input: Uint8Array | string,
  deps: VerifyDeps,
  now: Date,
): Promise<VerifyResult> {
  const info: CertificateInfo = parseCertificate(input);
  const cur = deps.cas.current();
  const prev = deps.cas.previous();
  const issuedBy = isIssuedBy(info.der, cur.certificate.der)
    ? 'current'
    : prev && isIssuedBy(info.der, prev.certificate.der)
      ? 'previous'
      : null;
  const cn = info.subject.find((a) => a.type === 'CN')?.value ?? null;
  const expired = info.notAfter.getTime() <= now.getTime();
  const base = {
    certificate: {
      serialHex: info.serialHex,
      subjectDn: info.subjectDn,
      issuerDn: info.issuerDn,
      notBefore: info.notBefore.toISOString(),
      notAfter: info.notAfter.toISOString(),
      sha256: info.sha256,
      keyType: info.keyDescription,
    },
    issuedBy,
    expired,
  } as const;

  if (!issuedBy) {
    const trustedMic = deps.isTrustedMic(info.der);
    const looksMic = trustedMic || MANUFACTURING_ISSUER_PATTERNS.some((p) => p.test(info.issuerDn));
    if (looksMic) {
      return {
        ...base,
        verdict: 'mic',
        ok: false,
        deviceName: cn,
        record: null,
        currentForPhone: null,
        manufacturing: { trustedMic, issuer: info.issuerDn },
        message:
          'NOT AN LSC: this is a manufacturing certificate (MIC) issued by ' +
          `${info.issuerDn}${trustedMic ? ' (a configured manufacturing CA)' : ''}, not an LSC. It ` +
          'proves a genuine Cisco phone, not one of yours: 802.1X and VPN should trust LSCs only.',
      };
    }
    return {
      ...base,
      verdict: 'foreign',
      ok: false,
      deviceName: cn,
      record: null,
      currentForPhone: null,
      manufacturing: null,
      message:
        `NOT OURS: not signed by this cluster's CAPF CA (current ` +
        `${cur.certificate.subjectDn}${prev ? `, previous ${prev.certificate.subjectDn}` : ''}); ` +
        `issuer is ${info.issuerDn}.`,
    };
  }

  const rec = await deps.store.getCertificate(normalizeSerialHex(info.serialHex));
  const record = rec
    ? { state: rec.state, revokedAt: rec.revokedAt, revocationReason: rec.revocationReason, deviceName: rec.deviceName }
    : null;
  const deviceName = rec?.deviceName ?? cn;
  const phoneLsc = deviceName ? await deps.store.currentLscSerial(deviceName) : undefined;
  const currentForPhone =
    phoneLsc === undefined
      ? null
      : phoneLsc !== null && normalizeSerialHex(phoneLsc) === normalizeSerialHex(info.serialHex);
  const caDn = issuedBy === 'current' ? cur.certificate.subjectDn : prev!.certificate.subjectDn;
  const ca = `${issuedBy} CAPF CA (${caDn})`;
  const phoneNote =
    currentForPhone === null
      ? `phone ${deviceName ?? '?'} is not in the database`
      : currentForPhone
        ? `the phone's current LSC`
        : `not the phone's current LSC`;
  const r = { ...base, deviceName, record, currentForPhone, manufacturing: null };

  if (rec && (rec.state === 'revoked' || rec.state === 'superseded')) {
    return {
      ...r,
      verdict: 'revoked',
      ok: false,
      message:
        `REVOKED: LSC of ${deviceName} issued by the ${ca}, revoked on ` +
        `${rec.revokedAt ?? '?'} (${rec.revocationReason ?? 'unspecified'}); ${phoneNote}.`,
    };
  }
  if (expired)
    return {
      ...r,
      verdict: 'expired',
      ok: false,
      message: `EXPIRED: LSC of ${deviceName} issued by the ${ca} expired on ${day(info.notAfter)}; ${phoneNote}.`,
    };
  if (info.notBefore.getTime() > now.getTime())
    return {
      ...r,
      verdict: 'not-yet-valid',
      ok: false,
      message: `NOT YET VALID: LSC of ${deviceName} issued by the ${ca} is valid from ${info.notBefore.toISOString()}.`,
    };
  if (!rec) {
    return {
      ...r,
      verdict: 'not-recorded',
      ok: false,
      message:
        `UNKNOWN: signed by the ${ca} but serial ${info.serialHex} is not in this database (restored ` +
        `from an older backup, or issued by another node's database); its revocation state is unknown.`,
    };
  }
  return {
    ...r,
    verdict: 'valid',
    ok: true,
    message: `VALID: LSC of ${deviceName} issued by the ${ca}, ${phoneNote}, expires ${day(info.notAfter)}.`,
  };
}
