// Owns the administrator's Device > Phone page beyond add/remove/schedule: edit a phone (model, description,
// security profile), find phones with paging and sorting, Generate String, and the CAPF Information view.

import { AppError } from '../shared/errors.ts';
import type { Clock } from '../shared/clock.ts';
import type { PhoneQuery, PhoneStore } from './ports.ts';
import { recordAudit } from '../audit/index.ts';
import { generateAuthString, type Actor, type PhoneService } from './service.ts';
import { DESCRIPTION_MAX_CHARS, MODEL_MAX_CHARS } from './model.ts';
import { AUTH_MODES, CERT_OPERATIONS, KEY_ORDERS, normaliseDeviceName, type Phone } from './model.ts';
import { assertFilterAllowed, type Viewer } from './filter-access.ts';
import { PHONE_SORT_NAMES, withFacts, type QueryFacts } from './query-fields.ts';

export interface PhoneEdit {
  model?: string;
  description?: string;
  profileName?: string | null;
  /**
   * When the new profile's mode contradicts a pending operation: refuse (default) or switch the operation to the
   * profile's mode.
   */
  onProfileMismatch?: 'refuse' | 'use-profile';
}

/** The seed's "Certification Authority Proxy Function (CAPF) Information" section, with CUCM's labels. */
export interface CapfInformation {
  certificateOperation: string;
  authenticationMode: string;
  authenticationString: string | null;
  keyOrder: string;
  rsaKeySize: number;
  ecKeySize: number | null;
  operationCompletesBy: string | null;
  certificateOperationStatus: string;
}

export const FIND_MAX_LIMIT = 500;
const SORTS: readonly string[] = PHONE_SORT_NAMES;

export function capfInformation(p: Phone): CapfInformation {
  return {
    certificateOperation: CERT_OPERATIONS[p.capf.operation].label,
    authenticationMode: AUTH_MODES[p.capf.authMode].label,
    authenticationString: p.capf.authString,
    keyOrder: KEY_ORDERS[p.capf.keyOrder].label,
    rsaKeySize: p.capf.rsaKeySize,
    ecKeySize: p.capf.ecKeySize,
    operationCompletesBy: p.capf.completesBy,
    certificateOperationStatus: p.status,
  };
}

export function lscStatus(p: Phone): 'None' | 'Installed' {
  return p.lsc ? 'Installed' : 'None';
}

export interface PhoneAdminService {
  edit(deviceName: string, edit: PhoneEdit, actor: Actor): Promise<Phone>;
  /** Finds phones for `viewer`: a filter on a secret it may not read is refused (ERR_FORBIDDEN). */
  find(q: PhoneQuery, viewer: Viewer): Promise<{ items: Phone[]; total: number; offset: number; limit: number }>;
  generateString(): string;
}

