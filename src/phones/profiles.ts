// Owns Phone Security Profiles (CUCM System > Security > Phone Security Profile): their CAPF defaults
// and device security mode; changing one says how many phones it touches and carries its defaults to them.

import { AppError } from '../shared/errors.ts';
import type { Clock } from '../shared/clock.ts';
import type { PhoneStore } from './ports.ts';
import { recordAudit } from '../audit/index.ts';
import type { PhoneBatchUnit } from './admin-ports.ts';
import type { Actor } from './service.ts';
import {
  AUTH_MODES,
  DEFAULT_PROFILE_NAME,
  DEVICE_SECURITY_MODES,
  EC_KEY_SIZES,
  KEY_ORDERS,
  RSA_KEY_SIZES,
  type AuthMode,
  type DeviceSecurityMode,
  type EcKeySize,
  type KeyOrder,
  type RsaKeySize,
  type SecurityProfile,
} from './model.ts';

export interface ProfileInput {
  name: string;
  description?: string;
  deviceSecurityMode?: DeviceSecurityMode;
  authMode?: AuthMode;
  keyOrder?: KeyOrder;
  rsaKeySize?: number;
  ecKeySize?: number | null;
  encryptedConfig?: boolean;
  /** Accept an expired MIC for CAPF authentication (off unless set; docs/capf.md, "Expired MICs"). */
  acceptExpiredMic?: boolean;
}

export type ProfilePatch = Omit<ProfileInput, 'name'>;

export interface ProfileWithUsage extends SecurityProfile {
  phones: number;
}

export interface ProfileChange {
  profile: SecurityProfile;
  /** Phones that use the profile. */
  phonesUsingProfile: number;
  /** Phones without a pending operation whose CAPF defaults were set from the profile. */
  phonesUpdated: number;
  /** Phones with a pending operation whose authentication mode now contradicts the profile (seed's trap). */
  pendingConflicts: number;
}

export interface ProfileService {
  list(): Promise<ProfileWithUsage[]>;
  get(name: string): Promise<ProfileWithUsage>;
  create(input: ProfileInput, actor: Actor): Promise<SecurityProfile>;
  update(name: string, patch: ProfilePatch, actor: Actor, opts?: { applyToPhones?: boolean }): Promise<ProfileChange>;
  remove(name: string, actor: Actor): Promise<void>;
}

export const PROFILE_NAME_RE = /^[^\u0000-\u001f\u007f/\\]{1,128}$/;

function validate(p: SecurityProfile): SecurityProfile {
  if (!PROFILE_NAME_RE.test(p.name) || p.name.trim() !== p.name)
    throw new AppError(
      'ERR_BAD_REQUEST',
      'profile name must be 1 to 128 printable characters without / or \\ and without leading or trailing spaces',
    );
  if (p.description.length > 256) throw new AppError('ERR_BAD_REQUEST', 'description must be at most 256 characters');
  if (!Object.hasOwn(DEVICE_SECURITY_MODES, p.deviceSecurityMode))
    throw new AppError(
      'ERR_BAD_REQUEST',
      `unknown device security mode "${p.deviceSecurityMode}" (use ${Object.keys(DEVICE_SECURITY_MODES).join(', ')})`,
    );
  if (!Object.hasOwn(AUTH_MODES, p.authMode))
    throw new AppError(
      'ERR_BAD_REQUEST',
      `unknown authentication mode "${p.authMode}" (use ${Object.keys(AUTH_MODES).join(', ')})`,
    );
  if (!Object.hasOwn(KEY_ORDERS, p.keyOrder))
    throw new AppError(
      'ERR_BAD_REQUEST',
      `unknown key order "${p.keyOrder}" (use ${Object.keys(KEY_ORDERS).join(', ')})`,
    );
  if (!(RSA_KEY_SIZES as readonly number[]).includes(p.rsaKeySize))
    throw new AppError('ERR_BAD_REQUEST', `RSA key size must be one of ${RSA_KEY_SIZES.join(', ')}`);
  const ec = p.keyOrder !== 'rsa' && p.ecKeySize === null ? 256 : p.ecKeySize;
  if (ec !== null && !(EC_KEY_SIZES as readonly number[]).includes(ec))
    throw new AppError('ERR_BAD_REQUEST', `EC key size must be one of ${EC_KEY_SIZES.join(', ')}`);
  return { ...p, ecKeySize: ec as EcKeySize | null };
}

