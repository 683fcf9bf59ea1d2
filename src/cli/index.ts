// Owns the `opencapf` command line: builds the commander program from the command groups and runs it.

import { Command, CommanderError } from 'commander';
import { asStoreFullError, isAppError } from '../shared/errors.ts';
import { err, type CliIo } from './io.ts';
import type { CliEnv } from './common.ts';
import { registerServeCommands } from './commands/serve.ts';
import { registerPhoneCommands } from './commands/phone.ts';
import { registerCapfCommands } from './commands/capf.ts';
import { registerCertCommands } from './commands/cert.ts';
import { registerPhoneAdminCommands } from './commands/phone-admin.ts';
import { registerProfileCommands } from './commands/profile.ts';
import { registerBulkCommands } from './commands/bulk.ts';
import { registerReportCommands } from './commands/report.ts';
import { registerUserCommands } from './commands/user.ts';
import { registerBackupCommands } from './commands/backup.ts';
import { registerEmulateCommands } from './commands/emulate.ts';
import { registerDoctorCommands } from './commands/doctor.ts';
import { registerItlCommands } from './commands/itl.ts';
import { registerVerifyCommands } from './commands/verify.ts';
import { registerCrlCommands } from './commands/crl.ts';
import { registerMigrateCommands } from './commands/migrate.ts';
import { registerTvsCommands } from './commands/tvs.ts';
import { registerMonitorCommands } from './commands/monitor.ts';

/** Each command group registers itself; add new groups here. */
const COMMAND_GROUPS: ((program: Command, env: CliEnv) => void)[] = [
  registerServeCommands,
  registerPhoneCommands,
  registerCapfCommands,
  registerCertCommands,
  registerPhoneAdminCommands,
  registerProfileCommands,
  registerBulkCommands,
  registerReportCommands,
  registerUserCommands,
  registerBackupCommands,
  registerEmulateCommands,
  registerDoctorCommands,
  registerItlCommands,
  registerTvsCommands,
  registerVerifyCommands,
  registerMigrateCommands,
  registerCrlCommands,
  registerMonitorCommands,
];

export function buildProgram(io: CliIo, setExit: (code: number) => void): Command {
  const program = new Command('opencapf')
    .description('OpenCAPF: issue Locally Significant Certificates (LSCs) to Cisco IP phones over the CAPF protocol.')
    .option('--data-dir <dir>', 'data directory (database, keys)', undefined)
    .option('--config <file>', 'JSON configuration file (see docs/configuration.md)')
    .option('--log-level <level>', 'log level (fatal, error, warn, info, debug, trace, silent)')
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .exitOverride()
    .showHelpAfterError();
  for (const register of COMMAND_GROUPS) register(program, { io, setExit });
  return program;
}

/** Runs the CLI; resolves with the process exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let code = 0;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    const full = asStoreFullError(e);
    if (full) {
      err(io, `error: ${full.message} [${full.code}]`);
      if (io.env.OPENCAPF_DEBUG) err(io, String((e as Error)?.stack));
      return 2;
    }
    if (isAppError(e)) {
      err(io, `error: ${e.message} [${e.code}]`);
      return 2;
    }
    err(io, `error: ${(e as Error)?.message ?? String(e)}`);
    if (io.env.OPENCAPF_DEBUG) err(io, String((e as Error)?.stack));
    return 1;
  }
}