export function createPhoneAdminService(
  store: PhoneStore,
  phones: PhoneService,
  clock: Clock,
  facts: () => QueryFacts,
): PhoneAdminService {
  return {
    async edit(deviceName, e, actor) {
      const phone = await phones.getPhone(deviceName);
      if (
        e.model !== undefined &&
        (!e.model.trim() || e.model.length > MODEL_MAX_CHARS || /[\u0000-\u001f\u007f]/.test(e.model))
      ) {
        throw new AppError('ERR_BAD_REQUEST', `model must be 1 to ${MODEL_MAX_CHARS} printable characters`);
      }
      if (
        e.description !== undefined &&
        (e.description.length > DESCRIPTION_MAX_CHARS || /[\u0000-\u001f\u007f]/.test(e.description))
      ) {
        throw new AppError(
          'ERR_BAD_REQUEST',
          `description must be at most ${DESCRIPTION_MAX_CHARS} characters without control characters`,
        );
      }
      const t = clock.now().toISOString();
      return store.transaction(async (tx) => {
        const patch: Parameters<PhoneStore['updatePhone']>[1] = {};
        if (e.model !== undefined) patch.model = e.model.trim();
        if (e.description !== undefined) patch.description = e.description;
        if (e.profileName !== undefined && e.profileName !== phone.profileName) {
          patch.profileName = e.profileName;
          if (e.profileName !== null) {
            const profile = await tx.getProfile(e.profileName);
            if (!profile) throw new AppError('ERR_PROFILE_NOT_FOUND', `no security profile named "${e.profileName}"`);
            if (phone.capf.operation === 'none') {
              // A phone's CAPF settings default from its profile.
              patch.capf = {
                authMode: profile.authMode,
                keyOrder: profile.keyOrder,
                rsaKeySize: profile.rsaKeySize,
                ecKeySize: profile.ecKeySize,
              };
            } else if (profile.authMode !== phone.capf.authMode) {
              if (e.onProfileMismatch !== 'use-profile') {
                throw new AppError(
                  'ERR_PROFILE_MISMATCH',
                  `${phone.deviceName} has a pending ${CERT_OPERATIONS[phone.capf.operation].label} ` +
                    `"${AUTH_MODES[phone.capf.authMode].label}", which contradicts profile ` +
                    `"${profile.name}" ("${AUTH_MODES[profile.authMode].label}"): the operation could ` +
                    `never complete. Ask for the profile's mode, or reschedule first.`,
                  { profile: profile.name, profileMode: profile.authMode, requestedMode: phone.capf.authMode },
                );
              }
              patch.capf = {
                authMode: profile.authMode,
                authString: profile.authMode === 'auth-string' ? (phone.capf.authString ?? generateAuthString()) : null,
              };
            }
          }
        }
        const updated = await tx.updatePhone(phone.deviceName, patch, t);
        if (!updated) throw new AppError('ERR_PHONE_NOT_FOUND', `no phone named ${phone.deviceName}`);
        const details: Record<string, unknown> = {};
        for (const k of ['model', 'description', 'profileName'] as const)
          if (patch[k] !== undefined) details[k] = { from: phone[k], to: patch[k] };
        if (patch.capf) details.capf = { ...patch.capf, ...(patch.capf.authString ? { authString: 'set' } : {}) };
        await recordAudit(tx, { at: t, actor, action: 'phone.edit', target: phone.deviceName, details });
        return updated;
      });
    },

    async find(q, viewer) {
      assertFilterAllowed(q, viewer);
      const limit = q.limit ?? 50;
      const offset = q.offset ?? 0;
      if (!Number.isInteger(limit) || limit < 1 || limit > FIND_MAX_LIMIT)
        throw new AppError('ERR_BAD_REQUEST', `limit must be 1 to ${FIND_MAX_LIMIT}`);
      if (!Number.isInteger(offset) || offset < 0) throw new AppError('ERR_BAD_REQUEST', 'offset must be 0 or more');
      if (q.sort && !SORTS.includes(q.sort))
        throw new AppError('ERR_BAD_REQUEST', `sort must be one of ${SORTS.join(', ')}`);
      if (q.authString !== undefined && !/^\d{4,10}$/.test(q.authString))
        throw new AppError('ERR_AUTH_STRING_FORMAT', 'authentication string must be 4 to 10 digits');
      for (const k of ['lscExpiresBefore', 'lscExpiresAfter'] as const) {
        const v = q[k];
        if (v !== undefined) {
          const t = Date.parse(v);
          if (Number.isNaN(t)) throw new AppError('ERR_BAD_REQUEST', `${k} "${v}" is not a date/time (ISO 8601)`);
          q = { ...q, [k]: new Date(t).toISOString() };
        }
      }
      if (q.namePattern) {
        const bare = q.namePattern.replace(/\*$/, '');
        if (!/^[0-9A-Za-z._-]{0,15}$/.test(bare))
          throw new AppError(
            'ERR_PHONE_BAD_NAME',
            'name pattern may hold only letters, digits, dot, dash and underscore of a device name, ' +
              'optionally ending with *',
          );
      }
      const exact = q.namePattern ? normaliseDeviceName(q.namePattern) : null;
      const query = { ...q, ...(exact ? { namePattern: `${exact}*` } : {}), limit, offset };
      const r = await store.listPhones(withFacts(query, facts()));
      return { ...r, offset, limit };
    },

    generateString: () => generateAuthString(),
  };
}
