// Owns `opencapf report …` (CAPF report CSV, expiry summary) and `opencapf audit` (the audit log).

import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Command } from 'commander';
import { withServices, intOpt, opts as g, type CliEnv } from '../common.ts';
import { out } from '../io.ts';
import { table } from '../format.ts';
import { filterFrom, withFilterOptions } from '../admin-common.ts';
import { LOCAL_VIEWER } from '../../phones/filter-access.ts';

export function registerReportCommands(program: Command, { io }: CliEnv): void {
  const report = program.command('report').description('CAPF reports');
  withFilterOptions(
    report
      .command('capf')
      .description(
        'the CAPF report as CSV (device, model, description, auth mode, auth string, ' +
          'operation, status, LSC status, serial, issuer, not-before, expires, days left)',
      ),
  )
    .option('--out <file>', 'write to a file (mode 0600) instead of standard output')
    .action(async (_o, cmd: Command) => {
      const o = g(cmd);
      await withServices(io, o, ['admin'], async (ctx) => {
        const dest = o.out ? createWriteStream(o.out as string, { mode: 0o600 }) : io.stdout;
        for await (const chunk of ctx.admin.reports.capfReportCsv(filterFrom(o), LOCAL_VIEWER))
          if (!dest.write(chunk)) await once(dest, 'drain');
        if (o.out) await new Promise<void>((r) => (dest as ReturnType<typeof createWriteStream>).end(r));
      });
    });
  report
    .command('itl-status')
    .description(
      'ITL File Status: per phone, the ITL our TFTP/HTTP servers last served it — current (the ITL served now), ' +
        'older, or never — when, over which transport, to which address',
    )
    .option('--status <status>', 'only phones in this state (current | older | never)')
    .option('--limit <n>', 'at most this many phones (default 1000)', intOpt)
    .option('--json', 'JSON output')
    .action(async (_o, cmd: Command) => {
      const o = g(cmd);
      await withServices(io, o, ['itlStatus'], async (ctx) => {
        const [c, r] = await Promise.all([
          ctx.itlStatus.counts(),
          ctx.itlStatus.list({
            ...(o.status !== undefined ? { status: String(o.status) } : {}),
            ...(o.limit !== undefined ? { limit: o.limit as number } : {}),
          }),
        ]);
        if (o.json) return out(io, JSON.stringify({ counts: c, ...r }, null, 2));
        out(
          io,
          `ITL File Status: ${c.current} current, ${c.older} older, ${c.never} never seen, of ${c.total} phones` +
            `${c.unlisted ? ` (and ${c.unlisted} device(s) not in the phone table)` : ''}; ` +
            `current ITL SHA-1 ${r.current.join(', ')}`,
        );
        out(
          io,
          table(
            ['Device Name', 'Status', 'ITL SHA-1', 'Served', 'Via', 'Address', 'Times', 'Last CAPF session'],
            r.items.map((i) => [
              i.deviceName,
              i.status,
              i.itlSha1 ?? '',
              i.servedAt ?? '',
              i.via ?? '',
              i.address ?? '',
              String(i.servedCount),
              i.lastCapfSessionAt ?? '',
            ]),
          ),
        );
        if (r.total > r.items.length) out(io, `(${r.items.length} of ${r.total} shown; --limit for more)`);
      });
    });
  withFilterOptions(
    report
      .command('mic')
      .description(
        'the MIC report: phones whose MIC was recorded in a CAPF session — issuer, serial, not-after, SHA-1 — ' +
          'counted by issuer and state (expired, < 90 days, valid)',
      ),
  )
    .option('--limit <n>', 'list at most this many phones (default 1000; all are counted)', intOpt)
    .option('--json', 'JSON output')
    .action(async (_o, cmd: Command) => {
      const o = g(cmd);
      await withServices(io, o, ['admin'], async (ctx) => {
        const r = await ctx.admin.reports.micReport(
          filterFrom(o),
          LOCAL_VIEWER,
          o.limit !== undefined ? { limit: o.limit as number } : {},
        );
        if (o.json) return out(io, JSON.stringify(r, null, 2));
        const counts = (c: typeof r.totals) => [c.phones, c.expired, c.within90, c.valid, c.unknown];
        out(
          io,
          table(
            ['MIC issuer', 'Phones', 'Expired', '< 90 days', 'Valid', 'Unknown'],
            [...r.byIssuer.map((b) => [b.issuer, ...counts(b)]), ['TOTAL', ...counts(r.totals)]],
          ),
        );
        out(io, '');
        out(
          io,
          table(
            ['Device Name', 'Model', 'MIC issuer', 'Serial', 'Not after', 'State', 'SHA-1', 'LSC', 'Seen'],
            r.items.map((i) => [
              i.deviceName,
              i.model,
              i.issuer,
              i.serialHex,
              i.notAfter ?? '(unknown)',
              i.state === 'within90' ? `< 90 days` : i.state.toUpperCase(),
              i.sha1 ?? '',
              i.hasLsc ? 'yes' : 'no',
              i.seenAt,
            ]),
          ),
        );
        if (r.total > r.items.length) out(io, `(${r.items.length} of ${r.total} shown; --limit for more)`);
        if (r.totals.expired > 0)
          out(
            io,
            `\n${r.totals.expired} phone(s) hold an expired MIC: move them to an LSC (Install/Upgrade By ` +
              'Authentication String or By Null String), as Cisco advises; see docs/capf.md, "Expired MICs".',
          );
      });
    });
  report
    .command('expiry')
    .description("LSCs expired / expiring in 30 and 90 days / valid, by model, and the CAPF CA's expiry")
    .option('--json', 'JSON output')
    .action(async (_o, cmd: Command) => {
      const o = g(cmd);
      await withServices(io, o, ['admin'], async (ctx) => {
        const s = await ctx.admin.reports.expirySummary();
        if (o.json) return out(io, JSON.stringify(s, null, 2));
        const row = (name: string, c: typeof s.totals) => [
          name,
          c.phones,
          c.none,
          c.expired,
          c.within30,
          c.within90,
          c.valid,
        ];
        out(
          io,
          table(
            ['Model', 'Phones', 'No LSC', 'Expired', '<= 30 days', '31-90 days', '> 90 days'],
            [...s.byModel.map((m) => row(m.model, m)), row('TOTAL', s.totals)],
          ),
        );
        out(
          io,
          `\nCAPF CA expires ${s.capfCa.notAfter} (${s.capfCa.expired ? 'EXPIRED' : `${s.capfCa.daysLeft} days left`})`,
        );
      });
    });

  program
    .command('audit')
    .description('the audit log, newest first: who changed what, when, from where')
    .option('--actor <name>', 'by user')
    .option('--action <action>', 'e.g. phone.add, capf.schedule, certificate.issue, user.create')
    .option('--target <name>', 'device, profile, user or bulk-job:<id>')
    .option('--since <iso-time>', 'from this time')
    .option('--limit <n>', 'entries', '50')
    .option('--offset <n>', 'skip', '0')
    .option('--json', 'JSON output')
    .action(async (_o, cmd: Command) => {
      const o = g(cmd);
      await withServices(io, o, ['admin'], async (ctx) => {
        const r = await ctx.admin.audit.list({
          ...(o.actor ? { actor: o.actor as string } : {}),
          ...(o.action ? { action: o.action as string } : {}),
          ...(o.target ? { target: o.target as string } : {}),
          ...(o.since ? { since: o.since as string } : {}),
          limit: intOpt(String(o.limit)),
          offset: intOpt(String(o.offset)),
        });
        if (o.json) return out(io, JSON.stringify(r, null, 2));
        out(
          io,
          table(
            ['When', 'Who', 'From', 'Action', 'Name', 'Target', 'Details'],
            r.items.map((e) => [
              e.at,
              e.actor,
              e.source,
              e.actionText,
              e.action,
              e.target,
              JSON.stringify(e.details).slice(0, 120),
            ]),
          ),
        );
        out(io, `${r.items.length} of ${r.total} entries`);
      });
    });
}
