// Owns the OpenCAPF backup file format: an archive of named entries, gzip-compressed and encrypted with a
// key derived from a passphrase (scrypt), authenticated by AES-256-GCM.
//
// File layout (all integers big-endian):
//   0   8  magic "OCAPFBK" 0x01
//   8   4  header length H
//   12  H  header JSON {v, kdf:{alg:"scrypt",N,r,p,salt}, cipher:"aes-256-gcm", iv, createdAt, driver}
//   12+H …  ciphertext of gzip(archive)      (AES-256-GCM; additional data = bytes 0 .. 12+H)
//   end-16 16  GCM tag
// archive = entries of: u16 name length, name (UTF-8), u32 mode, u32 length high, u32 length low, data.

import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { AppError } from '../shared/errors.ts';

const MAGIC = Buffer.from('OCAPFBK\x01', 'latin1');
const KDF = { N: 32768, r: 8, p: 1 };
export const MIN_PASSPHRASE = 8;

export interface Entry {
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
    if (name.includes('..') || name.startsWith('/') || !/^[A-Za-z0-9._/-]+$/.test(name))
      throw new AppError('ERR_BACKUP_FORMAT', `unsafe name in backup: ${JSON.stringify(name)}`);
    out.push({ name, mode, data: buf.subarray(start, start + len) });
    o = start + len;
  }
  return out;
}

export function encryptBackup(
  entries: Entry[],
  passphrase: string,
  meta: { driver: string; createdAt: string },
): Buffer {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const header = Buffer.from(
    JSON.stringify({
      v: 1,
      kdf: { alg: 'scrypt', ...KDF, salt: salt.toString('base64') },
      cipher: 'aes-256-gcm',
      iv: iv.toString('base64'),
      ...meta,
    }),
    'utf8',
  );
  const len = Buffer.alloc(4);
  len.writeUInt32BE(header.length);
  const aad = Buffer.concat([MAGIC, len, header]);
  const cipher = createCipheriv('aes-256-gcm', deriveKey(passphrase, salt), iv);
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(gzipSync(packEntries(entries))), cipher.final()]);
  return Buffer.concat([aad, body, cipher.getAuthTag()]);
}

export function decryptBackup(file: Buffer, passphrase: string): { entries: Entry[]; header: Record<string, unknown> } {
  if (file.length < 12 + 16 || !file.subarray(0, 8).equals(MAGIC))
    throw new AppError('ERR_BACKUP_FORMAT', 'not an OpenCAPF backup file (bad magic)');
  const hlen = file.readUInt32BE(8);
  if (hlen > 64 * 1024 || 12 + hlen + 16 > file.length)
    throw new AppError('ERR_BACKUP_FORMAT', 'backup header is damaged');
  let header: { v?: number; kdf?: { alg: string; N: number; r: number; p: number; salt: string }; iv?: string };
  try {
    header = JSON.parse(file.subarray(12, 12 + hlen).toString('utf8'));
  } catch {
    throw new AppError('ERR_BACKUP_FORMAT', 'backup header is damaged');
  }
  if (header.v !== 1 || header.kdf?.alg !== 'scrypt' || !header.iv)
    throw new AppError('ERR_BACKUP_FORMAT', `unsupported backup version ${String(header.v)}`);
  const { N, r, p } = header.kdf;
  if (![N, r, p].every((x) => Number.isInteger(x) && x > 0) || N > 2 ** 20 || r > 32 || p > 16)
    throw new AppError('ERR_BACKUP_FORMAT', 'backup key-derivation parameters out of range');
  const decipher = createDecipheriv(
    'aes-256-gcm',
    deriveKey(passphrase, Buffer.from(header.kdf.salt, 'base64'), { N, r, p }),
    Buffer.from(header.iv, 'base64'),
  );
  decipher.setAAD(file.subarray(0, 12 + hlen));
  decipher.setAuthTag(file.subarray(file.length - 16));
  let plain: Buffer;
  try {
    plain = Buffer.concat([decipher.update(file.subarray(12 + hlen, file.length - 16)), decipher.final()]);
  } catch {
    throw new AppError(
      'ERR_BACKUP_PASSPHRASE',
      'wrong passphrase, or the backup file is damaged (authentication failed); nothing was restored',
    );
  }
  return { entries: unpackEntries(gunzipSync(plain)), header: header as Record<string, unknown> };
}
