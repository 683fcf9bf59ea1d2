// Owns what each identity certificate must carry for phones and peers to accept it: the X.509 extensions a
// CAPF CA, a TFTP/TVS TLS server and the ITLRecovery signer need. Checked when a certificate is imported and
// when serve starts, so a missing extension is a refusal that names it, not a TLS failure on the phones later.
//
// Sources: CUCM Security Guide 14SU2, "CAPF Service Certificate": "For any CAPF certificates, it should include
// ... Basic Constraints: CA:TRUE, pathlen:0, Key Usage: Digital Signature, Certificate Sign ... if these
// extensions are missing, there will be TLS connection failure." RFC 5280 §4.2.1.3 (cRLSign for a CRL signer,
// keyEncipherment for RSA key transport), §4.2.1.12 (an EKU, when present, limits the key's purposes).

import { bufferSource, x509 } from './crypto-provider.ts';
import type { IdentityRole } from './profiles.ts';

export interface IdentityProblem {
  /** The extension, as openssl x509 -text names it. */
  extension: 'X509v3 Basic Constraints' | 'X509v3 Key Usage' | 'X509v3 Extended Key Usage';
  /** What is missing or wrong, e.g. "Certificate Sign (keyCertSign)". */
  missing: string;
  /** Who needs it. */
  why: string;
}

const CUCM = 'CUCM 14SU2+ and phones refuse a CAPF certificate without it (TLS connection failure)';
const OID_SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const OID_ANY_EKU = '2.5.29.37.0';

/** Everything the certificate (DER) lacks for its role; empty when it is fit. */
export function identityProblems(role: IdentityRole, der: Uint8Array): IdentityProblem[] {
  const cert = new x509.X509Certificate(bufferSource(der));
  const out: IdentityProblem[] = [];
  const bc = cert.getExtension(x509.BasicConstraintsExtension);
  const ku = cert.getExtension(x509.KeyUsagesExtension);
  const eku = cert.getExtension(x509.ExtendedKeyUsageExtension);
  // No Key Usage extension allows every usage (RFC 5280 §4.2.1.3), except for CAPF, where CUCM wants it spelled out.
  const has = (flag: x509.KeyUsageFlags) => (ku === null ? role !== 'capf' : (ku.usages & flag) === flag);
  const isRsa = cert.publicKey.algorithm.name.startsWith('RSA');
  const tlsServer = role === 'capf' || role === 'tftp' || role === 'tvs';

  if (role === 'capf') {
    if (!bc?.ca) out.push({ extension: 'X509v3 Basic Constraints', missing: 'CA:TRUE', why: `it signs LSCs; ${CUCM}` });
    else if (bc.pathLength !== 0)
      out.push({
        extension: 'X509v3 Basic Constraints',
        missing: `pathlen:0 (has ${bc.pathLength === undefined ? 'no path length' : `pathlen:${bc.pathLength}`})`,
        why: CUCM,
      });
    if (!has(x509.KeyUsageFlags.keyCertSign))
      out.push({ extension: 'X509v3 Key Usage', missing: 'Certificate Sign (keyCertSign)', why: CUCM });
    if (!has(x509.KeyUsageFlags.cRLSign))
      out.push({
        extension: 'X509v3 Key Usage',
        missing: 'CRL Sign (cRLSign)',
        why: 'OpenCAPF signs the CRL with this key; RADIUS and VPN peers reject a CRL whose signer lacks it',
      });
  }
  if (!has(x509.KeyUsageFlags.digitalSignature))
    out.push({
      extension: 'X509v3 Key Usage',
      missing: 'Digital Signature (digitalSignature)',
      why:
        role === 'capf'
          ? CUCM
          : role === 'itlrecovery'
            ? 'it signs the ITL; phones verify that signature'
            : 'it signs files and TLS handshakes phones verify',
    });
  if (tlsServer && isRsa && !has(x509.KeyUsageFlags.keyEncipherment))
    out.push({
      extension: 'X509v3 Key Usage',
      missing: 'Key Encipherment (keyEncipherment)',
      why: 'phones that use RSA key transport (TLS_RSA_* suites, 7900/8900 series) refuse the handshake without it',
    });
  if (tlsServer && eku && !eku.usages.some((u) => u === OID_SERVER_AUTH || u === OID_ANY_EKU))
    out.push({
      extension: 'X509v3 Extended Key Usage',
      missing: 'TLS Web Server Authentication (serverAuth)',
      why: 'the extended key usage limits the key to other purposes, so TLS clients refuse it as a server',
    });
  return out;
}

/** "X509v3 Key Usage: Certificate Sign (keyCertSign) — why; …" for an error message. */
export function describeIdentityProblems(problems: IdentityProblem[]): string {
  return problems.map((p) => `${p.extension}: ${p.missing} (${p.why})`).join('; ');
}
