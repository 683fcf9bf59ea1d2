// Owns the Kysely implementation of the certificate monitor's MonitorStore port (SQLite and PostgreSQL): the tables
// of migration 0010 (rules, channels, notification claims, delivery attempts), each change committed with its audit
// rows, and the monitor's reads of phone certificates and renewal results.

import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database } from './tables.ts';
import { runTransaction } from './transaction.ts';
import { createKyselyAuditStore } from './audit-store.ts';
import { AppError } from '../shared/errors.ts';
import { recordAudit, type AuditEvent } from '../audit/index.ts';
import { isCertClass } from '../monitor/classes.ts';
import type {
  ChannelKind,
  ChannelSettings,
  DeliveryStatus,
  MonitorChannel,
  MonitorRule,
  MonitorStore,
} from '../monitor/ports.ts';

interface MonitorRulesTable {
  name: string;
  description: string;
  enabled: number;
  classes: string;
  start_days_before: number;
  hourly_last_day: number;
  channels: string;
  created_at: string;
  updated_at: string;
}
interface MonitorChannelsTable {
  name: string;
  kind: string;
  enabled: number;
  settings: string;
  secret: string | null;
  created_at: string;
  updated_at: string;
}
interface MonitorNotificationsTable {
  rule_name: string;
  slot: string;
  channel_name: string;
  state: string;
  attempts: number;
  claimed_by: string;
  claimed_until: string;
  created_at: string;
  updated_at: string;
}
interface MonitorDeliveriesTable {
  id: import('kysely').Generated<number>;
  at: string;
  rule_name: string;
  slot: string;
  channel_name: string;
  kind: string;
  attempt: number;
  status: string;
  detail: string;
  subject: string;
}
interface BulkJobsTable {
  id: number;
  kind: string;
  created_at: string;
}
interface BulkJobItemsTable {
  job_id: number;
  device_name: string;
  ok: number;
}

/** The tables of migration 0010 (and the bulk job tables of 0002 the renewal summary reads). */
export interface MonitorDatabase extends Database {
  monitor_rules: MonitorRulesTable;
  monitor_channels: MonitorChannelsTable;
  monitor_notifications: MonitorNotificationsTable;
  monitor_deliveries: MonitorDeliveriesTable;
  bulk_jobs: BulkJobsTable;
  bulk_job_items: BulkJobItemsTable;
}

