// Owns the certificates of other clusters that our TVS vouches for — CUCM's upload of another cluster's
// CallManager certificate into CallManager-trust / Phone-SAST-trust (Cisco doc 213407), so that phones holding our
// ITL accept the next cluster's ITL (tlv-files.md §9.3, §9.7): validating an import all-or-nothing, listing,
// removing, each change audited in the same transaction as the change, and the view the TVS authority reads.

import { X509Certificate } from 'node:crypto';
import type { Clock } from '../shared/clock.ts';
import { AppError } from '../shared/errors.ts';
import { derToPem, parseCertificate, type CertificateInfo } from '../pki/index.ts';
import { TvsRole, type TvsRoleName } from '../tvs/index.ts';
import type { AuditEvent } from '../audit/index.ts';
import {
  MAX_FOREIGN_PER_IMPORT,
  notCertificateProblem,
  readCertificateFiles,
  type ForeignCertificateFile,
  type InputProblem,
} from './foreign-trust-input.ts';
import type { ForeignTrustSource } from './tvs-authority.ts';

export type { ForeignCertificateFile } from './foreign-trust-input.ts';
export { MAX_FOREIGN_FILE_BYTES, MAX_FOREIGN_PER_IMPORT } from './foreign-trust-input.ts';

/** Role names in tvsctl's canonical order (tvs-protocol.md §4, §5), the order they are stored and answered in. */
export const FOREIGN_ROLE_NAMES = Object.keys(TvsRole) as TvsRoleName[];
/**
 * A CallManager/TFTP certificate of another cluster: it signs that cluster's ITL (SAST), its configuration files
 * (TFTP) and serves SIP-TLS (CCM) — what CUCM's CallManager-trust and Phone-SAST-trust imports give it together.
 */
export const DEFAULT_FOREIGN_ROLES: readonly TvsRoleName[] = ['SAST', 'CCM', 'TFTP'];

/** How a role is written for people (the .tlv FUNCTION text, tlv-files.md §4.1). */
export function foreignRoleText(role: TvsRoleName): string {
  return role === 'CCM_TFTP' ? 'CCM+TFTP' : role === 'APP_SERVER' ? 'APP-SERVER' : role;
}

/** Role names as typed (`SAST,CCM`, `ccm+tftp`, `APP-SERVER`); none given: the default. Canonical order, no repeats. */
export function parseForeignRoles(input: readonly string[] | undefined): TvsRoleName[] {
  const words = (input ?? []).flatMap((w) => w.split(/[\s,]+/)).filter((w) => w.length > 0);
  if (words.length === 0) return [...DEFAULT_FOREIGN_ROLES];
  const picked = new Set<TvsRoleName>();
  for (const w of words) {
    const name = w.toUpperCase().replace(/[-+]/g, '_');
    if (!(FOREIGN_ROLE_NAMES as string[]).includes(name))
      throw new AppError(
        'ERR_BAD_REQUEST',
        `unknown TVS role "${w.slice(0, 32)}" (one of ${FOREIGN_ROLE_NAMES.map(foreignRoleText).join(', ')})`,
      );
    picked.add(name as TvsRoleName);
  }
  return FOREIGN_ROLE_NAMES.filter((r) => picked.has(r));
}

/** One row of the foreign trust (table tvs_foreign_trust, migration 0007). */
export interface ForeignTrustEntry {
  sha256: string;
  sha1: string;
  subject: string;
  issuer: string;
  serialHex: string;
  notBefore: string;
  notAfter: string;
  roles: TvsRoleName[];
  der: Buffer;
  addedAt: string;
  addedBy: string;
  comment: string;
}

/** The storage the foreign trust needs (store/foreign-trust-store.ts, SQLite and PostgreSQL). */
export interface ForeignTrustStore {
  listForeignTrust(): Promise<ForeignTrustEntry[]>;
  getForeignTrust(sha256: string): Promise<ForeignTrustEntry | null>;
  /**
   * Inserts every entry and appends the audit events in one transaction: all or nothing. A certificate that is
   * already there (another import won the race) fails the whole call with ERR_FOREIGN_DUPLICATE.
   */
  insertForeignTrust(entries: readonly ForeignTrustEntry[], audit: readonly AuditEvent[]): Promise<void>;
  /** Deletes the entry and appends the audit event in one transaction; false when there was no such entry. */
  deleteForeignTrust(sha256: string, audit: AuditEvent): Promise<boolean>;
}

