// Owns the Kysely implementation of the phones domain's CapfSessionStore port: the record of each CAPF session.

import type { Insertable, Selectable } from 'kysely';
import type { DirectRunner, Executor, QueryCache } from './query-cache.ts';
import type { CapfSessionsTable } from './tables.ts';
import type { CapfSessionStore } from '../phones/index.ts';
import type { CapfSessionRecord } from '../capf/index.ts';

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

/** `hot`: inside a group commit holding SQLite's connection, statements run on it directly. */
export function createSessionRows(db: Executor, queries: QueryCache, hot: DirectRunner | undefined): CapfSessionStore {
  return {
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
  };
}
