// Owns `opencapf verify FILE`: is this certificate an LSC of our CAPF (current or previous CA), for which
// device, the phone's current one, revoked, expired? MICs are named as such. Exit 0 only for a valid LSC.

import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { AppError } from '../../shared/errors.ts';
import { withServices, opts as g, type CliEnv } from '../common.ts';
import { out } from '../io.ts';
import { table } from '../format.ts';

export function registerVerifyCommands(program: Command, { io, setExit }: CliEnv): void {
  program
    .command('verify')
    .description(
      'is this certificate (PEM or DER) a valid LSC of this CAPF: device, current ' +
        'or not, revoked, expired; MICs are recognised. Exit 0 only for a valid LSC',
    )
    .argument('<file>', 'certificate file, PEM or DER ("-" for standard input)')
    .option('--json', 'JSON output')
    .action(async (file: string, _o, cmd: Command) => {
      const o = g(cmd);
      let bytes: Buffer;
      try {
        bytes = file === '-' ? readFileSync(0) : readFileSync(file);
      } catch (e) {
        throw new AppError('ERR_BAD_REQUEST', `cannot read ${file}: ${(e as Error).message}`);
      }
      await withServices(io, o, ['revocation'], async (ctx) => {
        const r = await ctx.revocation.verify(bytes);
        if (o.json) out(io, JSON.stringify(r, null, 2));
        else {
          out(io, r.message);
          const c = r.certificate;
          out(
            io,
            table(
              ['Field', 'Value'],
              [
                ['Device', r.deviceName ?? '-'],
                ['Serial', c.serialHex],
                ['Subject', c.subjectDn],
                ['Issuer', c.issuerDn],
                [
                  'Signed by',
                  r.issuedBy ? `${r.issuedBy} CAPF CA` : r.manufacturing ? 'manufacturing CA' : 'not this CAPF',
                ],
                ['Valid', `${c.notBefore} .. ${c.notAfter}${r.expired ? ' (EXPIRED)' : ''}`],
                ['Key', c.keyType],
                [
                  'State',
                  r.record
                    ? r.record.state +
                      (r.record.revokedAt
                        ? ` ${r.record.revokedAt} (${r.record.revocationReason ?? 'unspecified'})`
                        : '')
                    : '-',
                ],
                ["Phone's current LSC", r.currentForPhone === null ? '-' : r.currentForPhone ? 'yes' : 'no'],
                ['SHA-256', c.sha256],
              ],
            ),
          );
        }
        if (!r.ok) setExit(1);
      });
    });
}
