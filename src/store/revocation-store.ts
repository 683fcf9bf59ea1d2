// Owns the Kysely implementation of revocation's RevocationStore port (revoked LSCs for CRLs and OCSP),
// over the certificates table the phones domain writes.

import type { Kysely } from 'kysely';
import type { Database } from './tables.ts';
import type { PhoneStore } from '../phones/index.ts';
import type { RevocationStore } from '../revocation/ports.ts';
import { recordAudit } from '../audit/index.ts';

export function createKyselyRevocationStore(db: Kysely<Database>, phones: PhoneStore): RevocationStore {
  return {
    async listRevoked() {
      const rows = await db
        .selectFrom('certificates')
        .select(['serial_hex', 'issuer_dn', 'revoked_at', 'revocation_reason', 'not_after', 'created_at', 'state'])
        .where('kind', '=', 'lsc')
        .where('state', 'in', ['revoked', 'superseded'])
        .execute();
      return rows.map((r) => ({
        serialHex: r.serial_hex,
        issuerDn: r.issuer_dn,
        revokedAt: r.revoked_at ?? r.created_at,
        reason: r.revocation_reason ?? (r.state === 'superseded' ? 'superseded' : null),
        notAfter: r.not_after,
      }));
    },
    async revocationStamp() {
      const r = await db
        .selectFrom('certificates')
        .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.max('revoked_at').as('last')])
        .where('state', 'in', ['revoked', 'superseded'])
        .executeTakeFirstOrThrow();
      return `${Number(r.n)}|${r.last ?? ''}`;
    },
    getCertificate: (serial) => phones.getCertificate(serial),
    async currentLscSerial(deviceName) {
      const p = await phones.getPhone(deviceName);
      return p ? (p.lsc?.serialHex ?? null) : undefined;
    },
    revokeUnacknowledged(issuedBefore, at, reason, actor) {
      return phones.transaction(async (tx) => {
        const revoked = await tx.revokeUnacknowledgedLscs({ issuedBefore }, at, reason);
        for (const r of revoked) {
          const details = { serial: r.serialHex, reason, unacknowledged: true };
          await recordAudit(tx, { at, actor, action: 'certificate.revoke', target: r.deviceName, details });
        }
        return revoked;
      });
    },
    async revoke(serial, at, reason, audit) {
      await phones.transaction(async (tx) => {
        await tx.setCertificateState(serial, 'revoked', { revokedAt: at, revocationReason: reason });
        await recordAudit(tx, audit);
      });
    },
  };
}
