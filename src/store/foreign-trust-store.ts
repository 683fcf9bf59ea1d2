// Owns the Kysely implementation of the ForeignTrustStore port (SQLite and PostgreSQL): the tvs_foreign_trust table
// of migration 0007, each change committed together with its audit rows.

import type { Kysely, Selectable } from 'kysely';
import type { Database } from './tables.ts';
import { runTransaction } from './transaction.ts';
import { createKyselyAuditStore } from './audit-store.ts';
import { AppError } from '../shared/errors.ts';
import { recordAudit } from '../audit/index.ts';
import type { TvsRoleName } from '../tvs/index.ts';
import type { ForeignTrustEntry, ForeignTrustStore } from '../provisioning/foreign-trust.ts';

interface TvsForeignTrustTable {
  sha256: string;
  sha1: string;
  subject: string;
  issuer: string;
  serial: string;
  not_before: string;
  not_after: string;
  /** TvsRole names in canonical order, comma-separated. */
  roles: string;
  der: Buffer;
  added_at: string;
  added_by: string;
  comment: string;
}

/** The table of migration 0007. */
export interface ForeignTrustDatabase extends Database {
  tvs_foreign_trust: TvsForeignTrustTable;
}

function toEntry(r: Selectable<TvsForeignTrustTable>): ForeignTrustEntry {
  return {
    sha256: r.sha256,
    sha1: r.sha1,
    subject: r.subject,
    issuer: r.issuer,
    serialHex: r.serial,
    notBefore: r.not_before,
    notAfter: r.not_after,
    roles: r.roles ? (r.roles.split(',') as TvsRoleName[]) : [],
    der: Buffer.from(r.der),
    addedAt: r.added_at,
    addedBy: r.added_by,
    comment: r.comment,
  };
}

/** A primary-key violation: another import of the same certificate committed first. */
function isUniqueViolation(e: unknown): boolean {
  const code = (e as { code?: unknown })?.code;
  return code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505';
}

export function createKyselyForeignTrustStore(base: Kysely<Database>): ForeignTrustStore {
  const db = base as unknown as Kysely<ForeignTrustDatabase>;
  return {
    async listForeignTrust() {
      const rows = await db.selectFrom('tvs_foreign_trust').selectAll().orderBy('added_at').orderBy('sha256').execute();
      return rows.map(toEntry);
    },
    async getForeignTrust(sha256) {
      const r = await db.selectFrom('tvs_foreign_trust').selectAll().where('sha256', '=', sha256).executeTakeFirst();
      return r ? toEntry(r) : null;
    },
    async insertForeignTrust(entries, audit) {
      try {
        await runTransaction(db, async (trx) => {
          for (const e of entries) {
            await trx
              .insertInto('tvs_foreign_trust')
              .values({
                sha256: e.sha256,
                sha1: e.sha1,
                subject: e.subject,
                issuer: e.issuer,
                serial: e.serialHex,
                not_before: e.notBefore,
                not_after: e.notAfter,
                roles: e.roles.join(','),
                der: e.der,
                added_at: e.addedAt,
                added_by: e.addedBy,
                comment: e.comment,
              })
              .execute();
          }
          await recordAudit(createKyselyAuditStore(trx as unknown as Kysely<Database>), audit);
        });
      } catch (e) {
        if (isUniqueViolation(e))
          throw new AppError(
            'ERR_FOREIGN_DUPLICATE',
            'a certificate of this import was added to the TVS trust meanwhile; nothing was imported',
            undefined,
            { cause: e },
          );
        throw e;
      }
    },
    async deleteForeignTrust(sha256, audit) {
      return runTransaction(db, async (trx) => {
        const r = await trx.deleteFrom('tvs_foreign_trust').where('sha256', '=', sha256).executeTakeFirst();
        if (Number(r.numDeletedRows) === 0) return false;
        await recordAudit(createKyselyAuditStore(trx as unknown as Kysely<Database>), audit);
        return true;
      });
    },
  };
}
