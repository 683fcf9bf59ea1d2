// Owns the Kysely implementation of the phones domain's PhoneRecordStore port (the phones table) and the
// PhoneStore unit of work composed of it, profile-store.ts, certificate-store.ts and session-store.ts on one
// connection, with transactions and group commit (group-commit.ts; SQLite's fast path: sqlite-fast-path.ts).

import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import { AppError } from '../shared/errors.ts';
import { createQueryCache, type DirectRunner, type Executor, type QueryCache } from './query-cache.ts';
import { createGroupCommit, type Transact } from './group-commit.ts';
import { heldTransaction, readRunner, writeRunner, type SqliteFastPath } from './sqlite-fast-path.ts';
import { createProfileRows } from './profile-store.ts';
import { createCertificateRows } from './certificate-store.ts';
import { createSessionRows } from './session-store.ts';
import { runTransaction } from './transaction.ts';
import { applyPhoneFilter, PHONE_SORT_SQL } from './phone-filter-sql.ts';
import type { Database, PhonesTable } from './tables.ts';
import type { PhonePatch, PhoneStore } from '../phones/index.ts';
import type { AuthMode, CertOperation, EcKeySize, KeyOrder, Phone, RsaKeySize } from '../phones/index.ts';
import type { OperationStatusCode } from '../phones/index.ts';
import { isStatusCode, statusText } from '../phones/model.ts';

/** The status code of a row; a row no code describes is refused loudly rather than shown as something else. */
function statusOf(r: Selectable<PhonesTable>): OperationStatusCode {
  const s = { operation: r.status_operation, outcome: r.status_outcome, reason: r.status_reason };
  if (!isStatusCode(s)) {
    throw new AppError(
      'ERR_INTERNAL',
      `phone ${r.device_name} has an unknown Certificate Operation Status code ${JSON.stringify(s)}`,
    );
  }
  return s;
}

