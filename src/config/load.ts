// Owns reading configuration from file, environment and flags: validate once, reject unknown keys, freeze.

import { readFileSync, existsSync } from 'node:fs';
import { AppError } from '../shared/errors.ts';
import { tlsPolicies } from './views.ts';
import { CONFIG_SCHEMA, envNameOf, type Config, type ConfigKey, type OptionDef } from './schema.ts';

/** OPENCAPF_* variables that are not config keys: config file path, first admin's password, stack traces. */
export const NON_CONFIG_ENV = ['OPENCAPF_CONFIG', 'OPENCAPF_ADMIN_PASSWORD', 'OPENCAPF_DEBUG'] as const;

const KEYS = Object.keys(CONFIG_SCHEMA) as ConfigKey[];
const ENV_TO_KEY = new Map(KEYS.map((k) => [envNameOf(k), k]));

function flatten(obj: unknown, prefix: string, out: Record<string, unknown>, source: string): void {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    throw new AppError('ERR_CONFIG_INVALID', `${source}: expected an object at "${prefix || '(top)'}"`);
  }
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && !(key in CONFIG_SCHEMA))
      flatten(v, key, out, source);
    else out[key] = v;
  }
}

function coerce(key: ConfigKey, raw: unknown, source: string): string | number | boolean | null {
  const def: OptionDef = CONFIG_SCHEMA[key];
  const where = `${source}: ${key}`;
  if (raw === null || raw === '') {
    if (def.default === null) return null;
    throw new AppError('ERR_CONFIG_INVALID', `${where} must not be empty`);
  }
  switch (def.type) {
    case 'integer':
    case 'port': {
      const n =
        typeof raw === 'number' ? raw : typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : NaN;
      const min = def.type === 'port' ? 0 : (def.min ?? Number.MIN_SAFE_INTEGER);
      const max = def.type === 'port' ? 65535 : (def.max ?? Number.MAX_SAFE_INTEGER);
      if (!Number.isInteger(n) || n < min || n > max)
        throw new AppError(
          'ERR_CONFIG_INVALID',
          `${where} must be an integer from ${min} to ${max} (got ${JSON.stringify(raw)})`,
        );
      return n;
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return raw;
      if (raw === 'true' || raw === '1' || raw === 'yes') return true;
      if (raw === 'false' || raw === '0' || raw === 'no') return false;
      throw new AppError('ERR_CONFIG_INVALID', `${where} must be true or false (got ${JSON.stringify(raw)})`);
    }
    case 'enum': {
      if (typeof raw !== 'string' || !def.values?.includes(raw)) {
        throw new AppError(
          'ERR_CONFIG_INVALID',
          `${where} must be one of ${def.values?.join(', ')} (got ${JSON.stringify(raw)})`,
        );
      }
      return raw;
    }
    case 'url': {
      if (typeof raw !== 'string') throw new AppError('ERR_CONFIG_INVALID', `${where} must be a URL string`);
      try {
        new URL(raw);
      } catch {
        throw new AppError('ERR_CONFIG_INVALID', `${where} is not a valid URL`);
      }
      return raw;
    }
    default:
      if (typeof raw !== 'string')
        throw new AppError('ERR_CONFIG_INVALID', `${where} must be a string (got ${JSON.stringify(raw)})`);
      return raw;
  }
}

export interface LoadConfigInput {
  /** Path of a JSON config file; when absent, `<dataDir>/opencapf.json` is read if it exists. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** Values from command-line flags, keyed by config key. Undefined entries are ignored. */
  overrides?: Partial<Record<ConfigKey, unknown>>;
}

/** Precedence: flags > environment > file > defaults. Unknown keys in the file or OPENCAPF_* env are errors. */
export function loadConfig(input: LoadConfigInput = {}): Config {
  const env = input.env ?? process.env;
  const values: Record<string, unknown> = {};
  for (const k of KEYS) values[k] = CONFIG_SCHEMA[k].default;

  const fromFlags: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input.overrides ?? {})) if (v !== undefined) fromFlags[k] = v;
  const fromEnv: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(env)) {
    if (!name.startsWith('OPENCAPF_') || v === undefined) continue;
    if ((NON_CONFIG_ENV as readonly string[]).includes(name)) continue;
    const key = ENV_TO_KEY.get(name);
    if (!key)
      throw new AppError('ERR_CONFIG_UNKNOWN_KEY', `unknown environment variable ${name} (see docs/configuration.md)`);
    fromEnv[key] = v;
  }
  const dataDir = String(fromFlags.dataDir ?? fromEnv.dataDir ?? values.dataDir);
  const file =
    input.file ??
    env.OPENCAPF_CONFIG ??
    (existsSync(`${dataDir}/opencapf.json`) ? `${dataDir}/opencapf.json` : undefined);
  const fromFile: Record<string, unknown> = {};
  if (file) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new AppError('ERR_CONFIG_INVALID', `cannot read config file ${file}: ${(e as Error).message}`);
    }
    flatten(parsed, '', fromFile, file);
    for (const k of Object.keys(fromFile)) {
      if (!(k in CONFIG_SCHEMA))
        throw new AppError('ERR_CONFIG_UNKNOWN_KEY', `${file}: unknown key "${k}" (see docs/configuration.md)`);
    }
  }
  for (const [layer, src] of [
    [fromFile, file ?? 'file'],
    [fromEnv, 'environment'],
    [fromFlags, 'command line'],
  ] as const) {
    for (const [k, v] of Object.entries(layer)) {
      if (!(k in CONFIG_SCHEMA)) throw new AppError('ERR_CONFIG_UNKNOWN_KEY', `${src}: unknown key "${k}"`);
      values[k] = coerce(k as ConfigKey, v, src);
    }
  }
  if (values['store.driver'] === 'postgres' && !values['store.postgresUrl']) {
    throw new AppError('ERR_CONFIG_INVALID', 'store.driver is postgres but store.postgresUrl is not set');
  }
  if (typeof values['pki.country'] === 'string' && !/^[A-Z]{2}$/.test(values['pki.country'])) {
    throw new AppError('ERR_CONFIG_INVALID', 'pki.country must be two upper-case letters (ISO 3166)');
  }
  const config = Object.freeze(values) as Config;
  tlsPolicies(config); // a TLS policy OpenSSL cannot use stops here, naming the option
  return config;
}
