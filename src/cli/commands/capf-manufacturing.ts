// Owns `opencapf capf manufacturing …`: the manufacturing CAs CAPF checks MICs against — the read-only bundle of
// capf.manufacturingCaFile plus the entries managed here (import, list, remove), each change audited.

import type { Command } from 'commander';
import type { ManufacturingCaView } from '../../provisioning/manufacturing-trust.ts';
import { withServices, actor, opts as g, type CliEnv } from '../common.ts';
import { err, out } from '../io.ts';
import { table } from '../format.ts';
import { readCertificateFile } from './tvs.ts';

const colonHex = (hex: string) => hex.toUpperCase().match(/../g)?.join(':') ?? hex;

function describe(e: ManufacturingCaView): string {
  return (
    `  ${e.subject}\n    SHA-1 ${colonHex(e.sha1)}\n    SHA-256 ${e.sha256}\n` +
    `    serial ${e.serialHex}, ${e.keyType}, valid ${e.notBefore.slice(0, 10)} to ${e.notAfter.slice(0, 10)}` +
    (e.state === 'valid' ? '' : ` (${e.state.toUpperCase()})`)
  );
}

export function registerManufacturingCommands(capf: Command, { io }: CliEnv): void {
  const mfg = capf
    .command('manufacturing')
    .description(
      'manufacturing CAs (Cisco Manufacturing CA, CAP-RTP-00x …) that MICs are checked against: ' +
        'capf.manufacturingCaFile (read-only) plus the entries managed here',
    );

  mfg
    .command('import')
    .description(
      'trust manufacturing CA certificates (PEM or DER, one or several per file) for MIC authentication; ' +
        'each must be a CA certificate not yet trusted; all or nothing',
    )
    .argument('<files...>', 'CA certificate files')
    .option('--comment <text>', 'a note kept with the entry')
    .option('--dry-run', 'check the files and show what would be added, without adding anything')
    .option('--json', 'JSON output')
    .action(async (files: string[], _o, cmd: Command) => {
      const o = g(cmd);
      const inputs = files.map(readCertificateFile);
      const opt = o.comment === undefined ? {} : { comment: String(o.comment) };
      await withServices(io, o, ['manufacturingTrust'], async (ctx) => {
        const added = o.dryRun
          ? await ctx.manufacturingTrust.check(inputs, opt)
          : await ctx.manufacturingTrust.import(inputs, opt, actor(io));
        if (o.json) return out(io, JSON.stringify({ dryRun: o.dryRun === true, items: added }, null, 2));
        out(io, `${o.dryRun ? 'Would trust' : 'Trusted'} ${added.length} manufacturing CA(s) for MICs:`);
        for (const e of added) out(io, describe(e));
        for (const e of added.filter((x) => x.state === 'expired'))
          err(
            io,
            `NOTE: ${e.subject} has expired: MICs it issued authenticate only where the security profile accepts ` +
              'expired MICs (docs/capf.md, "Expired MICs").',
          );
        if (!o.dryRun)
          out(io, 'A running `opencapf serve` checks MICs against them from the next CAPF session on, on every node.');
      });
    });

  mfg
    .command('list')
    .description('the manufacturing CAs MICs are checked against, and where each comes from')
    .option('--json', 'JSON output (PEM included)')
    .action(async (_o, cmd: Command) => {
      const o = g(cmd);
      await withServices(io, o, ['manufacturingTrust'], async (ctx) => {
        const all = await ctx.manufacturingTrust.list();
        if (o.json) return out(io, JSON.stringify(all, null, 2));
        if (all.length === 0)
          return out(io, 'No manufacturing CA is trusted: no MIC authenticates (By Existing Certificate).');
        out(
          io,
          table(
            ['SHA-1', 'Subject', 'Valid to', 'State', 'Source', 'Added', 'By', 'Comment'],
            all.map((e) => [
              e.sha1,
              e.subject,
              e.notAfter.slice(0, 10),
              e.state,
              e.source === 'config' ? 'capf.manufacturingCaFile' : 'managed',
              e.addedAt?.slice(0, 10) ?? '',
              e.addedBy ?? '',
              e.comment,
            ]),
          ),
        );
      });
    });

  mfg
    .command('remove')
    .description('stop trusting a managed manufacturing CA (one from capf.manufacturingCaFile: edit the file)')
    .argument('<sha>', 'its SHA-1 (40 hex digits) or the first 8 or more hex digits of its SHA-256')
    .action(async (sha: string, _o, cmd: Command) => {
      await withServices(io, g(cmd), ['manufacturingTrust'], async (ctx) => {
        const e = await ctx.manufacturingTrust.remove(sha, actor(io));
        out(io, `No longer trusted for MICs (from the next CAPF session on):\n${describe(e)}`);
      });
    });
}
