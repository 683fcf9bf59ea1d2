// Owns `opencapf itl …` (CUCM `show itl`, `utils itl reset localkey`) and `opencapf config show`.

import type { Command } from 'commander';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { AppError } from '../../shared/errors.ts';
import { parseDeviceName } from '../../phones/index.ts';
import { showItl, showItlJson, parseTrustList, verifyTrustList, isRollbackTrustList } from '../../trust/index.ts';
import { withServices, actor, opts as g, type CliEnv } from '../common.ts';
import { err, out } from '../io.ts';
import { registerItlRotateCommands } from './itl-rotate.ts';

const SIGNER_TEXT = {
  normal: 'the TFTP (CallManager) certificate',
  localkey: 'the ITLRecovery certificate (itl reset localkey is in effect; `opencapf itl reset normal` to undo)',
  'tftp-transition': 'the ITLRecovery certificate (the TFTP certificate changed less than itl.transitionHours ago)',
} as const;

/** What `itl show`, `itl export` and `itl rollback` print while rollback mode is on (tlv-files.md §9.6). */
export const ROLLBACK_BANNER =
  'ROLLBACK MODE ON: phones will accept any next ITL and unsigned configs; turn off when they have moved ' +
  '(`opencapf itl rollback off`)';

const ROLLBACK_FILE_NOTE =
  'This is a rollback (empty) ITL: its TVS/TFTP records are blank, so a phone holding it accepts any next ITL ' +
  'and unsigned configuration files (tlv-files.md §9.6).';

function isRollbackFile(bytes: Buffer): boolean {
  try {
    return isRollbackTrustList(parseTrustList(bytes));
  } catch {
    return false;
  }
}

function deviceArg(name: string): string {
  const p = parseDeviceName(name);
  if (!p.ok) throw new AppError('ERR_PHONE_BAD_NAME', p.reason);
  if (p.kind !== 'desk-phone')
    throw new AppError(
      'ERR_PHONE_BAD_NAME',
      `${p.name} is a ${p.kind}: per-device trust lists exist for SEP desk phones only`,
    );
  return p.name;
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
        if (built.rollback) err(io, ROLLBACK_BANNER);
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
    .description(
      'print FILE like CUCM `show itl` (any ITL/CTL: CUCM, tlvfile, OpenCAPF) and verify its signature; ' +
        'without FILE, the ITL this node serves now',
    )
    .argument('[file]')
    .option('--json', 'JSON output')
    .action(async (file: string | undefined, _o, cmd: Command) => {
      const o = g(cmd);
      let bytes: Buffer;
      let rollbackMode = false;
      if (file === undefined) {
        ({ bytes, rollbackMode } = await withServices(io, o, ['provisioning'], async (ctx) => ({
          bytes: ctx.provisioning.trust.itl().bytes,
          rollbackMode: ctx.provisioning.rollback(),
        })));
      } else bytes = existsSync(file) ? readFileSync(file) : Buffer.alloc(0);
      const kind = file !== undefined && /^CTL/i.test(basename(file)) ? 'CTL' : undefined;
      const opts = kind ? { kind: kind as 'CTL' } : {};
      let ok = false;
      const rollbackList = isRollbackFile(bytes);
      if (o.json) {
        const j = showItlJson(bytes, opts);
        ok = j.verification?.ok === true;
        out(
          io,
          JSON.stringify({ ...j, rollback: rollbackList, ...(file === undefined ? { rollbackMode } : {}) }, null, 2),
        );
      } else {
        // Said first and last, so neither a short nor a long output hides it.
        if (rollbackMode) out(io, `*** ${ROLLBACK_BANNER} ***\n`);
        out(io, showItl(bytes, opts));
        try {
          ok = verifyTrustList(parseTrustList(bytes)).ok;
        } catch {
          ok = false;
        }
        if (rollbackMode) out(io, `\n*** ${ROLLBACK_BANNER} ***`);
        else if (rollbackList) out(io, `\n${ROLLBACK_FILE_NOTE}`);
      }
      if (!ok) setExit(1);
    });
  registerItlRotateCommands(itl, { io, setExit });
  const rollback = itl
    .command('rollback')
    .description(
      'serve the rollback (empty) ITL so phones leaving this cluster accept the next one without an ITL erase ' +
        '(CUCM: Prepare Cluster for Rollback to pre-8.0)',
    );
  rollback
    .command('on')
    .description(
      'serve an ITL still signed by our signer but with empty TVS and TFTP records: phones that download it ' +
        'accept any next ITL and unsigned configs; a running serve picks it up',
    )
    .action(async (_o, cmd: Command) => {
      await withServices(io, g(cmd), ['provisioning', 'trustAdmin'], async (ctx) => {
        const r = await ctx.trustAdmin.setRollback(true, actor(io));
        const built = ctx.provisioning.trust.itl();
        out(io, r.changed ? 'Rollback mode is now on.' : 'Rollback mode was already on.');
        out(io, ROLLBACK_BANNER);
        out(
          io,
          `The ITLFile.tlv served now (${built.bytes.length} bytes) is signed by ${SIGNER_TEXT[built.signerReason]}, ` +
            'so phones holding our ITL accept it.\nReset the phones so they fetch it, keep this cluster reachable ' +
            'until they all have it, then point them at the next cluster.',
        );
      });
    });
  rollback
    .command('off')
    .description('serve the normal ITL again (Security By Default restored for phones that stay)')
    .action(async (_o, cmd: Command) => {
      await withServices(io, g(cmd), ['provisioning', 'trustAdmin'], async (ctx) => {
        const r = await ctx.trustAdmin.setRollback(false, actor(io));
        out(
          io,
          r.changed
            ? 'Rollback mode is off: the normal ITL (with our TVS and TFTP certificates) is served again.'
            : 'Rollback mode was already off.',
        );
      });
    });
  rollback
    .command('status')
    .description('is the rollback ITL served?')
    .option('--json', 'JSON output')
    .action(async (_o, cmd: Command) => {
      const o = g(cmd);
      await withServices(io, o, ['provisioning'], async (ctx) => {
        const on = ctx.provisioning.rollback();
        if (o.json) return out(io, JSON.stringify({ rollback: on }));
        out(io, on ? ROLLBACK_BANNER : 'Rollback mode is off: the normal ITL is served.');
      });
    });
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
