// Owns `opencapf migrate check`: before phones are pointed at us, would a phone that holds the old cluster's ITL
// accept ours? It asks the question the way a phone does (tlv-files.md §9, trust/trust-rules.ts): a phone store
// holding the old ITL is offered our ITL; an unknown signer is put to the old cluster's TVS, whose own certificate
// must be a TVS record of the old ITL. Each step the phone would take is reported, with the cure when it fails
// (§9.7: rollback ITL, old TVS reachable, our signer imported into the old TVS trust).
//
// Sockets are not made here: fetching the old ITL, asking a TVS and fetching our ITL from the address DHCP
// option 150 hands out are injected (app/ builds them over the TFTP/HTTP and TVS clients).

import { parseCertificate, type CertificateInfo } from '../pki/index.ts';
import {
  createPhoneTrustStore,
  isRollbackTrustList,
  parseTrustList,
  verifyTrustList,
  type TrustList,
} from '../trust/index.ts';
import { AppError, isAppError } from '../shared/errors.ts';

export interface HostPort {
  host: string;
  port: number;
}

/** "host", "host:port" or "[v6]:port" from an admin; the port defaults to the service's well-known one. */
export function parseHostPort(text: string, defaultPort: number, what: string): HostPort {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:\s[\]]+))(?::(\d{1,5}))?$/.exec(text.trim());
  const port = m?.[3] === undefined ? defaultPort : Number(m[3]);
  if (!m || !Number.isInteger(port) || port < 1 || port > 65535)
    throw new AppError('ERR_BAD_REQUEST', `${what} "${text}" is not host[:port] (port 1-65535)`);
  return { host: (m[1] ?? m[2])!, port };
}

/** Where the old cluster's ITL comes from: a file the admin saved, or its TFTP/HTTP server. */
export type OldItlSource = { kind: 'file'; name: string; bytes: Buffer } | { kind: 'server'; server: HostPort };

export interface TvsAnswer {
  trusted: boolean;
  /** The TVS vouched for the certificate as a SAST (the role a phone needs for an ITL signer). */
  sast: boolean;
  /** The certificate the TVS presented in its TLS handshake. */
  serverCertificateDer: Buffer;
}

export interface MigrationCheckPorts {
  /** ITLFile.tlv from a TFTP/HTTP server; null when it answers "file not found". Throws when unreachable. */
  fetchItl(server: HostPort): Promise<Buffer | null>;
  /** Asks a TVS about a certificate (tvs-protocol.md). Throws when unreachable. */
  askTvs(tvs: HostPort, certificateDer: Buffer): Promise<TvsAnswer>;
}

export interface OurTrust {
  /** The ITLFile.tlv we serve now. */
  itl: Buffer;
  /** Our ITL's signer and our recovery SAST. */
  tftp: CertificateInfo;
  itlrecovery: CertificateInfo;
}

export interface MigrationCheckRequest {
  oldItl?: OldItlSource;
  /** The old cluster's TVS servers, in the order its phones try them. */
  oldTvs?: HostPort[];
  /** The TFTP server address DHCP option 150 will give the phones (ours, as the phones will reach it). */
  ourTftp?: HostPort;
}

export type CheckId =
  | 'old-itl'
  | 'old-itl-rollback'
  | 'direct-trust'
  | 'old-tvs-listed'
  | 'old-tvs-reachable'
  | 'old-tvs-vouches'
  | 'old-tvs-vouches-recovery'
  | 'our-tftp'
  | 'phone-accepts';

export interface CheckLine {
  id: CheckId;
  /** null: not checked (no input for it, or an earlier step failed). */
  ok: boolean | null;
  text: string;
  /** What to do when it failed. */
  cure?: string;
}

export type CheckVerdict = 'rollback' | 'direct' | 'tvs' | 'refused' | 'incomplete';

export interface MigrationCheckResult {
  at: string;
  /** A phone holding the old ITL would accept ours. */
  ok: boolean;
  verdict: CheckVerdict;
  lines: CheckLine[];
}

