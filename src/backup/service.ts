// Owns `opencapf backup` / `restore` over a database port: what goes into a backup (manifest, database
// copy, every key and certificate under <dataDir>/pki, opencapf.json), and restoring it on a fresh
// machine (refusing to overwrite unless forced; private keys always written 0600).

import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../shared/errors.ts';
import { decryptBackup, encryptBackup, MIN_PASSPHRASE, type BackupManifest, type Entry } from './archive.ts';

export type { BackupManifest };
export { MIN_PASSPHRASE };

export type BackupDriver = 'sqlite' | 'postgres';

/** The database half of a backup, implemented by the store. */
export interface BackupDatabase {
  dump(): Promise<{ entries: Entry[]; counts?: Record<string, number> }>;
  /** True when the target already holds a database that restore would replace. */
  exists(): boolean;
  restore(entries: readonly Entry[]): Promise<void>;
}

function keyFiles(dataDir: string): Entry[] {
  const dir = join(dataDir, 'pki');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => statSync(join(dir, f)).isFile() && !f.includes('.tmp-'))
    .map((f) => ({ name: `pki/${f}`, mode: statSync(join(dir, f)).mode & 0o777, data: readFileSync(join(dir, f)) }));
}

/** Writes an encrypted backup of a running (or stopped) node. */
export async function writeBackup(o: {
  dataDir: string;
  driver: BackupDriver;
  database: Pick<BackupDatabase, 'dump'>;
  passphrase: string;
  out: string;
  now: Date;
}): Promise<BackupManifest> {
  if (o.passphrase.length < MIN_PASSPHRASE)
    throw new AppError('ERR_BAD_REQUEST', `the passphrase must be at least ${MIN_PASSPHRASE} characters`);
  const createdAt = o.now.toISOString();
  const d = await o.database.dump();
  const entries: Entry[] = [...d.entries, ...keyFiles(o.dataDir)];
  const cfg = join(o.dataDir, 'opencapf.json');
  if (existsSync(cfg)) entries.push({ name: 'opencapf.json', mode: 0o600, data: readFileSync(cfg) });
  const manifest: BackupManifest = {
    version: 1,
    createdAt,
    driver: o.driver,
    ...(d.counts ? { tables: d.counts } : {}),
    files: entries.map((e) => e.name),
  };
  entries.unshift({ name: 'manifest.json', mode: 0o600, data: Buffer.from(JSON.stringify(manifest), 'utf8') });
  writeFileSync(o.out, encryptBackup(entries, o.passphrase, { driver: o.driver, createdAt }), { mode: 0o600 });
  chmodSync(o.out, 0o600);
  return manifest;
}

/** Restores a backup into dataDir (and the database). Refuses to overwrite unless force. */
export async function readBackupInto(o: {
  dataDir: string;
  driver: BackupDriver;
  database: Omit<BackupDatabase, 'dump'>;
  file: string;
  passphrase: string;
  force?: boolean;
}): Promise<BackupManifest> {
  const { entries } = decryptBackup(readFileSync(o.file), o.passphrase);
  const manifestEntry = entries.find((e) => e.name === 'manifest.json');
  if (!manifestEntry) throw new AppError('ERR_BACKUP_FORMAT', 'backup has no manifest');
  const manifest = JSON.parse(manifestEntry.data.toString('utf8')) as BackupManifest;
  const { dataDir, driver } = o;
  if (manifest.driver !== driver)
    throw new AppError(
      'ERR_BAD_REQUEST',
      `this backup holds a ${manifest.driver} database; configure store.driver ${manifest.driver} to restore it`,
    );
  const pkiDir = join(dataDir, 'pki');
  const hasKeys = existsSync(pkiDir) && readdirSync(pkiDir).some((f) => f.endsWith('.pem'));
  if (!o.force && (o.database.exists() || hasKeys)) {
    throw new AppError(
      'ERR_CONFLICT',
      `${dataDir} already holds a database or keys; restore into ` +
        'an empty data directory, or pass --force to replace them',
    );
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
  await o.database.restore(entries);
  return manifest;
}
