// Owns the administration subcommands of `opencapf phone …`: import (CSV), edit, find, gen-string.

import { createReadStream, statSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { AppError } from '../../shared/errors.ts';
import { withServices, actor, intOpt, opts as g, type CliEnv } from '../common.ts';
import { err, out } from '../io.ts';
import { table } from '../format.ts';
import { filterFrom, progressBar, withFilterOptions, withSortOptions } from '../admin-common.ts';
import { CERT_OPERATIONS, type PhoneSort } from '../../phones/index.ts';
import { LOCAL_VIEWER } from '../../phones/filter-access.ts';
import { capfSection } from '../format.ts';

export function registerPhoneAdminCommands(program: Command, { io, setExit }: CliEnv): void {
  const phone =
    program.commands.find((c) => c.name() === 'phone') ??
    program.command('phone').description('phones (CUCM Device > Phone)');

  phone
    .command('import')
    .description(
      'import phones from CSV: Device Name, Model, Description, Security Profile (header optional); ' +
        '--format cucm reads a CUCM BAT phone export with its CAPF fields, all or nothing; - reads standard input',
    )
    .argument('<file>', 'CSV file, or -')
    .addOption(
      new Option('--format <format>', 'opencapf (our columns) or cucm (BAT "Export Phones")')
        .choices(['opencapf', 'cucm'])
        .default('opencapf'),
    )
    .option('--json', 'JSON report')
    .action(async (file: string, _o, cmd: Command) => {
      const o = g(cmd);
      let size = 0;
      if (file !== '-') {
        try {
          size = statSync(file).size;
        } catch (e) {
          throw new AppError('ERR_BAD_REQUEST', `cannot read ${file}: ${(e as Error).message}`);
        }
      }
      const source = file === '-' ? io.stdin : createReadStream(file);
      await withServices(io, o, ['admin'], async (ctx) => {
        const bar = progressBar(io, 'import');
        let bytes = 0;
        async function* counted() {
          for await (const c of source) {
            bytes += (c as Buffer).length;
            yield c as Buffer;
          }
        }
        const onProgress = (p: { rows: number; added: number; failed: number }) =>
          bar.update(size ? bytes : p.rows, size || p.rows, `${p.added} added, ${p.failed} failed`);
        const cucm = o.format === 'cucm';
        const r = cucm
          ? await ctx.admin.csvImport.importCucm(counted(), actor(io), { onProgress })
          : await ctx.admin.csvImport.importCsv(counted(), actor(io), { onProgress });
        bar.done();
        if (o.json) out(io, JSON.stringify(r, null, 2));
        else {
          for (const e of r.errors)
            err(io, `line ${e.line}${e.deviceName ? ` ${e.deviceName}` : ''}: ${e.code}: ${e.message}`);
          if (r.errorsTruncated) err(io, `… and ${r.failed - r.errors.length} more errors`);
          const ignored = 'ignoredColumns' in r ? (r.ignoredColumns as string[]) : [];
          if (ignored.length) err(io, `ignored ${ignored.length} columns OpenCAPF does not use: ${ignored.join(', ')}`);
          out(
            io,
            `${r.rows} rows: ${r.added} phones added, ${r.failed} failed` +
              (cucm && r.failed ? ' (all or nothing: nothing was imported; fix the lines above and run it again)' : ''),
          );
        }
        setExit(r.failed ? 1 : 0);
      });
    });

  phone
    .command('edit')
    .description('edit a phone: model, description, security profile (its CAPF defaults follow the profile)')
    .argument('<device>', 'SEP<MAC>')
    .option('--model <model>', 'phone model')
    .option('--description <text>', 'description')
    .option('--profile <name>', 'phone security profile ("" for none)')
    .option(
      '--use-profile-mode',
      "when the new profile contradicts a pending operation, switch the operation to the profile's mode",
    )
    .option('--json', 'JSON output')
    .action(async (device: string, _o, cmd: Command) => {
      const o = g(cmd);
      await withServices(io, o, ['admin'], async (ctx) => {
        const p = await ctx.admin.phoneAdmin.edit(
          device,
          {
            ...(o.model !== undefined ? { model: o.model as string } : {}),
            ...(o.description !== undefined ? { description: o.description as string } : {}),
            ...(o.profile !== undefined ? { profileName: (o.profile as string) || null } : {}),
            onProfileMismatch: o.useProfileMode ? 'use-profile' : 'refuse',
          },
          actor(io),
        );
        out(
          io,
          o.json
            ? JSON.stringify(p, null, 2)
            : `${p.deviceName}: saved (model ${p.model}, profile ${p.profileName ?? '(none)'})\n\n${capfSection(p)}`,
        );
      });
    });

  withSortOptions(
    withFilterOptions(
      phone
        .command('find')
        .description('find phones by LSC status, authentication string, status, model … with paging and sorting'),
    ),
  )
    .option('--offset <n>', 'skip this many rows', '0')
    .option('--limit <n>', 'rows per page (max 500)', '50')
    .option('--json', 'JSON output')
    .action(async (_o, cmd: Command) => {
      const o = g(cmd);
      await withServices(io, o, ['admin'], async (ctx) => {
        const r = await ctx.admin.phoneAdmin.find(
          {
            ...filterFrom(o),
            sort: o.sort as PhoneSort,
            order: o.desc ? 'desc' : 'asc',
            offset: intOpt(String(o.offset)),
            limit: intOpt(String(o.limit)),
          },
          LOCAL_VIEWER,
        );
        if (o.json) return out(io, JSON.stringify(r, null, 2));
        out(
          io,
          table(
            ['Device', 'Model', 'Description', 'Operation', 'Status', 'LSC', 'LSC expires', 'Auth string'],
            r.items.map((p) => [
              p.deviceName,
              p.model,
              p.description,
              CERT_OPERATIONS[p.capf.operation].label,
              p.status,
              p.lsc ? 'Installed' : 'None',
              p.lsc?.notAfter ?? '',
              p.capf.authString ?? '',
            ]),
          ),
        );
        out(io, `${r.offset + 1}-${r.offset + r.items.length} of ${r.total} phones`);
      });
    });

  phone
    .command('gen-string')
    .description('Generate String: print a random authentication string')
    .action(async (_o, cmd: Command) => {
      await withServices(io, g(cmd), ['admin'], async (ctx) => out(io, ctx.admin.phoneAdmin.generateString()));
    });
}
