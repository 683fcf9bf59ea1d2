// Owns `opencapf crl …`: export the CRL of the current or previous CAPF CA, and revoke an LSC by hand.

import { type Command, Option } from 'commander';
import { writeFileSync } from 'node:fs';
import { withServices, actor, opts as g, type CliEnv } from '../common.ts';
import { out } from '../io.ts';
import { OPERATOR_REASONS, type RevocationReason } from '../../revocation/index.ts';
import { AppError } from '../../shared/errors.ts';

export function registerCrlCommands(program: Command, { io }: CliEnv): void {
  const crl = program
    .command('crl')
    .description(
      'certificate revocation: CRLs of the CAPF CA (also served on HTTP 6970 at /crl/capf.crl) and manual revocation',
    );
  crl
    .command('export')
    .description('write the current CRL (signed by the CAPF CA, regenerated if revocations changed)')
    .addOption(new Option('--format <format>', 'pem or der').choices(['pem', 'der']).default('pem'))
    .option('--previous', 'the CRL of the previous CAPF CA (during a rollover)')
    .option('--out <file>', 'write to a file (default: standard output)')
    .action(async (_o, cmd: Command) => {
      const o = g(cmd);
      await withServices(io, o, ['revocation'], async (ctx) => {
        const c = await ctx.revocation.crl(o.previous ? 'previous' : 'current');
        if (!c) throw new AppError('ERR_NOT_FOUND', 'there is no previous CAPF certificate (no rollover in progress)');
        const data = o.format === 'der' ? c.der : Buffer.from(c.pem);
        if (o.out) {
          writeFileSync(String(o.out), data);
          out(
            io,
            `wrote ${String(o.out)}: CRL number ${c.crlNumber}, ` +
              `${c.entries} revoked, next update ${c.nextUpdate.toISOString()}`,
          );
        } else io.stdout.write(data);
      });
    });
  crl
    .command('revoke')
    .description('revoke an LSC by serial number (e.g. a stolen phone: keyCompromise); recorded in the audit log')
    .argument('<serial>', 'hexadecimal serial (as opencapf phone show lists it)')
    .addOption(new Option('--reason <reason>', 'RFC 5280 reason').choices([...OPERATOR_REASONS]).default('unspecified'))
    .action(async (serial: string, _o, cmd: Command) => {
      const o = g(cmd);
      await withServices(io, o, ['revocation'], async (ctx) => {
        await ctx.revocation.revoke(serial, o.reason as RevocationReason, actor(io));
        out(io, `${serial.toUpperCase()}: revoked (${String(o.reason)}); the CRL and OCSP answers include it now`);
      });
    });
}
