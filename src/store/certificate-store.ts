// Owns the Kysely implementation of the phones domain's CertificateStore port: every certificate issued to
// or seen from a phone, with its state; the CAPF hot path's statements go through the query cache.

import { sql, type Insertable, type Selectable, type SqlBool } from 'kysely';
import type { DirectRunner, Executor, QueryCache } from './query-cache.ts';
import type { CertificatesTable } from './tables.ts';
import type { CertificateRecord, CertificateState, CertificateStore } from '../phones/index.ts';

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

// Hot-path queries for the query cache: built once per shape, with markers standing in for the values.
const buildGetCertificate = (db: Executor, a: readonly unknown[]) =>
  db
    .selectFrom('certificates')
    .selectAll()
    .where('serial_hex', '=', a[0] as string);
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
/**
 * Revokes `issued` LSCs (sent, never acknowledged); `state = 'issued'` is a literal so the partial index of
 * migration 0004 applies.
 */
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

/** `hot`: inside a group commit holding SQLite's connection, statements run on it directly. */
export function createCertificateRows(
  db: Executor,
  queries: QueryCache,
  hot: DirectRunner | undefined,
): CertificateStore {
  return {
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
  };
}
