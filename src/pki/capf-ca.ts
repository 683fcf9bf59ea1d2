// Owns the CAPF certificate authority as the phones domain sees it: issue LSCs with the current CAPF
// identity and recognise our LSCs (current or previous CAPF). The manufacturing CAs MICs are checked against are
// provisioning/manufacturing-trust.ts's.
// It implements phones' CertificateAuthorityPort and CertificateReader by structure, without importing
// phones/ (which would close a phones ↔ pki cycle): app/ hands these where the ports are expected.

import { X509Certificate as NodeX509 } from 'node:crypto';
import { createLscTemplate, type IssuedLsc, type LscTemplate } from './lsc-issuer.ts';
import { parseCertificate } from './certificate-info.ts';
import { parseSpki, type SpkiInfo } from './spki.ts';
import type { KeySpec } from './keys.ts';
import type { IdentityService } from './identities.ts';

export interface CapfCaOptions {
  identities: IdentityService;
  lscValidityDays: number;
  crlUrl?: string | null;
  ocspUrl?: string | null;
}

export interface CapfCa {
  /** Current CAPF certificate's validity end. */
  capfNotAfter(): Date;
  /** Current CAPF certificate's subject DN (the issuer DN of the LSCs it signs). */
  capfSubjectDn(): string;
  issueLsc(deviceName: string, publicKeySpki: Buffer, now: Date): Promise<IssuedLsc>;
  /** Is this certificate an LSC signed by our CAPF CA (current or previous)? Checks signature, not expiry. */
  isOurLsc(der: Buffer): boolean;
  /** Reloads the CAPF identity (after regenerate/import). */
  refresh(): Promise<void>;
}

export async function createCapfCa(o: CapfCaOptions): Promise<CapfCa> {
  let template: LscTemplate;
  let capfNotAfter: Date;
  let capfSubjectDn: string;
  let verifiers: NodeX509[] = [];

  async function refresh(): Promise<void> {
    const id = o.identities.get('capf');
    template = createLscTemplate(id.certificate, id.privateKey, {
      crlDistributionPointUrl: o.crlUrl ?? null,
      ocspUrl: o.ocspUrl ?? null,
    });
    capfNotAfter = id.certificate.notAfter;
    capfSubjectDn = id.certificate.subjectDn;
    const prev = o.identities.previous('capf');
    verifiers = [new NodeX509(id.certificate.der), ...(prev ? [new NodeX509(prev.der)] : [])];
  }
  await refresh();

  const issuedBy = (der: Buffer, cas: NodeX509[]): boolean => {
    let cert: NodeX509;
    try {
      cert = new NodeX509(der);
    } catch {
      return false;
    }
    return cas.some((ca) => cert.checkIssued(ca) && cert.verify(ca.publicKey));
  };

  return {
    capfNotAfter: () => capfNotAfter,
    capfSubjectDn: () => capfSubjectDn,
    issueLsc(deviceName, spki, now): Promise<IssuedLsc> {
      return template.issue({ deviceName, publicKeySpki: spki, validityDays: o.lscValidityDays, now });
    },
    isOurLsc: (der) => issuedBy(der, verifiers),
    refresh,
  };
}

/** The facts of a certificate the phones domain reasons about (its CertificateFacts, by structure). */
export interface CertificateSummary {
  serialHex: string;
  sha1: string;
  subjectDn: string;
  issuerDn: string;
  commonName: string;
  subjectValues: string[];
  notBefore: Date;
  notAfter: Date;
  key: KeySpec;
}

/** A certificate reader over pki's parser (phones' CertificateReader, by structure). */
export const certificateReader: { read(der: Buffer): CertificateSummary; readSpki(spki: Buffer): SpkiInfo } = {
  read(der: Buffer): CertificateSummary {
    const c = parseCertificate(der);
    return {
      serialHex: c.serialHex,
      sha1: c.sha1,
      subjectDn: c.subjectDn,
      issuerDn: c.issuerDn,
      commonName: c.subject.find((a) => a.type === 'CN')?.value ?? '',
      subjectValues: c.subject.map((a) => a.value),
      notBefore: c.notBefore,
      notAfter: c.notAfter,
      key: c.key.type === 'rsa' ? { type: 'rsa', bits: c.key.bits } : { type: 'ec', curve: c.key.curve },
    };
  },
  readSpki(spki: Buffer) {
    return parseSpki(spki);
  },
};
