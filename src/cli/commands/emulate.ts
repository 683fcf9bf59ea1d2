// Owns `opencapf emulate …`: one emulated phone (prints its Security Configuration and Status Messages),
// a fleet of them (progress bar, summary), and the emulator's test manufacturing CA.

import type { Command } from 'commander';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { AppError } from '../../shared/errors.ts';
import { normaliseDeviceName, parseDeviceName, generateAuthString } from '../../phones/index.ts';
import {
  bootPhone,
  BOOT_OUTCOMES,
  createFileFetcher,
  createFileStateStore,
  createKeyPool,
  createMemoryStateStore,
  createResolver,
  fleetDeviceNames,
  FLEET_MODELS,
  loadOrCreateManufacturingCa,
  manufacturingCaPath,
  parseHostsFile,
  renderFleetProgress,
  renderFleetSummary,
  CISCO_CAPF_RETRY,
  loopbackSourceAddress,
  parseDuration,
  parseDurationRange,
  sampleDuration,
  renderSecurityConfiguration,
  renderStatusMessages,
  renderTrustList,
  runFleet,
  runJabber,
  securityConfiguration,
  trustListScreen,
  type FleetPhone,
  type PhoneDeps,
  type PhoneState,
} from '../../emulator/index.ts';
import { withServices, actor, intOpt, opts as g, type CliEnv } from '../common.ts';
import { out, err, type CliIo } from '../io.ts';

function durationOpt<T>(flag: string, text: string, parse: (t: string) => T): T {
  try {
    return parse(text);
  } catch (e) {
    throw new AppError('ERR_BAD_REQUEST', `${flag}: ${(e as Error).message}`);
  }
}

/**
 * One progress line: redrawn in place on a terminal (at most 4 times a second), else printed every 5 s and at
 * the end, so a log of a 10-minute wave stays readable.
 */
function liveLine(io: CliIo): { update(text: string): void; done(): void } {
  const tty = (io.stderr as { isTTY?: boolean }).isTTY === true;
  let last = 0;
  let pending: string | null = null;
  const every = tty ? 250 : 5000;
  return {
    update(text) {
      pending = text;
      const now = performance.now();
      if (now - last < every) return;
      last = now;
      if (tty) io.stderr.write(`\r${text}\x1b[K`);
      else err(io, `fleet: ${text}`);
      pending = null;
    },
    done() {
      if (pending !== null) {
        if (tty) io.stderr.write(`\r${pending}\x1b[K`);
        else err(io, `fleet: ${pending}`);
      }
      if (tty) io.stderr.write('\n');
    },
  };
}

interface EmulateOpts {
  tftp: string;
  httpPort?: string;
  http?: boolean;
  hosts?: string;
  systemDns?: boolean;
  stateDir: string;
  capfPort?: string;
}

function parseHostPort(text: string, defaultPort: number): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(text.trim());
  if (!m) throw new AppError('ERR_BAD_REQUEST', `"${text}" is not HOST or HOST:PORT`);
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port: m[2] ? intOpt(m[2]) : defaultPort };
}

function transportOptions(cmd: Command): Command {
  return cmd
    .requiredOption('--tftp <host[:port]>', 'TFTP server the phone provisions from (DHCP option 150)')
    .option('--http-port <port>', 'HTTP provisioning port tried before TFTP', '6970')
    .option('--no-http', 'TFTP only')
    .option('--hosts <file>', "/etc/hosts-style overrides for the names in the phone's configuration")
    .option('--no-system-dns', 'resolve only through --hosts (an unknown name fails like an NXDOMAIN)')
    .option('--capf-port <port>', 'connect to this CAPF port instead of the one in the configuration')
    .option('--state-dir <dir>', 'where phones keep their state (MIC, LSC, trust list, messages)', './emulator-state');
}

function baseDeps(o: EmulateOpts): Omit<PhoneDeps, 'stateStore' | 'manufacturingCa'> {
  const tftp = parseHostPort(o.tftp, 69);
  const hosts = o.hosts ? parseHostsFile(readFileSync(o.hosts, 'utf8')) : new Map<string, string>();
  return {
    fetchFile: createFileFetcher({
      host: tftp.host,
      tftpPort: tftp.port,
      httpPort: o.http === false ? null : intOpt(String(o.httpPort ?? '6970')),
    }),
    resolve: createResolver({ hosts, systemDns: o.systemDns !== false }),
    ...(o.capfPort ? { capfPortOverride: intOpt(o.capfPort) } : {}),
  };
}

/** The phone screens `--screens` can name: Settings > Security > Security Configuration, Settings > Security >
 * Trust List, Settings > Status > Status Messages (the newest `limit`). */
