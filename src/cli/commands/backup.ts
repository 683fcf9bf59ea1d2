// Owns `opencapf backup FILE` and `opencapf restore FILE` (encrypted with a passphrase).

import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { AppError } from '../../shared/errors.ts';
import { configFrom, withServices, opts as g, type CliEnv } from '../common.ts';
import { out, readAll, type CliIo } from '../io.ts';
import { restoreTarget } from '../../app/backup.ts';
import { readBackupInto, writeBackup } from '../../backup/service.ts';

async function passphrase(io: CliIo, o: Record<string, unknown>): Promise<string> {
  let p: string;
  if (o.passphraseFile) {
    try {
      p = readFileSync(o.passphraseFile as string, 'utf8');
    } catch (e) {
      throw new AppError('ERR_BAD_REQUEST', `cannot read the passphrase file: ${(e as Error).message}`);
    }
  } else p = await readAll(io.stdin);
  p = p.split(/\r?\n/)[0] ?? '';
  if (!p)
    throw new AppError('ERR_BAD_REQUEST', 'no passphrase: use --passphrase-file FILE or write it on standard input');
  return p;
}

export function registerBackupCommands(program: Command, { io }: CliEnv): void {
  program
    .command('backup')
    .description('write a consistent, encrypted backup of the database and every key (online: serve may keep running)')
    .argument('<file>', 'output file (written mode 0600)')
    .option('--passphrase-file <file>', 'read the passphrase from this file (default: standard input)')
    .action(async (file: string, _o, cmd: Command) => {
      const o = g(cmd);
      const pass = await passphrase(io, o);
      await withServices(io, o, ['config', 'store', 'clock'], async (ctx) => {
        const { dataDir } = ctx.config;
        const driver = ctx.config['store.driver'];
        const now = ctx.clock.now();
        const m = await writeBackup({ dataDir, driver, database: ctx.store.backup, passphrase: pass, out: file, now });
        out(
          io,
          `backup written to ${file}: ${m.driver} database, ` +
            `${m.files.filter((f) => f.startsWith('pki/')).length} key/certificate files`,
        );
      });
    });
  program
    .command('restore')
    .description(
      'restore a backup into the data directory (a fresh machine: empty ' +
        '--data-dir); refuses a wrong passphrase before writing anything',
    )
    .argument('<file>', 'backup file')
    .option('--passphrase-file <file>', 'read the passphrase from this file (default: standard input)')
    .option('--force', 'replace an existing database and keys')
    .action(async (file: string, _o, cmd: Command) => {
      const o = g(cmd);
      const pass = await passphrase(io, o);
      const config = configFrom(io, o);
      const database = restoreTarget(config);
      const driver = config['store.driver'];
      const m = await readBackupInto({
        dataDir: config.dataDir,
        driver,
        database,
        file,
        passphrase: pass,
        force: !!o.force,
      });
      out(
        io,
        `restored ${m.driver} database and ${m.files.filter((f) => f.startsWith('pki/')).length} ` +
          `key/certificate files from the backup of ${m.createdAt} into ${config.dataDir}`,
      );
    });
}
