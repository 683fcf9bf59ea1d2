// Owns `opencapf migrate …`: moving phones that trust another cluster (CUCM or OpenCAPF) onto this one without
// touching a phone — the plan (ticked from what this cluster observed), the trust export for the old cluster and
// the check that a phone holding the old ITL would accept ours (docs/migration.md).

import type { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { AppError } from '../../shared/errors.ts';
import {
  isMigrationSource,
  MIGRATION_SOURCES,
  renderPlan,
  verdictText,
  parseHostPort,
  type MigrationCheckRequest,
} from '../../migration/index.ts';
import { withServices, actor, opts as g, type CliEnv } from '../common.ts';
import { out } from '../io.ts';

const collect = (v: string, prev: string[]) => [...prev, v];

export function registerMigrateCommands(program: Command, { io, setExit }: CliEnv): void {
  const migrate = program
    .command('migrate')
    .description('move phones that trust another cluster (CUCM or OpenCAPF) onto this one, without touching them');
  migrate
    .command('plan')
    .description('the ordered steps, each ticked from what this cluster has observed (docs/migration.md)')
    .requiredOption('--from <cluster>', `the cluster the phones trust now (${MIGRATION_SOURCES.join(' | ')})`)
    .option('--json', 'JSON output')
    .action(async (_o, cmd: Command) => {
      const o = g(cmd);
      const from = String(o.from);
      if (!isMigrationSource(from))
        throw new AppError('ERR_BAD_REQUEST', `--from must be ${MIGRATION_SOURCES.join(' or ')}, not "${from}"`);
      await withServices(io, o, ['migration'], async (s) => {
        const p = await s.migration.plan(from);
        out(io, o.json ? JSON.stringify(p, null, 2) : renderPlan(from, p.steps));
      });
    });
  migrate
    .command('export-trust')
    .description(
      'write our TFTP (CallManager) and ITLRecovery certificates, with MANIFEST.txt naming the CUCM trust store ' +
        '(CallManager-trust / Phone-SAST-trust) or `tvs trust import` role of each, into DIR for the old cluster',
    )
    .argument('<dir>')
    .option('--force', 'overwrite files an earlier export left in DIR')
    .action(async (dir: string, _o, cmd: Command) => {
      const o = g(cmd);
      await withServices(io, o, ['migration'], async (s) => {
        const r = await s.migration.exportTrust(dir, actor(io), { force: o.force === true });
        for (const c of r.certificates)
          out(io, `${dir}/${c.fileName}: ${c.cucmName} (SHA-1 ${c.sha1}) -> ${c.cucmStores.join(' + ')}`);
        out(io, `${dir}/MANIFEST.txt: what to upload where on the old cluster; manifest.json: the same as JSON`);
      });
    });
  migrate
    .command('check')
    .description(
      'before pointing phones at us: would a phone holding the old ITL accept ours? (old ITL, its TVS vouching ' +
        'for our signer, our TFTP at the address DHCP option 150 will give). Exit code 1 when not',
    )
    .option('--old-itl <file>', 'the ITLFile.tlv the phones hold now (saved from the old cluster)')
    .option('--old-tftp <host[:port]>', "the old cluster's TFTP server (ITLFile.tlv is fetched from it)")
    .option('--old-tvs <host[:port]>', "a TVS of the old cluster (repeat for each, in the phones' order)", collect, [])
    .option('--tftp <host[:port]>', 'our TFTP server as the phones will reach it (DHCP option 150)')
    .option('--json', 'JSON output')
    .action(async (_o, cmd: Command) => {
      const o = g(cmd);
      if (o.oldItl && o.oldTftp) throw new AppError('ERR_BAD_REQUEST', 'give --old-itl or --old-tftp, not both');
      const req: MigrationCheckRequest = {};
      if (o.oldItl) {
        const file = String(o.oldItl);
        if (!existsSync(file)) throw new AppError('ERR_NOT_FOUND', `--old-itl ${file}: no such file`);
        req.oldItl = { kind: 'file', name: file, bytes: readFileSync(file) };
      } else if (o.oldTftp) req.oldItl = { kind: 'server', server: parseHostPort(String(o.oldTftp), 69, '--old-tftp') };
      req.oldTvs = (o.oldTvs as string[]).map((t) => parseHostPort(t, 2445, '--old-tvs'));
      if (o.tftp) req.ourTftp = parseHostPort(String(o.tftp), 69, '--tftp');
      if (!req.oldItl && req.oldTvs.length === 0 && !req.ourTftp)
        throw new AppError('ERR_BAD_REQUEST', 'nothing to check: give --old-itl or --old-tftp, --old-tvs and --tftp');
      await withServices(io, o, ['migration'], async (s) => {
        const r = await s.migration.check(req, actor(io));
        if (o.json) out(io, JSON.stringify(r, null, 2));
        else {
          for (const l of r.lines) {
            out(io, `${l.ok === true ? 'ok  ' : l.ok === false ? 'FAIL' : '--  '} ${l.text}`);
            if (l.ok === false && l.cure) out(io, `       cure: ${l.cure}`);
          }
          out(io, `${r.ok ? 'READY' : 'NOT READY'}: ${verdictText(r.verdict)}`);
        }
        if (!r.ok) setExit(1);
      });
    });
}
