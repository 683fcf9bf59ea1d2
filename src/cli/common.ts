// Owns what every CLI command shares: global options, config loading, opening the services (each command
// gets the slice it names), output of per-item results.

import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { loadConfig, type Config, type ConfigKey } from '../config/index.ts';
import { AppError } from '../shared/errors.ts';
import { createLogger } from '../shared/logger.ts';
import { openContext, type AppServices } from '../app/context.ts';
import type { ItemResult, Phone } from '../phones/index.ts';
import { err, out, type CliIo } from './io.ts';

export interface CliEnv {
  io: CliIo;
  setExit(code: number): void;
}

/** Options of the command merged with the global ones (--data-dir, --config, --log-level). */
export function opts(cmd: Command): GlobalOpts & Record<string, unknown> {
  return cmd.optsWithGlobals() as GlobalOpts & Record<string, unknown>;
}

export interface GlobalOpts {
  dataDir?: string;
  config?: string;
  logLevel?: string;
  json?: boolean;
}

export function configFrom(io: CliIo, g: GlobalOpts, extra: Partial<Record<ConfigKey, unknown>> = {}): Config {
  return loadConfig({
    ...(g.config ? { file: g.config } : {}),
    env: io.env,
    overrides: { dataDir: g.dataDir, 'log.level': g.logLevel, ...extra },
  });
}

const CLI_STORE_WAIT_SECONDS = 10;

/**
 * Opens the services for one command, hands it only the slice it names (so what a command may touch is
 * written at the call), and closes them afterwards.
 */
export async function withServices<K extends keyof AppServices, T>(
  io: CliIo,
  g: GlobalOpts,
  keys: readonly K[],
  fn: (s: Pick<AppServices, K>) => Promise<T>,
): Promise<T> {
  const config = configFrom(io, g);
  // CLI commands log only warnings to stderr; the human output goes to stdout.
  const logger = createLogger(g.logLevel ?? 'warn', io.stderr as unknown as import('pino').DestinationStream);
  // A one-shot command does not wait for PostgreSQL as long as `serve` does (0 there means forever).
  const wait = config['store.startupWaitSeconds'];
  const services = await openContext(config, logger, undefined, {
    startupWaitSeconds: wait > 0 ? Math.min(wait, CLI_STORE_WAIT_SECONDS) : CLI_STORE_WAIT_SECONDS,
  });
  try {
    const slice = {} as Pick<AppServices, K>;
    for (const k of keys) slice[k] = services[k];
    return await fn(Object.freeze(slice));
  } finally {
    await services.close();
  }
}

/**
 * The OS account this process runs as: the name of its effective uid from the system's user database, or
 * `uid-<n>` when the uid has no entry (containers). Never $USER or $LOGNAME: any caller can set those.
 */
export function osAccount(): string {
  const uid = process.geteuid?.() ?? process.getuid?.();
  try {
    return userInfo().username;
  } catch (e) {
    // No passwd entry for the uid (ENOENT from getpwuid_r): the uid is the identity; anything else is a fault.
    const info = (e as { info?: { code?: string } }).info;
    if (uid !== undefined && info?.code === 'ENOENT') return `uid-${uid}`;
    throw new AppError(
      'ERR_INTERNAL',
      `cannot tell which OS account runs this process (uid ${uid ?? '?'})`,
      undefined,
      { cause: e },
    );
  }
}

/**
 * Who the CLI acts as in the audit log: `cli:<OS account>`. Under sudo the invoking user ($SUDO_USER) is
 * added to the source as a claim (an environment variable, so never the identity).
 */
export function actor(io: CliIo) {
  const sudoUser = io.env.SUDO_USER;
  const claim = sudoUser && /^[\w.@-]{1,64}$/.test(sudoUser) ? `; SUDO_USER=${sudoUser}` : '';
  return { name: `cli:${osAccount()}`, source: `cli${claim}` };
}

export function reportItems(
  io: CliIo,
  results: ItemResult<Phone>[],
  json: boolean | undefined,
  okText: (p: Phone) => string,
): number {
  const failed = results.filter((r) => !r.ok);
  if (json)
    out(
      io,
      JSON.stringify(
        results.map((r) => (r.ok ? { deviceName: r.deviceName, ok: true, phone: r.value } : r)),
        null,
        2,
      ),
    );
  else {
    for (const r of results) {
      if (r.ok) out(io, `${r.deviceName}: ${okText(r.value)}`);
      else err(io, `${r.deviceName}: ${r.code}: ${r.message}`);
    }
    out(io, `${results.length - failed.length} succeeded, ${failed.length} failed`);
  }
  return failed.length ? 1 : 0;
}

export function intOpt(v: string): number {
  if (!/^\d+$/.test(v)) throw new AppError('ERR_BAD_REQUEST', `"${v}" is not a whole number`);
  return Number(v);
}
