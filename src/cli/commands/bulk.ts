// Owns `opencapf bulk …` (Bulk Administration > Phones > Update Phones) and `opencapf renewal …`.

import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { withServices, actor, intOpt, opts as g, type CliEnv } from '../common.ts';
import { err, out, type CliIo } from '../io.ts';
import { table } from '../format.ts';
import { filterFrom, progressBar, updateFrom, withFilterOptions, withUpdateOptions } from '../admin-common.ts';
import { CERT_OPERATIONS, AUTH_MODES } from '../../phones/index.ts';
import type { BulkJob } from '../../bulk/index.ts';
import type { AppServices } from '../../app/context.ts';
import { LOCAL_VIEWER } from '../../phones/filter-access.ts';

function jobLine(j: BulkJob): string {
  return (
    `job ${j.id} (${j.kind}) ${j.state}: ${j.processed}/${j.total} processed, ` +
    `${j.succeeded} scheduled, ${j.failed} failed${j.error ? ` — ${j.error}` : ''}`
  );
}

async function collect(it: AsyncIterable<string>): Promise<string> {
  let s = '';
  for await (const c of it) s += c;
  return s;
}

async function runWithProgress(io: CliIo, ctx: Pick<AppServices, 'admin'>, id: number): Promise<BulkJob> {
  const bar = progressBar(io, `bulk job ${id}`);
  const job = await ctx.admin.bulk.runJob(id, {
    onProgress: (p) => bar.update(p.processed, p.total, `${p.failed} failed`),
  });
  bar.done();
  return job;
}

