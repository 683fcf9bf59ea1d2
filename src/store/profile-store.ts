// Owns the Kysely implementation of the phones domain's ProfileStore port: phone security profiles.

import type { Selectable } from 'kysely';
import type { Executor } from './query-cache.ts';
import type { SecurityProfilesTable } from './tables.ts';
import type {
  AuthMode,
  DeviceSecurityMode,
  EcKeySize,
  KeyOrder,
  ProfileStore,
  RsaKeySize,
  SecurityProfile,
} from '../phones/index.ts';

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
    acceptExpiredMic: Number(r.accept_expired_mic) === 1,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export function createProfileRows(db: Executor): ProfileStore {
  return {
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
        accept_expired_mic: p.acceptExpiredMic ? 1 : 0,
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
  };
}
