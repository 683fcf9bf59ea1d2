// Owns `opencapf itl rotate start|status|finish|abort`: the staged rotation of the TFTP signer
// (provisioning/signer-rotation.ts), registered under `opencapf itl`.

import type { Command } from 'commander';
import type { RotationStatus } from '../../provisioning/signer-rotation.ts';
import { withServices, actor, opts as g, type CliEnv } from '../common.ts';
import { err, out } from '../io.ts';

function cert(c: RotationStatus['current']): string {
  return `serial ${c.serialHex}, SHA-1 ${c.sha1}, valid to ${c.notAfter}`;
}

export function formatRotationStatus(s: RotationStatus): string {
  const rows: [string, string][] = [['Rotation of the TFTP signer', s.phase]];
  if (s.startedAt) rows.push(['Started', `${s.startedAt} by ${s.startedBy}`]);
  if (s.endedAt) rows.push([s.phase === 'aborted' ? 'Aborted' : 'Finished', `${s.endedAt} by ${s.endedBy}`]);
  if (s.forced) rows.push(['Forced', 'yes (finished while phones had not fetched the rotation ITL)']);
  rows.push(['Current TFTP', cert(s.current)]);
  if (s.next && s.next.sha1 !== s.current.sha1) rows.push(['Next TFTP', cert(s.next)]);
  rows.push([
    'ITL served now',
    `SHA-1 ${s.itl.sha1}, signed by ${s.itl.signedBy} (${s.itl.signerReason})` +
      (s.phase === 'staged' ? `, lists the next certificate: ${s.itl.listsNext ? 'yes' : 'NO'}` : ''),
  ]);
  if (s.phase === 'staged') {
    rows.push(['Rotation ITLs', s.rotationItls.length ? s.rotationItls.join(', ') : '(none built yet)']);
    rows.push([
      'Phones',
      s.phones
        ? `${s.phones.current} of ${s.phones.total} fetched a rotation ITL, ${s.phones.older} on an older ITL, ` +
          `${s.phones.never} never fetched one`
        : 'unknown (this node keeps no ITL-status record)',
    ]);
    rows.push(['Finish', s.blockers.length ? 'refused without --force (see below)' : 'ready']);
  }
  if (s.transitionEndsAt) rows.push(['ITLRecovery signs until', s.transitionEndsAt]);
  const w = Math.max(...rows.map((r) => r[0].length));
  const lines = rows.map(([k, v]) => `${`${k}:`.padEnd(w + 2)}${v}`);
  for (const b of s.blockers) lines.push(`  - ${b}`);
  lines.push('', s.summary);
  return lines.join('\n');
}

export function registerItlRotateCommands(itl: Command, { io, setExit }: CliEnv): void {
  const rotate = itl
    .command('rotate')
    .description(
      'staged rotation of the TFTP (CallManager) signer: the ITL lists the next certificate first, ' +
        'phones fetch it, then the next certificate takes over (a running serve picks each step up)',
    );
  const print = (s: RotationStatus, json: unknown) =>
    out(io, json ? JSON.stringify(s, null, 2) : formatRotationStatus(s));
  rotate
    .command('start')
    .description(
      'generate the next TFTP key and certificate (not used to sign yet) and list it in the ITL, which the ' +
        'current key still signs; TVS vouches for it. Then reset the phones so they fetch that ITL',
    )
    .option('--json', 'JSON output')
    .action(async (_o, cmd: Command) => {
      const o = g(cmd);
      await withServices(io, o, ['signerRotation'], async (ctx) => {
        print(await ctx.signerRotation.start(actor(io)), o.json);
      });
    });
  rotate
    .command('status')
    .description(
      'the phase, the SHA-1 of the ITLs that list the next certificate, how many phones fetched one, ' +
        'and what finish would refuse for (exit code 1 while finish would be refused)',
    )
    .option('--json', 'JSON output')
    .action(async (_o, cmd: Command) => {
      const o = g(cmd);
      await withServices(io, o, ['signerRotation'], async (ctx) => {
        const s = await ctx.signerRotation.status();
        print(s, o.json);
        if (s.blockers.length > 0) setExit(1);
      });
    });
  rotate
    .command('finish')
    .description(
      'switch: the next certificate becomes the TFTP certificate and signs configurations; the old one ' +
        'is kept as tftp.previous and ITLRecovery signs the ITL for itl.transitionHours. Refused while ' +
        'phones have not fetched an ITL that lists the next certificate (or that is unknown)',
    )
    .option('--force', 'switch anyway (the audit row records forced: true)')
    .option('--json', 'JSON output')
    .action(async (_o, cmd: Command) => {
      const o = g(cmd);
      await withServices(io, o, ['signerRotation'], async (ctx) => {
        const s = await ctx.signerRotation.finish({ force: o.force === true }, actor(io));
        print(s, o.json);
        if (s.forced && !o.json)
          err(
            io,
            'WARNING: finished with --force: phones that had not fetched a rotation ITL must boot within ' +
              'itl.transitionHours, while ITLRecovery signs the ITL.',
          );
      });
    });
  rotate
    .command('abort')
    .description('discard the next certificate and its key; the ITL lists the current signers only again')
    .option('--json', 'JSON output')
    .action(async (_o, cmd: Command) => {
      const o = g(cmd);
      await withServices(io, o, ['signerRotation'], async (ctx) => {
        print(await ctx.signerRotation.abort(actor(io)), o.json);
      });
    });
}
