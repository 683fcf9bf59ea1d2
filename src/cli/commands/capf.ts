// Owns `opencapf capf …` (CAPF certificate operations).

import type { Command } from 'commander';
import { withServices, actor, reportItems, opts as g, type CliEnv } from '../common.ts';
import { updateFrom, withUpdateOptions } from '../admin-common.ts';
import { deviceArgs } from '../io.ts';
import { AUTH_MODES, CERT_OPERATIONS } from '../../phones/index.ts';
import { registerManufacturingCommands } from './capf-manufacturing.ts';

export function registerCapfCommands(program: Command, { io, setExit }: CliEnv): void {
  const capf = program.command('capf').description('CAPF certificate operations');
  registerManufacturingCommands(capf, { io, setExit });
  withUpdateOptions(
    capf
      .command('schedule')
      .description('schedule a certificate operation (Install/Upgrade, Delete, Troubleshoot, none) on phones')
      .argument('<operation>', 'install | delete | troubleshoot | none')
      .argument('<device...>', 'device names, or - to read them from standard input'),
  )
    .option('--json', 'JSON output')
    .action(async (operation: string, devices: string[], _o, cmd: Command) => {
      const o = g(cmd);
      const request = updateFrom(operation, o);
      const names = await deviceArgs(io, devices);
      await withServices(io, o, ['phones'], async (ctx) => {
        const results = await ctx.phones.schedule(names, request, actor(io));
        setExit(
          reportItems(
            io,
            results,
            o.json,
            (p) =>
              `${CERT_OPERATIONS[p.capf.operation].label}, ` +
              `${AUTH_MODES[p.capf.authMode].label}${p.capf.authString ? ` ${p.capf.authString}` : ''}, ` +
              `by ${p.capf.completesBy ?? '-'}: ${p.status}`,
          ),
        );
      });
    });
}
