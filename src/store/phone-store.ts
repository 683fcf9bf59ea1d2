// Owns the Kysely implementation of the phones domain's PhoneStore port (SQLite and PostgreSQL).

import { sql, type Insertable, type Kysely, type Selectable, type SqlBool, type Transaction } from 'kysely';
import { AppError } from '../shared/errors.ts';
import { storeUnavailableCode } from './health.ts';
import { createQueryCache, type DirectRunner, type Executor, type QueryCache } from './query-cache.ts';
import { runTransaction } from './transaction.ts';
import { applyPhoneFilter, PHONE_SORT_SQL } from './phone-filter-sql.ts';
import type { Database, PhonesTable, SecurityProfilesTable, CertificatesTable, CapfSessionsTable } from './tables.ts';
import type { CertificateRecord, CertificateState, PhonePatch, PhoneStore } from '../phones/index.ts';
import type { CapfSessionRecord } from '../capf/index.ts';
import type {
  AuthMode,
  CertOperation,
  DeviceSecurityMode,
  EcKeySize,
  KeyOrder,
  Phone,
  RsaKeySize,
  SecurityProfile,
} from '../phones/index.ts';
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
  }
  if (patch.lastSessionAt !== undefined) out.last_session_at = patch.lastSessionAt;
  return out;
}