const SCREENS = {
  security: (s: PhoneState) => renderSecurityConfiguration(s),
  'trust-list': (s: PhoneState) => renderTrustList(s),
  status: (s: PhoneState, limit: number) => renderStatusMessages(s, limit),
} as const;
type ScreenName = keyof typeof SCREENS;
const SCREENS_HELP = `comma-separated screens to print: ${Object.keys(SCREENS).join(', ')}`;

function parseScreens(text: string): ScreenName[] {
  const names = text
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  for (const n of names)
    if (!Object.hasOwn(SCREENS, n))
      throw new AppError('ERR_BAD_REQUEST', `unknown screen "${n}"; choose from ${Object.keys(SCREENS).join(', ')}`);
  return names as ScreenName[];
}

function renderScreens(state: PhoneState, names: readonly ScreenName[], statusLimit: number): string {
  return names.map((n) => SCREENS[n](state, statusLimit)).join('\n\n');
}

async function prompt(io: CliIo, question: string): Promise<string | null> {
  const rl = createInterface({ input: io.stdin, output: io.stderr, terminal: false });
  // An exhausted stdin (scripts, CI) answers "no string" instead of waiting forever.
  const closed = new Promise<null>((resolve) => rl.once('close', () => resolve(null)));
  try {
    const answer = await Promise.race([rl.question(question), closed]);
    return answer?.trim() || null;
  } finally {
    rl.close();
  }
}

