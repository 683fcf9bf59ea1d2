// Owns `opencapf doctor [SEP<MAC>]`: the cluster's checks and, for one phone, its whole path; each finding
// names the seed's cause and remedy and links docs/troubleshooting.md.

import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { runDoctor, renderReport } from '../../doctor/index.ts';
import { doctorSourcesFromContext } from '../../app/doctor-sources.ts';
import { createResolver, parseHostsFile } from '../../emulator/index.ts';
import { AppError } from '../../shared/errors.ts';
import { withServices, intOpt, opts as g, type CliEnv } from '../common.ts';
import { out } from '../io.ts';

export function registerDoctorCommands(program: Command, { io, setExit }: CliEnv): void {
  program
    .command('doctor')
    .description("diagnose the cluster (CAPF certificate and service, ITLs, DNS) and optionally one phone's whole path")
    .argument('[device]', 'SEP<MAC> to diagnose')
    .option('--tftp-node <host:port...>', 'other TFTP nodes whose ITLFile.tlv to check')
    .option('--hosts <file>', '/etc/hosts-style overrides: resolve the CAPF host name as your phones do')
    .option('--no-system-dns', 'resolve only through --hosts')
    .option('--timeout <ms>', 'per network check', '2000')
    .option('--json', 'JSON output')
    .action(async (device: string | undefined, _o, cmd: Command) => {
      const o = g(cmd);
      const hosts = o.hosts ? parseHostsFile(readFileSync(String(o.hosts), 'utf8')) : new Map<string, string>();
      const nodes = ((o.tftpNode as string[] | undefined) ?? []).map((n) => {
        const m = /^([^:]+):(\d+)$/.exec(n);
        if (!m) throw new AppError('ERR_BAD_REQUEST', `--tftp-node "${n}" is not host:port`);
        return { host: m[1]!, port: intOpt(m[2]!) };
      });
      await withServices(
        io,
        o,
        ['config', 'clock', 'identities', 'store', 'provisioning', 'itlStatus', 'manufacturingTrust'],
        async (ctx) => {
          const report = await runDoctor(
            doctorSourcesFromContext(ctx, {
              resolve: createResolver({ hosts, systemDns: o.systemDns !== false }),
              extraTftpNodes: nodes,
              timeoutMs: intOpt(String(o.timeout)),
            }),
            device ?? null,
          );
          out(io, o.json ? JSON.stringify(report, null, 2) : renderReport(report));
          setExit(report.ok ? 0 : 1);
        },
      );
    });
}