export function createProfileService(store: PhoneStore, admin: PhoneBatchUnit, clock: Clock): ProfileService {
  const now = () => clock.now().toISOString();
  const svc: ProfileService = {
    async list() {
      const profiles = await store.listProfiles();
      return Promise.all(profiles.map(async (p) => ({ ...p, phones: await store.countPhonesWithProfile(p.name) })));
    },
    async get(name) {
      const p = await store.getProfile(name);
      if (!p) throw new AppError('ERR_PROFILE_NOT_FOUND', `no security profile named "${name}"`);
      return { ...p, phones: await store.countPhonesWithProfile(name) };
    },
    async create(input, actor) {
      const t = now();
      const profile = validate({
        name: input.name,
        description: input.description ?? '',
        deviceSecurityMode: input.deviceSecurityMode ?? 'non-secure',
        authMode: input.authMode ?? 'null-string',
        keyOrder: input.keyOrder ?? 'rsa',
        rsaKeySize: (input.rsaKeySize ?? 2048) as RsaKeySize,
        ecKeySize: (input.ecKeySize ?? null) as EcKeySize | null,
        encryptedConfig: input.encryptedConfig ?? false,
        acceptExpiredMic: input.acceptExpiredMic === true,
        createdAt: t,
        updatedAt: t,
      });
      await store.transaction(async (tx) => {
        if (await tx.getProfile(profile.name))
          throw new AppError('ERR_CONFLICT', `a security profile named "${profile.name}" already exists`);
        await tx.upsertProfile(profile);
        const details = profileDetails(profile);
        await recordAudit(tx, { at: t, actor, action: 'profile.create', target: profile.name, details });
      });
      return profile;
    },
    async update(name, patch, actor, opts = {}) {
      const t = now();
      const current = await store.getProfile(name);
      if (!current) throw new AppError('ERR_PROFILE_NOT_FOUND', `no security profile named "${name}"`);
      const next = validate({
        ...current,
        ...(patch.description !== undefined ? { description: patch.description } : {}),
        ...(patch.deviceSecurityMode !== undefined ? { deviceSecurityMode: patch.deviceSecurityMode } : {}),
        ...(patch.authMode !== undefined ? { authMode: patch.authMode } : {}),
        ...(patch.keyOrder !== undefined ? { keyOrder: patch.keyOrder } : {}),
        ...(patch.rsaKeySize !== undefined ? { rsaKeySize: patch.rsaKeySize as RsaKeySize } : {}),
        ...(patch.ecKeySize !== undefined ? { ecKeySize: patch.ecKeySize as EcKeySize | null } : {}),
        ...(patch.encryptedConfig !== undefined ? { encryptedConfig: patch.encryptedConfig } : {}),
        ...(patch.acceptExpiredMic !== undefined ? { acceptExpiredMic: patch.acceptExpiredMic === true } : {}),
        updatedAt: t,
      });
      return admin.transaction(async (atx) => {
        const tx = atx.phoneStore();
        {
          await tx.upsertProfile(next);
          const phonesUsingProfile = await tx.countPhonesWithProfile(name);
          const phonesUpdated = opts.applyToPhones === false ? 0 : await atx.applyProfileDefaults(name, next, t);
          const pendingConflicts = await atx.countPendingWithProfile(name, next.authMode);
          await recordAudit(tx, {
            at: t,
            actor,
            action: 'profile.update',
            target: name,
            details: {
              before: profileDetails(current),
              after: profileDetails(next),
              phonesUsingProfile,
              phonesUpdated,
              pendingConflicts,
            },
          });
          return { profile: next, phonesUsingProfile, phonesUpdated, pendingConflicts };
        }
      });
    },
    async remove(name, actor) {
      if (name === DEFAULT_PROFILE_NAME)
        throw new AppError('ERR_PROFILE_IN_USE', 'the default security profile cannot be deleted');
      await store.transaction(async (tx) => {
        if (!(await tx.getProfile(name)))
          throw new AppError('ERR_PROFILE_NOT_FOUND', `no security profile named "${name}"`);
        const n = await tx.countPhonesWithProfile(name);
        if (n > 0)
          throw new AppError(
            'ERR_PROFILE_IN_USE',
            `security profile "${name}" is used by ${n} phone${n === 1 ? '' : 's'}; move them to another profile first`,
            { phones: n },
          );
        await tx.deleteProfile(name);
        await recordAudit(tx, { at: now(), actor, action: 'profile.delete', target: name });
      });
    },
  };
  return svc;
}

function profileDetails(p: SecurityProfile): Record<string, unknown> {
  return {
    deviceSecurityMode: p.deviceSecurityMode,
    authMode: p.authMode,
    keyOrder: p.keyOrder,
    rsaKeySize: p.rsaKeySize,
    ecKeySize: p.ecKeySize,
    encryptedConfig: p.encryptedConfig,
    acceptExpiredMic: p.acceptExpiredMic,
  };
}