const VERDICT_TEXT: Readonly<Record<CheckVerdict, string>> = {
  rollback: 'the old cluster serves a rollback ITL: phones holding it accept our ITL as on first use (§9.6)',
  direct: 'our ITL is signed by a SAST the old ITL already lists: phones accept it without TVS',
  tvs: "the old cluster's TVS vouches for our signer: phones accept our ITL after asking it",
  refused: 'a phone holding the old ITL would keep it and refuse our signed configuration files',
  incomplete: 'not enough was checked to tell (give --old-itl or --old-tftp, and --old-tvs)',
};

export function verdictText(v: CheckVerdict): string {
  return VERDICT_TEXT[v];
}

const CURE_IMPORT =
  'upload our certificates to the old cluster (opencapf migrate export-trust DIR; CUCM: CallManager-trust and ' +
  'Phone-SAST-trust, then restart TVS and TFTP; OpenCAPF: opencapf tvs trust import)';
const CURE_ROLLBACK =
  'or turn on the old cluster\'s rollback ITL (CUCM: "Prepare Cluster for Rollback to pre-8.0" = True; ' +
  'OpenCAPF: opencapf itl rollback on) and let the phones download it before moving them';

function describe(list: TrustList): string {
  const sasts = list.records.filter((r) => r.roleName === 'SAST').length;
  const tvs = list.records.filter((r) => r.roleName === 'TVS' && (r.certificate || r.certificateSha1)).length;
  return `${list.records.length} records, ${sasts} SAST, ${tvs} TVS, signed by ${list.header.signerName ?? '?'}`;
}