export function toProfile(r: Selectable<SecurityProfilesTable>): SecurityProfile {
  return {
    name: r.name,
    description: r.description,
    deviceSecurityMode: r.device_security_mode as DeviceSecurityMode,
    authMode: r.auth_mode as AuthMode,
    keyOrder: r.key_order as KeyOrder,
    rsaKeySize: Number(r.rsa_key_size) as RsaKeySize,
    ecKeySize: r.ec_key_size === null ? null : (Number(r.ec_key_size) as EcKeySize),
    encryptedConfig: Number(r.encrypted_config) === 1,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function toCert(r: Selectable<CertificatesTable>): CertificateRecord {
  return {
    serialHex: r.serial_hex,
    deviceName: r.device_name,
    kind: r.kind as CertificateRecord['kind'],
    der: Buffer.from(r.der),
    subjectDn: r.subject_dn,
    issuerDn: r.issuer_dn,
    notBefore: r.not_before,
    notAfter: r.not_after,
    createdAt: r.created_at,
    state: r.state as CertificateState,
    revokedAt: r.revoked_at,
    revocationReason: r.revocation_reason,
    sessionId: r.session_id === null ? null : Number(r.session_id),
  };
}

function toSession(r: Selectable<CapfSessionsTable>): CapfSessionRecord {
  return {
    sessionId: Number(r.session_id),
    deviceName: r.device_name,
    peer: r.peer,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    operation: r.operation,
    authMode: r.auth_mode,
    outcome: r.outcome as CapfSessionRecord['outcome'],
    reason: r.reason,
    status: r.status,
    protocolVersion: r.protocol_version,
    log: JSON.parse(r.log) as CapfSessionRecord['log'],
  };
}

export { applyPhoneFilter };

// Hot-path queries for the query cache: built once per shape, with markers standing in for the values.
const buildGetPhone = (db: Executor, a: readonly unknown[]) =>
  db
    .selectFrom('phones')
    .selectAll()
    .where('device_name', '=', a[0] as string);
const buildGetCertificate = (db: Executor, a: readonly unknown[]) =>
  db
    .selectFrom('certificates')
    .selectAll()
    .where('serial_hex', '=', a[0] as string);
const buildUpdatePhone = (
  db: Executor,
  a: readonly unknown[],
  shape: { keys: (keyof PhonesTable)[]; bump: boolean; returning: boolean },
) => {
  const set: Record<string, unknown> = {};
  shape.keys.forEach((k, i) => (set[k] = a[i]));
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
const CERTIFICATE_COLUMNS = [
  'serial_hex',
  'device_name',
  'kind',
  'der',
  'subject_dn',
  'issuer_dn',
  'not_before',
  'not_after',
  'created_at',
  'state',
  'revoked_at',
  'revocation_reason',
  'session_id',
] as const;
const buildInsertCertificate = (db: Executor, a: readonly unknown[]) =>
  db
    .insertInto('certificates')
    .values(
      Object.fromEntries(CERTIFICATE_COLUMNS.map((k, i) => [k, a[i]])) as unknown as Insertable<CertificatesTable>,
    )
    .onConflict((oc) => oc.column('serial_hex').doNothing());
const buildSetCertificateState = (
  db: Executor,
  a: readonly unknown[],
  shape: { revokedAt: boolean; reason: boolean },
) => {
  let i = 0;
  const set: Record<string, unknown> = { state: a[i++] };
  if (shape.revokedAt) set.revoked_at = a[i++];
  if (shape.reason) set.revocation_reason = a[i++];
  return db
    .updateTable('certificates')
    .set(set as { state: string })
    .where('serial_hex', '=', a[i] as string);
};
/** Revokes `issued` LSCs (sent, never acknowledged); `state = 'issued'` is a literal so the partial index of migration 0004 applies. */
const buildRevokeUnacknowledged = (db: Executor, a: readonly unknown[], shape: { byDevice: boolean }) => {
  let q = db
    .updateTable('certificates')
    .set({ state: 'revoked', revoked_at: a[0] as string, revocation_reason: a[1] as string })
    .where('kind', '=', 'lsc')
    .where(sql<SqlBool>`state = 'issued'`);
  q = shape.byDevice
    ? q.where('device_name', '=', a[2] as string).where('serial_hex', '<>', a[3] as string)
    : q.where('created_at', '<', a[2] as string);
  // A phone's current LSC is never an orphan, whatever its state says (e.g. after a partial restore).
  return q
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('phones')
            .select(sql`1`.as('one'))
            .whereRef('phones.device_name', '=', 'certificates.device_name')
            .whereRef('phones.lsc_serial', '=', 'certificates.serial_hex'),
        ),
      ),
    )
    .returning(['serial_hex', 'device_name']);
};
const SESSION_COLUMNS = [
  'session_id',
  'device_name',
  'peer',
  'started_at',
  'ended_at',
  'operation',
  'auth_mode',
  'outcome',
  'reason',
  'status',
  'protocol_version',
  'log',
] as const;
const buildInsertSession = (db: Executor, a: readonly unknown[]) =>
  db
    .insertInto('capf_sessions')
    .values(Object.fromEntries(SESSION_COLUMNS.map((k, i) => [k, a[i]])) as unknown as Insertable<CapfSessionsTable>);
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

export interface PhoneStoreOptions {
  /** Group commit: how long a commit may wait for other in-flight callers' work (0: never waits). */
  commitDelayMs?: number;
  /**
   * SQLite only: runs SQL synchronously on the one connection. Group commits then hold Kysely's
   * connection (so nothing else interleaves) and run their hot-path statements through it directly.
   */
  runner?: DirectRunner;
  /** Internal: this store runs inside a connection the group commit holds (hot paths use `runner`). */
  holding?: boolean;
  /**
   * SQLite only: true while no transaction is open on the connection. A hot-path read may then run
   * through `runner` outside any group (it can only see committed rows); otherwise it waits in Kysely.
   */
  autocommit?: () => boolean;
}

