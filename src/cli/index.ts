// Owns the `opencapf` command line: parses argv with commander and calls the app's services.

import { Command, CommanderError, Option } from 'commander';
import { readFileSync, writeFileSync } from 'node:fs';
import { loadConfig, type Config, type ConfigKey } from '../config/index.ts';
import { AppError, isAppError } from '../shared/errors.ts';
import { createLogger } from '../app/logger.ts';
import { openContext, type AppContext } from '../app/context.ts';
import { startServices } from '../app/serve.ts';
import { describeCapfExpiry } from '../app/status.ts';
import { AUTH_MODES, CERT_OPERATIONS, KEY_ORDERS, type AuthMode, type CertOperation, type KeyOrder, type ItemResult, type Phone } from '../phones/index.ts';
import { IDENTITIES, isIdentityName, pemToDer, type IdentityName } from '../pki/index.ts';
import { capfSection, certificateDetails, table } from './format.ts';
import { deviceArgs, err, out, type CliIo } from './io.ts';

const OPERATION_ALIASES: Record<string, CertOperation> = { install: 'install', upgrade: 'install', delete: 'delete', troubleshoot: 'troubleshoot', fetch: 'troubleshoot', none: 'none' };

interface GlobalOpts {
  dataDir?: string;
  config?: string;
  logLevel?: string;
  json?: boolean;
}

function configFrom(io: CliIo, g: GlobalOpts, extra: Partial<Record<ConfigKey, unknown>> = {}): Config {
  return loadConfig({
    ...(g.config ? { file: g.config } : {}),
    env: io.env,
    overrides: { dataDir: g.dataDir, 'log.level': g.logLevel, ...extra },
  });
}

async function withContext<T>(io: CliIo, g: GlobalOpts, fn: (ctx: AppContext) => Promise<T>): Promise<T> {
  const config = configFrom(io, g);
  // CLI commands log only warnings to stderr; the human output goes to stdout.
  const logger = createLogger(g.logLevel ?? 'warn', io.stderr as unknown as import('pino').DestinationStream);
  const ctx = await openContext(config, logger);
  try {
    return await fn(ctx);
  } finally {
    await ctx.close();
  }
}

function actor(io: CliIo) {
  return { name: `cli:${io.env.USER ?? 'unknown'}`, source: 'cli' };
}

function reportItems(io: CliIo, results: ItemResult<Phone>[], json: boolean | undefined, okText: (p: Phone) => string): number {
  const failed = results.filter((r) => !r.ok);
  if (json) out(io, JSON.stringify(results.map((r) => (r.ok ? { deviceName: r.deviceName, ok: true, phone: r.value } : r)), null, 2));
  else {
    for (const r of results) {
      if (r.ok) out(io, `${r.deviceName}: ${okText(r.value)}`);
      else err(io, `${r.deviceName}: ${r.code}: ${r.message}`);
    }
    out(io, `${results.length - failed.length} succeeded, ${failed.length} failed`);
  }
  return failed.length ? 1 : 0;
}

function intOpt(v: string): number {
  if (!/^\d+$/.test(v)) throw new AppError('ERR_BAD_REQUEST', `"${v}" is not a whole number`);
  return Number(v);
}