export async function runMigrationCheck(
  ports: MigrationCheckPorts,
  ours: OurTrust,
  req: MigrationCheckRequest,
  now: Date,
): Promise<MigrationCheckResult> {
  const lines: CheckLine[] = [];
  const add = (l: CheckLine) => lines.push(l);

  // Our own TFTP, as the phones will reach it (DHCP option 150 / the old cluster's phone TFTP setting).
  if (req.ourTftp) {
    const where = `${req.ourTftp.host}:${req.ourTftp.port}`;
    try {
      const served = await ports.fetchItl(req.ourTftp);
      if (!served)
        add({
          id: 'our-tftp',
          ok: false,
          text: `${where} answered "file not found" for ITLFile.tlv`,
          cure: 'is that address our TFTP server? (tftp.enabled, tftp.port, the address option 150 gives)',
        });
      else if (!served.equals(ours.itl))
        add({
          id: 'our-tftp',
          ok: false,
          text: `${where} serves an ITLFile.tlv that is not ours (${served.length} bytes)`,
          cure: 'option 150 must name an OpenCAPF TFTP server of this cluster',
        });
      else add({ id: 'our-tftp', ok: true, text: `${where} serves our ITLFile.tlv` });
    } catch (e) {
      add({
        id: 'our-tftp',
        ok: false,
        text: `${where} does not answer: ${(e as Error).message}`,
        cure: 'start serve with tftp.enabled, and open UDP 69 (and HTTP 6970) from the phone networks',
      });
    }
  }

  // The ITL the phones hold now.
  let oldItl: TrustList | null = null;
  if (req.oldItl) {
    const from = req.oldItl.kind === 'file' ? req.oldItl.name : `${req.oldItl.server.host}:${req.oldItl.server.port}`;
    try {
      const bytes = req.oldItl.kind === 'file' ? req.oldItl.bytes : await ports.fetchItl(req.oldItl.server);
      if (!bytes) throw new AppError('ERR_NOT_FOUND', 'ITLFile.tlv: file not found');
      const list = parseTrustList(bytes);
      const v = verifyTrustList(list);
      if (!v.ok) throw new AppError(v.code, v.reason);
      oldItl = list;
      add({ id: 'old-itl', ok: true, text: `old ITL from ${from}: ${describe(list)}` });
    } catch (e) {
      add({
        id: 'old-itl',
        ok: false,
        text: `old ITL from ${from}: ${isAppError(e) ? e.message : (e as Error).message}`,
        cure: 'give the ITLFile.tlv the phones hold (--old-itl FILE, e.g. from the old TFTP) or its TFTP server',
      });
    }
  }

  if (oldItl && isRollbackTrustList(oldItl))
    add({ id: 'old-itl-rollback', ok: true, text: 'the old ITL is a rollback ITL (empty TVS and TFTP records)' });

  // Which TVS certificates phones holding the old ITL trust (they refuse any other TVS).
  const oldTvsSha1s = new Set(
    (oldItl?.records ?? []).filter((r) => r.roleName === 'TVS' && r.certificateSha1).map((r) => r.certificateSha1!),
  );
  const vouch = async (cert: CertificateInfo): Promise<boolean> => {
    for (const tvs of req.oldTvs ?? []) {
      const where = `${tvs.host}:${tvs.port}`;
      let answer: TvsAnswer;
      try {
        answer = await ports.askTvs(tvs, cert.der);
      } catch (e) {
        add({
          id: 'old-tvs-reachable',
          ok: false,
          text: `old TVS ${where} does not answer: ${(e as Error).message}`,
          cure: 'phones ask the TVS of the cluster they leave: keep it reachable on TCP 2445 until they move',
        });
        continue;
      }
      add({ id: 'old-tvs-reachable', ok: true, text: `old TVS ${where} answers` });
      const sha1 = parseCertificate(answer.serverCertificateDer).sha1;
      if (oldItl && !oldTvsSha1s.has(sha1)) {
        add({
          id: 'old-tvs-listed',
          ok: false,
          text: `old TVS ${where} presents certificate SHA-1 ${sha1}, which the old ITL does not list as TVS`,
          cure: 'phones would not trust that TVS: give the TVS address of the cluster whose ITL the phones hold',
        });
        continue;
      }
      if (oldItl) add({ id: 'old-tvs-listed', ok: true, text: `old TVS ${where} is a TVS of the old ITL` });
      if (answer.trusted && answer.sast) {
        add({ id: 'old-tvs-vouches', ok: true, text: `old TVS ${where} vouches for our signer as a SAST` });
        return true;
      }
      add({
        id: 'old-tvs-vouches',
        ok: false,
        text: `old TVS ${where} does not vouch for our signer (${answer.trusted ? 'known, not as a SAST' : 'unknown'})`,
        cure: CURE_IMPORT,
      });
    }
    return false;
  };

  let verdict: CheckVerdict = 'incomplete';
  // Without the old ITL there is no phone to simulate, but the TVS can still be asked (reachable? vouches?).
  if (!oldItl && req.oldTvs?.length) await vouch(ours.tftp);
  if (oldItl) {
    const signerDer = ours.tftp.der;
    const direct = oldItl.records.some(
      (r) => r.roleName === 'SAST' && r.certificate && Buffer.from(r.certificate).equals(signerDer),
    );
    if (direct) add({ id: 'direct-trust', ok: true, text: 'our ITL signer is a SAST of the old ITL' });
    const phone = createPhoneTrustStore({ vouch }, { version: 1, itl: oldItl.bytes.toString('base64') });
    try {
      const r = await phone.installItl(ours.itl);
      verdict =
        r.reason === 'vouched'
          ? 'tvs'
          : r.reason === 'trusted-signer' || r.reason === 'unchanged'
            ? 'direct'
            : 'rollback';
      add({ id: 'phone-accepts', ok: true, text: `a phone holding the old ITL accepts ours (${r.reason})` });
    } catch (e) {
      verdict = req.oldTvs?.length ? 'refused' : 'incomplete';
      add({
        id: 'phone-accepts',
        ok: false,
        text: `a phone holding the old ITL refuses ours: ${(e as Error).message}`,
        cure: `${CURE_IMPORT}; ${CURE_ROLLBACK}`,
      });
    }
    // Our recovery SAST matters later (itl reset localkey, TFTP rotation): say whether the old TVS knows it too.
    if (verdict === 'tvs') {
      const before = lines.length;
      const knowsRecovery = await vouch(ours.itlrecovery);
      lines.splice(before); // the per-TVS lines of this second question would repeat the first ones
      add({
        id: 'old-tvs-vouches-recovery',
        ok: knowsRecovery,
        text: knowsRecovery
          ? 'the old TVS vouches for our ITLRecovery certificate too'
          : 'the old TVS does not know our ITLRecovery certificate (upload it too: MANIFEST.txt)',
      });
    }
  }
  const accepted = verdict === 'tvs' || verdict === 'direct' || verdict === 'rollback';
  return { at: now.toISOString(), ok: accepted && !failedOurTftp(lines), verdict, lines };
}

function failedOurTftp(lines: readonly CheckLine[]): boolean {
  return lines.some((l) => l.id === 'our-tftp' && l.ok === false);
}
