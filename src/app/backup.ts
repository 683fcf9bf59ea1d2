// Owns `opencapf backup` / `restore`: a consistent online copy of the database and every key and
// certificate under <dataDir>/pki, encrypted with a passphrase, restorable on a fresh machine.
//
// File layout (all integers big-endian):
//   0   8  magic "OCAPFBK" 0x01
//   8   4  header length H
//   12  H  header JSON {v, kdf:{alg:"scrypt",N,r,p,salt}, cipher:"aes-256-gcm", iv, createdAt, driver}
//   12+H …  ciphertext of gzip(archive)      (AES-256-GCM; additional data = bytes 0 .. 12+H)
//   end-16 16  GCM tag
// archive = entries of: u16 name length, name (UTF-8), u32 mode, u32 length high, u32 length low, data.
// SQLite: the database file made by SQLite's online backup API. PostgreSQL: one JSON-lines dump per table,
// read in one REPEATABLE READ transaction.

import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import SqliteDatabase from 'better-sqlite3';
import { sql, type Kysely } from 'kysely';
import { AppError } from '../shared/errors.ts';
import type { Config } from '../config/index.ts';
import { openStore, rowAfter0006 } from '../store/index.ts';
import { ALL_TABLES } from '../store/admin-store.ts';

const MAGIC = Buffer.from('OCAPFBK\x01', 'latin1');
const KDF = { N: 32768, r: 8, p: 1 };
export const MIN_PASSPHRASE = 8;

interface Entry {
  name: string;
  mode: number;
  data: Buffer;
}

export interface BackupManifest {
  version: 1;
  createdAt: string;
  driver: 'sqlite' | 'postgres';
  tables?: Record<string, number>;
  files: string[];
}

function deriveKey(passphrase: string, salt: Buffer, p = KDF): Buffer {
  return scryptSync(passphrase, salt, 32, { N: p.N, r: p.r, p: p.p, maxmem: 128 * 1024 * 1024 });
}

function packEntries(entries: Entry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const h = Buffer.alloc(2 + name.length + 12);
    h.writeUInt16BE(name.length, 0);
    name.copy(h, 2);
    h.writeUInt32BE(e.mode, 2 + name.length);
    h.writeUInt32BE(Math.floor(e.data.length / 2 ** 32), 6 + name.length);
    h.writeUInt32BE(e.data.length >>> 0, 10 + name.length);
    parts.push(h, e.data);
  }
  return Buffer.concat(parts);
}

function unpackEntries(buf: Buffer): Entry[] {
  const out: Entry[] = [];
  let o = 0;
  while (o < buf.length) {
    if (o + 2 > buf.length) throw new AppError('ERR_BACKUP_FORMAT', 'backup archive is truncated');
    const n = buf.readUInt16BE(o);
    if (o + 2 + n + 12 > buf.length) throw new AppError('ERR_BACKUP_FORMAT', 'backup archive is truncated');
    const name = buf.subarray(o + 2, o + 2 + n).toString('utf8');
    const mode = buf.readUInt32BE(o + 2 + n);
    const len = buf.readUInt32BE(o + 6 + n) * 2 ** 32 + buf.readUInt32BE(o + 10 + n);
    const start = o + 14 + n;
    if (start + len > buf.length) throw new AppError('ERR_BACKUP_FORMAT', 'backup archive is truncated');
    if (name.includes('..') || name.startsWith('/') || !/^[A-Za-z0-9._/-]+$/.test(name)) throw new AppError('ERR_BACKUP_FORMAT', `unsafe name in backup: ${JSON.stringify(name)}`);
    out.push({ name, mode, data: buf.subarray(start, start + len) });
    o = start + len;
  }
  return out;
}

export function encryptBackup(entries: Entry[], passphrase: string, meta: { driver: string; createdAt: string }): Buffer {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const header = Buffer.from(JSON.stringify({ v: 1, kdf: { alg: 'scrypt', ...KDF, salt: salt.toString('base64') }, cipher: 'aes-256-gcm', iv: iv.toString('base64'), ...meta }), 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(header.length);
  const aad = Buffer.concat([MAGIC, len, header]);
  const cipher = createCipheriv('aes-256-gcm', deriveKey(passphrase, salt), iv);
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(gzipSync(packEntries(entries))), cipher.final()]);
  return Buffer.concat([aad, body, cipher.getAuthTag()]);
}

