// Owns the Kysely implementation of the ManufacturingCaStore port (SQLite and PostgreSQL): the manufacturing_cas table
// of migration 0009, each change committed together with its audit rows.

import type { Kysely, Selectable } from 'kysely';
import type { Database } from './tables.ts';
import { runTransaction } from './transaction.ts';
import { createKyselyAuditStore } from './audit-store.ts';
import { AppError } from '../shared/errors.ts';
import { recordAudit } from '../audit/index.ts';
import type { ManufacturingCaEntry, ManufacturingCaStore } from '../provisioning/manufacturing-trust.ts';

interface ManufacturingCasTable {
  sha256: string;
  sha1: string;
  subject: string;
  issuer: string;
  serial: string;
  not_before: string;
  not_after: string;
  der: Buffer;
  added_at: string;
  added_by: string;
  comment: string;
}

/** The table of migration 0009. */
export interface ManufacturingCaDatabase extends Database {
  manufacturing_cas: ManufacturingCasTable;
}

function toEntry(r: Selectable<ManufacturingCasTable>): ManufacturingCaEntry {
  return {
    sha256: r.sha256,
    sha1: r.sha1,
    subject: r.subject,
    issuer: r.issuer,
    serialHex: r.serial,
    notBefore: r.not_before,
    notAfter: r.not_after,
    der: Buffer.from(r.der),
    addedAt: r.added_at,
    addedBy: r.added_by,
    comment: r.comment,
  };
}

/** A primary-key violation: another import of the same CA committed first. */
function isUniqueViolation(e: unknown): boolean {
  const code = (e as { code?: unknown })?.code;
  return code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505';
}

export function createKyselyManufacturingCaStore(base: Kysely<Database>): ManufacturingCaStore {
  const db = base as unknown as Kysely<ManufacturingCaDatabase>;
  return {
    async listManufacturingCas() {
      const rows = await db.selectFrom('manufacturing_cas').selectAll().orderBy('added_at').orderBy('sha256').execute();
      return rows.map(toEntry);
    },
    async manufacturingCaKeys() {
      const rows = await db.selectFrom('manufacturing_cas').select('sha256').orderBy('sha256').execute();
      return rows.map((r) => r.sha256);
    },
    async getManufacturingCa(sha256) {
      const r = await db.selectFrom('manufacturing_cas').selectAll().where('sha256', '=', sha256).executeTakeFirst();
      return r ? toEntry(r) : null;
    },
    async insertManufacturingCas(entries, audit) {
      try {
        await runTransaction(db, async (trx) => {
          for (const e of entries) {
            await trx
              .insertInto('manufacturing_cas')
              .values({
                sha256: e.sha256,
                sha1: e.sha1,
                subject: e.subject,
                issuer: e.issuer,
                serial: e.serialHex,
                not_before: e.notBefore,
                not_after: e.notAfter,
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
            'ERR_MFG_CA_DUPLICATE',
            'a manufacturing CA of this import was added meanwhile; nothing was imported',
            undefined,
            { cause: e },
          );
        throw e;
      }
    },
    async deleteManufacturingCa(sha256, audit) {
      return runTransaction(db, async (trx) => {
        const r = await trx.deleteFrom('manufacturing_cas').where('sha256', '=', sha256).executeTakeFirst();
        if (Number(r.numDeletedRows) === 0) return false;
        await recordAudit(createKyselyAuditStore(trx as unknown as Kysely<Database>), audit);
        return true;
      });
    },
  };
}
