// Owns administrator actions on phones and their CAPF operations: add, edit, remove, schedule
// (with the seed's profile-mismatch rule), Generate String, and the phone's detail view.

import { randomInt } from 'node:crypto';
import { AppError } from '../shared/errors.ts';
import type { Clock } from '../shared/clock.ts';
import type { PhoneStore, CertificateRecord } from './ports.ts';
import type { CapfSessionRecord } from '../capf/ports.ts';
import { recordAudit, type AuditActor } from '../audit/index.ts';
import {
  AUTH_MODES,
  AUTH_STRING_RE,
  DEFAULT_CAPF,
  EC_KEY_SIZES,
  KEY_ORDERS,
  STATUS,
  statusText,
  RSA_KEY_SIZES,
  CERT_OPERATIONS,
  parseDeviceName,
  type AuthMode,
  type CapfSettings,
  type CertOperation,
  type EcKeySize,
  type KeyOrder,
  type Phone,
  type RsaKeySize,
} from './model.ts';

/** Who acts and from where (the audit log's actor). */
export type Actor = AuditActor;

export interface NewPhone {
  deviceName: string;
  model?: string;
  description?: string;
  profileName?: string | null;
}

export interface ScheduleRequest {
  operation: CertOperation;
  authMode?: AuthMode;
  /** A fixed string, or 'generate' for a unique random string per device. */
  authString?: string | 'generate' | null;
  keyOrder?: KeyOrder;
  rsaKeySize?: number;
  ecKeySize?: number | null;
  /** ISO time; must be in the future. Default: 24 hours from now. */
  completesBy?: string | null;
  /** When the auth mode contradicts the security profile: refuse (default) or use the profile's mode. */
  onProfileMismatch?: 'refuse' | 'use-profile';
}

export type ItemResult<T> =
  | { deviceName: string; ok: true; value: T }
  | { deviceName: string; ok: false; code: string; message: string };

export interface PhoneDetail {
  phone: Phone;
  sessions: CapfSessionRecord[];
  certificates: Omit<CertificateRecord, 'der'>[];
}

/** Generate String: a random numeric authentication string (CUCM accepts 4..10 digits). */
export function generateAuthString(length = 8): string {
  let s = '';
  for (let i = 0; i < length; i++) s += String(randomInt(10));
  return s;
}

export const DEFAULT_DEADLINE_MS = 24 * 3600_000;

/**
 * Validates a schedule request and resolves defaults against the phone's current settings. Holds the seed's
 * profile-mismatch rule; single-phone scheduling and bulk jobs both go through here.
 */
