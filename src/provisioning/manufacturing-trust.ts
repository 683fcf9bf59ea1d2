// Owns the manufacturing CAs that CAPF checks MICs against: the read-only bundle of capf.manufacturingCaFile plus
// the entries administrators manage (`opencapf capf manufacturing import|list|remove`, /api/v1/capf/manufacturing-cas,
// the web UI), each change audited in the same transaction as the change. The trusted set is the union of both
// sources; a managed entry never shadows or removes a configured one. What the CAPF authentication reads is
// `issuerOf`, which brings the managed entries up to date from the store first, so a CA imported or removed on
// one node counts on every node at the next MIC check.

import { X509Certificate } from 'node:crypto';
import type { Clock } from '../shared/clock.ts';
import { AppError } from '../shared/errors.ts';
import { derToPem, parseCertificate, pemBundleToDers, type CertificateInfo } from '../pki/index.ts';
import type { AuditEvent } from '../audit/index.ts';
import {
  MAX_FOREIGN_PER_IMPORT,
  notCertificateProblem,
  readCertificateFiles,
  type ForeignCertificateFile,
  type InputProblem,
} from './foreign-trust-input.ts';

/** One managed manufacturing CA (table manufacturing_cas, migration 0009). */
export interface ManufacturingCaEntry {
  sha256: string;
  sha1: string;
  subject: string;
  issuer: string;
  serialHex: string;
  notBefore: string;
  notAfter: string;
  der: Buffer;
  addedAt: string;
  addedBy: string;
  comment: string;
}

/** The storage the managed entries need (store/manufacturing-ca-store.ts, SQLite and PostgreSQL). */
export interface ManufacturingCaStore {
  listManufacturingCas(): Promise<ManufacturingCaEntry[]>;
  /** The SHA-256 of every managed entry, sorted: what `issuerOf` compares to decide whether to reload. */
  manufacturingCaKeys(): Promise<string[]>;
  getManufacturingCa(sha256: string): Promise<ManufacturingCaEntry | null>;
  /** Inserts every entry and the audit events in one transaction; a row already there: ERR_MFG_CA_DUPLICATE. */
  insertManufacturingCas(entries: readonly ManufacturingCaEntry[], audit: readonly AuditEvent[]): Promise<void>;
  /** Deletes the entry and appends the audit event in one transaction; false when there was no such entry. */
  deleteManufacturingCa(sha256: string, audit: AuditEvent): Promise<boolean>;
}

/** Where a trusted manufacturing CA comes from: the configured bundle (read-only) or the managed entries. */
export type ManufacturingCaSource = 'config' | 'managed';
export type ManufacturingCaState = 'valid' | 'expired' | 'not-yet-valid';

/** An entry as shown (CLI, API, web UI). */
export interface ManufacturingCaView {
  source: ManufacturingCaSource;
  sha256: string;
  sha1: string;
  subject: string;
  issuer: string;
  serialHex: string;
  notBefore: string;
  notAfter: string;
  state: ManufacturingCaState;
  keyType: string;
  /** Managed entries only (null for the configured bundle). */
  addedAt: string | null;
  addedBy: string | null;
  comment: string;
  pem: string;
}

/** The manufacturing CA that issued a MIC (phones' ManufacturingIssuer, by structure). */
export interface ManufacturingIssuer {
  subjectDn: string;
  sha1: string;
  source: ManufacturingCaSource;
  notBefore: Date;
  notAfter: Date;
}

export interface ManufacturingTrustActor {
  name: string;
  source: string;
}

export interface ManufacturingTrustDeps {
  store: ManufacturingCaStore;
  clock: Clock;
  /** The text of capf.manufacturingCaFile (null when not configured): read once at start, never written. */
  configuredPem: string | null;
  /** An LSC our CAPF issued: a phone's certificate, never a manufacturing CA. */
  isOurLsc?(der: Buffer): boolean;
}

