// Owns running a Kysely transaction so that the error the caller sees is the one that ended it.

import { sql, type Kysely } from 'kysely';
import { AppError } from '../shared/errors.ts';

/**
 * Kysely's transaction() rolls back after any failure and lets the rollback's own error replace the
 * original. SQLite ends a transaction itself on SQLITE_FULL and most SQLITE_IOERR (at a statement or at
 * COMMIT), so that rollback fails with "cannot rollback - no transaction is active" and the disk-full
 * reason was lost (issue #15, item 5). Here the original error always wins; a rollback that fails while a
 * transaction is still open is added to it, as the connection is then in doubt.
 */
export async function runTransaction<DB, T>(db: Kysely<DB>, fn: (trx: Kysely<DB>) => Promise<T>): Promise<T> {
  return db.connection().execute(async (conn) => {
    await sql`begin`.execute(conn);
    try {
      const result = await fn(conn);
      await sql`commit`.execute(conn);
      return result;
    } catch (e) {
      try {
        await sql`rollback`.execute(conn);
      } catch (rollbackError) {
        if (!/no transaction is active|no transaction in progress/i.test((rollbackError as Error).message)) {
          throw new AppError(
            'ERR_STORE',
            `${(e as Error)?.message ?? String(e)}; rolling back failed too: ${(rollbackError as Error).message}`,
            undefined,
            { cause: e },
          );
        }
        // The database already ended the transaction (SQLite does on SQLITE_FULL): e says why.
      }
      throw e;
    }
  });
}
