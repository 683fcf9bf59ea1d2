// Owns `opencapf phone …` (CUCM Device > Phone).

import type { Command } from 'commander';
import { withServices, actor, reportItems, intOpt, opts as g, type CliEnv } from '../common.ts';
import { deviceArgs, out } from '../io.ts';
import { CERT_OPERATIONS } from '../../phones/index.ts';
import { capfSection, table } from '../format.ts';

export function registerPhoneCommands(program: Command, { io, setExit }: CliEnv): void {
  const phone = program.command('phone').description('phones (CUCM Device > Phone)');
  phone
    .command('add')
    .description(
      'add phones; device names (SEP<12 hex> or a MAC, ATA<12 hex>, CSF/BOT/TCT/TAB softphone names), ' +
        'or - to read them from stdin',
    )
    .argument('<device...>', 'device names')
    .option('--model <model>', 'phone model', 'Cisco 8845')
    .option('--description <text>', 'description', '')
    .option('--profile <name>', 'phone security profile')
    .option('--json', 'JSON output')
    .action(async (devices: string[], _o, cmd: Command) => {
      const o = g(cmd);
      const names = await deviceArgs(io, devices);
      await withServices(io, o, ['phones'], async (ctx) => {
        const results = await ctx.phones.addPhones(
          names.map((d) => ({
            deviceName: d,
            model: o.model as string,
            description: o.description as string,
            profileName: (o.profile as string | undefined) ?? null,
          })),
          actor(io),
        );
        setExit(reportItems(io, results, o.json, (p) => `added (${p.model})`));
      });
    });
  phone
    .command('show')
    .description('show a phone: the CAPF Information section as CUCM shows it, LSC, MIC and recent CAPF sessions')
    .argument('<device>', 'SEP<MAC>')
    .option('--json', 'JSON output')
    .action(async (device: string, _o, cmd: Command) => {
      const o = g(cmd);
      await withServices(io, o, ['phones'], async (ctx) => {
        const d = await ctx.phones.detail(device, 10);
        if (o.json) return out(io, JSON.stringify(d, null, 2));
        const p = d.phone;
        const lsc = p.lsc
          ? `Installed  serial ${p.lsc.serialHex}  issuer ${p.lsc.issuerDn}  expires ${p.lsc.notAfter}`
          : 'None';
        const lines = [
          `${p.deviceName}  model ${p.model}${p.description ? `  "${p.description}"` : ''}  ` +
            `profile ${p.profileName ?? '(none)'}`,
          '',
          capfSection(p),
          '',
          `LSC:  ${lsc}`,
          `MIC:  ${p.mic ? `seen ${p.mic.seenAt}  serial ${p.mic.serialHex}  ${p.mic.subjectDn}` : 'not seen'}`,
          `Last CAPF session: ${p.lastSessionAt ?? 'never'}`,
        ];
        if (d.sessions.length) {
          lines.push('', 'Recent CAPF sessions:');
          lines.push(
            table(
              ['Ended', 'Session', 'Peer', 'Operation', 'Outcome', 'Reason'],
              d.sessions.map((s) => [s.endedAt, s.sessionId, s.peer, s.operation, s.outcome, s.reason]),
            ),
          );
          const last = d.sessions[0]!;
          lines.push('', `Log of session ${last.sessionId}:`, ...last.log.map((l) => `  ${l.at}  ${l.dir}  ${l.text}`));
        }
        out(io, lines.join('\n'));
      });
    });
  phone
    .command('list')
    .description('list phones')
    .option('--limit <n>', 'rows', '50')
    .option('--json', 'JSON output')
    .action(async (_o, cmd: Command) => {
      const o = g(cmd);
      await withServices(io, o, ['phones'], async (ctx) => {
        const r = await ctx.phones.list({ limit: intOpt(String(o.limit)) });
        if (o.json) return out(io, JSON.stringify(r, null, 2));
        out(
          io,
          table(
            ['Device', 'Model', 'Operation', 'Status', 'LSC', 'LSC expires'],
            r.items.map((p) => [
              p.deviceName,
              p.model,
              CERT_OPERATIONS[p.capf.operation].label,
              p.status,
              p.lsc ? 'Installed' : 'None',
              p.lsc?.notAfter ?? '',
            ]),
          ),
        );
        out(io, `${r.items.length} of ${r.total} phones`);
      });
    });
  phone
    .command('remove')
    .description('remove phones (their LSCs are revoked)')
    .argument('<device...>', 'device names, or -')
    .action(async (devices: string[], _o, cmd: Command) => {
      const o = g(cmd);
      const names = await deviceArgs(io, devices);
      await withServices(io, o, ['phones'], async (ctx) => {
        for (const n of names) {
          await ctx.phones.removePhone(n, actor(io));
          out(io, `${n}: removed`);
        }
      });
    });
}
