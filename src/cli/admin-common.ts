// Owns what the administration command groups share: phone filter options, the progress bar, JSON/table output.

import { Option, type Command } from 'commander';
import type { PhoneQuery } from '../phones/index.ts';
import {
  AUTH_MODES, CERT_OPERATIONS, FAILURE_REASONS, KEY_ORDERS, STATUS_OUTCOMES, statusFilter,
  type ScheduleRequest, type AuthMode, type CertOperation, type FailureReason, type KeyOrder, type StatusOutcome,
} from '../phones/index.ts';
import { AppError } from '../shared/errors.ts';
import { intOpt } from './common.ts';
import { err, type CliIo } from './io.ts';

/** Adds the Bulk Administration query options (also used by find and report). */
export function withFilterOptions(cmd: Command): Command {
  return cmd
    .option('--name <pattern>', 'device name contains, or a prefix ending with *')
    .option('--model <text>', 'device type / model contains')
    .option('--description <text>', 'description contains')
    .addOption(new Option('--lsc <status>', 'LSC status').choices(['none', 'installed']))
    .option('--lsc-expires-before <iso-time>', 'LSC expires before')
    .option('--lsc-expires-after <iso-time>', 'LSC expires after')
    .option('--lsc-issuer <text>', 'LSC issuer contains')
    .option('--auth-string-is <digits>', 'authentication string equals')
    .addOption(new Option('--status-outcome <code>', 'Certificate Operation Status outcome').choices(Object.keys(STATUS_OUTCOMES)))
    .addOption(new Option('--status-operation <op>', 'operation the status is about (install = "Upgrade")').choices(Object.keys(CERT_OPERATIONS)))
    .addOption(new Option('--status-reason <code>', 'failure reason of the status').choices(Object.keys(FAILURE_REASONS)))
    .option('--status <text>', 'Certificate Operation Status equals (CUCM\'s sentence, mapped to codes)')
    .option('--status-prefix <text>', 'Certificate Operation Status starts with (e.g. "Upgrade Failed"; mapped to codes)')
    .addOption(new Option('--operation-is <op>', 'pending certificate operation').choices(Object.keys(CERT_OPERATIONS)))
    .option('--profile <name>', 'phone security profile');
}

export function filterFrom(o: Record<string, unknown>): PhoneQuery {
  const s = (k: string) => (typeof o[k] === 'string' ? (o[k] as string) : undefined);
  const q: PhoneQuery = {};
  const set = <K extends keyof PhoneQuery>(k: K, v: PhoneQuery[K] | undefined) => {
    if (v !== undefined) q[k] = v;
  };
  set('namePattern', s('name'));
  set('modelContains', s('model'));
  set('descriptionContains', s('description'));
  set('lscStatus', s('lsc') as PhoneQuery['lscStatus']);
  set('lscExpiresBefore', s('lscExpiresBefore'));
  set('lscExpiresAfter', s('lscExpiresAfter'));
  set('lscIssuerContains', s('lscIssuer'));
  set('authString', s('authStringIs'));
  set('status', statusFilter({
    text: s('status'), textPrefix: s('statusPrefix'),
    outcome: s('statusOutcome') as StatusOutcome | undefined, operation: s('statusOperation') as CertOperation | undefined,
    reason: s('statusReason') as FailureReason | undefined,
  }));
  set('operation', s('operationIs'));
  set('profileName', s('profile'));
  return q;
}

/** Adds the CAPF update options (Certificate Operation section of Bulk Administration). */
export function withUpdateOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--auth-mode <mode>', 'authentication mode').choices(Object.keys(AUTH_MODES)))
    .option('--auth-string <digits>', 'a common authentication string (4-10 digits), or "generate" for a unique one per device')
    .addOption(new Option('--key-order <order>', 'key order').choices(Object.keys(KEY_ORDERS)))
    .option('--rsa-key-size <bits>', 'RSA key size: 512, 1024, 2048, 3072, 4096')
    .option('--ec-key-size <bits>', 'EC key size: 256, 384, 521')
    .option('--completes-by <iso-time>', 'Operation Completes By (default: 24 hours from now)')
    .option('--use-profile-mode', 'when the mode contradicts a phone\'s security profile, use the profile\'s mode instead of refusing');
}

const OPERATION_ALIASES: Record<string, CertOperation> = { install: 'install', upgrade: 'install', delete: 'delete', troubleshoot: 'troubleshoot', fetch: 'troubleshoot', none: 'none' };

export function updateFrom(operation: string, o: Record<string, unknown>): ScheduleRequest {
  const op = OPERATION_ALIASES[operation.toLowerCase()];
  if (!op) throw new AppError('ERR_BAD_REQUEST', `unknown operation "${operation}" (use install, delete, troubleshoot or none)`);
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
export function progressBar(io: CliIo, label: string): { update(done: number, total: number, extra?: string): void; done(): void } {
  const tty = (io.stderr as { isTTY?: boolean }).isTTY === true;
  let lastDecile = -1;
  let drawn = false;
  return {
    update(done, total, extra = '') {
      const frac = total > 0 ? Math.min(1, done / total) : 1;
      if (tty) {
        const w = 30;
        const filled = Math.round(frac * w);
        io.stderr.write(`\r${label} [${'#'.repeat(filled)}${' '.repeat(w - filled)}] ${Math.floor(frac * 100)}% ${done}/${total}${extra ? ` ${extra}` : ''}`);
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
