// Owns `opencapf monitor …`: the certificate monitor — its rules and notification channels (each change audited,
// secrets read from a file or given once and only ever shown as "set"), a run now, test messages and the delivery log.

import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { AppError } from '../../shared/errors.ts';
import { CERT_CLASS_NAMES, type ChannelView, type RunResult } from '../../monitor/index.ts';
import type { EmailSettings, MonitorRule, SmtpSecurity } from '../../monitor/ports.ts';
import { withServices, actor, intOpt, opts as g, type CliEnv } from '../common.ts';
import { out } from '../io.ts';
import { table } from '../format.ts';

const list = (v: string, prev: string[] = []) => [
  ...prev,
  ...v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
];

/** A secret from --password/--secret or, better (no shell history, no process list), from a file's first line. */
function secretFrom(o: Record<string, unknown>, direct: string, file: string): string | undefined {
  if (o[direct] !== undefined && o[file] !== undefined)
    throw new AppError('ERR_BAD_REQUEST', `give --${direct} or --${file}, not both`);
  if (o[file] !== undefined) return readFileSync(String(o[file]), 'utf8').split(/\r?\n/)[0]!;
  return o[direct] === undefined ? undefined : String(o[direct]);
}

function ruleOptions(c: Command): Command {
  return c
    .option('--classes <list>', `certificate classes, comma-separated, or "all" (${CERT_CLASS_NAMES.join(', ')})`, list)
    .option('--days <n>', 'list certificates from this many days before they expire', intOpt)
    .option('--hourly-last-day', 'send hourly while a cluster certificate has less than a day left (the default)')
    .option('--no-hourly-last-day', 'stay daily on the last day')
    .option('--channels <list>', 'channel names, comma-separated; "all": every enabled channel', list)
    .option('--description <text>', 'one line shown with the rule')
    .option('--enabled', 'the rule runs')
    .option('--disabled', 'the rule is kept but does not run');
}

function channelOptions(c: Command): Command {
  return c
    .option('--host <host>', 'e-mail: SMTP server')
    .option('--port <n>', 'e-mail: SMTP port (default 587, or 465 with --security tls)', intOpt)
    .option('--security <mode>', 'e-mail: starttls (required, the default), tls (from the first byte) or none')
    .option('--user <name>', 'e-mail: SMTP AUTH user')
    .option('--password <password>', 'e-mail: SMTP AUTH password (prefer --password-file)')
    .option('--password-file <file>', 'e-mail: read the SMTP AUTH password from the first line of this file')
    .option('--from <address>', 'e-mail: sender address')
    .option('--to <addresses>', 'e-mail: recipients, comma-separated (repeatable)', list)
    .option('--url <url>', 'webhook: http:// or https:// URL the digest is POSTed to')
    .option('--secret <secret>', 'webhook: HMAC-SHA256 key, 16+ characters (prefer --secret-file; default: generated)')
    .option('--secret-file <file>', 'webhook: read the HMAC key from the first line of this file')
    .option('--ca-file <file>', "PEM CA bundle the server's certificate must chain to (default: system trust)")
    .option('--enabled', 'the channel is used')
    .option('--disabled', 'the channel is kept but not used');
}

function enabledOf(o: Record<string, unknown>): boolean | undefined {
  if (o.enabled && o.disabled) throw new AppError('ERR_BAD_REQUEST', 'give --enabled or --disabled, not both');
  return o.enabled ? true : o.disabled ? false : undefined;
}

function ruleInput(o: Record<string, unknown>, fromCli: (k: string) => boolean) {
  const channels = o.channels as string[] | undefined;
  return {
    ...(o.classes !== undefined ? { classes: o.classes as string[] } : {}),
    ...(o.days !== undefined ? { startDaysBefore: o.days as number } : {}),
    ...(fromCli('hourlyLastDay') ? { hourlyLastDay: o.hourlyLastDay as boolean } : {}),
    ...(channels !== undefined ? { channels: channels.includes('all') ? [] : channels } : {}),
    ...(o.description !== undefined ? { description: String(o.description) } : {}),
    ...(enabledOf(o) !== undefined ? { enabled: enabledOf(o)! } : {}),
  };
}

function channelParts(o: Record<string, unknown>) {
  const email: Partial<EmailSettings> = {
    ...(o.host !== undefined ? { host: String(o.host) } : {}),
    ...(o.port !== undefined ? { port: o.port as number } : {}),
    ...(o.security !== undefined ? { security: String(o.security) as SmtpSecurity } : {}),
    ...(o.user !== undefined ? { username: String(o.user) } : {}),
    ...(o.from !== undefined ? { from: String(o.from) } : {}),
    ...(o.to !== undefined ? { to: o.to as string[] } : {}),
  };
  const ca = o.caFile !== undefined ? { caPem: readFileSync(String(o.caFile), 'utf8') } : {};
  return {
    email: { ...email, ...ca },
    webhook: { ...(o.url !== undefined ? { url: String(o.url) } : {}), ...ca },
  };
}

