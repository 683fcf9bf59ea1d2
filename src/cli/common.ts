// Owns what every CLI command shares: global options, config loading, opening the app context, output of per-item results.

import type { Command } from 'commander';
import { loadConfig, type Config, type ConfigKey } from '../config/index.ts';
import { AppError } from '../shared/errors.ts';
import { createLogger } from '../app/logger.ts';
import { openContext, type AppContext } from '../app/context.ts';
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

export async function withContext<T>(io: CliIo, g: GlobalOpts, fn: (ctx: AppContext) => Promise<T>): Promise<T> {
  const config = configFrom(io, g);
  // CLI commands log only warnings to stderr; the human output goes to stdout.
  const logger = createLogger(g.logLevel ?? 'warn', io.stderr as unknown as import('pino').DestinationStream);
  // A one-shot command does not wait for PostgreSQL as long as `serve` does (0 there means forever).
  const wait = config['store.startupWaitSeconds'];
  const ctx = await openContext(config, logger, undefined, { startupWaitSeconds: wait > 0 ? Math.min(wait, CLI_STORE_WAIT_SECONDS) : CLI_STORE_WAIT_SECONDS });
  try {
    return await fn(ctx);
  } finally {
    await ctx.close();
  }
}

export function actor(io: CliIo) {
  return { name: `cli:${io.env.USER ?? 'unknown'}`, source: 'cli' };
}

export function reportItems(io: CliIo, results: ItemResult<Phone>[], json: boolean | undefined, okText: (p: Phone) => string): number {
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

export function intOpt(v: string): number {
  if (!/^\d+$/.test(v)) throw new AppError('ERR_BAD_REQUEST', `"${v}" is not a whole number`);
  return Number(v);
}