/** A certificate this cluster already has: its identities (current, previous, CA chains), the CAs it trusts. */
export interface OwnCertificate {
  /** What it is, for the refusal: "our CallManager (TFTP) certificate". */
  label: string;
  certificate: CertificateInfo;
}

export interface ForeignTrustDeps {
  store: ForeignTrustStore;
  clock: Clock;
  ours(): readonly OwnCertificate[];
  /** An LSC our CAPF issued (a phone's certificate, never a cluster's). */
  isOurLsc?(der: Buffer): boolean;
}

export interface ForeignTrustActor {
  name: string;
  source: string;
}

export type ForeignTrustState = 'valid' | 'expired' | 'not-yet-valid';

/** An entry as shown (CLI, API, web UI): the stored row without its DER, with its PEM and what it is now. */
export interface ForeignTrustView {
  sha256: string;
  sha1: string;
  subject: string;
  issuer: string;
  serialHex: string;
  notBefore: string;
  notAfter: string;
  roles: string[];
  addedAt: string;
  addedBy: string;
  comment: string;
  state: ForeignTrustState;
  isCa: boolean;
  keyType: string;
  pem: string;
}

export interface ImportOptions {
  roles?: readonly string[];
  comment?: string;
}

export interface ForeignTrust {
  list(): Promise<ForeignTrustView[]>;
  /** What `import` would add, validated the same way, without storing anything. */
  check(files: readonly ForeignCertificateFile[], o?: ImportOptions): Promise<ForeignTrustView[]>;
  /** Validates every certificate of every file, then adds all of them, or refuses and adds none. */
  import(
    files: readonly ForeignCertificateFile[],
    o: ImportOptions,
    actor: ForeignTrustActor,
  ): Promise<ForeignTrustView[]>;
  /** By SHA-1 (40 hex digits) or a SHA-256 prefix (8+ hex digits); colons and spaces are ignored. */
  remove(selector: string, actor: ForeignTrustActor): Promise<ForeignTrustView>;
  /** What the TVS authority reads: valid entries only. */
  readonly tvsSource: ForeignTrustSource;
}

const MAX_COMMENT = 256;
const MIN_PREFIX_HEX = 8;

function spkiOf(der: Buffer): Buffer | null {
  try {
    return new X509Certificate(der).publicKey.export({ type: 'spki', format: 'der' });
  } catch {
    return null;
  }
}

function stateAt(e: { notBefore: string; notAfter: string }, now: Date): ForeignTrustState {
  if (now.getTime() < Date.parse(e.notBefore)) return 'not-yet-valid';
  if (now.getTime() > Date.parse(e.notAfter)) return 'expired';
  return 'valid';
}

function where(p: { file: string; item?: number }, many: boolean): string {
  return many && p.item !== undefined ? `${p.file} (certificate ${p.item})` : p.file;
}

/** The refusal for a failed import: the first problem's code, every problem in the message and the details. */
function refusal(problems: readonly InputProblem[] | readonly Problem[], itemsPerFile: Map<string, number>): AppError {
  const lines = problems.map((p) => `${where(p, (itemsPerFile.get(p.file) ?? 0) > 1)}: ${p.message}`);
  const text =
    lines.length === 1 ? `${lines[0]}; nothing was imported` : `nothing was imported:\n  ${lines.join('\n  ')}`;
  return new AppError(problems[0]!.code, text, {
    problems: problems.map((p) => ({ file: p.file, item: p.item ?? null, code: p.code, message: p.message })),
  });
}

interface Problem {
  file: string;
  item?: number;
  code:
    | 'ERR_FOREIGN_NOT_CERTIFICATE'
    | 'ERR_FOREIGN_PRIVATE_KEY'
    | 'ERR_FOREIGN_VALIDITY'
    | 'ERR_FOREIGN_OURS'
    | 'ERR_FOREIGN_DUPLICATE';
  message: string;
}

