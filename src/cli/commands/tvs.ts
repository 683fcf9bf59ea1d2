// Owns `opencapf tvs trust …`: the certificates of other clusters our TVS vouches for (CUCM: uploading another
// cluster's CallManager certificate into CallManager-trust / Phone-SAST-trust, Cisco doc 213407), so that phones
// holding this cluster's ITL accept the next cluster's ITL and configuration files (tlv-files.md §9.3).

import type { Command } from 'commander';
import { readFileSync, statSync } from 'node:fs';
import { AppError } from '../../shared/errors.ts';
import {
  FOREIGN_ROLE_NAMES,
  MAX_FOREIGN_FILE_BYTES,
  foreignRoleText,
  type ForeignCertificateFile,
  type ForeignTrustView,
} from '../../provisioning/foreign-trust.ts';
import { withServices, actor, opts as g, type CliEnv } from '../common.ts';
import { err, out } from '../io.ts';
import { table } from '../format.ts';

const ROLE_LIST = FOREIGN_ROLE_NAMES.map(foreignRoleText).join(', ');

export function readCertificateFile(path: string): ForeignCertificateFile {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new AppError('ERR_BAD_REQUEST', `${path} is not a file`);
    size = st.size;
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw new AppError('ERR_NOT_FOUND', `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  // Larger than any certificate: refused by the service without reading it all.
  if (size > MAX_FOREIGN_FILE_BYTES) return { name: path, bytes: Buffer.alloc(MAX_FOREIGN_FILE_BYTES + 1) };
  return { name: path, bytes: readFileSync(path) };
}

const colonHex = (hex: string) => hex.toUpperCase().match(/../g)?.join(':') ?? hex;

function describe(e: ForeignTrustView): string {
  return (
    `  ${e.subject}\n    SHA-1 ${colonHex(e.sha1)}\n    SHA-256 ${e.sha256}\n` +
    `    serial ${e.serialHex}, ${e.keyType}, valid ${e.notBefore.slice(0, 10)} to ${e.notAfter.slice(0, 10)}`
  );
}

export function registerTvsCommands(program: Command, { io }: CliEnv): void {
  const tvs = program.command('tvs').description('the Trust Verification Service (TLS 2445)');
  const trust = tvs
    .command('trust')
    .description(
      'certificates of other clusters our TVS vouches for, so phones holding our ITL accept their ITL (CUCM: ' +
        'CallManager-trust / Phone-SAST-trust)',
    );

  trust
    .command('import')
    .description(
      "add another cluster's certificates (PEM or DER files, one or several per file) to what our TVS vouches for; " +
        'all or nothing: one bad certificate and none is added',
    )
    .argument('<files...>', "certificate files: the other cluster's CallManager (TFTP) and ITLRecovery certificates")
    .option(
      '--role <roles...>',
      `roles TVS vouches for (${ROLE_LIST}); default SAST CCM TFTP, as a CallManager certificate ` +
        'imported into CUCM CallManager-trust and Phone-SAST-trust',
    )
    .option('--comment <text>', 'a note kept with the entry (e.g. which cluster it is)')
    .option('--dry-run', 'check the files and show what would be added, without adding anything')
    .action(async (files: string[], _o, cmd: Command) => {
      const o = g(cmd);
      const inputs = files.map(readCertificateFile);
      const roles = o.role as string[] | undefined;
      const comment = o.comment === undefined ? {} : { comment: String(o.comment) };
      await withServices(io, o, ['foreignTrust', 'config'], async (ctx) => {
        const imported = o.dryRun
          ? await ctx.foreignTrust.check(inputs, { ...(roles ? { roles } : {}), ...comment })
          : await ctx.foreignTrust.import(inputs, { ...(roles ? { roles } : {}), ...comment }, actor(io));
        const roleText = imported[0]?.roles.join(' ') ?? '';
        out(
          io,
          `${o.dryRun ? 'Would add' : 'Added'} ${imported.length} certificate(s) to the TVS trust, roles ${roleText}:`,
        );
        for (const e of imported) out(io, describe(e));
        if (o.dryRun) return;
        out(
          io,
          'Our TVS now vouches for them: a phone holding our ITL that meets an ITL or configuration signed by\n' +
            'one of them asks our TVS and accepts it. A running `opencapf serve` answers with them at once.',
        );
        if (!imported[0]?.roles.includes('SAST'))
          err(io, 'NOTE: without the SAST role, phones will not accept an ITL signed by these certificates.');
        for (const e of imported.filter((x) => x.isCa))
          err(
            io,
            `NOTE: ${e.subject} is a CA certificate; TVS vouches for this certificate itself, not for the ` +
              "certificates it issued: import the other cluster's CallManager and ITLRecovery certificates.",
          );
        if (!ctx.config['tvs.enabled'])
          err(io, 'WARNING: tvs.enabled is false on this node: no TVS answers phones until it is enabled.');
      });
    });

  trust
    .command('list')
    .description('the certificates of other clusters our TVS vouches for')
    .option('--json', 'JSON output (PEM included)')
    .action(async (_o, cmd: Command) => {
      const o = g(cmd);
      await withServices(io, o, ['foreignTrust'], async (ctx) => {
        const all = await ctx.foreignTrust.list();
        if (o.json) return out(io, JSON.stringify(all, null, 2));
        if (all.length === 0)
          return out(io, "The TVS vouches only for this cluster's own certificates (no foreign certificate).");
        out(
          io,
          table(
            ['SHA-256', 'Subject', 'Roles', 'Valid to', 'State', 'Added', 'By', 'Comment'],
            all.map((e) => [
              e.sha256.slice(0, 16),
              e.subject,
              e.roles.join(' '),
              e.notAfter.slice(0, 10),
              e.state === 'valid' ? 'vouched' : `${e.state.toUpperCase()} (not vouched)`,
              e.addedAt.slice(0, 10),
              e.addedBy,
              e.comment,
            ]),
          ),
        );
      });
    });

  trust
    .command('remove')
    .description('stop vouching for a certificate of another cluster')
    .argument('<sha>', 'its SHA-1 (40 hex digits) or the first 8 or more hex digits of its SHA-256')
    .action(async (sha: string, _o, cmd: Command) => {
      await withServices(io, g(cmd), ['foreignTrust'], async (ctx) => {
        const e = await ctx.foreignTrust.remove(sha, actor(io));
        out(io, `Removed from the TVS trust (phones asking about it are told it is unknown):\n${describe(e)}`);
      });
    });
}