export function decryptBackup(file: Buffer, passphrase: string): { entries: Entry[]; header: Record<string, unknown> } {
  if (file.length < 12 + 16 || !file.subarray(0, 8).equals(MAGIC)) throw new AppError('ERR_BACKUP_FORMAT', 'not an OpenCAPF backup file (bad magic)');
  const hlen = file.readUInt32BE(8);
  if (hlen > 64 * 1024 || 12 + hlen + 16 > file.length) throw new AppError('ERR_BACKUP_FORMAT', 'backup header is damaged');
  let header: { v?: number; kdf?: { alg: string; N: number; r: number; p: number; salt: string }; iv?: string };
  try {
    header = JSON.parse(file.subarray(12, 12 + hlen).toString('utf8'));
  } catch {
    throw new AppError('ERR_BACKUP_FORMAT', 'backup header is damaged');
  }
  if (header.v !== 1 || header.kdf?.alg !== 'scrypt' || !header.iv) throw new AppError('ERR_BACKUP_FORMAT', `unsupported backup version ${String(header.v)}`);
  const { N, r, p } = header.kdf;
  if (![N, r, p].every((x) => Number.isInteger(x) && x > 0) || N > 2 ** 20 || r > 32 || p > 16) throw new AppError('ERR_BACKUP_FORMAT', 'backup key-derivation parameters out of range');
  const decipher = createDecipheriv('aes-256-gcm', deriveKey(passphrase, Buffer.from(header.kdf.salt, 'base64'), { N, r, p }), Buffer.from(header.iv, 'base64'));
  decipher.setAAD(file.subarray(0, 12 + hlen));
  decipher.setAuthTag(file.subarray(file.length - 16));
  let plain: Buffer;
  try {
    plain = Buffer.concat([decipher.update(file.subarray(12 + hlen, file.length - 16)), decipher.final()]);
  } catch {
    throw new AppError('ERR_BACKUP_PASSPHRASE', 'wrong passphrase, or the backup file is damaged (authentication failed); nothing was restored');
  }
  return { entries: unpackEntries(gunzipSync(plain)), header: header as Record<string, unknown> };
}

function jsonReplacer(_k: string, v: unknown): unknown {
  if (v && typeof v === 'object' && (v as { type?: string }).type === 'Buffer' && Array.isArray((v as { data?: unknown }).data)) return { $b64: Buffer.from((v as { data: number[] }).data).toString('base64') };
  if (typeof v === 'bigint') return Number(v);
  return v;
}
function jsonReviver(_k: string, v: unknown): unknown {
  if (v && typeof v === 'object' && typeof (v as { $b64?: unknown }).$b64 === 'string') return Buffer.from((v as { $b64: string }).$b64, 'base64');
  return v;
}

async function dumpTables(db: Kysely<any>): Promise<{ entries: Entry[]; counts: Record<string, number> }> {
  return db.transaction().setIsolationLevel('repeatable read').execute(async (trx) => {
    const entries: Entry[] = [];
    const counts: Record<string, number> = {};
    for (const t of ALL_TABLES) {
      const rows = (await sql<Record<string, unknown>>`select * from ${sql.table(t)}`.execute(trx)).rows;
      counts[t] = rows.length;
      entries.push({ name: `db/${t}.jsonl`, mode: 0o600, data: Buffer.from(rows.map((r) => JSON.stringify(r, jsonReplacer)).join('\n'), 'utf8') });
    }
    return { entries, counts };
  });
}

function keyFiles(dataDir: string): Entry[] {
  const dir = join(dataDir, 'pki');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => statSync(join(dir, f)).isFile() && !f.includes('.tmp-'))
    .map((f) => ({ name: `pki/${f}`, mode: statSync(join(dir, f)).mode & 0o777, data: readFileSync(join(dir, f)) }));
}

/** Writes an encrypted backup of a running (or stopped) node. */
export async function createBackup(o: { config: Config; db: Kysely<any>; passphrase: string; out: string }): Promise<BackupManifest> {
  if (o.passphrase.length < MIN_PASSPHRASE) throw new AppError('ERR_BAD_REQUEST', `the passphrase must be at least ${MIN_PASSPHRASE} characters`);
  const createdAt = new Date().toISOString();
  const entries: Entry[] = [];
  let counts: Record<string, number> | undefined;
  if (o.config['store.driver'] === 'sqlite') {
    const tmp = join(tmpdir(), `opencapf-backup-${process.pid}-${randomBytes(4).toString('hex')}.db`);
    const src = new SqliteDatabase(join(o.config.dataDir, 'opencapf.db'), { readonly: true, fileMustExist: true });
    try {
      await src.backup(tmp);
      entries.push({ name: 'db/opencapf.db', mode: 0o600, data: readFileSync(tmp) });
    } finally {
      src.close();
      rmSync(tmp, { force: true });
    }
  } else {
    const d = await dumpTables(o.db);
    entries.push(...d.entries);
    counts = d.counts;
  }
  const files = keyFiles(o.config.dataDir);
  entries.push(...files);
  const cfg = join(o.config.dataDir, 'opencapf.json');
  if (existsSync(cfg)) entries.push({ name: 'opencapf.json', mode: 0o600, data: readFileSync(cfg) });
  const manifest: BackupManifest = { version: 1, createdAt, driver: o.config['store.driver'], ...(counts ? { tables: counts } : {}), files: entries.map((e) => e.name) };
  entries.unshift({ name: 'manifest.json', mode: 0o600, data: Buffer.from(JSON.stringify(manifest), 'utf8') });
  writeFileSync(o.out, encryptBackup(entries, o.passphrase, { driver: o.config['store.driver'], createdAt }), { mode: 0o600 });
  chmodSync(o.out, 0o600);
  return manifest;
}

