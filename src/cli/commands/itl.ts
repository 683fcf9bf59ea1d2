// Owns `opencapf itl …` (CUCM `show itl`, `utils itl reset localkey`) and `opencapf config show`.

import type { Command } from 'commander';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { AppError } from '../../shared/errors.ts';
import { normaliseDeviceName } from '../../phones/index.ts';
import { showItl, showItlJson, parseTrustList, verifyTrustList } from '../../trust/index.ts';
import { withServices, actor, opts as g, type CliEnv } from '../common.ts';
import { err, out } from '../io.ts';
import { registerItlRotateCommands } from './itl-rotate.ts';

const SIGNER_TEXT = {
  normal: 'the TFTP (CallManager) certificate',
  localkey: 'the ITLRecovery certificate (itl reset localkey is in effect; `opencapf itl reset normal` to undo)',
  'tftp-transition': 'the ITLRecovery certificate (the TFTP certificate changed less than itl.transitionHours ago)',
} as const;

function deviceArg(name: string): string {
  const d = normaliseDeviceName(name);
  if (!d)
    throw new AppError('ERR_PHONE_BAD_NAME', `"${name}" is not a device name (SEP followed by 12 hexadecimal digits)`);
  return d;
}

export function registerItlCommands(program: Command, { io, setExit }: CliEnv): void {
  const itl = program.command('itl').description('trust lists (ITL/CTL) the provisioning listeners serve');
  itl
    .command('export')
    .description('write the signed ITL (or, with --ctl, the CTL) this node serves now to FILE, and print its warnings')
    .argument('<file>')
    .option('--node <name>', 'TFTP node whose ITL to export (default: this node)')
    .option('--ctl', 'export CTLFile.tlv instead (mixed mode only)')
    .action(async (file: string, _o, cmd: Command) => {
      const o = g(cmd);
      await withServices(io, o, ['provisioning'], async (ctx) => {
        const p = ctx.provisioning;
        const nodes = p.trust.nodes();
        if (o.node !== undefined && !nodes.includes(String(o.node)))
          throw new AppError(
            'ERR_NOT_FOUND',
            `unknown TFTP node "${String(o.node)}" (this cluster has: ${nodes.join(', ')})`,
          );
        const built = o.ctl ? p.trust.ctl() : p.trust.itl();
        if (!built)
          throw new AppError(
            'ERR_CONFLICT',
            'there is no CTL: the cluster is not in mixed mode (set cluster.mixedMode true)',
          );
        writeFileSync(file, built.bytes);
        const list = parseTrustList(built.bytes);
        out(
          io,
          `${o.ctl ? 'CTL' : 'ITL'} written to ${file}: ${built.bytes.length} bytes, ` +
            `${list.records.length} records, signed by ${SIGNER_TEXT[built.signerReason]}.`,
        );
        if (built.transitional.length > 0)
          out(
            io,
            `Transition: the previous ${built.transitional.join(' and ')} certificate is listed beside the new one.`,
          );
        if (built.nextTftp)
          out(
            io,
            `Rotation: the next TFTP certificate (serial ${built.nextTftp.serialHex}) is listed with role TFTP ` +
              '(opencapf itl rotate status).',
          );
        for (const w of built.warnings) err(io, `WARNING: ${w.message}`);
      });
    });
  itl
    .command('show')
    .description('print FILE like CUCM `show itl` (any ITL/CTL: CUCM, tlvfile, OpenCAPF) and verify its signature')
    .argument('<file>')
    .option('--json', 'JSON output')
    .action(async (file: string, _o, cmd: Command) => {
      const o = g(cmd);
      const bytes = existsSync(file) ? readFileSync(file) : Buffer.alloc(0);
      const kind = /^CTL/i.test(basename(file)) ? 'CTL' : undefined;
      const opts = kind ? { kind: kind as 'CTL' } : {};
      let ok = false;
      if (o.json) {
        const j = showItlJson(bytes, opts);
        ok = j.verification?.ok === true;
        out(io, JSON.stringify(j, null, 2));
      } else {
        out(io, showItl(bytes, opts));
        try {
          ok = verifyTrustList(parseTrustList(bytes)).ok;
        } catch {
          ok = false;
        }
      }
      if (!ok) setExit(1);
    });
  registerItlRotateCommands(itl, { io, setExit });
  const reset = itl.command('reset').description('choose the key that signs the ITL (CUCM: utils itl reset)');
  reset
    .command('localkey')
    .description(
      'sign the ITL with the ITLRecovery key, for phones whose ITL ' +
        'signer (TFTP certificate) is gone; a running serve picks it up',
    )
    .action(async (_o, cmd: Command) => {
      await withServices(io, g(cmd), ['identities', 'provisioning', 'trustAdmin'], async (ctx) => {
        await ctx.trustAdmin.setSigningMode('localkey', actor(io));
        const built = ctx.provisioning.trust.itl();
        out(
          io,
          'The ITL is now signed by ITLRecovery ' +
            `(${ctx.identities.get('itlrecovery').certificate.subjectDn}), ${built.bytes.length} bytes.`,
        );
        out(io, 'Reset the phones so they fetch it; once they have it, run `opencapf itl reset normal`.');
      });
    });
  reset
    .command('normal')
    .description('sign the ITL with the TFTP (CallManager) key again')
    .action(async (_o, cmd: Command) => {
      await withServices(io, g(cmd), ['provisioning', 'trustAdmin'], async (ctx) => {
        await ctx.trustAdmin.setSigningMode('normal', actor(io));
        const built = ctx.provisioning.trust.itl();
        out(io, `The ITL is signed by ${SIGNER_TEXT[built.signerReason]}.`);
      });
    });
  itl
    .command('pin')
    .description(
      'serve FILE as ITLSEP<MAC>.tlv (or with --ctl CTLSEP<MAC>.tlv) to this phone instead of the generated list',
    )
    .argument('<device>', 'SEP<MAC>')
    .argument('<file>', 'a signed .tlv file')
    .option('--ctl', 'pin CTLSEP<MAC>.tlv')
    .action(async (device: string, file: string, _o, cmd: Command) => {
      const o = g(cmd);
      const name = `${o.ctl ? 'CTL' : 'ITL'}${deviceArg(device)}.tlv`;
      await withServices(io, o, ['provisioning'], async (ctx) => {
        ctx.provisioning.pin(name, readFileSync(file));
        out(io, `${name} is pinned to ${file}; the generated list is no longer served to ${deviceArg(device)}.`);
      });
    });
  itl
    .command('unpin')
    .description('serve the generated list to this phone again')
    .argument('<device>', 'SEP<MAC>')
    .option('--ctl', 'unpin CTLSEP<MAC>.tlv')
    .action(async (device: string, _o, cmd: Command) => {
      const o = g(cmd);
      const name = `${o.ctl ? 'CTL' : 'ITL'}${deviceArg(device)}.tlv`;
      await withServices(io, o, ['provisioning'], async (ctx) => {
        if (ctx.provisioning.unpin(name)) out(io, `${name} unpinned.`);
        else {
          err(io, `${name} was not pinned.`);
          setExit(1);
        }
      });
    });
  itl
    .command('pins')
    .description('list pinned per-phone trust lists')
    .action(async (_o, cmd: Command) => {
      await withServices(io, g(cmd), ['provisioning'], async (ctx) => {
        const names = ctx.provisioning.pinned();
        out(io, names.length ? names.join('\n') : 'No per-phone trust list is pinned.');
      });
    });

  program
    .command('config')
    .description('provisioning files generated for phones')
    .command('show')
    .description('print the SEP<MAC>.cnf.xml this node generates for a phone (unsigned)')
    .argument('<device>', 'SEP<MAC>')
    .action(async (device: string, _o, cmd: Command) => {
      const d = deviceArg(device);
      await withServices(io, g(cmd), ['provisioning'], async (ctx) => {
        const xml = await ctx.provisioning.catalogue.phoneConfig(d);
        if (xml === null) throw new AppError('ERR_PHONE_NOT_FOUND', `no phone named ${d}`);
        out(io, xml);
      });
    });
}