const ruleRow = (r: MonitorRule) => [
  r.name,
  r.enabled ? 'yes' : 'no',
  r.classes.length ? r.classes.join(',') : 'all',
  r.startDaysBefore,
  r.hourlyLastDay ? 'yes' : 'no',
  r.channels.length ? r.channels.join(',') : 'all',
  r.description,
];

function channelTarget(c: ChannelView): string {
  if (c.kind === 'webhook') return (c.settings as { url: string }).url;
  const s = c.settings as EmailSettings;
  return `${s.host}:${s.port} (${s.security}${s.username ? `, AUTH ${s.username}` : ''}) → ${s.to.join(', ')}`;
}

function printRun(io: CliEnv['io'], r: RunResult): void {
  for (const rule of r.rules) {
    if (!rule.slot) {
      out(io, `rule ${rule.rule}: nothing due`);
      continue;
    }
    out(io, `rule ${rule.rule}: ${rule.due} certificate(s) due, slot ${rule.slot} (${rule.mode})`);
    if (r.dryRun && rule.digest) out(io, `\nSubject: ${rule.digest.subject}\n\n${rule.digest.text}`);
    if (!r.dryRun && rule.channels.length === 0)
      out(io, '  no enabled channel: nothing sent (opencapf monitor channel add)');
    for (const c of rule.channels)
      out(io, `  ${c.channel}: ${c.status}${c.attempts ? ` after ${c.attempts} attempt(s)` : ''} — ${c.detail}`);
  }
}

