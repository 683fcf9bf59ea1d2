// Owns what the administration command groups share: phone filter options, the progress bar, JSON/table output.

import { Option, type Command } from 'commander';
import {
  AUTH_MODES,
  KEY_ORDERS,
  PHONE_SORT_NAMES,
  phoneFilterFields,
  phoneFilterFrom,
  type AuthMode,
  type CertOperation,
  type FilterFieldSpec,
  type KeyOrder,
  type PhoneQuery,
  type ScheduleRequest,
} from '../phones/index.ts';
import { AppError } from '../shared/errors.ts';
import { intOpt } from './common.ts';
import { err, type CliIo } from './io.ts';

type FieldRows = readonly [string, FilterFieldSpec][];

/** The commander option of one phone query field (enums offer their codes as choices). */
export function filterOption(f: FilterFieldSpec): Option {
  const o = new Option(f.cli, f.help);
  return f.type === 'enum' ? o.choices(Object.keys(f.values ?? {})) : o;
}

/** Adds the Bulk Administration query options (also used by find and report): one per field of the table. */
export function withFilterOptions(cmd: Command, fields: FieldRows = phoneFilterFields()): Command {
  for (const [, f] of fields) cmd.addOption(filterOption(f));
  return cmd;
}

/** The phone query of parsed options (the option of each field is named after its flag). */
export function filterFrom(o: Record<string, unknown>, fields: FieldRows = phoneFilterFields()): PhoneQuery {
  return phoneFilterFrom(o, (_name, f) => new Option(f.cli).attributeName(), fields);
}

/** Adds the sort and paging options of a phone list. */
export function withSortOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--sort <field>', 'sort column').choices(PHONE_SORT_NAMES).default('deviceName'))
    .option('--desc', 'descending order');
}

/** Adds the CAPF update options (Certificate Operation section of Bulk Administration). */
export function withUpdateOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--auth-mode <mode>', 'authentication mode').choices(Object.keys(AUTH_MODES)))
    .option(
      '--auth-string <digits>',
      'a common authentication string (4-10 digits), or "generate" for a unique one per device',
    )
    .addOption(new Option('--key-order <order>', 'key order').choices(Object.keys(KEY_ORDERS)))
    .option('--rsa-key-size <bits>', 'RSA key size: 512, 1024, 2048, 3072, 4096')
    .option('--ec-key-size <bits>', 'EC key size: 256, 384, 521')
    .option('--completes-by <iso-time>', 'Operation Completes By (default: 24 hours from now)')
    .option(
      '--use-profile-mode',
      "when the mode contradicts a phone's security profile, use the profile's mode instead of refusing",
    );
}

const OPERATION_ALIASES: Record<string, CertOperation> = {
  install: 'install',
  upgrade: 'install',
  delete: 'delete',
  troubleshoot: 'troubleshoot',
  fetch: 'troubleshoot',
  none: 'none',
};

export function updateFrom(operation: string, o: Record<string, unknown>): ScheduleRequest {
  const op = OPERATION_ALIASES[operation.toLowerCase()];
  if (!op)
    throw new AppError(
      'ERR_BAD_REQUEST',
      `unknown operation "${operation}" (use install, delete, troubleshoot or none)`,
    );
  return {
    operation: op,
    ...(o.authMode ? { authMode: o.authMode as AuthMode } : {}),
    ...(o.authString !== undefined ? { authString: o.authString as string } : {}),
    ...(o.keyOrder ? { keyOrder: o.keyOrder as KeyOrder } : {}),
    ...(o.rsaKeySize ? { rsaKeySize: intOpt(String(o.rsaKeySize)) } : {}),
    ...(o.ecKeySize ? { ecKeySize: intOpt(String(o.ecKeySize)) } : {}),
    ...(o.completesBy ? { completesBy: o.completesBy as string } : {}),
    onProfileMismatch: o.useProfileMode ? 'use-profile' : 'refuse',
  };
}

/** A progress bar on stderr: redrawn in place on a terminal, one line per 10% otherwise. */
export function progressBar(
  io: CliIo,
  label: string,
): { update(done: number, total: number, extra?: string): void; done(): void } {
  const tty = (io.stderr as { isTTY?: boolean }).isTTY === true;
  let lastDecile = -1;
  let drawn = false;
  return {
    update(done, total, extra = '') {
      const frac = total > 0 ? Math.min(1, done / total) : 1;
      if (tty) {
        const w = 30;
        const filled = Math.round(frac * w);
        io.stderr.write(
          `\r${label} [${'#'.repeat(filled)}${' '.repeat(w - filled)}] ` +
            `${Math.floor(frac * 100)}% ${done}/${total}${extra ? ` ${extra}` : ''}`,
        );
        drawn = true;
      } else {
        const decile = Math.floor(frac * 10);
        if (decile !== lastDecile) {
          lastDecile = decile;
          err(io, `${label}: ${done}/${total} (${decile * 10}%)${extra ? ` ${extra}` : ''}`);
        }
      }
    },
    done() {
      if (tty && drawn) io.stderr.write('\n');
    },
  };
}