export interface ManufacturingTrust {
  /** Configured entries first (file order), then managed ones (oldest first). */
  list(): Promise<ManufacturingCaView[]>;
  /** What `import` would add, validated the same way, without storing anything. */
  check(files: readonly ForeignCertificateFile[], o?: { comment?: string }): Promise<ManufacturingCaView[]>;
  /** Validates every certificate of every file, then adds all of them, or refuses and adds none. */
  import(
    files: readonly ForeignCertificateFile[],
    o: { comment?: string },
    actor: ManufacturingTrustActor,
  ): Promise<ManufacturingCaView[]>;
  /** A managed entry by SHA-1 (40 hex digits) or SHA-256 prefix (8+); a configured one is refused (read-only). */
  remove(selector: string, actor: ManufacturingTrustActor): Promise<ManufacturingCaView>;
  /**
   * The trusted manufacturing CA that issued this certificate (issuer name and signature checked, not validity), with
   * the managed entries brought up to date from the store first; null when none did.
   */
  issuerOf(der: Buffer): Promise<ManufacturingIssuer | null>;
  /** issuerOf over the entries as last loaded (no store access): for `opencapf verify` and the doctor. */
  cachedIssuerOf(der: Buffer): ManufacturingIssuer | null;
  /** The trusted CAs as last loaded (e.g. what an import into the TVS trust must not be). */
  cachedCertificates(): { source: ManufacturingCaSource; certificate: CertificateInfo }[];
  /** Loads the managed entries (start, and after a change made elsewhere). */
  refresh(): Promise<void>;
}

interface Loaded {
  source: ManufacturingCaSource;
  info: CertificateInfo;
  x509: X509Certificate;
  entry: ManufacturingCaEntry | null;
}

type ProblemCode =
  | 'ERR_MFG_CA_NOT_CERTIFICATE'
  | 'ERR_MFG_CA_PRIVATE_KEY'
  | 'ERR_MFG_CA_NOT_CA'
  | 'ERR_MFG_CA_DUPLICATE';

interface Problem {
  file: string;
  item?: number;
  code: ProblemCode;
  message: string;
}

const MAX_COMMENT = 256;
const MIN_PREFIX_HEX = 8;

function stateAt(c: { notBefore: Date; notAfter: Date }, now: Date): ManufacturingCaState {
  if (now < c.notBefore) return 'not-yet-valid';
  if (now > c.notAfter) return 'expired';
  return 'valid';
}

/** The file reader's codes are the TVS trust's; here the same problems carry this feature's codes. */
function fromInput(p: InputProblem): Problem {
  return { ...p, code: p.code === 'ERR_FOREIGN_PRIVATE_KEY' ? 'ERR_MFG_CA_PRIVATE_KEY' : 'ERR_MFG_CA_NOT_CERTIFICATE' };
}

function where(p: { file: string; item?: number }, many: boolean): string {
  return many && p.item !== undefined ? `${p.file} (certificate ${p.item})` : p.file;
}

function refusal(problems: readonly Problem[], perFile: Map<string, number>): AppError {
  const lines = problems.map((p) => `${where(p, (perFile.get(p.file) ?? 0) > 1)}: ${p.message}`);
  const text =
    lines.length === 1 ? `${lines[0]}; nothing was imported` : `nothing was imported:\n  ${lines.join('\n  ')}`;
  return new AppError(problems[0]!.code, text, {
    problems: problems.map((p) => ({ file: p.file, item: p.item ?? null, code: p.code, message: p.message })),
  });
}

function load(source: ManufacturingCaSource, der: Buffer, entry: ManufacturingCaEntry | null): Loaded {
  return { source, info: parseCertificate(der), x509: new X509Certificate(der), entry };
}