export function toPhone(r: Selectable<PhonesTable>): Phone {
  const operationStatus = statusOf(r);
  return {
    deviceName: r.device_name,
    model: r.model,
    description: r.description,
    profileName: r.profile_name,
    capf: {
      operation: r.cert_operation as CertOperation,
      authMode: r.auth_mode as AuthMode,
      authString: r.auth_string,
      keyOrder: r.key_order as KeyOrder,
      rsaKeySize: Number(r.rsa_key_size) as RsaKeySize,
      ecKeySize: r.ec_key_size === null ? null : (Number(r.ec_key_size) as EcKeySize),
      completesBy: r.completes_by,
    },
    operationStatus,
    status: statusText(operationStatus),
    authFailures: Number(r.auth_failures),
    lsc: r.lsc_serial
      ? {
          serialHex: r.lsc_serial,
          issuerDn: r.lsc_issuer ?? '',
          notBefore: r.lsc_not_before ?? '',
          notAfter: r.lsc_not_after ?? '',
        }
      : null,
    mic: r.mic_serial
      ? {
          serialHex: r.mic_serial,
          subjectDn: r.mic_subject ?? '',
          issuerDn: r.mic_issuer ?? '',
          notAfter: r.mic_not_after,
          sha1: r.mic_sha1,
          seenAt: r.mic_seen_at ?? '',
        }
      : null,
    lastSessionAt: r.last_session_at,
    configVersion: Number(r.config_version),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function fromPhone(p: Phone): PhonesTable {
  return {
    device_name: p.deviceName,
    model: p.model,
    description: p.description,
    profile_name: p.profileName,
    cert_operation: p.capf.operation,
    auth_mode: p.capf.authMode,
    auth_string: p.capf.authString,
    key_order: p.capf.keyOrder,
    rsa_key_size: p.capf.rsaKeySize,
    ec_key_size: p.capf.ecKeySize,
    completes_by: p.capf.completesBy,
    status_operation: p.operationStatus.operation,
    status_outcome: p.operationStatus.outcome,
    status_reason: p.operationStatus.reason,
    auth_failures: p.authFailures,
    lsc_serial: p.lsc?.serialHex ?? null,
    lsc_issuer: p.lsc?.issuerDn ?? null,
    lsc_not_before: p.lsc?.notBefore ?? null,
    lsc_not_after: p.lsc?.notAfter ?? null,
    mic_serial: p.mic?.serialHex ?? null,
    mic_subject: p.mic?.subjectDn ?? null,
    mic_issuer: p.mic?.issuerDn ?? null,
    mic_seen_at: p.mic?.seenAt ?? null,
    mic_not_after: p.mic?.notAfter ?? null,
    mic_sha1: p.mic?.sha1 ?? null,
    last_session_at: p.lastSessionAt,
    config_version: p.configVersion,
    created_at: p.createdAt,
    updated_at: p.updatedAt,
  };
}

function patchColumns(patch: PhonePatch): Partial<PhonesTable> {
  const out: Partial<PhonesTable> = {};
  if (patch.model !== undefined) out.model = patch.model;
  if (patch.description !== undefined) out.description = patch.description;
  if (patch.profileName !== undefined) out.profile_name = patch.profileName;
  const c = patch.capf;
  if (c) {
    if (c.operation !== undefined) out.cert_operation = c.operation;
    if (c.authMode !== undefined) out.auth_mode = c.authMode;
    if (c.authString !== undefined) out.auth_string = c.authString;
    if (c.keyOrder !== undefined) out.key_order = c.keyOrder;
    if (c.rsaKeySize !== undefined) out.rsa_key_size = c.rsaKeySize;
    if (c.ecKeySize !== undefined) out.ec_key_size = c.ecKeySize;
    if (c.completesBy !== undefined) out.completes_by = c.completesBy;
  }
  if (patch.operationStatus !== undefined) {
    out.status_operation = patch.operationStatus.operation;
    out.status_outcome = patch.operationStatus.outcome;
    out.status_reason = patch.operationStatus.reason;
  }
  if (patch.authFailures !== undefined) out.auth_failures = patch.authFailures;
  if (patch.lsc !== undefined) {
    out.lsc_serial = patch.lsc?.serialHex ?? null;
    out.lsc_issuer = patch.lsc?.issuerDn ?? null;
    out.lsc_not_before = patch.lsc?.notBefore ?? null;
    out.lsc_not_after = patch.lsc?.notAfter ?? null;
  }
  if (patch.mic !== undefined) {
    out.mic_serial = patch.mic?.serialHex ?? null;
    out.mic_subject = patch.mic?.subjectDn ?? null;
    out.mic_issuer = patch.mic?.issuerDn ?? null;
    out.mic_seen_at = patch.mic?.seenAt ?? null;
    out.mic_not_after = patch.mic?.notAfter ?? null;
    out.mic_sha1 = patch.mic?.sha1 ?? null;
  }
  if (patch.lastSessionAt !== undefined) out.last_session_at = patch.lastSessionAt;
  return out;
}

export { applyPhoneFilter };

// Hot-path queries for the query cache: built once per shape, with markers standing in for the values.
const buildGetPhone = (db: Executor, a: readonly unknown[]) =>
  db
    .selectFrom('phones')
    .selectAll()
    .where('device_name', '=', a[0] as string);
const buildUpdatePhone = (
  db: Executor,
  a: readonly unknown[],
  shape: { keys: (keyof PhonesTable)[]; bump: boolean; returning: boolean },
) => {
  const set: Record<string, unknown> = {};
  for (const [i, k] of shape.keys.entries()) set[k] = a[i];
  set.updated_at = a[shape.keys.length];
  if (shape.bump) set.config_version = sql<number>`config_version + 1`;
  const q = db
    .updateTable('phones')
    .set(set as Partial<PhonesTable>)
    .where('device_name', '=', a[shape.keys.length + 1] as string);
  // RETURNING * costs SQLite about three times the update itself: only when the caller wants the row.
  return shape.returning ? q.returningAll() : q;
};
const buildIncrementAuthFailures = (db: Executor, a: readonly unknown[]) =>
  db
    .updateTable('phones')
    .set({ auth_failures: sql<number>`auth_failures + 1`, updated_at: a[0] as string })
    .where('device_name', '=', a[1] as string)
    .returning('auth_failures');
const buildAppendAudit = (db: Executor, a: readonly unknown[]) =>
  db.insertInto('audit_log').values({
    at: a[0] as string,
    actor: a[1] as string,
    source: a[2] as string,
    action: a[3] as string,
    target: a[4] as string,
    details: a[5] as string,
  });

/** UPDATE of the patched columns, compiled once per shape (module level: stores are made per group commit). */
function runUpdate(
  queries: QueryCache,
  db: Executor,
  hot: DirectRunner | undefined,
  name: string,
  patch: PhonePatch,
  now: string,
  returning: boolean,
) {
  const cols = patchColumns(patch);
  const keys = Object.keys(cols) as (keyof PhonesTable)[];
  // Only what the phone's configuration file shows bumps its version (status and sessions do not).
  const bump = patch.capf !== undefined || patch.profileName !== undefined;
  const args: unknown[] = [];
  for (const k of keys) args.push(cols[k]);
  args.push(now, name);
  return queries.execute(
    db,
    `updatePhone:${keys.join(',')}${bump ? ':bump' : ''}${returning ? ':returning' : ''}`,
    args,
    buildUpdatePhone,
    { keys, bump, returning },
    hot,
  );
}

const INSERT_BATCH = 500;

export interface PhoneStoreOptions extends SqliteFastPath {
  /** Group commit: how long a commit may wait for other in-flight callers' work (0: never waits). */
  commitDelayMs?: number;
}

export function createKyselyPhoneStore(
  db: Kysely<Database> | Transaction<Database>,
  inTransaction = false,
  queries: QueryCache = createQueryCache(),
  options: PhoneStoreOptions = {},
): PhoneStore {
  const hot = writeRunner(options);
  const self: PhoneStore = {
    ...createProfileRows(db),
    ...createCertificateRows(db, queries, hot),
    ...createSessionRows(db, queries, hot),
    async getPhone(name) {
      const { rows } = await queries.execute(db, 'getPhone', [name], buildGetPhone, undefined, readRunner(options));
      return rows[0] ? toPhone(rows[0]) : null;
    },
    async insertPhones(phones) {
      for (let i = 0; i < phones.length; i += INSERT_BATCH) {
        const rows = phones.slice(i, i + INSERT_BATCH).map(fromPhone);
        try {
          await db.insertInto('phones').values(rows).execute();
        } catch (e) {
          if (/unique|duplicate/i.test(String((e as Error).message))) {
            throw new AppError('ERR_PHONE_EXISTS', 'a phone with that device name already exists', undefined, {
              cause: e,
            });
          }
          throw e;
        }
      }
    },
    async updatePhone(name, patch, now) {
      const { rows } = await runUpdate(queries, db, hot, name, patch, now, true);
      return rows[0] ? toPhone(rows[0] as unknown as Selectable<PhonesTable>) : null;
    },
    async patchPhone(name, patch, now) {
      const r = await runUpdate(queries, db, hot, name, patch, now, false);
      return Number(r.numAffectedRows ?? 0) > 0;
    },
    async incrementAuthFailures(name, now) {
      const { rows } = await queries.execute(
        db,
        'incrementAuthFailures',
        [now, name],
        buildIncrementAuthFailures,
        undefined,
        hot,
      );
      if (!rows[0]) throw new AppError('ERR_PHONE_NOT_FOUND', `no phone named ${name}`);
      return Number(rows[0].auth_failures);
    },
    async deletePhone(name) {
      const r = await db.deleteFrom('phones').where('device_name', '=', name).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    async listPhones(q) {
      const qb = applyPhoneFilter(db.selectFrom('phones'), q);
      const totalRow = await qb.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      const cols = PHONE_SORT_SQL[q.sort ?? 'deviceName'];
      let rows = qb.selectAll();
      for (const col of cols) rows = rows.orderBy(col, q.order ?? 'asc');
      if (cols[0] !== 'device_name') rows = rows.orderBy('device_name', 'asc');
      const items = await rows
        .limit(q.limit ?? 50)
        .offset(q.offset ?? 0)
        .execute();
      return { items: items.map(toPhone), total: Number(totalRow.n) };
    },

    async appendAudit(e) {
      await queries.execute(
        db,
        'appendAudit',
        [e.at, e.actor, e.source, e.action, e.target, JSON.stringify(e.details)],
        buildAppendAudit,
        undefined,
        hot,
      );
    },

    async transaction(fn) {
      if (inTransaction) return fn(self);
      return runTransaction(db as Kysely<Database>, (trx) => fn(createKyselyPhoneStore(trx, true, queries)));
    },

    groupTransaction(fn, opts) {
      if (!group) return fn(self); // inside a transaction already
      return group.submit(fn, opts?.siblings ?? 0);
    },
  };
  // A store inside a transaction (made per group commit) never groups: no commit machinery for it.
  const { runner } = options;
  const transact: Transact<PhoneStore> = runner
    ? heldTransaction(db as Kysely<Database>, runner, (conn) =>
        createKyselyPhoneStore(conn, true, queries, { runner, holding: true }),
      )
    : (fn) => self.transaction(fn);
  const group = inTransaction ? null : createGroupCommit(transact, options.commitDelayMs ?? 0);
  return self;
}