export function resolveScheduleSettings(
  phone: Phone,
  req: ScheduleRequest,
  profileMode: AuthMode | null,
  nowDate: Date,
): CapfSettings {
  if (!Object.hasOwn(CERT_OPERATIONS, req.operation))
    throw new AppError('ERR_BAD_REQUEST', `unknown operation "${req.operation}"`);
  let authMode = req.authMode ?? profileMode ?? phone.capf.authMode;
  if (!Object.hasOwn(AUTH_MODES, authMode))
    throw new AppError(
      'ERR_BAD_REQUEST',
      `unknown authentication mode "${authMode}" (use ${Object.keys(AUTH_MODES).join(', ')})`,
    );
  if (profileMode && authMode !== profileMode && req.operation !== 'none') {
    if (req.onProfileMismatch === 'use-profile') authMode = profileMode;
    else {
      throw new AppError(
        'ERR_PROFILE_MISMATCH',
        `Authentication Mode "${AUTH_MODES[authMode].label}" contradicts the phone ` +
          `security profile "${phone.profileName}" ("${AUTH_MODES[profileMode].label}"): the ` +
          `operation could never complete. Use the profile's mode, or change the profile.`,
        { profile: phone.profileName, profileMode, requestedMode: authMode },
      );
    }
  }
  const keyOrder = req.keyOrder ?? phone.capf.keyOrder;
  if (!Object.hasOwn(KEY_ORDERS, keyOrder))
    throw new AppError('ERR_BAD_REQUEST', `unknown key order "${keyOrder}" (use rsa, ec, ec-rsa)`);
  const rsaKeySize = req.rsaKeySize ?? phone.capf.rsaKeySize;
  if (!(RSA_KEY_SIZES as readonly number[]).includes(rsaKeySize))
    throw new AppError('ERR_BAD_REQUEST', `RSA key size must be one of ${RSA_KEY_SIZES.join(', ')}`);
  let ecKeySize = req.ecKeySize === undefined ? phone.capf.ecKeySize : req.ecKeySize;
  if (keyOrder !== 'rsa' && ecKeySize === null) ecKeySize = 256;
  if (ecKeySize !== null && !(EC_KEY_SIZES as readonly number[]).includes(ecKeySize))
    throw new AppError('ERR_BAD_REQUEST', `EC key size must be one of ${EC_KEY_SIZES.join(', ')}`);
  let authString: string | null = null;
  if (authMode === 'auth-string' && req.operation !== 'none') {
    const s = req.authString === undefined ? phone.capf.authString : req.authString;
    if (s === 'generate' || s === null || s === undefined) authString = s === 'generate' ? generateAuthString() : null;
    else authString = s;
    if (authString === null)
      throw new AppError(
        'ERR_AUTH_STRING_FORMAT',
        req.authMode && req.authMode !== authMode
          ? `the phone security profile "${phone.profileName}" uses By Authentication String and no ` +
              'authentication string was given (4 to 10 digits, or "generate" for one per device)'
          : 'By Authentication String needs an authentication string (4 to 10 digits), or "generate"',
      );
    if (!AUTH_STRING_RE.test(authString))
      throw new AppError('ERR_AUTH_STRING_FORMAT', 'authentication string must be 4 to 10 digits');
  }
  let completesBy: string | null = null;
  if (req.operation !== 'none') {
    const t = req.completesBy ? Date.parse(req.completesBy) : nowDate.getTime() + DEFAULT_DEADLINE_MS;
    if (Number.isNaN(t))
      throw new AppError(
        'ERR_BAD_REQUEST',
        `Operation Completes By "${req.completesBy}" is not a date/time (use ISO 8601, e.g. 2026-12-01T17:00:00Z)`,
      );
    if (t <= nowDate.getTime())
      throw new AppError(
        'ERR_DEADLINE_PAST',
        `Operation Completes By ${new Date(t).toISOString()} is in the past; enter any later time (an hour or ` +
          'more ahead leaves time to reset the phone)',
      );
    completesBy = new Date(t).toISOString();
  }
  return {
    operation: req.operation,
    authMode,
    authString,
    keyOrder,
    rsaKeySize: rsaKeySize as RsaKeySize,
    ecKeySize: ecKeySize as EcKeySize | null,
    completesBy,
  };
}

export interface PhoneService {
  addPhones(items: readonly NewPhone[], actor: Actor): Promise<ItemResult<Phone>[]>;
  getPhone(deviceName: string): Promise<Phone>;
  /** One page of phones in device-name order, for a local operator (the API's find adds filters, roles and caps). */
  list(page: { limit: number; offset?: number }): Promise<{ items: Phone[]; total: number }>;
  detail(deviceName: string, sessionLimit?: number): Promise<PhoneDetail>;
  schedule(deviceNames: readonly string[], req: ScheduleRequest, actor: Actor): Promise<ItemResult<Phone>[]>;
  removePhone(deviceName: string, actor: Actor): Promise<void>;
  /**
   * Adds phones with their CAPF settings all or nothing (an inventory moved from another cluster): every item is
   * checked first — name, duplicates in the list and in the store, profile, CAPF settings against the profile —
   * and if one fails nothing is written and every failure is returned; else all are added in one transaction.
   */
  importPhones(items: readonly ImportedPhone[], actor: Actor): Promise<{ ok: boolean; results: ItemResult<Phone>[] }>;
}

export interface ImportedPhone extends NewPhone {
  /** The CAPF settings to apply (absent fields: the profile's and the defaults). */
  capf?: ScheduleRequest;
}