export function createManufacturingTrust(d: ManufacturingTrustDeps): ManufacturingTrust {
  // The configured bundle is parsed once: a file that does not parse stops the start, as it always did.
  const configured: Loaded[] = (d.configuredPem ? pemBundleToDers(d.configuredPem) : []).map((der) =>
    load('config', der, null),
  );
  let managed: Loaded[] = [];
  let managedKeys = '';

  const all = () => [...configured, ...managed];

  const view = (l: Loaded, now: Date): ManufacturingCaView => ({
    source: l.source,
    sha256: l.info.sha256,
    sha1: l.info.sha1,
    subject: l.info.subjectDn,
    issuer: l.info.issuerDn,
    serialHex: l.info.serialHex,
    notBefore: l.info.notBefore.toISOString(),
    notAfter: l.info.notAfter.toISOString(),
    state: stateAt(l.info, now),
    keyType: l.info.keyDescription,
    addedAt: l.entry?.addedAt ?? null,
    addedBy: l.entry?.addedBy ?? null,
    comment: l.entry?.comment ?? '',
    pem: derToPem(l.info.der),
  });

  async function refresh(): Promise<void> {
    const rows = await d.store.listManufacturingCas();
    const byKey = new Map(managed.map((m) => [m.info.sha256, m]));
    managed = rows.map((r) => byKey.get(r.sha256) ?? load('managed', r.der, r));
    managedKeys = rows
      .map((r) => r.sha256)
      .sort()
      .join(',');
  }

  function issuedBy(der: Buffer): ManufacturingIssuer | null {
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(der);
    } catch {
      return null;
    }
    for (const ca of all()) {
      if (cert.checkIssued(ca.x509) && cert.verify(ca.x509.publicKey))
        return {
          subjectDn: ca.info.subjectDn,
          sha1: ca.info.sha1,
          source: ca.source,
          notBefore: ca.info.notBefore,
          notAfter: ca.info.notAfter,
        };
    }
    return null;
  }

  async function validate(
    files: readonly ForeignCertificateFile[],
    o: { comment?: string },
    actor: ManufacturingTrustActor,
  ): Promise<ManufacturingCaEntry[]> {
    const comment = (o.comment ?? '').trim();
    if (comment.length > MAX_COMMENT || /[\u0000-\u001f\u007f]/.test(comment))
      throw new AppError('ERR_BAD_REQUEST', `the comment must be one line of at most ${MAX_COMMENT} characters`);
    if (files.length === 0) throw new AppError('ERR_BAD_REQUEST', 'give at least one certificate file');
    const read = readCertificateFiles(files);
    const perFile = new Map<string, number>();
    for (const i of read.items) perFile.set(i.file, (perFile.get(i.file) ?? 0) + 1);
    if (read.items.length > MAX_FOREIGN_PER_IMPORT)
      throw new AppError(
        'ERR_BAD_REQUEST',
        `${read.items.length} certificates in one import; at most ${MAX_FOREIGN_PER_IMPORT}. Nothing was imported`,
      );
    const problems: Problem[] = read.problems.map(fromInput);
    await refresh();
    const now = d.clock.now();
    const seen = new Map<string, string>();
    const out: ManufacturingCaEntry[] = [];
    for (const item of read.items) {
      let c: CertificateInfo;
      try {
        c = parseCertificate(item.der);
      } catch {
        problems.push(fromInput(notCertificateProblem(item)));
        continue;
      }
      const at = { file: item.file, item: item.item };
      const name = c.subjectDn || '(no subject)';
      if (!c.isCa)
        problems.push({
          ...at,
          code: 'ERR_MFG_CA_NOT_CA',
          message:
            `${name} is not a CA certificate (basicConstraints CA:TRUE is missing)` +
            (d.isOurLsc?.(c.der) ? ": it is a phone's LSC issued by this CAPF" : "; a phone's MIC is not its CA"),
        });
      const twice = seen.get(c.sha256);
      if (twice)
        problems.push({ ...at, code: 'ERR_MFG_CA_DUPLICATE', message: `${name} is given twice (also ${twice})` });
      seen.set(c.sha256, where(at, (perFile.get(item.file) ?? 0) > 1));
      const existing = all().find((l) => l.info.sha256 === c.sha256);
      if (existing)
        problems.push({
          ...at,
          code: 'ERR_MFG_CA_DUPLICATE',
          message:
            existing.source === 'config'
              ? `${name} is already trusted through capf.manufacturingCaFile`
              : `${name} is already a managed manufacturing CA (added ${existing.entry!.addedAt} by ` +
                `${existing.entry!.addedBy})`,
        });
      out.push({
        sha256: c.sha256,
        sha1: c.sha1,
        subject: c.subjectDn,
        issuer: c.issuerDn,
        serialHex: c.serialHex,
        notBefore: c.notBefore.toISOString(),
        notAfter: c.notAfter.toISOString(),
        der: c.der,
        addedAt: now.toISOString(),
        addedBy: actor.name,
        comment,
      });
    }
    if (problems.length > 0) throw refusal(problems, perFile);
    if (out.length === 0)
      throw new AppError('ERR_MFG_CA_NOT_CERTIFICATE', 'no certificate in the files; nothing was imported');
    return out;
  }

  function resolve(selector: string): Loaded {
    const s = selector.replace(/[:\s]/g, '').toLowerCase();
    if (!/^[0-9a-f]+$/.test(s) || s.length < MIN_PREFIX_HEX || s.length > 64)
      throw new AppError(
        'ERR_BAD_REQUEST',
        `name the manufacturing CA by its SHA-1 (40 hex digits) or the first ${MIN_PREFIX_HEX} or more hex digits ` +
          'of its SHA-256, as `opencapf capf manufacturing list` shows them',
      );
    const hits = all().filter((l) => l.info.sha1 === s || l.info.sha256.startsWith(s));
    if (hits.length === 0) throw new AppError('ERR_NOT_FOUND', `no manufacturing CA ${s} is trusted`);
    if (hits.length > 1)
      throw new AppError('ERR_CONFLICT', `${s} matches ${hits.length} manufacturing CAs; give more digits`);
    return hits[0]!;
  }

  return {
    async list() {
      await refresh();
      const now = d.clock.now();
      return all().map((l) => view(l, now));
    },
    async check(files, o = {}) {
      const now = d.clock.now();
      const entries = await validate(files, o, { name: '-', source: '-' });
      return entries.map((e) => view(load('managed', e.der, e), now));
    },
    async import(files, o, actor) {
      const entries = await validate(files, o, actor);
      const at = d.clock.now().toISOString();
      const events: AuditEvent[] = entries.map((e) => ({
        at,
        actor,
        action: 'capf.manufacturing-ca-import',
        target: e.sha1,
        details: {
          subject: e.subject,
          issuer: e.issuer,
          serial: e.serialHex,
          sha256: e.sha256,
          notAfter: e.notAfter,
          ...(e.comment ? { comment: e.comment } : {}),
        },
      }));
      await d.store.insertManufacturingCas(entries, events);
      await refresh();
      const now = d.clock.now();
      return entries.map((e) => view(load('managed', e.der, e), now));
    },
    async remove(selector, actor) {
      await refresh();
      const l = resolve(selector);
      if (l.source === 'config')
        throw new AppError(
          'ERR_MFG_CA_READ_ONLY',
          `${l.info.subjectDn} comes from capf.manufacturingCaFile (read-only here); remove it from that file and ` +
            'restart to stop trusting it',
        );
      const removed = await d.store.deleteManufacturingCa(l.info.sha256, {
        at: d.clock.now().toISOString(),
        actor,
        action: 'capf.manufacturing-ca-remove',
        target: l.info.sha1,
        details: { subject: l.info.subjectDn, sha256: l.info.sha256, notAfter: l.info.notAfter.toISOString() },
      });
      if (!removed) throw new AppError('ERR_NOT_FOUND', `no manufacturing CA ${l.info.sha1} is trusted`);
      await refresh();
      return view(l, d.clock.now());
    },
    async issuerOf(der) {
      const keys = (await d.store.manufacturingCaKeys()).sort().join(',');
      if (keys !== managedKeys) await refresh();
      return issuedBy(der);
    },
    cachedIssuerOf: issuedBy,
    cachedCertificates: () => all().map((l) => ({ source: l.source, certificate: l.info })),
    refresh,
  };
}