export function registerMonitorCommands(program: Command, { io, setExit }: CliEnv): void {
  const monitor = program
    .command('monitor')
    .description(
      'certificate monitor: digests of expiring certificates (CAPF CA, identities, chains, CRLs, manufacturing CAs, ' +
        'phone LSCs and MICs) over e-mail and webhooks; `serve` runs it every monitor.checkIntervalMinutes',
    );

  monitor
    .command('run-now')
    .description('run the monitor now: send what is due and not yet sent today (this hour, on a last day)')
    .option('--dry-run', 'show the digests that are due without sending or recording anything')
    .option('--json', 'JSON output')
    .action(async (_o, cmd: Command) => {
      const o = g(cmd);
      await withServices(io, o, ['monitor'], async (ctx) => {
        const r = await ctx.monitor.runOnce({ dryRun: o.dryRun === true, actor: actor(io) });
        if (o.json) out(io, JSON.stringify(r, null, 2));
        else printRun(io, r);
        if (r.rules.some((x) => x.channels.some((c) => c.status === 'failed'))) setExit(1);
      });
    });

  monitor
    .command('deliveries')
    .description('the delivery log: every attempt, newest first')
    .option('--channel <name>', 'only this channel')
    .option('--rule <name>', 'only this rule')
    .option('--limit <n>', 'at most this many (default 50)', intOpt)
    .option('--json', 'JSON output')
    .action(async (_o, cmd: Command) => {
      const o = g(cmd);
      await withServices(io, o, ['monitor'], async (ctx) => {
        const rows = await ctx.monitor.deliveries({
          limit: (o.limit as number | undefined) ?? 50,
          ...(o.channel ? { channel: String(o.channel) } : {}),
          ...(o.rule ? { rule: String(o.rule) } : {}),
        });
        if (o.json) return out(io, JSON.stringify(rows, null, 2));
        if (!rows.length) return out(io, 'Nothing was sent yet.');
        out(
          io,
          table(
            ['At', 'Rule', 'Slot', 'Channel', 'Attempt', 'Status', 'Detail'],
            rows.map((d) => [d.at, d.rule || '(test)', d.slot, d.channel, d.attempt, d.status, d.detail]),
          ),
        );
      });
    });

  const rule = monitor.command('rule').description('monitor rules: which certificates, from when, to which channels');
  rule
    .command('list')
    .description('every rule')
    .option('--json', 'JSON output')
    .action(async (_o, cmd: Command) => {
      const o = g(cmd);
      await withServices(io, o, ['monitor'], async (ctx) => {
        const rules = await ctx.monitor.listRules();
        if (o.json) return out(io, JSON.stringify(rules, null, 2));
        out(
          io,
          table(
            ['Name', 'Enabled', 'Classes', 'Days', 'Hourly last day', 'Channels', 'Description'],
            rules.map(ruleRow),
          ),
        );
      });
    });
  ruleOptions(
    rule.command('add').description('add a rule (defaults: every class, 30 days, hourly last day, all channels)'),
  )
    .argument('<name>', 'rule name')
    .action(async (name: string, _o, cmd: Command) => {
      const o = g(cmd);
      await withServices(io, o, ['monitor'], async (ctx) => {
        const r = await ctx.monitor.addRule(
          { name, ...ruleInput(o, (k) => cmd.getOptionValueSource(k) === 'cli') },
          actor(io),
        );
        out(
          io,
          table(['Name', 'Enabled', 'Classes', 'Days', 'Hourly last day', 'Channels', 'Description'], [ruleRow(r)]),
        );
      });
    });
  ruleOptions(rule.command('set').description('change a rule (only the options given)'))
    .argument('<name>', 'rule name')
    .action(async (name: string, _o, cmd: Command) => {
      const o = g(cmd);
      await withServices(io, o, ['monitor'], async (ctx) => {
        const r = await ctx.monitor.setRule(
          name,
          ruleInput(o, (k) => cmd.getOptionValueSource(k) === 'cli'),
          actor(io),
        );
        out(
          io,
          table(['Name', 'Enabled', 'Classes', 'Days', 'Hourly last day', 'Channels', 'Description'], [ruleRow(r)]),
        );
      });
    });
  rule
    .command('remove')
    .description('remove a rule')
    .argument('<name>', 'rule name')
    .action(async (name: string, _o, cmd: Command) => {
      await withServices(io, g(cmd), ['monitor'], async (ctx) => {
        await ctx.monitor.removeRule(name, actor(io));
        out(io, `Rule ${name} removed.`);
      });
    });

  const channel = monitor.command('channel').description('notification channels: e-mail (SMTP) and webhooks');
  channel
    .command('list')
    .description('every channel (secrets shown only as "set")')
    .option('--json', 'JSON output')
    .action(async (_o, cmd: Command) => {
      const o = g(cmd);
      await withServices(io, o, ['monitor'], async (ctx) => {
        const all = await ctx.monitor.listChannels();
        if (o.json) return out(io, JSON.stringify(all, null, 2));
        out(
          io,
          table(
            ['Name', 'Kind', 'Enabled', 'Target', 'Secret'],
            all.map((c) => [c.name, c.kind, c.enabled ? 'yes' : 'no', channelTarget(c), c.secret ?? 'none']),
          ),
        );
      });
    });
  channelOptions(channel.command('add').description('add an e-mail or webhook channel'))
    .argument('<name>', 'channel name')
    .requiredOption('--kind <kind>', 'email or webhook')
    .action(async (name: string, _o, cmd: Command) => {
      const o = g(cmd);
      const kind = String(o.kind);
      const secret =
        kind === 'email' ? secretFrom(o, 'password', 'passwordFile') : secretFrom(o, 'secret', 'secretFile');
      const enabled = enabledOf(o);
      await withServices(io, o, ['monitor'], async (ctx) => {
        const r = await ctx.monitor.addChannel(
          {
            name,
            kind,
            ...channelParts(o),
            ...(secret !== undefined ? { secret } : {}),
            ...(enabled !== undefined ? { enabled } : {}),
          },
          actor(io),
        );
        out(io, `Channel ${name} (${r.channel.kind}) added: ${channelTarget(r.channel)}`);
        if (r.generatedSecret)
          out(io, `HMAC secret (shown once; the receiver checks X-OpenCAPF-Signature with it): ${r.generatedSecret}`);
        out(io, 'Send a test message: opencapf monitor channel test ' + name);
      });
    });
  channelOptions(channel.command('set').description('change a channel (only the options given)'))
    .argument('<name>', 'channel name')
    .option('--clear-password', 'e-mail: remove the SMTP password')
    .action(async (name: string, _o, cmd: Command) => {
      const o = g(cmd);
      const secret = o.clearPassword
        ? null
        : (secretFrom(o, 'password', 'passwordFile') ?? secretFrom(o, 'secret', 'secretFile'));
      const parts = channelParts(o);
      const enabled = enabledOf(o);
      await withServices(io, o, ['monitor'], async (ctx) => {
        const c = await ctx.monitor.setChannel(
          name,
          {
            ...(Object.keys(parts.email).length ? { email: parts.email } : {}),
            ...(Object.keys(parts.webhook).length ? { webhook: parts.webhook } : {}),
            ...(secret !== undefined ? { secret } : {}),
            ...(enabled !== undefined ? { enabled } : {}),
          },
          actor(io),
        );
        out(io, `Channel ${name} changed: ${channelTarget(c)} (secret ${c.secret ?? 'none'})`);
      });
    });
  channel
    .command('remove')
    .description('remove a channel (refused while a rule names it)')
    .argument('<name>', 'channel name')
    .action(async (name: string, _o, cmd: Command) => {
      await withServices(io, g(cmd), ['monitor'], async (ctx) => {
        await ctx.monitor.removeChannel(name, actor(io));
        out(io, `Channel ${name} removed.`);
      });
    });
  channel
    .command('test')
    .description('send a test message over the channel now (one attempt, logged)')
    .argument('<name>', 'channel name')
    .action(async (name: string, _o, cmd: Command) => {
      await withServices(io, g(cmd), ['monitor'], async (ctx) => {
        const r = await ctx.monitor.testChannel(name, actor(io));
        out(io, `${name}: ${r.status} — ${r.detail}`);
        if (r.status !== 'sent') setExit(1);
      });
    });
}