export function createKyselyPhoneStore(
  db: Kysely<Database> | Transaction<Database>,
  inTransaction = false,
  queries: QueryCache = createQueryCache(),
  options: PhoneStoreOptions = {},
): PhoneStore {
  const hot = options.holding ? options.runner : undefined;
  const self: PhoneStore = {
    async getPhone(name) {
      // Directly inside a held group, or on an idle SQLite connection (it can only see committed rows).
      const direct = hot ?? (options.runner && options.autocommit?.() ? options.runner : undefined);
      const { rows } = await queries.execute(db, 'getPhone', [name], buildGetPhone, undefined, direct);
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

    async getProfile(name) {
      const r = await db.selectFrom('security_profiles').selectAll().where('name', '=', name).executeTakeFirst();
      return r ? toProfile(r) : null;
    },
    async listProfiles() {
      return (await db.selectFrom('security_profiles').selectAll().orderBy('name').execute()).map(toProfile);
    },
    async upsertProfile(p) {
      const row: SecurityProfilesTable = {
        name: p.name,
        description: p.description,
        device_security_mode: p.deviceSecurityMode,
        auth_mode: p.authMode,
        key_order: p.keyOrder,
        rsa_key_size: p.rsaKeySize,
        ec_key_size: p.ecKeySize,
        encrypted_config: p.encryptedConfig ? 1 : 0,
        created_at: p.createdAt,
        updated_at: p.updatedAt,
      };
      const { name: _n, created_at: _c, ...rest } = row;
      await db
        .insertInto('security_profiles')
        .values(row)
        .onConflict((oc) => oc.column('name').doUpdateSet(rest))
        .execute();
    },
    async deleteProfile(name) {
      const r = await db.deleteFrom('security_profiles').where('name', '=', name).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    async countPhonesWithProfile(name) {
      const r = await db
        .selectFrom('phones')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('profile_name', '=', name)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },

    async insertCertificate(c) {
      const args = [
        c.serialHex,
        c.deviceName,
        c.kind,
        c.der,
        c.subjectDn,
        c.issuerDn,
        c.notBefore,
        c.notAfter,
        c.createdAt,
        c.state,
        c.revokedAt,
        c.revocationReason,
        c.sessionId,
      ];
      await queries.execute(db, 'insertCertificate', args, buildInsertCertificate, undefined, hot);
    },
    async setCertificateState(serial, state, extra) {
      const revokedAt = extra?.revokedAt || null;
      const reason = extra?.revocationReason || null;
      const args: unknown[] = [state];
      if (revokedAt) args.push(revokedAt);
      if (reason) args.push(reason);
      args.push(serial);
      await queries.execute(
        db,
        `setCertificateState:${revokedAt ? 'at' : ''}:${reason ? 'reason' : ''}`,
        args,
        buildSetCertificateState,
        { revokedAt: !!revokedAt, reason: !!reason },
        hot,
      );
    },
    async getCertificate(serial) {
      const { rows } = await queries.execute(db, 'getCertificate', [serial], buildGetCertificate, undefined, hot);
      return rows[0] ? toCert(rows[0]) : null;
    },
    async revokeUnacknowledgedLscs(filter, at, reason) {
      const byDevice = 'deviceName' in filter;
      const args = byDevice ? [at, reason, filter.deviceName, filter.exceptSerial] : [at, reason, filter.issuedBefore];
      const { rows } = await queries.execute(
        db,
        `revokeUnacknowledged:${byDevice ? 'device' : 'before'}`,
        args,
        buildRevokeUnacknowledged,
        { byDevice },
        hot,
      );
      return rows.map((r) => ({ serialHex: r.serial_hex, deviceName: r.device_name }));
    },
    async listCertificates(name) {
      return (
        await db
          .selectFrom('certificates')
          .selectAll()
          .where('device_name', '=', name)
          .orderBy('created_at', 'desc')
          .execute()
      ).map(toCert);
    },

    async insertSession(s) {
      const args = [
        s.sessionId,
        s.deviceName,
        s.peer,
        s.startedAt,
        s.endedAt,
        s.operation,
        s.authMode,
        s.outcome,
        s.reason,
        s.status,
        s.protocolVersion,
        JSON.stringify(s.log),
      ];
      await queries.execute(db, 'insertSession', args, buildInsertSession, undefined, hot);
    },
    async listSessions(name, limit) {
      const rows = await db
        .selectFrom('capf_sessions')
        .selectAll()
        .where('device_name', '=', name)
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return rows.map(toSession);
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
  const group = inTransaction
    ? null
    : createGroupCommit(
        transactionFor(db as Kysely<Database>, self, queries, options.runner),
        options.commitDelayMs ?? 0,
      );
  return self;
}

/**
 * SQLite: hold the one connection for the whole group (Kysely's mutex keeps every other query out), and
 * run the group's hot-path statements on it synchronously. PostgreSQL: an ordinary transaction.
 */
function transactionFor(
  db: Kysely<Database>,
  self: PhoneStore,
  queries: QueryCache,
  runner: DirectRunner | undefined,
): Transact {
  return runner
    ? (fn) =>
        db.connection().execute(async (conn) => {
          const tx = createKyselyPhoneStore(conn, true, queries, { runner, holding: true });
          runner('begin', []);
          try {
            await fn(tx);
            runner('commit', []);
          } catch (e) {
            try {
              runner('rollback', []);
            } catch {
              // SQLite already rolled back (some errors end the transaction themselves)
            }
            throw e;
          }
        })
    : (fn) => self.transaction(fn);
}

type Transact = (fn: (store: PhoneStore) => Promise<void>) => Promise<void>;

interface GroupItem {
  fn: (store: PhoneStore) => Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

class GroupItemFailed extends Error {
  constructor(
    readonly index: number,
    readonly original: unknown,
  ) {
    super('group commit item failed');
  }
}

/**
 * Group commit: work submitted while a commit is being prepared shares it (at most GROUP_MAX items).
 * Under load (many CAPF sessions ending at once) this writes shared pages — indexes, the WAL frame
 * header — once per group instead of once per session. A failing item is taken out and the rest retried.
 * When the submitter says others are in flight, the commit waits up to `delayMs` for their work (the
 * sessions of a boot storm arrive spread out, so without it groups hold about two items); a submitter
 * alone (siblings 0) never waits, and neither does a group that is already full.
 */
const GROUP_MAX = 64;
function createGroupCommit(transact: Transact, delayMs: number) {
  const queue: GroupItem[] = [];
  let immediate = false;
  let timer: NodeJS.Timeout | null = null;
  const run = async (items: GroupItem[]): Promise<void> => {
    const results: unknown[] = [];
    try {
      await transact(async (tx) => {
        for (let i = 0; i < items.length; i++) {
          try {
            results[i] = await items[i]!.fn(tx);
          } catch (e) {
            throw new GroupItemFailed(i, e);
          }
        }
      });
    } catch (e) {
      // An item's own failure (a constraint, a missing row) takes only that item out; the database becoming
      // unavailable (connection lost, disk full) fails the whole commit, so every caller sharing it sees it.
      if (e instanceof GroupItemFailed && !storeUnavailableCode(e.original)) {
        items[e.index]!.reject(e.original);
        const rest = items.filter((_, i) => i !== e.index);
        if (rest.length) await run(rest);
        return;
      }
      const failure = e instanceof GroupItemFailed ? e.original : e;
      for (const it of items) it.reject(failure);
      return;
    }
    items.forEach((it, i) => it.resolve(results[i]));
  };
  const flush = () => {
    immediate = false;
    if (timer) clearTimeout(timer);
    timer = null;
    const items = queue.splice(0, GROUP_MAX);
    if (queue.length) schedule(false);
    void run(items);
  };
  const schedule = (wait: boolean) => {
    if (immediate) return;
    if (!wait || queue.length >= GROUP_MAX) {
      immediate = true;
      setImmediate(flush);
    } else {
      timer ??= setTimeout(flush, delayMs);
    }
  };
  return {
    submit<T>(fn: (store: PhoneStore) => Promise<T>, siblings: number): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
        schedule(delayMs > 0 && siblings > 0);
      });
    },
  };
}