export function registerBulkCommands(program: Command, { io, setExit }: CliEnv): void {
  const bulk = program
    .command('bulk')
    .description('Bulk Administration: query phones and apply a CAPF update to the result');

  withFilterOptions(bulk.command('query').description('how many phones match, and a sample'))
    .option('--json', 'JSON output')
    .action(async (_o, cmd: Command) => {
      const o = g(cmd);
      await withServices(io, o, ['admin'], async (ctx) => {
        const r = await ctx.admin.bulk.preview(filterFrom(o), LOCAL_VIEWER);
        if (o.json) return out(io, JSON.stringify(r, null, 2));
        out(
          io,
          table(
            ['Device', 'Model', 'Profile', 'Status', 'LSC'],
            r.sample.map((p) => [p.deviceName, p.model, p.profileName ?? '', p.status, p.lsc ? 'Installed' : 'None']),
          ),
        );
        out(io, `${r.matched} phones match`);
      });
    });

  withUpdateOptions(
    withFilterOptions(
      bulk
        .command('schedule')
        .description(
          'apply a certificate operation to every phone the query matches ' +
            '(runs now with a progress bar; --background leaves it to serve)',
        )
        .argument('<operation>', 'install | delete | troubleshoot | none'),
    ),
  )
    .option('--background', 'only create the job; the running server processes it')
    .option('--export <file>', 'write the Device Name, Authentication String CSV here when done')
    .option('--json', 'JSON output')
    .action(async (operation: string, _o, cmd: Command) => {
      const o = g(cmd);
      await withServices(io, o, ['admin'], async (ctx) => {
        const created = await ctx.admin.bulk.createJob(
          filterFrom(o),
          updateFrom(operation, o),
          actor(io),
          LOCAL_VIEWER,
        );
        const job = o.background ? created : await runWithProgress(io, ctx, created.id);
        if (o.export)
          writeFileSync(o.export as string, await collect(ctx.admin.bulk.exportCsv(job.id)), { mode: 0o600 });
        if (o.json) return out(io, JSON.stringify(job, null, 2));
        const mode = job.request.authMode ? `, ${AUTH_MODES[job.request.authMode].label}` : '';
        out(io, `${jobLine(job)}  [${CERT_OPERATIONS[job.request.operation].label}${mode}]`);
        if (job.failed) {
          const failed = await ctx.admin.bulk.items(job.id, { onlyFailed: true, limit: 20 });
          for (const f of failed) err(io, `${f.deviceName}: ${f.code}: ${f.message}`);
          setExit(1);
        }
      });
    });

  bulk
    .command('list')
    .option('--active', 'only queued and running jobs')
    .option('--json', 'JSON output')
    .action(async (_o, cmd: Command) => {
      const o = g(cmd);
      await withServices(io, o, ['admin'], async (ctx) => {
        const jobs = await ctx.admin.bulk.list({ active: !!o.active });
        if (o.json) return out(io, JSON.stringify(jobs, null, 2));
        out(
          io,
          table(
            ['Id', 'Kind', 'State', 'Operation', 'Processed', 'Total', 'Failed', 'By', 'Created'],
            jobs.map((j) => [
              j.id,
              j.kind,
              j.state,
              CERT_OPERATIONS[j.request.operation].label,
              j.processed,
              j.total,
              j.failed,
              j.createdBy,
              j.createdAt,
            ]),
          ),
        );
      });
    });
  bulk
    .command('show')
    .argument('<id>')
    .option('--json', 'JSON output')
    .action(async (id: string, _o, cmd: Command) => {
      const o = g(cmd);
      await withServices(io, o, ['admin'], async (ctx) => {
        const j = await ctx.admin.bulk.get(intOpt(id));
        out(io, o.json ? JSON.stringify(j, null, 2) : jobLine(j));
      });
    });
  bulk
    .command('run')
    .description('run (or resume after a crash) a queued or interrupted job now')
    .argument('<id>')
    .action(async (id: string, _o, cmd: Command) => {
      await withServices(io, g(cmd), ['admin'], async (ctx) =>
        out(io, jobLine(await runWithProgress(io, ctx, intOpt(id)))),
      );
    });
  bulk
    .command('cancel')
    .argument('<id>')
    .action(async (id: string, _o, cmd: Command) => {
      await withServices(io, g(cmd), ['admin'], async (ctx) =>
        out(io, jobLine(await ctx.admin.bulk.cancel(intOpt(id), actor(io)))),
      );
    });
  bulk
    .command('export')
    .description('CSV of Device Name, Authentication String of a job (for the people who type the strings into phones)')
    .argument('<id>')
    .option('--out <file>', 'write to a file (mode 0600) instead of standard output')
    .action(async (id: string, _o, cmd: Command) => {
      const o = g(cmd);
      await withServices(io, o, ['admin'], async (ctx) => {
        const csv = await collect(ctx.admin.bulk.exportCsv(intOpt(id)));
        if (o.out) writeFileSync(o.out as string, csv, { mode: 0o600 });
        else io.stdout.write(csv);
      });
    });

  const renewal = program
    .command('renewal')
    .description('renewal policy: schedule Install/Upgrade for LSCs about to expire');
  renewal.command('status').action(async (_o, cmd: Command) => {
    await withServices(io, g(cmd), ['admin'], async (ctx) => {
      const p = ctx.admin.renewal.policy;
      const due = (await ctx.admin.bulk.preview(ctx.admin.renewal.filter(), LOCAL_VIEWER)).matched;
      out(
        io,
        `renewal ${p.enabled ? 'enabled' : 'disabled'}: window ${p.windowDays} days, ` +
          `${AUTH_MODES[p.authMode].label}, deadline ${p.deadlineHours} h; ${due} LSCs due now`,
      );
    });
  });
  renewal
    .command('run')
    .description('schedule renewal now (even when the policy is disabled) and run the job')
    .action(async (_o, cmd: Command) => {
      await withServices(io, g(cmd), ['admin'], async (ctx) => {
        const job = await ctx.admin.renewal.runOnce({ force: true });
        if (!job) return out(io, 'no LSC is due for renewal (or a renewal job is already active)');
        out(io, jobLine(await runWithProgress(io, ctx, job.id)));
      });
    });
}
