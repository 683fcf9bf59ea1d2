// Owns administrators and access: users with roles, the first-start admin, logins (throttled), browser
// sessions and API tokens, and the audit of logins, refusals, logouts and every change to users and tokens.

import { AppError } from '../shared/errors.ts';
import type { Clock } from '../shared/clock.ts';
import { recordAudit, type AuditAction, type AuditActor } from '../audit/index.ts';
import type { AccessStore, ApiTokenRecord, UserRecord } from './ports.ts';
import { isRole, TOKEN_SCOPES, ROLES, type Principal, type Role, type TokenScope } from './roles.ts';
import { checkPassword, hashPassword, randomPassword, verifyPassword } from './passwords.ts';
import { newApiToken, newSessionId, parseApiToken, secretDigest, secretMatches } from './tokens.ts';
import { createLoginThrottle } from './throttle.ts';

/** Who acts (a user name, `cli:<OS account>`, …) and from where; the phones domain's Actor has this shape. */
export type Actor = AuditActor;

export interface PublicUser {
  username: string;
  role: Role;
  mustChangePassword: boolean;
  disabled: boolean;
  createdAt: string;
  lastLoginAt: string | null;
}

export type PublicToken = Omit<ApiTokenRecord, 'secretHash'>;

export interface UserService {
  /**
   * First start: when no user exists, creates `admin` with the given password or a random one (returned once, must
   * change).
   */
  bootstrap(password?: string): Promise<{ created: boolean; username: string; password?: string; generated: boolean }>;
  login(
    username: string,
    password: string,
    source: string,
  ): Promise<{ sessionId: string; expiresAt: string; user: PublicUser }>;
  /** Ends a browser session; audited as auth.logout of its user (an unknown or ended session changes nothing). */
  logout(sessionId: string, source: string): Promise<void>;
  authenticateSession(sessionId: string): Promise<Principal | null>;
  authenticateToken(token: string): Promise<Principal | null>;
  changePassword(username: string, current: string, next: string, actor: Actor): Promise<void>;
  /**
   * Checks the password a logged-in user typed again to confirm a change (ERR_CONFIRMATION_FAILED when wrong),
   * throttled and audited like a login, so a stolen session cannot guess it.
   */
  confirmPassword(username: string, password: string, source: string): Promise<void>;
  list(): Promise<PublicUser[]>;
  get(username: string): Promise<PublicUser>;
  create(
    username: string,
    role: Role,
    password: string | null,
    actor: Actor,
  ): Promise<{ user: PublicUser; password?: string }>;
  update(
    username: string,
    patch: { role?: Role; password?: string; disabled?: boolean },
    actor: Actor,
  ): Promise<PublicUser>;
  remove(username: string, actor: Actor): Promise<void>;
  createToken(
    username: string,
    name: string,
    scopes: TokenScope[],
    expiresInDays: number | null,
    actor: Actor,
  ): Promise<{ token: string; record: PublicToken }>;
  listTokens(username?: string): Promise<PublicToken[]>;
  revokeToken(id: string, actor: Actor, onlyOwner?: string): Promise<void>;
}

export interface UserServiceOptions {
  sessionTtlMs?: number;
  /** Failures allowed per user and per address within the window before logins are refused. */
  maxFailures?: number;
  failureWindowMs?: number;
  lockoutMs?: number;
  /** scrypt cost; tests may lower it. */
  scryptN?: number;
}

export const USERNAME_RE = /^[a-z][a-z0-9._-]{0,63}$/;
/** Constant work for unknown users, so timing does not reveal which names exist. */
let dummyHash: string | null = null;

function checkRole(role: string): asserts role is Role {
  if (!isRole(role))
    throw new AppError('ERR_BAD_REQUEST', `unknown role "${role}" (use ${Object.keys(ROLES).join(', ')})`);
}

