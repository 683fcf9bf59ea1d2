// Owns `opencapf capf …` (CAPF certificate operations).

import { Command, Option } from 'commander';
import { withServices, actor, reportItems, opts as g, type CliEnv } from '../common.ts';
import { updateFrom } from '../admin-common.ts';
import { deviceArgs } from '../io.ts';
import { AUTH_MODES, CERT_OPERATIONS, KEY_ORDERS } from '../../phones/index.ts';


export function registerCapfCommands(program: Command, { io, setExit }: CliEnv): void {
  const capf = program.command('capf').description('CAPF certificate operations');
  capf
    .command('schedule')
    .description('schedule a certificate operation (Install/Upgrade, Delete, Troubleshoot, none) on phones')
    .argument('<operation>', 'install | delete | troubleshoot | none')
    .argument('<device...>', 'device names, or - to read them from standard input')
    .addOption(new Option('--auth-mode <mode>', 'authentication mode').choices(Object.keys(AUTH_MODES)))
    .option('--auth-string <digits>', 'authentication string (4-10 digits), or "generate" for a unique one per phone')
    .addOption(new Option('--key-order <order>', 'key order').choices(Object.keys(KEY_ORDERS)))
    .option('--rsa-key-size <bits>', 'RSA key size: 512, 1024, 2048, 3072, 4096')
    .option('--ec-key-size <bits>', 'EC key size: 256, 384, 521')
    .option('--completes-by <iso-time>', 'Operation Completes By (default: 24 hours from now)')
    .option('--use-profile-mode', 'when the mode contradicts the security profile, use the profile\'s mode instead of refusing')
    .option('--json', 'JSON output')
    .action(async (operation: string, devices: string[], _o, cmd: Command) => {
      const o = g(cmd);
      const request = updateFrom(operation, o);
      const names = await deviceArgs(io, devices);
      await withServices(io, o, ['phones'], async (ctx) => {
        const results = await ctx.phones.schedule(
          names,
          request,
          actor(io),
        );
        setExit(reportItems(io, results, o.json, (p) => `${CERT_OPERATIONS[p.capf.operation].label}, ${AUTH_MODES[p.capf.authMode].label}${p.capf.authString ? ` ${p.capf.authString}` : ''}, by ${p.capf.completesBy ?? '-'}: ${p.status}`));
      });
    });
}