export function registerEmulateCommands(program: Command, { io, setExit }: CliEnv): void {
  const emulate = program
    .command('emulate')
    .description('emulated Cisco IP phones for tests, labs and benchmarks (docs/emulator.md)');

  transportOptions(emulate.command('phone'))
    .description(
      'boot one phone: trust lists, configuration, DNS, CAPF; prints its Security Configuration and Status Messages',
    )
    .argument('<device>', 'SEP<MAC>')
    .option('--model <model>', 'phone model', '8845')
    .option(
      '--auth-string <digits>',
      'the authentication string to type when the configuration asks for one (else prompts)',
    )
    .option('--no-capf', 'do not contact CAPF after provisioning')
    .option(
      '--apply-config',
      'keep the installed trust lists and configuration (no TFTP): "Apply Config" without a reset',
    )
    .option('--screens <list>', SCREENS_HELP, 'security,trust-list,status')
    .option('--json', 'JSON output (with trustLists: what became of each trust list, and why one was refused)')
    .action(async (device: string, _o, cmd: Command) => {
      const o = g(cmd) as ReturnType<typeof g> & EmulateOpts;
      const parsed = parseDeviceName(device);
      if (!parsed.ok) throw new AppError('ERR_PHONE_BAD_NAME', parsed.reason);
      if (parsed.kind !== 'desk-phone')
        throw new AppError(
          'ERR_PHONE_BAD_NAME',
          `${parsed.name} is a ${parsed.kind} name: emulate phone boots SEP desk phones (softphones: emulate jabber)`,
        );
      const name = parsed.name;
      const screens = parseScreens(String(o.screens));
      const r = await bootPhone(
        { deviceName: name, model: String(o.model), runCapf: o.capf !== false, skipProvisioning: !!o.applyConfig },
        {
          ...baseDeps(o),
          stateStore: createFileStateStore(o.stateDir),
          manufacturingCa: await loadOrCreateManufacturingCa(o.stateDir),
          authString: async () =>
            (o.authString as string | undefined) ?? prompt(io, `${name}: enter the authentication string: `),
        },
      );
      if (o.json) {
        const { state, ...rest } = r;
        out(io, JSON.stringify({ ...rest, lscState: state.lscState, lscPem: state.lsc?.certPem ?? null }, null, 2));
      } else {
        out(io, `${renderScreens(r.state, screens, 15)}\n\nResult: ${BOOT_OUTCOMES[r.outcome]} (${r.detail})`);
      }
      setExit(
        r.outcome === 'installed' ||
          r.outcome === 'no-operation' ||
          r.outcome === 'deleted' ||
          r.outcome === 'fetched' ||
          r.outcome === 'capf-skipped'
          ? 0
          : 1,
      );
    });

  transportOptions(emulate.command('fleet'))
    .description(
      'boot N phones (models mixed) with bounded concurrency; --register adds them and schedules Install/Upgrade first',
    )
    .option('--count <n>', 'phones', '100')
    .option('--concurrency <n>', 'phones booting at once', '25')
    .option(
      '--register',
      "add the phones to this node's database and schedule Install/Upgrade (needs --data-dir of the node)",
    )
    .option(
      '--auth-string-share <percent>',
      'with --register: phones scheduled By Authentication String (the rest By Null String)',
      '50',
    )
    .option('--key-pool <n>', 'pre-generated keys per key type (0: a fresh key per phone)', '16')
    .option(
      '--retries <n>',
      'tries after the first for a phone whose CAPF or TFTP/HTTP connection failed (refused, reset, closed ' +
        'without END_SESSION); default: Cisco CAPF clients (3, 30 s apart; docs/emulator.md)',
      String(CISCO_CAPF_RETRY.retries),
    )
    .option('--retry-interval <duration>', "wait between a phone's tries (500ms, 30s, 2m)", '30s')
    .option(
      '--keygen <duration[..duration]>',
      'key generation time per phone, fixed or uniform in a range (e.g. 20s..60s): the phone holds its CAPF ' +
        'session meanwhile, after REQUEST_IN_PROGRESS, as desk phones do',
    )
    .option('--arrival <duration>', 'phones arrive at random moments within this window (a site rebooting)')
    .option(
      '--source-per-phone',
      'each phone connects to CAPF from its own loopback address (127.1.0.1 upward), as phones on a site have ' +
        'their own: per-address limits then see phones, not one client (loopback servers only)',
    )
    .option('--json', 'JSON summary')
    .action(async (_o, cmd: Command) => {
      const o = g(cmd) as ReturnType<typeof g> & EmulateOpts;
      const count = intOpt(String(o.count));
      const keygen = o.keygen ? durationOpt('--keygen', String(o.keygen), parseDurationRange) : null;
      const arrivalMs = o.arrival ? durationOpt('--arrival', String(o.arrival), parseDuration) : 0;
      const retryIntervalMs = durationOpt('--retry-interval', String(o.retryInterval), parseDuration);
      const share = intOpt(String(o.authStringShare));
      const names = fleetDeviceNames(count);
      const phones: FleetPhone[] = names.map((deviceName, i) => ({
        deviceName,
        model: FLEET_MODELS[i % FLEET_MODELS.length]!,
        authString: (i * 100) / count < share ? generateAuthString(8) : null,
      }));
      if (o.register) {
        await withServices(io, o, ['phones'], async (ctx) => {
          await ctx.phones.addPhones(
            phones.map((p) => ({ deviceName: p.deviceName, model: `Cisco ${p.model}`, description: 'emulated fleet' })),
            actor(io),
          );
          for (const p of phones) {
            await ctx.phones.schedule(
              [p.deviceName],
              {
                operation: 'install',
                authMode: p.authString ? 'auth-string' : 'null-string',
                ...(p.authString ? { authString: p.authString } : {}),
              },
              actor(io),
            );
          }
        });
      }
      const poolSize = intOpt(String(o.keyPool));
      const pool = poolSize > 0 ? createKeyPool(poolSize) : null;
      const mfg = await loadOrCreateManufacturingCa(o.stateDir);
      const stateStore = createMemoryStateStore();
      const base = baseDeps(o);
      const live = liveLine(io);
      const summary = await runFleet({
        phones,
        concurrency: intOpt(String(o.concurrency)),
        retries: intOpt(String(o.retries)),
        retryIntervalMs,
        arrivalMs,
        deps: (p, i) => ({
          ...base,
          ...(keygen ? { keygenMs: () => sampleDuration(keygen) } : {}),
          ...(o.sourcePerPhone ? { capfLocalAddress: loopbackSourceAddress(i) } : {}),
          stateStore,
          manufacturingCa: mfg,
          authString: async () => p.authString,
          ...(pool
            ? {
                micKey: () => pool.take({ type: 'rsa', bits: 2048 }),
                generateKey: (req) =>
                  pool.take(req.type === 'rsa' ? { type: 'rsa', bits: req.bits } : { type: 'ec', curve: req.curve }),
              }
            : {}),
        }),
        onProgress: (p) => live.update(renderFleetProgress(p)),
      });
      live.done();
      if (o.json) {
        const { results, ...rest } = summary;
        out(
          io,
          JSON.stringify(
            {
              ...rest,
              phones: results.map((r) => ({
                deviceName: r.deviceName,
                outcome: r.outcome,
                detail: r.detail,
                timingsMs: r.timingsMs,
              })),
            },
            null,
            2,
          ),
        );
      } else out(io, renderFleetSummary(summary));
      setExit(summary.byOutcome.installed === summary.total || !o.register ? 0 : 1);
    });

  emulate
    .command('ca')
    .description(
      "print the path and PEM of the emulator's test manufacturing CA " +
        '(opencapf capf manufacturing import it, or point capf.manufacturingCaFile at it, to trust emulated MICs)',
    )
    .option('--state-dir <dir>', 'emulator state directory', './emulator-state')
    .action(async (_o, cmd: Command) => {
      const o = g(cmd) as ReturnType<typeof g> & { stateDir: string };
      const ca = await loadOrCreateManufacturingCa(o.stateDir);
      out(io, `# ${manufacturingCaPath(o.stateDir)}\n${ca.certPem}`);
    });

  emulate
    .command('erase-trust-list')
    .description(
      'Settings > Security > Trust List > Erase (or a factory reset): the phone drops its CTL and ITL and will ' +
        'accept the next ITL on first use — the walk to every phone that migration steps avoid',
    )
    .argument('<device>', 'SEP<MAC>')
    .option('--state-dir <dir>', 'emulator state directory', './emulator-state')
    .action(async (device: string, _o, cmd: Command) => {
      const o = g(cmd) as ReturnType<typeof g> & { stateDir: string };
      const name = normaliseDeviceName(device);
      const store = createFileStateStore(o.stateDir);
      const state = name ? store.load(name) : null;
      if (!state) throw new AppError('ERR_PHONE_NOT_FOUND', `no emulated phone ${device} under ${o.stateDir}`);
      const had = [state.trust.ctl ? 'CTL' : null, state.trust.itl ? 'ITL' : null].filter(Boolean);
      state.trust = { version: 1 };
      store.save(state);
      out(io, had.length ? `${name}: ${had.join(' and ')} erased.` : `${name}: no trust list to erase.`);
    });

  emulate
    .command('jabber')
    .description(
      'a Cisco Jabber softphone (CSF/BOT/TCT/TAB device name) enrolling over CAPF only: VERSION 2, no ' +
        'REQUEST_IN_PROGRESS, no PASSWORD unless --auth-string (capf-protocol.md §8)',
    )
    .argument('<device>', 'CSF…, BOT…, TCT… or TAB… device name')
    .requiredOption('--capf <host:port>', 'the CAPF server (softphones are told it by CUCM, not by a config file)')
    .option('--auth-string <digits>', 'the authentication string the user types (By Authentication String)')
    .option('--save <dir>', 'write the LSC (<device>.lsc.pem) and its key (<device>.key.pem, mode 0600) here')
    .option('--json', 'JSON output (without the private key)')
    .action(async (device: string, _o, cmd: Command) => {
      const o = g(cmd) as ReturnType<typeof g> & { capf: string; authString?: string; save?: string };
      const m = /^(.+):(\d{1,5})$/.exec(o.capf);
      if (!m || Number(m[2]) > 65535) throw new AppError('ERR_BAD_REQUEST', `--capf wants host:port (got "${o.capf}")`);
      const r = await runJabber({
        host: m[1]!,
        port: Number(m[2]),
        deviceName: device,
        ...(o.authString ? { authString: o.authString } : {}),
      });
      if (r.lsc && o.save) {
        mkdirSync(o.save, { recursive: true });
        writeFileSync(join(o.save, `${r.deviceName}.lsc.pem`), r.lsc.certPem);
        writeFileSync(join(o.save, `${r.deviceName}.key.pem`), r.lsc.keyPem, { mode: 0o600 });
      }
      const shown = { ...r, lsc: r.lsc ? { serialHex: r.lsc.serialHex, notAfter: r.lsc.notAfter } : null };
      if (o.json) out(io, JSON.stringify(shown, null, 2));
      else
        out(
          io,
          `${r.deviceName}: ${r.outcome}${r.endReason ? ` (END_SESSION ${r.endReason})` : ''}` +
            (r.lsc ? `; LSC serial ${r.lsc.serialHex}, valid to ${r.lsc.notAfter}` : ''),
        );
      if (r.outcome !== 'installed' && r.outcome !== 'no-operation') setExit(1);
    });

  // No transport options: showing the screens boots nothing (it used to demand --tftp).
  emulate
    .command('show')
    .description(
      "show a phone's screens from its saved state, without booting it: Security Configuration, " +
        'Trust List (CTL/ITL entries by role and subject, blank where an empty rollback ITL has none), Status Messages',
    )
    .argument('<device>', 'SEP<MAC>')
    .option('--state-dir <dir>', 'where phones keep their state', './emulator-state')
    .option('--screens <list>', SCREENS_HELP, 'security,trust-list,status')
    .option('--json', 'JSON output')
    .action(async (device: string, _o, cmd: Command) => {
      const o = g(cmd) as ReturnType<typeof g> & { stateDir: string; screens: string; json?: boolean };
      const name = normaliseDeviceName(device);
      const state = name ? createFileStateStore(o.stateDir).load(name) : null;
      if (!state) throw new AppError('ERR_PHONE_NOT_FOUND', `no emulated phone ${device} under ${o.stateDir}`);
      const screens = parseScreens(o.screens);
      if (o.json) {
        const j: Record<string, unknown> = {};
        if (screens.includes('security')) j.securityConfiguration = securityConfiguration(state);
        if (screens.includes('trust-list')) j.trustList = trustListScreen(state);
        if (screens.includes('status')) j.statusMessages = state.messages;
        out(io, JSON.stringify(j, null, 2));
      } else out(io, renderScreens(state, screens, 50));
    });
}
