// Owns wiring `opencapf restore` to the configured store: the restore half of backup/'s database port.

import type { Config } from '../config/index.ts';
import { openStore } from '../store/index.ts';
import { backupRestorer } from '../store/backup-dump.ts';
import type { BackupDatabase } from '../backup/service.ts';

export function restoreTarget(config: Config): Omit<BackupDatabase, 'dump'> {
  const { dataDir } = config;
  const driver = config['store.driver'];
  const openPostgres = () => openStore({ driver, dataDir, postgresUrl: config['store.postgresUrl'] });
  return backupRestorer({ driver, dataDir, openPostgres });
}
