// Owns what the old cluster must be given so that its TVS vouches for us while its phones move
// (Cisco doc 213407 "Migrate phones between secure clusters", CUCM Bulk Certificate Management): which of our
// certificates, under which file name, into which CUCM trust store or with which `opencapf tvs trust import`
// role. Pure: certificates in, file descriptions out; writing them is the service's job.

import { derToPem, type CertificateInfo } from '../pki/index.ts';

/** The identities an old cluster needs: the one that signs our ITL (and configs), and our recovery SAST. */
export type ExportedIdentity = 'tftp' | 'itlrecovery';

/**
 * CUCM trust stores (Cisco Unified OS Administration > Security > Certificate Management > Upload Certificate).
 * The CallManager certificate goes into both CallManager-trust and Phone-SAST-trust (doc 213407); ITLRecovery into
 * CallManager-trust (TAC's list for Bulk Certificate Management; some guides add Phone-SAST-trust as well, which is
 * harmless — UNCERTAIN which of the two CUCM's TVS consults for a SAST, so we name both for the signer).
 */
export type CucmTrustStore = 'CallManager-trust' | 'Phone-SAST-trust';

/** TVS role names `opencapf tvs trust import --role` takes, for an old cluster that is OpenCAPF. */
export type OpenCapfTrustRole = 'SAST' | 'CCM' | 'TFTP';

export interface ExportedCertificate {
  identity: ExportedIdentity;
  /** File name inside the export directory. */
  fileName: string;
  /** What CUCM calls it in Certificate Management. */
  cucmName: string;
  cucmStores: readonly CucmTrustStore[];
  openCapfRoles: readonly OpenCapfTrustRole[];
  subject: string;
  serialHex: string;
  sha1: string;
  sha256: string;
  notAfter: string;
  pem: string;
}

const EXPORTS: Readonly<
  Record<
    ExportedIdentity,
    { cucmName: string; stores: readonly CucmTrustStore[]; roles: readonly OpenCapfTrustRole[]; why: string }
  >
> = {
  tftp: {
    cucmName: 'CallManager',
    stores: ['CallManager-trust', 'Phone-SAST-trust'],
    roles: ['SAST', 'CCM', 'TFTP'],
    why: 'signs our ITLFile.tlv and every signed configuration file (SEP<MAC>.cnf.xml.sgn)',
  },
  itlrecovery: {
    cucmName: 'ITLRecovery',
    stores: ['CallManager-trust', 'Phone-SAST-trust'],
    roles: ['SAST'],
    why: 'our second SAST: signs the ITL after `itl reset localkey` and while the TFTP certificate changes',
  },
};

/** Why the old cluster needs each certificate, for the plan and the manifest. */
export function exportReason(identity: ExportedIdentity): string {
  return EXPORTS[identity].why;
}

/** A file-name part from the node name: letters, digits, '-', '_' and '.' only. */
function safeNode(node: string): string {
  const s = node.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '');
  return s || 'opencapf';
}

export function exportedCertificates(
  node: string,
  certs: Readonly<Record<ExportedIdentity, CertificateInfo>>,
): ExportedCertificate[] {
  return (['tftp', 'itlrecovery'] as const).map((identity) => {
    const c = certs[identity];
    const e = EXPORTS[identity];
    return {
      identity,
      fileName: `${safeNode(node)}-${e.cucmName}.pem`,
      cucmName: e.cucmName,
      cucmStores: e.stores,
      openCapfRoles: e.roles,
      subject: c.subjectDn,
      serialHex: c.serialHex,
      sha1: c.sha1,
      sha256: c.sha256,
      notAfter: c.notAfter.toISOString(),
      pem: derToPem(c.der),
    };
  });
}

export const MANIFEST_FILE = 'MANIFEST.txt';
export const MANIFEST_JSON = 'manifest.json';

/** The human-readable manifest written beside the certificates: what to upload where on the old cluster. */
export function exportManifest(node: string, files: readonly ExportedCertificate[], at: Date): string {
  const lines = [
    `OpenCAPF trust export for the cluster you are leaving (node ${node}), ${at.toISOString()}`,
    '',
    'Upload these on the OLD cluster so that its TVS vouches for OpenCAPF while the phones move.',
    'Keep the old cluster and its TVS (port 2445) reachable from the phones until they have all moved.',
    '',
  ];
  for (const f of files) {
    lines.push(
      `${f.fileName}  (${f.cucmName}: ${exportReason(f.identity)})`,
      `  subject ${f.subject}`,
      `  serial ${f.serialHex}, SHA-1 ${f.sha1}, valid to ${f.notAfter}`,
      `  CUCM: Cisco Unified OS Administration > Security > Certificate Management > Upload Certificate/Certificate`,
      `        chain, Certificate Purpose: ${f.cucmStores.join(', then again as ')}`,
      `  OpenCAPF: opencapf tvs trust import ${f.fileName} --role ${f.openCapfRoles.join(',')}`,
      '',
    );
  }
  lines.push(
    'On CUCM, restart the Cisco Trust Verification Service and Cisco TFTP on every node after the upload',
    '(doc 213407), and make sure the enterprise parameter "Prepare Cluster for Rollback to pre-8.0" is False.',
    'Then, on OpenCAPF: opencapf migrate check --old-tftp <old TFTP> --old-tvs <old TVS>',
  );
  return `${lines.join('\n')}\n`;
}
