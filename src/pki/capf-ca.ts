// Owns the CAPF certificate authority as the phones domain sees it: issue LSCs with the current CAPF
// identity, recognise our LSCs (current or previous CAPF) and MICs of configured manufacturing CAs.

import { X509Certificate as NodeX509 } from 'node:crypto';
import type { CertificateAuthorityPort, CertificateFacts, CertificateReader, IssuedCertificate } from '../phones/ports.ts';
import { createLscTemplate, type LscTemplate } from './lsc-issuer.ts';
import { parseCertificate, pemBundleToDers, type CertificateInfo } from './certificate-info.ts';
import { parseSpki } from './spki.ts';
import type { IdentityService } from './identities.ts';

export interface CapfCaOptions {
  identities: IdentityService;
  lscValidityDays: number;
  manufacturingCaPem?: string | null;
  crlUrl?: string | null;
  ocspUrl?: string | null;
}

export interface CapfCa extends CertificateAuthorityPort {
  /** Reloads the CAPF identity (after regenerate/import). */
  refresh(): Promise<void>;
  manufacturingCas(): CertificateInfo[];
}

export async function createCapfCa(o: CapfCaOptions): Promise<CapfCa> {
  let template: LscTemplate;
  let capfNotAfter: Date;
  let verifiers: NodeX509[] = [];
  const mics = (o.manufacturingCaPem ? pemBundleToDers(o.manufacturingCaPem) : []).map((d) => ({ info: parseCertificate(d), x: new NodeX509(d) }));

  async function refresh(): Promise<void> {
    const id = o.identities.get('capf');
    template = createLscTemplate(id.certificate, id.privateKey, { crlDistributionPointUrl: o.crlUrl ?? null, ocspUrl: o.ocspUrl ?? null });
    capfNotAfter = id.certificate.notAfter;
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
    issueLsc(deviceName, spki, now): Promise<IssuedCertificate> {
      return template.issue({ deviceName, publicKeySpki: spki, validityDays: o.lscValidityDays, now });
    },
    isOurLsc: (der) => issuedBy(der, verifiers),
    isTrustedMic: (der) => issuedBy(der, mics.map((m) => m.x)),
    refresh,
    manufacturingCas: () => mics.map((m) => m.info),
  };
}

/** CertificateReader over pki's parser. */
export const certificateReader: CertificateReader = {
  read(der: Buffer): CertificateFacts {
    const c = parseCertificate(der);
    return {
      serialHex: c.serialHex,
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