/** A JSON list of strings written by this file; anything else read back is dropped rather than trusted. */
function stringList(text: string): string[] {
  try {
    const v = JSON.parse(text) as unknown;
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

function toRule(r: Selectable<MonitorRulesTable>): MonitorRule {
  return {
    name: r.name,
    description: r.description,
    enabled: Number(r.enabled) === 1,
    classes: stringList(r.classes).filter(isCertClass),
    startDaysBefore: Number(r.start_days_before),
    hourlyLastDay: Number(r.hourly_last_day) === 1,
    channels: stringList(r.channels),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
function ruleRow(r: MonitorRule): MonitorRulesTable {
  return {
    name: r.name,
    description: r.description,
    enabled: r.enabled ? 1 : 0,
    classes: JSON.stringify(r.classes),
    start_days_before: r.startDaysBefore,
    hourly_last_day: r.hourlyLastDay ? 1 : 0,
    channels: JSON.stringify(r.channels),
    created_at: r.createdAt,
    updated_at: r.updatedAt,
  };
}
function toChannel(r: Selectable<MonitorChannelsTable>): MonitorChannel {
  return {
    name: r.name,
    kind: r.kind as ChannelKind,
    enabled: Number(r.enabled) === 1,
    settings: JSON.parse(r.settings) as ChannelSettings,
    secret: r.secret,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
function channelRow(c: MonitorChannel): MonitorChannelsTable {
  return {
    name: c.name,
    kind: c.kind,
    enabled: c.enabled ? 1 : 0,
    settings: JSON.stringify(c.settings),
    secret: c.secret,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
  };
}

function isUniqueViolation(e: unknown): boolean {
  const code = (e as { code?: unknown })?.code;
  return code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505';
}

export function createKyselyMonitorStore(base: Kysely<Database>): MonitorStore {
  const db = base as unknown as Kysely<MonitorDatabase>;
  const audited = <T>(fn: (trx: Kysely<MonitorDatabase>) => Promise<T>, audit: AuditEvent) =>
    runTransaction(db, async (trx) => {
      const r = await fn(trx);
      if (r !== false) await recordAudit(createKyselyAuditStore(trx as unknown as Kysely<Database>), audit);
      return r;
    });
  const insertUnique = async (what: string, name: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (e) {
      if (isUniqueViolation(e))
        throw new AppError('ERR_CONFLICT', `a monitor ${what} named "${name}" already exists`, undefined, { cause: e });
      throw e;
    }
  };
  return {
    async listRules() {
      return (await db.selectFrom('monitor_rules').selectAll().orderBy('name').execute()).map(toRule);
    },
    async getRule(name) {
      const r = await db.selectFrom('monitor_rules').selectAll().where('name', '=', name).executeTakeFirst();
      return r ? toRule(r) : null;
    },
    insertRule: (rule, audit) =>
      insertUnique('rule', rule.name, () =>
        audited((trx) => trx.insertInto('monitor_rules').values(ruleRow(rule)).execute(), audit),
      ),
    updateRule: (rule, audit) =>
      audited(async (trx) => {
        const { name, created_at: _c, ...rest } = ruleRow(rule);
        const r = await trx.updateTable('monitor_rules').set(rest).where('name', '=', name).executeTakeFirst();
        return Number(r.numUpdatedRows) > 0;
      }, audit),
    deleteRule: (name, audit) =>
      audited(async (trx) => {
        const r = await trx.deleteFrom('monitor_rules').where('name', '=', name).executeTakeFirst();
        return Number(r.numDeletedRows) > 0;
      }, audit),

    async listChannels() {
      return (await db.selectFrom('monitor_channels').selectAll().orderBy('name').execute()).map(toChannel);
    },
    async getChannel(name) {
      const r = await db.selectFrom('monitor_channels').selectAll().where('name', '=', name).executeTakeFirst();
      return r ? toChannel(r) : null;
    },
    insertChannel: (c, audit) =>
      insertUnique('channel', c.name, () =>
        audited((trx) => trx.insertInto('monitor_channels').values(channelRow(c)).execute(), audit),
      ),
    updateChannel: (c, audit) =>
      audited(async (trx) => {
        const { name, created_at: _c, ...rest } = channelRow(c);
        const r = await trx.updateTable('monitor_channels').set(rest).where('name', '=', name).executeTakeFirst();
        return Number(r.numUpdatedRows) > 0;
      }, audit),
    deleteChannel: (name, audit) =>
      audited(async (trx) => {
        const r = await trx.deleteFrom('monitor_channels').where('name', '=', name).executeTakeFirst();
        return Number(r.numDeletedRows) > 0;
      }, audit),

    async claimNotification(key, runner, nowIso, leaseUntilIso) {
      const inserted = await db
        .insertInto('monitor_notifications')
        .values({
          rule_name: key.rule,
          slot: key.slot,
          channel_name: key.channel,
          state: 'sending',
          attempts: 0,
          claimed_by: runner,
          claimed_until: leaseUntilIso,
          created_at: nowIso,
          updated_at: nowIso,
        })
        .onConflict((oc) => oc.columns(['rule_name', 'slot', 'channel_name']).doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) return true;
      // Taken before: again only after it failed, or when its taker's lease lapsed (it died while sending).
      const r = await db
        .updateTable('monitor_notifications')
        .set({ state: 'sending', claimed_by: runner, claimed_until: leaseUntilIso, updated_at: nowIso })
        .where('rule_name', '=', key.rule)
        .where('slot', '=', key.slot)
        .where('channel_name', '=', key.channel)
        .where((eb) =>
          eb.or([eb('state', '=', 'failed'), eb.and([eb('state', '=', 'sending'), eb('claimed_until', '<', nowIso)])]),
        )
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async finishNotification(key, status: DeliveryStatus, attempts, nowIso) {
      await db
        .updateTable('monitor_notifications')
        .set((eb) => ({ state: status, attempts: eb('attempts', '+', attempts), updated_at: nowIso }))
        .where('rule_name', '=', key.rule)
        .where('slot', '=', key.slot)
        .where('channel_name', '=', key.channel)
        .execute();
    },
    async appendDelivery(d) {
      await db
        .insertInto('monitor_deliveries')
        .values({
          at: d.at,
          rule_name: d.rule,
          slot: d.slot,
          channel_name: d.channel,
          kind: d.kind,
          attempt: d.attempt,
          status: d.status,
          detail: d.detail,
          subject: d.subject,
        })
        .execute();
    },
    async listDeliveries(q) {
      let s = db.selectFrom('monitor_deliveries').selectAll();
      if (q.channel) s = s.where('channel_name', '=', q.channel);
      if (q.rule) s = s.where('rule_name', '=', q.rule);
      const rows = await s.orderBy('id', 'desc').limit(q.limit).execute();
      return rows.map((r) => ({
        id: Number(r.id),
        at: r.at,
        rule: r.rule_name,
        slot: r.slot,
        channel: r.channel_name,
        kind: r.kind as ChannelKind,
        attempt: Number(r.attempt),
        status: r.status as DeliveryStatus,
        detail: r.detail,
        subject: r.subject,
      }));
    },
    async appendAuditEvents(events) {
      await recordAudit(createKyselyAuditStore(base), events);
    },

    async phoneCertificates(kind, ranges, listLimit) {
      const col = kind === 'lsc' ? 'lsc_not_after' : 'mic_not_after';
      const out: { count: number; items: { deviceName: string; model: string; notAfter: string }[] }[] = [];
      for (const r of ranges) {
        let q = db.selectFrom('phones').where(col, 'is not', null).where(col, '<=', r.untilIso);
        if (r.afterIso !== null) q = q.where(col, '>', r.afterIso);
        const c = await q.select((eb) => eb.fn.countAll<number | string | bigint>().as('n')).executeTakeFirstOrThrow();
        const count = Number(c.n);
        const rows =
          count && listLimit > 0
            ? await q
                .select(['device_name', 'model', `${col} as not_after`])
                .orderBy(col)
                .orderBy('device_name')
                .limit(listLimit)
                .execute()
            : [];
        out.push({
          count,
          items: rows.map((p) => ({ deviceName: p.device_name, model: p.model, notAfter: String(p.not_after) })),
        });
      }
      return out;
    },

    async renewalSince(sinceIso) {
      const jobs = await db
        .selectFrom('bulk_jobs')
        .where('kind', '=', 'renewal')
        .where('created_at', '>=', sinceIso)
        .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
        .executeTakeFirstOrThrow();
      const renewed = await sql<{ n: number | string | bigint }>`
        select count(*) as n from certificates c
        where c.kind = 'lsc' and c.created_at >= ${sinceIso} and exists (
          select 1 from bulk_job_items i join bulk_jobs j on j.id = i.job_id
          where j.kind = 'renewal' and i.ok = 1 and i.device_name = c.device_name
            and j.created_at <= c.created_at)`.execute(db);
      const notScheduled = await sql<{ n: number | string | bigint }>`
        select count(*) as n from bulk_job_items i join bulk_jobs j on j.id = i.job_id
        where j.kind = 'renewal' and i.ok = 0 and j.created_at >= ${sinceIso}`.execute(db);
      const opFailed = await sql<{ n: number | string | bigint }>`
        select count(*) as n from phones p
        where p.status_outcome = 'failed' and p.updated_at >= ${sinceIso} and exists (
          select 1 from bulk_job_items i join bulk_jobs j on j.id = i.job_id
          where j.kind = 'renewal' and i.ok = 1 and i.device_name = p.device_name
            and j.created_at <= p.updated_at)`.execute(db);
      return {
        jobs: Number(jobs.n),
        renewed: Number(renewed.rows[0]?.n ?? 0),
        failed: Number(notScheduled.rows[0]?.n ?? 0) + Number(opFailed.rows[0]?.n ?? 0),
      };
    },
  };
}
