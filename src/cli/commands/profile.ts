// Owns `opencapf profile …` (CUCM System > Security > Phone Security Profile).

import { Option, type Command } from 'commander';
import { withServices, actor, intOpt, opts as g, type CliEnv } from '../common.ts';
import { err, out, type CliIo } from '../io.ts';
import { table } from '../format.ts';
import {
  AUTH_MODES,
  DEVICE_SECURITY_MODES,
  KEY_ORDERS,
  type AuthMode,
  type DeviceSecurityMode,
  type KeyOrder,
} from '../../phones/index.ts';
import type { ProfilePatch } from '../../phones/profiles.ts';

function profileOptions(cmd: Command): Command {
  return cmd
    .option('--description <text>', 'description')
    .addOption(
      new Option('--device-security-mode <mode>', 'device security mode').choices(Object.keys(DEVICE_SECURITY_MODES)),
    )
    .addOption(new Option('--auth-mode <mode>', 'CAPF authentication mode').choices(Object.keys(AUTH_MODES)))
    .addOption(new Option('--key-order <order>', 'key order').choices(Object.keys(KEY_ORDERS)))
    .option('--rsa-key-size <bits>', 'RSA key size')
    .option('--ec-key-size <bits>', 'EC key size ("none" for none)')
    .option('--encrypted-config', "encrypt the phones' configuration files")
    .addOption(
      new Option(
        '--accept-expired-mic <on|off>',
        'accept an expired MIC for CAPF authentication (default off). RISK: an expired MIC still chains to the ' +
          'manufacturing CA and names the device, but its key is past the life Cisco gave it (docs/capf.md)',
      ).choices(['on', 'off']),
    )
    .option('--json', 'JSON output');
}

function patchFrom(o: Record<string, unknown>): ProfilePatch {
  return {
    ...(o.description !== undefined ? { description: o.description as string } : {}),
    ...(o.deviceSecurityMode ? { deviceSecurityMode: o.deviceSecurityMode as DeviceSecurityMode } : {}),
    ...(o.authMode ? { authMode: o.authMode as AuthMode } : {}),
    ...(o.keyOrder ? { keyOrder: o.keyOrder as KeyOrder } : {}),
    ...(o.rsaKeySize ? { rsaKeySize: intOpt(String(o.rsaKeySize)) } : {}),
    ...(o.ecKeySize ? { ecKeySize: o.ecKeySize === 'none' ? null : intOpt(String(o.ecKeySize)) } : {}),
    ...(o.encryptedConfig ? { encryptedConfig: true } : {}),
    ...(o.acceptExpiredMic ? { acceptExpiredMic: o.acceptExpiredMic === 'on' } : {}),
  };
}

/** Said whenever a profile is set to accept expired MICs: the risk (docs/capf.md, "Expired MICs"). */
function warnExpiredMic(io: CliIo, o: Record<string, unknown>): void {
  if (o.acceptExpiredMic !== 'on') return;
  err(
    io,
    'WARNING: phones of this profile may now authenticate to CAPF with an expired MIC (still chained to a trusted ' +
      'manufacturing CA and naming the device). Nobody vouches for an expired key: whoever holds an old phone can ' +
      'get an LSC for a pending device of this profile. Keep it on only while moving these phones to LSCs ' +
      '(docs/capf.md, "Expired MICs").',
  );
}

export function registerProfileCommands(program: Command, { io }: CliEnv): void {
  const profile = program.command('profile').description('phone security profiles and their CAPF defaults');
  profile
    .command('list')
    .option('--json', 'JSON output')
    .description('list profiles with the number of phones using each')
    .action(async (_o, cmd: Command) => {
      const o = g(cmd);
      await withServices(io, o, ['admin'], async (ctx) => {
        const items = await ctx.admin.profiles.list();
        if (o.json) return out(io, JSON.stringify(items, null, 2));
        out(
          io,
          table(
            ['Name', 'Device Security Mode', 'Authentication Mode', 'Key Order', 'RSA', 'EC', 'Phones'],
            items.map((p) => [
              p.name,
              DEVICE_SECURITY_MODES[p.deviceSecurityMode].label,
              AUTH_MODES[p.authMode].label,
              KEY_ORDERS[p.keyOrder].label,
              p.rsaKeySize,
              p.ecKeySize ?? '< None >',
              p.phones,
            ]),
          ),
        );
      });
    });
  profile
    .command('show')
    .argument('<name>')
    .option('--json', 'JSON output')
    .action(async (name: string, _o, cmd: Command) => {
      const o = g(cmd);
      await withServices(io, o, ['admin'], async (ctx) => {
        const p = await ctx.admin.profiles.get(name);
        if (o.json) return out(io, JSON.stringify(p, null, 2));
        out(
          io,
          [
            `Name                   ${p.name}`,
            `Description            ${p.description}`,
            `Device Security Mode   ${DEVICE_SECURITY_MODES[p.deviceSecurityMode].label}`,
            `Authentication Mode*   ${AUTH_MODES[p.authMode].label}`,
            `Key Order*             ${KEY_ORDERS[p.keyOrder].label}`,
            `RSA Key Size (Bits)*   ${p.rsaKeySize}`,
            `EC Key Size (Bits)     ${p.ecKeySize ?? '< None >'}`,
            `Encrypted config       ${p.encryptedConfig ? 'yes' : 'no'}`,
            `Accept expired MIC     ${p.acceptExpiredMic ? 'yes (RISK: see docs/capf.md, "Expired MICs")' : 'no'}`,
            `Phones using it        ${p.phones}`,
          ].join('\n'),
        );
      });
    });
  profileOptions(profile.command('add').description('create a profile').argument('<name>')).action(
    async (name: string, _o, cmd: Command) => {
      const o = g(cmd);
      await withServices(io, o, ['admin'], async (ctx) => {
        const p = await ctx.admin.profiles.create({ name, ...patchFrom(o) }, actor(io));
        warnExpiredMic(io, o);
        out(io, o.json ? JSON.stringify(p, null, 2) : `profile "${p.name}" created (${AUTH_MODES[p.authMode].label})`);
      });
    },
  );
  profileOptions(
    profile.command('edit').description('change a profile; reports how many phones it touches').argument('<name>'),
  )
    .option('--no-apply', "do not copy the new CAPF defaults onto the profile's phones")
    .action(async (name: string, _o, cmd: Command) => {
      const o = g(cmd);
      await withServices(io, o, ['admin'], async (ctx) => {
        const r = await ctx.admin.profiles.update(name, patchFrom(o), actor(io), { applyToPhones: o.apply !== false });
        warnExpiredMic(io, o);
        if (o.json) return out(io, JSON.stringify(r, null, 2));
        out(
          io,
          `profile "${name}" saved: used by ${r.phonesUsingProfile} ` +
            `phones; ${r.phonesUpdated} took the new CAPF defaults` +
            (r.pendingConflicts
              ? `; WARNING: ${r.pendingConflicts} pending operations now ` +
                'contradict its authentication mode (reschedule them)'
              : ''),
        );
      });
    });
  profile
    .command('remove')
    .argument('<name>')
    .description('delete an unused profile')
    .action(async (name: string, _o, cmd: Command) => {
      await withServices(io, g(cmd), ['admin'], async (ctx) => {
        await ctx.admin.profiles.remove(name, actor(io));
        out(io, `profile "${name}" deleted`);
      });
    });
}