export function createForeignTrust(d: ForeignTrustDeps): ForeignTrust {
  const parsed = new Map<string, CertificateInfo>();
  const info = (e: ForeignTrustEntry): CertificateInfo => {
    let c = parsed.get(e.sha256);
    if (!c) {
      c = parseCertificate(e.der);
      if (parsed.size > 4096) parsed.clear();
      parsed.set(e.sha256, c);
    }
    return c;
  };
  const view = (e: ForeignTrustEntry, now: Date): ForeignTrustView => {
    const c = info(e);
    return {
      sha256: e.sha256,
      sha1: e.sha1,
      subject: e.subject,
      issuer: e.issuer,
      serialHex: e.serialHex,
      notBefore: e.notBefore,
      notAfter: e.notAfter,
      roles: e.roles.map(foreignRoleText),
      addedAt: e.addedAt,
      addedBy: e.addedBy,
      comment: e.comment,
      state: stateAt(e, now),
      isCa: c.isCa,
      keyType: c.keyDescription,
      pem: derToPem(e.der),
    };
  };

  async function validate(
    files: readonly ForeignCertificateFile[],
    o: ImportOptions,
    actor: ForeignTrustActor,
  ): Promise<ForeignTrustEntry[]> {
    const roles = parseForeignRoles(o.roles);
    const comment = (o.comment ?? '').trim();
    if (comment.length > MAX_COMMENT || /[\u0000-\u001f\u007f]/.test(comment))
      throw new AppError('ERR_BAD_REQUEST', `the comment must be one line of at most ${MAX_COMMENT} characters`);
    if (files.length === 0) throw new AppError('ERR_BAD_REQUEST', 'give at least one certificate file');
    const read = readCertificateFiles(files);
    const perFile = new Map<string, number>();
    for (const i of read.items) perFile.set(i.file, (perFile.get(i.file) ?? 0) + 1);
    const problems: Problem[] = [...read.problems];
    if (read.items.length > MAX_FOREIGN_PER_IMPORT)
      throw new AppError(
        'ERR_BAD_REQUEST',
        `${read.items.length} certificates in one import; at most ${MAX_FOREIGN_PER_IMPORT}. Nothing was imported`,
      );
    const now = d.clock.now();
    const ours = d.ours().map((x) => ({ ...x, spki: spkiOf(x.certificate.der) }));
    const seen = new Map<string, string>();
    const out: ForeignTrustEntry[] = [];
    for (const item of read.items) {
      let c: CertificateInfo;
      try {
        c = parseCertificate(item.der);
      } catch {
        problems.push(notCertificateProblem(item));
        continue;
      }
      const at = { file: item.file, item: item.item };
      const name = c.subjectDn || '(no subject)';
      if (now < c.notBefore)
        problems.push({
          ...at,
          code: 'ERR_FOREIGN_VALIDITY',
          message: `${name} is not valid before ${c.notBefore.toISOString()}`,
        });
      else if (now > c.notAfter)
        problems.push({
          ...at,
          code: 'ERR_FOREIGN_VALIDITY',
          message: `${name} expired on ${c.notAfter.toISOString()}; ask the other cluster for its current certificate`,
        });
      const spki = spkiOf(c.der);
      const own = ours.find(
        (x) => x.certificate.sha256 === c.sha256 || (spki !== null && x.spki?.equals(spki) === true),
      );
      if (own)
        problems.push({
          ...at,
          code: 'ERR_FOREIGN_OURS',
          message:
            `${name} is ${own.label}` +
            (own.certificate.sha256 === c.sha256 ? '' : ' (the same key)') +
            ': this cluster trusts it already; import only certificates of the other cluster',
        });
      else if (d.isOurLsc?.(c.der))
        problems.push({
          ...at,
          code: 'ERR_FOREIGN_OURS',
          message: `${name} is a phone's LSC issued by this cluster's CAPF, not a certificate of another cluster`,
        });
      const twice = seen.get(c.sha256);
      if (twice)
        problems.push({ ...at, code: 'ERR_FOREIGN_DUPLICATE', message: `${name} is given twice (also ${twice})` });
      seen.set(c.sha256, where(at, (perFile.get(item.file) ?? 0) > 1));
      const existing = await d.store.getForeignTrust(c.sha256);
      if (existing)
        problems.push({
          ...at,
          code: 'ERR_FOREIGN_DUPLICATE',
          message:
            `${name} is already in the TVS trust (added ${existing.addedAt} by ${existing.addedBy}, roles ` +
            `${existing.roles.map(foreignRoleText).join(' ')}); to change its roles, remove it and import it again`,
        });
      out.push({
        sha256: c.sha256,
        sha1: c.sha1,
        subject: c.subjectDn,
        issuer: c.issuerDn,
        serialHex: c.serialHex,
        notBefore: c.notBefore.toISOString(),
        notAfter: c.notAfter.toISOString(),
        roles,
        der: c.der,
        addedAt: now.toISOString(),
        addedBy: actor.name,
        comment,
      });
    }
    if (problems.length > 0) throw refusal(problems, perFile);
    if (out.length === 0)
      throw new AppError('ERR_FOREIGN_NOT_CERTIFICATE', 'no certificate in the files; nothing was imported');
    return out;
  }

  async function resolve(selector: string): Promise<ForeignTrustEntry> {
    const s = selector.replace(/[:\s]/g, '').toLowerCase();
    if (!/^[0-9a-f]+$/.test(s) || s.length < MIN_PREFIX_HEX || s.length > 64)
      throw new AppError(
        'ERR_BAD_REQUEST',
        `name the certificate by its SHA-1 (40 hex digits) or the first ${MIN_PREFIX_HEX} or more hex digits ` +
          'of its SHA-256, as `opencapf tvs trust list` shows them',
      );
    const all = await d.store.listForeignTrust();
    const hits = all.filter((e) => e.sha1 === s || e.sha256.startsWith(s));
    if (hits.length === 0) throw new AppError('ERR_NOT_FOUND', `no certificate ${s} in the TVS trust`);
    if (hits.length > 1)
      throw new AppError(
        'ERR_CONFLICT',
        `${s} matches ${hits.length} certificates (${hits.map((h) => h.sha256.slice(0, 16)).join(', ')}); ` +
          'give more digits',
      );
    return hits[0]!;
  }

  const vouchable = (e: ForeignTrustEntry) => stateAt(e, d.clock.now()) === 'valid';
  const roleCodes = (e: ForeignTrustEntry) => e.roles.map((r) => TvsRole[r]);

  return {
    async list() {
      const now = d.clock.now();
      return (await d.store.listForeignTrust()).map((e) => view(e, now));
    },
    async check(files, o = {}) {
      const now = d.clock.now();
      return (await validate(files, o, { name: '-', source: '-' })).map((e) => view(e, now));
    },
    async import(files, o, actor) {
      const entries = await validate(files, o, actor);
      const at = d.clock.now().toISOString();
      const events: AuditEvent[] = entries.map((e) => ({
        at,
        actor,
        action: 'tvs.trust-import',
        target: e.sha1,
        details: {
          subject: e.subject,
          issuer: e.issuer,
          serial: e.serialHex,
          sha256: e.sha256,
          notAfter: e.notAfter,
          roles: e.roles.map(foreignRoleText),
          ...(e.comment ? { comment: e.comment } : {}),
        },
      }));
      await d.store.insertForeignTrust(entries, events);
      const now = d.clock.now();
      return entries.map((e) => view(e, now));
    },
    async remove(selector, actor) {
      const e = await resolve(selector);
      const removed = await d.store.deleteForeignTrust(e.sha256, {
        at: d.clock.now().toISOString(),
        actor,
        action: 'tvs.trust-remove',
        target: e.sha1,
        details: { subject: e.subject, sha256: e.sha256, roles: e.roles.map(foreignRoleText) },
      });
      if (!removed) throw new AppError('ERR_NOT_FOUND', `no certificate ${e.sha256.slice(0, 16)} in the TVS trust`);
      return view(e, d.clock.now());
    },
    tvsSource: {
      async find(sha256) {
        const e = await d.store.getForeignTrust(sha256);
        return e && vouchable(e) ? { certificate: info(e), roles: roleCodes(e) } : null;
      },
      async all() {
        return (await d.store.listForeignTrust())
          .filter(vouchable)
          .map((e) => ({ certificate: info(e), roles: roleCodes(e) }));
      },
    },
  };
}