export function createPhoneService(store: PhoneStore, clock: Clock): PhoneService {
  const now = () => clock.now().toISOString();

  function requireName(raw: string): string {
    const p = parseDeviceName(raw);
    if (!p.ok) throw new AppError('ERR_PHONE_BAD_NAME', p.reason);
    return p.name;
  }

  const resolveSettings = (phone: Phone, req: ScheduleRequest, profileMode: AuthMode | null) =>
    resolveScheduleSettings(phone, req, profileMode, clock.now());

  const svc: PhoneService = {
    async addPhones(items, actor) {
      const results: ItemResult<Phone>[] = [];
      const toInsert: Phone[] = [];
      const seen = new Set<string>();
      const t = now();
      for (const item of items) {
        const parsed = parseDeviceName(item.deviceName);
        if (!parsed.ok) {
          results.push({ deviceName: item.deviceName, ok: false, code: 'ERR_PHONE_BAD_NAME', message: parsed.reason });
          continue;
        }
        const name = parsed.name;
        if (seen.has(name) || (await store.getPhone(name))) {
          results.push({ deviceName: name, ok: false, code: 'ERR_PHONE_EXISTS', message: `${name} already exists` });
          continue;
        }
        let capf = { ...DEFAULT_CAPF };
        if (item.profileName) {
          const profile = await store.getProfile(item.profileName);
          if (!profile) {
            results.push({
              deviceName: name,
              ok: false,
              code: 'ERR_PROFILE_NOT_FOUND',
              message: `no security profile named "${item.profileName}"`,
            });
            continue;
          }
          capf = {
            ...capf,
            authMode: profile.authMode,
            keyOrder: profile.keyOrder,
            rsaKeySize: profile.rsaKeySize,
            ecKeySize: profile.ecKeySize,
          };
        }
        seen.add(name);
        const phone: Phone = {
          deviceName: name,
          model: item.model ?? 'Cisco 8845',
          description: item.description ?? '',
          profileName: item.profileName ?? null,
          capf,
          operationStatus: STATUS.none,
          status: statusText(STATUS.none),
          authFailures: 0,
          lsc: null,
          mic: null,
          lastSessionAt: null,
          configVersion: 1,
          createdAt: t,
          updatedAt: t,
        };
        toInsert.push(phone);
        results.push({ deviceName: name, ok: true, value: phone });
      }
      await store.transaction(async (tx) => {
        await tx.insertPhones(toInsert);
        for (const p of toInsert) {
          const details = { model: p.model, profile: p.profileName };
          await recordAudit(tx, { at: t, actor, action: 'phone.add', target: p.deviceName, details });
        }
      });
      return results;
    },

    async list(page) {
      return store.listPhones({ limit: page.limit, offset: page.offset ?? 0 });
    },
    async getPhone(deviceName) {
      const name = requireName(deviceName);
      const p = await store.getPhone(name);
      if (!p) throw new AppError('ERR_PHONE_NOT_FOUND', `no phone named ${name}`);
      return p;
    },

    async detail(deviceName, sessionLimit = 20) {
      const phone = await svc.getPhone(deviceName);
      const sessions = await store.listSessions(phone.deviceName, sessionLimit);
      const certificates = (await store.listCertificates(phone.deviceName)).map(({ der: _der, ...rest }) => rest);
      return { phone, sessions, certificates };
    },

    async schedule(deviceNames, req, actor) {
      const results: ItemResult<Phone>[] = [];
      const profileModes = new Map<string, AuthMode | null>();
      for (const raw of deviceNames) {
        const parsed = parseDeviceName(raw);
        if (!parsed.ok) {
          results.push({ deviceName: raw, ok: false, code: 'ERR_PHONE_BAD_NAME', message: parsed.reason });
          continue;
        }
        const name = parsed.name;
        try {
          const phone = await store.getPhone(name);
          if (!phone) throw new AppError('ERR_PHONE_NOT_FOUND', `no phone named ${name}`);
          let profileMode: AuthMode | null = null;
          if (phone.profileName) {
            if (!profileModes.has(phone.profileName))
              profileModes.set(phone.profileName, (await store.getProfile(phone.profileName))?.authMode ?? null);
            profileMode = profileModes.get(phone.profileName) ?? null;
          }
          const capf = resolveSettings(phone, req, profileMode);
          const t = now();
          const updated = await store.transaction(async (tx) => {
            const u = await tx.updatePhone(
              name,
              {
                capf,
                operationStatus: capf.operation === 'none' ? STATUS.none : STATUS.pending(capf.operation),
                authFailures: 0,
              },
              t,
            );
            await recordAudit(tx, {
              at: t,
              actor,
              action: 'capf.schedule',
              target: name,
              details: {
                operation: capf.operation,
                authMode: capf.authMode,
                keyOrder: capf.keyOrder,
                rsaKeySize: capf.rsaKeySize,
                ecKeySize: capf.ecKeySize,
                completesBy: capf.completesBy,
                authString: capf.authString ? 'set' : null,
              },
            });
            return u!;
          });
          results.push({ deviceName: name, ok: true, value: updated });
        } catch (e) {
          if (e instanceof AppError) results.push({ deviceName: name, ok: false, code: e.code, message: e.message });
          else throw e;
        }
      }
      return results;
    },

    async importPhones(items, actor) {
      const results: ItemResult<Phone>[] = [];
      const phones: Phone[] = [];
      const seen = new Set<string>();
      const profiles = new Map<string, Awaited<ReturnType<PhoneStore['getProfile']>>>();
      const t = now();
      const nowDate = clock.now();
      for (const item of items) {
        const parsed = parseDeviceName(item.deviceName);
        const failed = (code: string, message: string) =>
          results.push({ deviceName: parsed.ok ? parsed.name : item.deviceName, ok: false, code, message });
        if (!parsed.ok) {
          failed('ERR_PHONE_BAD_NAME', parsed.reason);
          continue;
        }
        const name = parsed.name;
        if (seen.has(name)) {
          failed('ERR_PHONE_EXISTS', `${name} appears twice in the file`);
          continue;
        }
        seen.add(name);
        if (await store.getPhone(name)) {
          failed('ERR_PHONE_EXISTS', `${name} already exists`);
          continue;
        }
        let profile = null;
        if (item.profileName) {
          if (!profiles.has(item.profileName)) profiles.set(item.profileName, await store.getProfile(item.profileName));
          profile = profiles.get(item.profileName) ?? null;
          if (!profile) {
            failed('ERR_PROFILE_NOT_FOUND', `no security profile named "${item.profileName}"`);
            continue;
          }
        }
        const base: Phone = {
          deviceName: name,
          model: item.model ?? 'Cisco 8845',
          description: item.description ?? '',
          profileName: item.profileName ?? null,
          capf: profile
            ? {
                ...DEFAULT_CAPF,
                authMode: profile.authMode,
                keyOrder: profile.keyOrder,
                rsaKeySize: profile.rsaKeySize,
                ecKeySize: profile.ecKeySize,
              }
            : { ...DEFAULT_CAPF },
          operationStatus: STATUS.none,
          status: statusText(STATUS.none),
          authFailures: 0,
          lsc: null,
          mic: null,
          lastSessionAt: null,
          configVersion: 1,
          createdAt: t,
          updatedAt: t,
        };
        try {
          const capf = item.capf
            ? resolveScheduleSettings(base, item.capf, profile?.authMode ?? null, nowDate)
            : base.capf;
          const operationStatus = capf.operation === 'none' ? STATUS.none : STATUS.pending(capf.operation);
          const phone = { ...base, capf, operationStatus, status: statusText(operationStatus) };
          phones.push(phone);
          results.push({ deviceName: name, ok: true, value: phone });
        } catch (e) {
          if (e instanceof AppError) failed(e.code, e.message);
          else throw e;
        }
      }
      if (results.some((r) => !r.ok)) return { ok: false, results };
      await store.transaction(async (tx) => {
        await tx.insertPhones(phones);
        for (const p of phones) {
          const details = {
            model: p.model,
            profile: p.profileName,
            source: 'import',
            operation: p.capf.operation,
            authMode: p.capf.authMode,
            authString: p.capf.authString ? 'set' : null,
            completesBy: p.capf.completesBy,
          };
          await recordAudit(tx, { at: t, actor, action: 'phone.add', target: p.deviceName, details });
        }
      });
      return { ok: true, results };
    },

    async removePhone(deviceName, actor) {
      const phone = await svc.getPhone(deviceName);
      const t = now();
      await store.transaction(async (tx) => {
        if (phone.lsc) {
          await tx.setCertificateState(phone.lsc.serialHex, 'revoked', {
            revokedAt: t,
            revocationReason: 'cessationOfOperation',
          });
          const details = { serial: phone.lsc.serialHex, reason: 'cessationOfOperation (phone removed)' };
          await recordAudit(tx, { at: t, actor, action: 'certificate.revoke', target: phone.deviceName, details });
        }
        await tx.deletePhone(phone.deviceName);
        await recordAudit(tx, { at: t, actor, action: 'phone.remove', target: phone.deviceName });
      });
    },
  };
  return svc;
}
