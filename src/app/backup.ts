// Owns wiring `opencapf backup` / `restore` (backup/service.ts) to the store's dump and restore.

import { existsSync } from 'node:fs';
import type { Config } from '../config/index.ts';
import type { Kysely } from 'kysely';
import type { Clock } from '../shared/clock.ts';
import { openStore } from '../store/index.ts';
import { dumpDatabase, hasSqliteDatabase, restorePostgresTables, restoreSqliteFile } from '../store/backup-dump.ts';
import { readBackupInto, writeBackup, type BackupManifest } from '../backup/service.ts';


/** Writes an encrypted backup of a running (or stopped) node. */
export function createBackup(o: { config: Config; db: Kysely<any>; clock: Clock; passphrase: string; out: string }): Promise<BackupManifest> {
  const driver = o.config['store.driver'];
  const database = { dump: () => dumpDatabase({ driver, dataDir: o.config.dataDir, db: o.db }) };
  return writeBackup({ dataDir: o.config.dataDir, driver, database, passphrase: o.passphrase, out: o.out, now: o.clock.now() });
}

/** Restores a backup into config.dataDir (and the configured database). Refuses to overwrite unless force. */
export function restoreBackup(o: { config: Config; file: string; passphrase: string; force?: boolean }): Promise<BackupManifest> {
  const { dataDir } = o.config;
  const driver = o.config['store.driver'];
  const database = {
    // PostgreSQL is replaced table by table (truncate first), so only the keys decide there.
    exists: () => driver === 'sqlite' && hasSqliteDatabase(dataDir, existsSync),
    async restore(entries: Parameters<typeof restorePostgresTables>[1]) {
      if (driver === 'sqlite') return restoreSqliteFile(dataDir, entries);
      const store = await openStore({ driver, dataDir, postgresUrl: o.config['store.postgresUrl'] });
      try {
        await restorePostgresTables(store.db, entries);
      } finally {
        await store.close();
      }
    },
  };
  return readBackupInto({ dataDir, driver, database, file: o.file, passphrase: o.passphrase, force: o.force });
}