function publicUser(u: UserRecord): PublicUser {
  return {
    username: u.username,
    role: u.role,
    mustChangePassword: u.mustChangePassword,
    disabled: u.disabled,
    createdAt: u.createdAt,
    lastLoginAt: u.lastLoginAt,
  };
}

function publicToken(t: ApiTokenRecord): PublicToken {
  const { secretHash: _s, ...rest } = t;
  return rest;
}

export function createUserService(store: AccessStore, clock: Clock, o: UserServiceOptions = {}): UserService {
  const sessionTtlMs = o.sessionTtlMs ?? 12 * 3600_000;
  const N = o.scryptN ?? 16384;
  const throttle = createLoginThrottle(store, clock, {
    maxFailures: o.maxFailures ?? 5,
    failureWindowMs: o.failureWindowMs ?? 15 * 60_000,
    lockoutMs: o.lockoutMs ?? 15 * 60_000,
  });
  const now = () => clock.now().toISOString();
  const audit = (actor: Actor, action: AuditAction, target: string, details: Record<string, unknown> = {}) =>
    recordAudit(store, { at: now(), actor, action, target, details });

  async function principalFor(
    username: string,
    via: Principal['via'],
    scopes: readonly TokenScope[],
    tokenId?: string,
  ): Promise<Principal | null> {
    const u = await store.getUser(username);
    if (!u || u.disabled) return null;
    return {
      username: u.username,
      role: u.role,
      via,
      scopes,
      mustChangePassword: u.mustChangePassword,
      ...(tokenId ? { tokenId } : {}),
    };
  }

  const svc: UserService = {
    async bootstrap(password) {
      if ((await store.countUsers()) > 0) return { created: false, username: 'admin', generated: false };
      const generated = !password;
      const pw = password ?? randomPassword();
      if (!generated) checkPassword(pw);
      const t = now();
      await store.insertUser({
        username: 'admin',
        role: 'admin',
        passwordHash: await hashPassword(pw, N),
        mustChangePassword: generated,
        disabled: false,
        createdAt: t,
        updatedAt: t,
        lastLoginAt: null,
      });
      await audit({ name: 'opencapf', source: 'first-start' }, 'user.create', 'admin', {
        role: 'admin',
        passwordFrom: generated ? 'generated' : 'OPENCAPF_ADMIN_PASSWORD',
      });
      return { created: true, username: 'admin', generated, ...(generated ? { password: pw } : {}) };
    },

    async login(username, password, source) {
      const keys = throttle.keysFor(username, source);
      const until = await throttle.lockedUntil(keys);
      if (until) {
        await throttle.auditRefusal(String(username).slice(0, 64), source, until);
        throw new AppError(
          'ERR_THROTTLED',
          `too many failed logins; try again after ${new Date(until).toISOString()}`,
          { retryAfterSeconds: Math.ceil((until - clock.now().getTime()) / 1000) },
        );
      }
      const u = typeof username === 'string' && USERNAME_RE.test(username) ? await store.getUser(username) : null;
      dummyHash ??= await hashPassword(randomPassword(), N);
      const ok = await verifyPassword(String(password), u?.passwordHash ?? dummyHash);
      if (!u || !ok || u.disabled) {
        await throttle.recordFailure(keys);
        await audit(
          { name: String(username).slice(0, 64), source },
          'auth.login-failed',
          String(username).slice(0, 64),
          {},
        );
        throw new AppError('ERR_UNAUTHENTICATED', 'wrong user name or password');
      }
      await throttle.clear(keys);
      const sessionId = newSessionId();
      const t = now();
      const expiresAt = new Date(clock.now().getTime() + sessionTtlMs).toISOString();
      await store.insertWebSession({
        idHash: secretDigest(sessionId),
        username: u.username,
        createdAt: t,
        expiresAt,
        source,
      });
      await store.updateUser(u.username, { lastLoginAt: t });
      await audit({ name: u.username, source }, 'auth.login', u.username);
      return { sessionId, expiresAt, user: publicUser({ ...u, lastLoginAt: t }) };
    },

    async logout(sessionId, source) {
      if (!sessionId || sessionId.length > 128) return;
      const s = await store.getWebSession(secretDigest(sessionId));
      if (!s) return;
      await store.deleteWebSession(s.idHash);
      await audit({ name: s.username, source }, 'auth.logout', s.username);
    },

    async authenticateSession(sessionId) {
      if (!sessionId || sessionId.length > 128) return null;
      const s = await store.getWebSession(secretDigest(sessionId));
      if (!s) return null;
      if (s.expiresAt <= now()) {
        await store.deleteWebSession(s.idHash);
        return null;
      }
      return principalFor(s.username, 'session', ['api']);
    },

    async authenticateToken(token) {
      const parsed = parseApiToken(token);
      if (!parsed) return null;
      const rec = await store.getToken(parsed.id);
      if (!rec) return null;
      if (!secretMatches(parsed.secret, rec.secretHash)) return null;
      if (rec.expiresAt && rec.expiresAt <= now()) return null;
      await store.touchToken(rec.id, now());
      const p = await principalFor(rec.username, 'token', rec.scopes as TokenScope[], rec.id);
      // A script's token never waits on a password change.
      return p ? { ...p, mustChangePassword: false } : null;
    },

    async changePassword(username, current, next, actor) {
      const u = await store.getUser(username);
      if (!u || !(await verifyPassword(String(current), u.passwordHash)))
        throw new AppError('ERR_UNAUTHENTICATED', 'current password is wrong');
      checkPassword(next);
      if (next === current) throw new AppError('ERR_BAD_REQUEST', 'the new password must differ from the current one');
      await store.updateUser(username, {
        passwordHash: await hashPassword(next, N),
        mustChangePassword: false,
        updatedAt: now(),
      });
      await audit(actor, 'user.password-change', username);
    },

    async confirmPassword(username, password, source) {
      const keys = throttle.keysFor(username, source);
      const until = await throttle.lockedUntil(keys);
      if (until) {
        await throttle.auditRefusal(username, source, until);
        throw new AppError(
          'ERR_THROTTLED',
          `too many wrong passwords; try again after ${new Date(until).toISOString()}`,
          {
            retryAfterSeconds: Math.ceil((until - clock.now().getTime()) / 1000),
          },
        );
      }
      const u = await store.getUser(username);
      dummyHash ??= await hashPassword(randomPassword(), N);
      const ok = await verifyPassword(String(password), u?.passwordHash ?? dummyHash);
      if (!u || !ok || u.disabled) {
        await throttle.recordFailure(keys);
        await audit({ name: username, source }, 'auth.confirm-failed', username);
        throw new AppError('ERR_CONFIRMATION_FAILED', 'the password is wrong: the change was not made');
      }
      await throttle.clear(keys);
    },

    async list() {
      return (await store.listUsers()).map(publicUser);
    },
    async get(username) {
      const u = await store.getUser(username);
      if (!u) throw new AppError('ERR_NOT_FOUND', `no user "${username}"`);
      return publicUser(u);
    },

    async create(username, role, password, actor) {
      if (!USERNAME_RE.test(username))
        throw new AppError(
          'ERR_BAD_REQUEST',
          'user name must be 1 to 64 lower-case letters, digits, . _ - and start with a letter',
        );
      checkRole(role);
      const generated = password === null;
      const pw = password ?? randomPassword();
      checkPassword(pw);
      if (await store.getUser(username)) throw new AppError('ERR_CONFLICT', `user "${username}" already exists`);
      const t = now();
      const rec: UserRecord = {
        username,
        role,
        passwordHash: await hashPassword(pw, N),
        mustChangePassword: generated,
        disabled: false,
        createdAt: t,
        updatedAt: t,
        lastLoginAt: null,
      };
      await store.insertUser(rec);
      await audit(actor, 'user.create', username, { role });
      return { user: publicUser(rec), ...(generated ? { password: pw } : {}) };
    },

    async update(username, patch, actor) {
      const u = await store.getUser(username);
      if (!u) throw new AppError('ERR_NOT_FOUND', `no user "${username}"`);
      if (patch.role !== undefined) checkRole(patch.role);
      if (patch.password !== undefined) checkPassword(patch.password);
      if ((patch.role && patch.role !== 'admin') || patch.disabled) {
        const admins = (await store.listUsers()).filter(
          (x) => x.role === 'admin' && !x.disabled && x.username !== username,
        );
        if (u.role === 'admin' && admins.length === 0)
          throw new AppError('ERR_CONFLICT', 'this is the last enabled administrator');
      }
      await store.updateUser(username, {
        ...(patch.role !== undefined ? { role: patch.role } : {}),
        ...(patch.disabled !== undefined ? { disabled: patch.disabled } : {}),
        ...(patch.password !== undefined
          ? { passwordHash: await hashPassword(patch.password, N), mustChangePassword: true }
          : {}),
        updatedAt: now(),
      });
      if (patch.password !== undefined || patch.disabled) await store.deleteWebSessionsOf(username);
      await audit(actor, 'user.update', username, {
        ...(patch.role ? { role: patch.role } : {}),
        ...(patch.disabled !== undefined ? { disabled: patch.disabled } : {}),
        ...(patch.password ? { password: 'reset' } : {}),
      });
      return svc.get(username);
    },

    async remove(username, actor) {
      const u = await store.getUser(username);
      if (!u) throw new AppError('ERR_NOT_FOUND', `no user "${username}"`);
      if (u.role === 'admin' && (await store.listUsers()).filter((x) => x.role === 'admin' && !x.disabled).length <= 1)
        throw new AppError('ERR_CONFLICT', 'this is the last administrator');
      await store.transaction(async (tx) => {
        await tx.deleteUser(username);
        await recordAudit(tx, { at: now(), actor, action: 'user.delete', target: username });
      });
    },

    async createToken(username, name, scopes, expiresInDays, actor) {
      await svc.get(username);
      if (!name || name.length > 64 || /[\u0000-\u001f\u007f]/.test(name))
        throw new AppError('ERR_BAD_REQUEST', 'token name must be 1 to 64 printable characters');
      const sc = scopes.length ? scopes : ['api' as const];
      for (const s of sc)
        if (!(TOKEN_SCOPES as readonly string[]).includes(s))
          throw new AppError('ERR_BAD_REQUEST', `unknown scope "${s}" (use ${TOKEN_SCOPES.join(', ')})`);
      if (expiresInDays !== null && (!Number.isInteger(expiresInDays) || expiresInDays < 1 || expiresInDays > 3650))
        throw new AppError('ERR_BAD_REQUEST', 'expiresInDays must be 1 to 3650');
      const { id, secret, token } = newApiToken();
      const rec: ApiTokenRecord = {
        id,
        username,
        name,
        secretHash: secretDigest(secret),
        scopes: sc,
        createdAt: now(),
        expiresAt:
          expiresInDays === null ? null : new Date(clock.now().getTime() + expiresInDays * 86_400_000).toISOString(),
        lastUsedAt: null,
      };
      await store.insertToken(rec);
      await audit(actor, 'token.create', username, { tokenId: id, name, scopes: sc });
      return { token, record: publicToken(rec) };
    },

    async listTokens(username) {
      return (await store.listTokens(username)).map(publicToken);
    },

    async revokeToken(id, actor, onlyOwner) {
      const t = await store.getToken(id);
      if (!t || (onlyOwner && t.username !== onlyOwner)) throw new AppError('ERR_NOT_FOUND', `no token ${id}`);
      await store.deleteToken(id);
      await audit(actor, 'token.revoke', t.username, { tokenId: id, name: t.name });
    },
  };
  return svc;
}