/** Restores a backup into config.dataDir (and the configured database). Refuses to overwrite unless force. */
export async function restoreBackup(o: { config: Config; file: string; passphrase: string; force?: boolean }): Promise<BackupManifest> {
  const { entries } = decryptBackup(readFileSync(o.file), o.passphrase);
  const manifestEntry = entries.find((e) => e.name === 'manifest.json');
  if (!manifestEntry) throw new AppError('ERR_BACKUP_FORMAT', 'backup has no manifest');
  const manifest = JSON.parse(manifestEntry.data.toString('utf8')) as BackupManifest;
  const dataDir = o.config.dataDir;
  const driver = o.config['store.driver'];
  if (manifest.driver !== driver) throw new AppError('ERR_BAD_REQUEST', `this backup holds a ${manifest.driver} database; configure store.driver ${manifest.driver} to restore it`);
  const dbFile = join(dataDir, 'opencapf.db');
  const pkiDir = join(dataDir, 'pki');
  const hasKeys = existsSync(pkiDir) && readdirSync(pkiDir).some((f) => f.endsWith('.pem'));
  if (!o.force && ((driver === 'sqlite' && existsSync(dbFile)) || hasKeys)) {
    throw new AppError('ERR_CONFLICT', `${dataDir} already holds a database or keys; restore into an empty data directory, or pass --force to replace them`);
  }
  mkdirSync(pkiDir, { recursive: true, mode: 0o700 });
  chmodSync(dataDir, 0o700);
  chmodSync(pkiDir, 0o700);
  for (const e of entries) {
    if (e.name.startsWith('pki/')) {
      const p = join(pkiDir, e.name.slice(4));
      // Private keys are written 0600 whatever the archive says.
      const mode = e.name.endsWith('.key.pem') ? 0o600 : e.mode & 0o644;
      writeFileSync(p, e.data, { mode });
      chmodSync(p, mode);
    } else if (e.name === 'opencapf.json') writeFileSync(join(dataDir, 'opencapf.json'), e.data, { mode: 0o600 });
  }
  if (driver === 'sqlite') {
    const db = entries.find((e) => e.name === 'db/opencapf.db');
    if (!db) throw new AppError('ERR_BACKUP_FORMAT', 'backup has no database');
    for (const suffix of ['-wal', '-shm']) rmSync(dbFile + suffix, { force: true });
    writeFileSync(dbFile, db.data, { mode: 0o600 });
    chmodSync(dbFile, 0o600);
  } else {
    const store = await openStore({ driver, dataDir, postgresUrl: o.config['store.postgresUrl'] });
    try {
      await store.db.transaction().execute(async (trx) => {
        await sql`truncate ${sql.join(ALL_TABLES.map((t) => sql.table(t)))} restart identity cascade`.execute(trx);
        for (const t of ALL_TABLES) {
          const e = entries.find((x) => x.name === `db/${t}.jsonl`);
          const text = e?.data.toString('utf8') ?? '';
          if (!text) continue;
          // Rows dumped before migration 0006 (status as a sentence) are brought to today's columns.
          const rows = text.split('\n').map((l) => rowAfter0006(t, JSON.parse(l, jsonReviver) as Record<string, unknown>));
          for (let i = 0; i < rows.length; i += 500) await (trx as Kysely<any>).insertInto(t).values(rows.slice(i, i + 500)).execute();
          if (rows.length && 'id' in rows[0]!) await sql`select setval(pg_get_serial_sequence(${t}, 'id'), (select max(id) from ${sql.table(t)}))`.execute(trx);
        }
      });
    } finally {
      await store.close();
    }
  }
  return manifest;
}