export function buildProgram(io: CliIo, setExit: (code: number) => void): Command {
  const program = new Command('opencapf')
    .description('OpenCAPF: issue Locally Significant Certificates (LSCs) to Cisco IP phones over the CAPF protocol.')
    .option('--data-dir <dir>', 'data directory (database, keys)', undefined)
    .option('--config <file>', 'JSON configuration file (see docs/configuration.md)')
    .option('--log-level <level>', 'log level (fatal, error, warn, info, debug, trace, silent)')
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .exitOverride()
    .showHelpAfterError();
  const g = (cmd: Command) => cmd.optsWithGlobals() as GlobalOpts & Record<string, unknown>;

  // ---- serve ----
  program
    .command('serve')
    .description('start the CAPF listener (TLS 3804) on the configured store; Ctrl-C or SIGTERM drains sessions and exits')
    .option('--host <addr>', 'address to bind every listener to (default 0.0.0.0)')
    .option('--capf-port <port>', 'CAPF TLS port (default 3804)')
    .addOption(new Option('--store <driver>', 'database').choices(['sqlite', 'postgres']))
    .option('--postgres-url <url>', 'PostgreSQL connection string (with --store postgres)')
    .option('--node-name <name>', 'this node\'s name (CN of its TFTP/TVS certificates)')
    .action(async (_o, cmd: Command) => {
      const o = g(cmd);
      const config = configFrom(io, o, {
        host: o.host,
        'capf.port': o.capfPort,
        'store.driver': o.store,
        'store.postgresUrl': o.postgresUrl,
        'cluster.nodeName': o.nodeName,
      });
      const logger = createLogger(config['log.level']);
      const ctx = await openContext(config, logger);
      let running;
      try {
        running = await startServices(ctx);
      } catch (e) {
        await ctx.close();
        throw e;
      }
      const capf = ctx.identities.get('capf').certificate;
      out(io, `OpenCAPF serving. CAPF ${config.host}:${running.ports.capf ?? '-'}  CA ${capf.subjectDn} (valid to ${capf.notAfter.toISOString()})  data ${config.dataDir}`);
      await new Promise<void>((resolve) => {
        let stopping = false;
        const stop = (sig: string) => {
          if (stopping) return;
          stopping = true;
          logger.info({ signal: sig }, 'draining in-flight sessions before exit');
          void running.stop().then(() => ctx.close()).then(() => resolve());
        };
        process.once('SIGTERM', () => stop('SIGTERM'));
        process.once('SIGINT', () => stop('SIGINT'));
      });
      out(io, 'OpenCAPF stopped.');
    });

  // ---- phone ----
  const phone = program.command('phone').description('phones (CUCM Device > Phone)');
  phone
    .command('add')
    .description('add phones; device names SEP<12 hex>, or - to read them from standard input')
    .argument('<device...>', 'device names')
    .option('--model <model>', 'phone model', 'Cisco 8845')
    .option('--description <text>', 'description', '')
    .option('--profile <name>', 'phone security profile')
    .option('--json', 'JSON output')
    .action(async (devices: string[], _o, cmd: Command) => {
      const o = g(cmd);
      const names = await deviceArgs(io, devices);
      await withContext(io, o, async (ctx) => {
        const results = await ctx.phones.addPhones(
          names.map((d) => ({ deviceName: d, model: o.model as string, description: o.description as string, profileName: (o.profile as string | undefined) ?? null })),
          actor(io),
        );
        setExit(reportItems(io, results, o.json, (p) => `added (${p.model})`));
      });
    });
  phone
    .command('show')
    .description('show a phone: the CAPF Information section as CUCM shows it, LSC, MIC and recent CAPF sessions')
    .argument('<device>', 'SEP<MAC>')
    .option('--json', 'JSON output')
    .action(async (device: string, _o, cmd: Command) => {
      const o = g(cmd);
      await withContext(io, o, async (ctx) => {
        const d = await ctx.phones.detail(device, 10);
        if (o.json) return out(io, JSON.stringify(d, null, 2));
        const p = d.phone;
        const lines = [
          `${p.deviceName}  model ${p.model}${p.description ? `  "${p.description}"` : ''}  profile ${p.profileName ?? '(none)'}`,
          '',
          capfSection(p),
          '',
          `LSC:  ${p.lsc ? `Installed  serial ${p.lsc.serialHex}  issuer ${p.lsc.issuerDn}  expires ${p.lsc.notAfter}` : 'None'}`,
          `MIC:  ${p.mic ? `seen ${p.mic.seenAt}  serial ${p.mic.serialHex}  ${p.mic.subjectDn}` : 'not seen'}`,
          `Last CAPF session: ${p.lastSessionAt ?? 'never'}`,
        ];
        if (d.sessions.length) {
          lines.push('', 'Recent CAPF sessions:');
          lines.push(table(['Ended', 'Session', 'Peer', 'Operation', 'Outcome', 'Reason'], d.sessions.map((s) => [s.endedAt, s.sessionId, s.peer, s.operation, s.outcome, s.reason])));
          const last = d.sessions[0]!;
          lines.push('', `Log of session ${last.sessionId}:`, ...last.log.map((l) => `  ${l.at}  ${l.dir}  ${l.text}`));
        }
        out(io, lines.join('\n'));
      });
    });
  phone
    .command('list')
    .description('list phones')
    .option('--limit <n>', 'rows', '50')
    .option('--json', 'JSON output')
    .action(async (_o, cmd: Command) => {
      const o = g(cmd);
      await withContext(io, o, async (ctx) => {
        const r = await ctx.store.phones.listPhones({ limit: intOpt(String(o.limit)) });
        if (o.json) return out(io, JSON.stringify(r, null, 2));
        out(io, table(['Device', 'Model', 'Operation', 'Status', 'LSC', 'LSC expires'], r.items.map((p) => [p.deviceName, p.model, CERT_OPERATIONS[p.capf.operation].label, p.status, p.lsc ? 'Installed' : 'None', p.lsc?.notAfter ?? ''])));
        out(io, `${r.items.length} of ${r.total} phones`);
      });
    });
  phone
    .command('remove')
    .description('remove phones (their LSCs are revoked)')
    .argument('<device...>', 'device names, or -')
    .action(async (devices: string[], _o, cmd: Command) => {
      const o = g(cmd);
      const names = await deviceArgs(io, devices);
      await withContext(io, o, async (ctx) => {
        for (const n of names) {
          await ctx.phones.removePhone(n, actor(io));
          out(io, `${n}: removed`);
        }
      });
    });

  // ---- capf ----
  const capf = program.command('capf').description('CAPF certificate operations');
  capf
    .command('schedule')
    .description('schedule a certificate operation (Install/Upgrade, Delete, Troubleshoot, none) on phones')
    .argument('<operation>', 'install | delete | troubleshoot | none')
    .argument('<device...>', 'device names, or - to read them from standard input')
    .addOption(new Option('--auth-mode <mode>', 'authentication mode').choices(Object.keys(AUTH_MODES)))
    .option('--auth-string <digits>', 'authentication string (4-10 digits), or "generate" for a unique one per phone')
    .addOption(new Option('--key-order <order>', 'key order').choices(Object.keys(KEY_ORDERS)))
    .option('--rsa-key-size <bits>', 'RSA key size: 512, 1024, 2048, 3072, 4096')
    .option('--ec-key-size <bits>', 'EC key size: 256, 384, 521')
    .option('--completes-by <iso-time>', 'Operation Completes By (default: 24 hours from now)')
    .option('--use-profile-mode', 'when the mode contradicts the security profile, use the profile\'s mode instead of refusing')
    .option('--json', 'JSON output')
    .action(async (operation: string, devices: string[], _o, cmd: Command) => {
      const o = g(cmd);
      const op = OPERATION_ALIASES[operation.toLowerCase()];
      if (!op) throw new AppError('ERR_BAD_REQUEST', `unknown operation "${operation}" (use install, delete, troubleshoot or none)`);
      const names = await deviceArgs(io, devices);
      await withContext(io, o, async (ctx) => {
        const results = await ctx.phones.schedule(
          names,
          {
            operation: op,
            ...(o.authMode ? { authMode: o.authMode as AuthMode } : {}),
            ...(o.authString !== undefined ? { authString: o.authString as string } : {}),
            ...(o.keyOrder ? { keyOrder: o.keyOrder as KeyOrder } : {}),
            ...(o.rsaKeySize ? { rsaKeySize: intOpt(String(o.rsaKeySize)) } : {}),
            ...(o.ecKeySize ? { ecKeySize: intOpt(String(o.ecKeySize)) } : {}),
            ...(o.completesBy ? { completesBy: o.completesBy as string } : {}),
            onProfileMismatch: o.useProfileMode ? 'use-profile' : 'refuse',
          },
          actor(io),
        );
        setExit(reportItems(io, results, o.json, (p) => `${CERT_OPERATIONS[p.capf.operation].label}, ${AUTH_MODES[p.capf.authMode].label}${p.capf.authString ? ` ${p.capf.authString}` : ''}, by ${p.capf.completesBy ?? '-'}: ${p.status}`));
      });
    });

  // ---- cert ----
  const cert = program.command('cert').description('the cluster\'s certificates (CUCM Certificate Management)');
  const identityArg = (name: string): IdentityName => {
    if (!isIdentityName(name)) throw new AppError('ERR_PKI_UNKNOWN_IDENTITY', `unknown certificate "${name}" (use ${Object.keys(IDENTITIES).join(', ')})`);
    return name;
  };
  cert
    .command('list')
    .description('Certificate List: every identity with its type, key, issuer and expiry')
    .option('--json', 'JSON output')
    .action(async (_o, cmd: Command) => {
      const o = g(cmd);
      await withContext(io, o, async (ctx) => {
        const ids = ctx.identities.list();
        if (o.json) {
          return out(io, JSON.stringify(ids.map((i) => ({ name: i.name, purpose: IDENTITIES[i.name].purpose, serial: i.certificate.serialHex, subject: i.certificate.subjectDn, issuer: i.certificate.issuerDn, keyType: i.certificate.keyDescription, notBefore: i.certificate.notBefore, notAfter: i.certificate.notAfter, selfSigned: i.certificate.selfSigned, sha1: i.certificate.sha1, sha256: i.certificate.sha256 })), null, 2));
        }
        out(io, table(['Certificate', 'Common Name', 'Type', 'Key Type', 'Issued By', 'Expiration', 'Description'], ids.map((i) => [
          IDENTITIES[i.name].purpose,
          i.certificate.subject.find((a) => a.type === 'CN')?.value,
          i.certificate.selfSigned ? 'Self-signed' : 'CA-signed',
          i.certificate.keyDescription,
          i.certificate.issuer.find((a) => a.type === 'CN')?.value,
          i.certificate.notAfter.toISOString().slice(0, 10),
          IDENTITIES[i.name].description,
        ])));
        const e = describeCapfExpiry(ctx);
        if (e.level !== 'ok') err(io, `WARNING: ${e.message}`);
      });
    });
  cert
    .command('show')
    .description('Certificate Details: version, serial, signature algorithm, validity, subject, issuer, key, fingerprints')
    .argument('<name>', Object.keys(IDENTITIES).join(' | '))
    .option('--json', 'JSON output')
    .action(async (name: string, _o, cmd: Command) => {
      const o = g(cmd);
      const id = identityArg(name);
      await withContext(io, o, async (ctx) => {
        const c = ctx.identities.get(id).certificate;
        const e = id === 'capf' ? describeCapfExpiry(ctx) : null;
        if (o.json) {
          const { der: _der, ...rest } = c;
          return out(io, JSON.stringify({ name: id, ...rest, expiry: e }, null, 2));
        }
        out(io, certificateDetails(id, IDENTITIES[id].purpose, c, e && e.level !== 'ok' ? e.message : undefined));
      });
    });
  cert
    .command('regenerate')
    .description('generate a new key and self-signed certificate (the old one is kept as <name>.previous). CAPF: phones need a new ITL, and 802.1X/VPN must trust the new CA')
    .argument('<name>')
    .action(async (name: string, _o, cmd: Command) => {
      const o = g(cmd);
      const id = identityArg(name);
      await withContext(io, o, async (ctx) => {
        const n = await ctx.identities.regenerate(id);
        out(io, `${id}: regenerated; new serial ${n.certificate.serialHex}, valid to ${n.certificate.notAfter.toISOString()}`);
        if (id === 'capf') out(io, 'Note: existing LSCs stay valid until they expire, but RADIUS/VPN trust stores must now hold the new CAPF certificate (opencapf cert export capf).');
      });
    });
  cert
    .command('csr')
    .description('Generate CSR for a certificate authority to sign')
    .argument('<name>')
    .option('--out <file>', 'write the CSR here (default: print it)')
    .action(async (name: string, _o, cmd: Command) => {
      const o = g(cmd);
      const id = identityArg(name);
      await withContext(io, o, async (ctx) => {
        const csr = await ctx.identities.createCsr(id);
        if (o.out) {
          writeFileSync(String(o.out), csr);
          out(io, `wrote ${String(o.out)}`);
        } else out(io, csr);
      });
    });
  cert
    .command('import')
    .description('Upload Certificate/Certificate chain: a CA-signed certificate (PEM, leaf first, then its chain) for the existing key')
    .argument('<name>')
    .argument('<file>')
    .action(async (name: string, file: string, _o, cmd: Command) => {
      const o = g(cmd);
      const id = identityArg(name);
      const pem = readFileSync(file, 'utf8');
      await withContext(io, o, async (ctx) => {
        const n = ctx.identities.importCertificate(id, pem);
        out(io, `${id}: imported ${n.certificate.subjectDn}, issued by ${n.certificate.issuerDn}, chain of ${n.chain.length + 1}`);
      });
    });
  cert
    .command('export')
    .description('Download .PEM/.DER: the certificate (for FreeRADIUS ca_file, ISE, ASA trustpoints)')
    .argument('<name>')
    .addOption(new Option('--format <format>', 'pem or der').choices(['pem', 'der']).default('pem'))
    .option('--out <file>', 'write to a file (default: standard output)')
    .action(async (name: string, _o, cmd: Command) => {
      const o = g(cmd);
      const id = identityArg(name);
      await withContext(io, o, async (ctx) => {
        const loaded = ctx.identities.get(id);
        const data = o.format === 'der' ? pemToDer(loaded.certPem) : Buffer.from(loaded.certPem);
        if (o.out) {
          writeFileSync(String(o.out), data);
          out(io, `wrote ${String(o.out)}`);
        } else io.stdout.write(data);
      });
    });
  return program;
}

/** Runs the CLI; resolves with the process exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let code = 0;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    if (isAppError(e)) {
      err(io, `error: ${e.message} [${e.code}]`);
      return 2;
    }
    err(io, `error: ${(e as Error)?.message ?? String(e)}`);
    if (io.env.OPENCAPF_DEBUG) err(io, String((e as Error)?.stack));
    return 1;
  }
}
