// Owns administrators and access: users with roles, scrypt password hashes, login throttling by user and
// address (kept in the store, so a lockout survives a restart), browser sessions and API tokens (secrets
// stored only as SHA-256), the first-start admin, and the audit of logins, refusals and logouts.

import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { AppError } from '../shared/errors.ts';
import type { Clock } from '../shared/clock.ts';
import type { AdminStore, ApiTokenRecord, Role, UserRecord } from './admin-ports.ts';
import type { Actor } from './service.ts';

/**
 * `readsSecrets`: the role may see authentication strings, and so may also filter on them (a filter on a
 * secret answers yes/no per guess, which is reading it one guess at a time).
 */
export const ROLES = {
  admin: { label: 'Administrator', rank: 3, readsSecrets: true },
  operator: { label: 'Operator', rank: 2, readsSecrets: true },
  'read-only': { label: 'Read-only', rank: 1, readsSecrets: false },
} as const satisfies Record<Role, { label: string; rank: number; readsSecrets: boolean }>;

/** Token scopes: `api` (everything the owner's role allows) and `metrics` (GET /metrics only). */
export const TOKEN_SCOPES = ['api', 'metrics'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

export interface Principal {
  username: string;
  role: Role;
  via: 'session' | 'token';
  scopes: readonly TokenScope[];
  mustChangePassword: boolean;
  tokenId?: string;
}

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
  /** First start: when no user exists, creates `admin` with the given password or a random one (returned once, must change). */
  bootstrap(password?: string): Promise<{ created: boolean; username: string; password?: string; generated: boolean }>;
  login(username: string, password: string, source: string): Promise<{ sessionId: string; expiresAt: string; user: PublicUser }>;
  /** Ends a browser session; audited as auth.logout of its user (an unknown or ended session changes nothing). */
  logout(sessionId: string, source: string): Promise<void>;
  authenticateSession(sessionId: string): Promise<Principal | null>;
  authenticateToken(token: string): Promise<Principal | null>;
  changePassword(username: string, current: string, next: string, actor: Actor): Promise<void>;
  list(): Promise<PublicUser[]>;
  get(username: string): Promise<PublicUser>;
  create(username: string, role: Role, password: string | null, actor: Actor): Promise<{ user: PublicUser; password?: string }>;
  update(username: string, patch: { role?: Role; password?: string; disabled?: boolean }, actor: Actor): Promise<PublicUser>;
  remove(username: string, actor: Actor): Promise<void>;
  createToken(username: string, name: string, scopes: TokenScope[], expiresInDays: number | null, actor: Actor): Promise<{ token: string; record: PublicToken }>;
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
export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 1024;
const TOKEN_PREFIX = 'ocapf_';
/** Constant work for unknown users, so timing does not reveal which names exist. */
let dummyHash: string | null = null;

function scrypt(password: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scryptCb(password, salt, keylen, opts, (e, k) => (e ? reject(e) : resolve(k))));
}

export async function hashPassword(password: string, N = 16384): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, 32, { N, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
  return `scrypt$${N}$8$1$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [alg, n, r, p, salt, key] = stored.split('$');
  if (alg !== 'scrypt' || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64');
  const got = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, { N: Number(n), r: Number(r), p: Number(p), maxmem: 64 * 1024 * 1024 });
  return timingSafeEqual(got, expected);
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export function randomPassword(): string {
  return randomBytes(15).toString('base64url');
}

function checkPassword(pw: string): void {
  if (typeof pw !== 'string' || pw.length < PASSWORD_MIN || pw.length > PASSWORD_MAX) throw new AppError('ERR_BAD_REQUEST', `password must be ${PASSWORD_MIN} to ${PASSWORD_MAX} characters`);
}

function checkRole(role: string): asserts role is Role {
  if (!Object.hasOwn(ROLES, role)) throw new AppError('ERR_BAD_REQUEST', `unknown role "${role}" (use ${Object.keys(ROLES).join(', ')})`);
}

function publicUser(u: UserRecord): PublicUser {
  return { username: u.username, role: u.role, mustChangePassword: u.mustChangePassword, disabled: u.disabled, createdAt: u.createdAt, lastLoginAt: u.lastLoginAt };
}

function publicToken(t: ApiTokenRecord): PublicToken {
  const { secretHash: _s, ...rest } = t;
  return rest;
}

export function createUserService(admin: AdminStore, clock: Clock, o: UserServiceOptions = {}): UserService {
  const sessionTtlMs = o.sessionTtlMs ?? 12 * 3600_000;
  const maxFailures = o.maxFailures ?? 5;
  const windowMs = o.failureWindowMs ?? 15 * 60_000;
  const lockoutMs = o.lockoutMs ?? 15 * 60_000;
  const N = o.scryptN ?? 16384;
  const now = () => clock.now().toISOString();
  const audit = (actor: Actor, action: string, target: string, details: Record<string, unknown> = {}) =>
    admin.appendAuditMany([{ at: now(), actor: actor.name, source: actor.source, action, target, details }]);
  const iso = (ms: number) => new Date(ms).toISOString();

  /** Until when (epoch ms) logins under any of these keys are refused; 0 when none is locked. */
  async function throttled(keys: string[]): Promise<number> {
    const t = clock.now().getTime();
    let until = 0;
    for (const f of await admin.getLoginThrottles(keys)) {
      const lockedUntil = f.lockedUntil ? Date.parse(f.lockedUntil) : 0;
      if (lockedUntil > t) until = Math.max(until, lockedUntil);
    }
    return until;
  }
  let lastPruneMs = 0;
  async function recordFailure(keys: string[]): Promise<void> {
    const t = clock.now().getTime();
    await admin.recordLoginFailure(keys, { now: iso(t), windowStart: iso(t - windowMs), maxFailures, lockedUntil: iso(t + lockoutMs) });
    // Stale records go at most once a minute: the table holds only recent failures and live lockouts.
    if (t - lastPruneMs > 60_000) {
      lastPruneMs = t;
      await admin.pruneLoginThrottles(iso(t - Math.max(windowMs, lockoutMs)), iso(t));
    }
  }
  /**
   * Refused (429) logins are audited, but at most once a minute per user name and address with the count
   * refused since: a locked-out attacker must not be able to turn each cheap 429 into a database write.
   */
  const throttleAudits = new Map<string, { atMs: number; refusedSince: number }>();
  async function auditThrottled(username: string, source: string, until: number): Promise<void> {
    const t = clock.now().getTime();
    const key = `${username}\u0000${source}`;
    const seen = throttleAudits.get(key);
    if (seen && t - seen.atMs < 60_000) {
      seen.refusedSince++;
      return;
    }
    if (throttleAudits.size > 10_000) for (const [k, v] of throttleAudits) if (t - v.atMs >= 60_000) throttleAudits.delete(k);
    throttleAudits.set(key, { atMs: t, refusedSince: 0 });
    await audit({ name: username, source }, 'auth.login-throttled', username, { lockedUntil: iso(until), ...(seen ? { refusedInLastMinute: seen.refusedSince } : {}) });
  }

  async function principalFor(username: string, via: Principal['via'], scopes: readonly TokenScope[], tokenId?: string): Promise<Principal | null> {
    const u = await admin.getUser(username);
    if (!u || u.disabled) return null;
    return { username: u.username, role: u.role, via, scopes, mustChangePassword: u.mustChangePassword, ...(tokenId ? { tokenId } : {}) };
  }

  const svc: UserService = {
    async bootstrap(password) {
      if ((await admin.countUsers()) > 0) return { created: false, username: 'admin', generated: false };
      const generated = !password;
      const pw = password ?? randomPassword();
      if (!generated) checkPassword(pw);
      const t = now();
      await admin.insertUser({ username: 'admin', role: 'admin', passwordHash: await hashPassword(pw, N), mustChangePassword: generated, disabled: false, createdAt: t, updatedAt: t, lastLoginAt: null });
      await audit({ name: 'opencapf', source: 'first-start' }, 'user.create', 'admin', { role: 'admin', passwordFrom: generated ? 'generated' : 'OPENCAPF_ADMIN_PASSWORD' });
      return { created: true, username: 'admin', generated, ...(generated ? { password: pw } : {}) };
    },

    async login(username, password, source) {
      const keys = [`u:${String(username).toLowerCase()}`, `ip:${source}`];
      const until = await throttled(keys);
      if (until) {
        await auditThrottled(String(username).slice(0, 64), source, until);
        throw new AppError('ERR_THROTTLED', `too many failed logins; try again after ${new Date(until).toISOString()}`, { retryAfterSeconds: Math.ceil((until - clock.now().getTime()) / 1000) });
      }
      const u = typeof username === 'string' && USERNAME_RE.test(username) ? await admin.getUser(username) : null;
      dummyHash ??= await hashPassword(randomPassword(), N);
      const ok = await verifyPassword(String(password), u?.passwordHash ?? dummyHash);
      if (!u || !ok || u.disabled) {
        await recordFailure(keys);
        await audit({ name: String(username).slice(0, 64), source }, 'auth.login-failed', String(username).slice(0, 64), {});
        throw new AppError('ERR_UNAUTHENTICATED', 'wrong user name or password');
      }
      await admin.deleteLoginThrottles(keys);
      const sessionId = randomBytes(32).toString('base64url');
      const t = now();
      const expiresAt = new Date(clock.now().getTime() + sessionTtlMs).toISOString();
      await admin.insertWebSession({ idHash: sha256(sessionId), username: u.username, createdAt: t, expiresAt, source });
      await admin.updateUser(u.username, { lastLoginAt: t });
      await audit({ name: u.username, source }, 'auth.login', u.username);
      return { sessionId, expiresAt, user: publicUser({ ...u, lastLoginAt: t }) };
    },

    async logout(sessionId, source) {
      if (!sessionId || sessionId.length > 128) return;
      const s = await admin.getWebSession(sha256(sessionId));
      if (!s) return;
      await admin.deleteWebSession(s.idHash);
      await audit({ name: s.username, source }, 'auth.logout', s.username);
    },

    async authenticateSession(sessionId) {
      if (!sessionId || sessionId.length > 128) return null;
      const s = await admin.getWebSession(sha256(sessionId));
      if (!s) return null;
      if (s.expiresAt <= now()) {
        await admin.deleteWebSession(s.idHash);
        return null;
      }
      return principalFor(s.username, 'session', ['api']);
    },

    async authenticateToken(token) {
      const m = /^ocapf_([a-f0-9]{16})_([A-Za-z0-9_-]{43})$/.exec(token);
      if (!m) return null;
      const rec = await admin.getToken(m[1]!);
      if (!rec) return null;
      if (!timingSafeEqual(Buffer.from(sha256(m[2]!), 'hex'), Buffer.from(rec.secretHash, 'hex'))) return null;
      if (rec.expiresAt && rec.expiresAt <= now()) return null;
      await admin.touchToken(rec.id, now());
      const p = await principalFor(rec.username, 'token', rec.scopes as TokenScope[], rec.id);
      // A script's token never waits on a password change.
      return p ? { ...p, mustChangePassword: false } : null;
    },

    async changePassword(username, current, next, actor) {
      const u = await admin.getUser(username);
      if (!u || !(await verifyPassword(String(current), u.passwordHash))) throw new AppError('ERR_UNAUTHENTICATED', 'current password is wrong');
      checkPassword(next);
      if (next === current) throw new AppError('ERR_BAD_REQUEST', 'the new password must differ from the current one');
      await admin.updateUser(username, { passwordHash: await hashPassword(next, N), mustChangePassword: false, updatedAt: now() });
      await audit(actor, 'user.password-change', username);
    },

    async list() {
      return (await admin.listUsers()).map(publicUser);
    },
    async get(username) {
      const u = await admin.getUser(username);
      if (!u) throw new AppError('ERR_NOT_FOUND', `no user "${username}"`);
      return publicUser(u);
    },

    async create(username, role, password, actor) {
      if (!USERNAME_RE.test(username)) throw new AppError('ERR_BAD_REQUEST', 'user name must be 1 to 64 lower-case letters, digits, . _ - and start with a letter');
      checkRole(role);
      const generated = password === null;
      const pw = password ?? randomPassword();
      checkPassword(pw);
      if (await admin.getUser(username)) throw new AppError('ERR_CONFLICT', `user "${username}" already exists`);
      const t = now();
      const rec: UserRecord = { username, role, passwordHash: await hashPassword(pw, N), mustChangePassword: generated, disabled: false, createdAt: t, updatedAt: t, lastLoginAt: null };
      await admin.insertUser(rec);
      await audit(actor, 'user.create', username, { role });
      return { user: publicUser(rec), ...(generated ? { password: pw } : {}) };
    },

    async update(username, patch, actor) {
      const u = await admin.getUser(username);
      if (!u) throw new AppError('ERR_NOT_FOUND', `no user "${username}"`);
      if (patch.role !== undefined) checkRole(patch.role);
      if (patch.password !== undefined) checkPassword(patch.password);
      if ((patch.role && patch.role !== 'admin') || patch.disabled) {
        const admins = (await admin.listUsers()).filter((x) => x.role === 'admin' && !x.disabled && x.username !== username);
        if (u.role === 'admin' && admins.length === 0) throw new AppError('ERR_CONFLICT', 'this is the last enabled administrator');
      }
      await admin.updateUser(username, {
        ...(patch.role !== undefined ? { role: patch.role } : {}),
        ...(patch.disabled !== undefined ? { disabled: patch.disabled } : {}),
        ...(patch.password !== undefined ? { passwordHash: await hashPassword(patch.password, N), mustChangePassword: true } : {}),
        updatedAt: now(),
      });
      if (patch.password !== undefined || patch.disabled) await admin.deleteWebSessionsOf(username);
      await audit(actor, 'user.update', username, { ...(patch.role ? { role: patch.role } : {}), ...(patch.disabled !== undefined ? { disabled: patch.disabled } : {}), ...(patch.password ? { password: 'reset' } : {}) });
      return svc.get(username);
    },

    async remove(username, actor) {
      const u = await admin.getUser(username);
      if (!u) throw new AppError('ERR_NOT_FOUND', `no user "${username}"`);
      if (u.role === 'admin' && (await admin.listUsers()).filter((x) => x.role === 'admin' && !x.disabled).length <= 1) throw new AppError('ERR_CONFLICT', 'this is the last administrator');
      await admin.transaction(async (tx) => {
        await tx.deleteUser(username);
        await tx.appendAuditMany([{ at: now(), actor: actor.name, source: actor.source, action: 'user.delete', target: username, details: {} }]);
      });
    },

    async createToken(username, name, scopes, expiresInDays, actor) {
      await svc.get(username);
      if (!name || name.length > 64 || /[\u0000-\u001f\u007f]/.test(name)) throw new AppError('ERR_BAD_REQUEST', 'token name must be 1 to 64 printable characters');
      const sc = scopes.length ? scopes : ['api' as const];
      for (const s of sc) if (!(TOKEN_SCOPES as readonly string[]).includes(s)) throw new AppError('ERR_BAD_REQUEST', `unknown scope "${s}" (use ${TOKEN_SCOPES.join(', ')})`);
      if (expiresInDays !== null && (!Number.isInteger(expiresInDays) || expiresInDays < 1 || expiresInDays > 3650)) throw new AppError('ERR_BAD_REQUEST', 'expiresInDays must be 1 to 3650');
      const id = randomBytes(8).toString('hex');
      const secret = randomBytes(32).toString('base64url');
      const rec: ApiTokenRecord = {
        id, username, name, secretHash: sha256(secret), scopes: sc, createdAt: now(),
        expiresAt: expiresInDays === null ? null : new Date(clock.now().getTime() + expiresInDays * 86_400_000).toISOString(), lastUsedAt: null,
      };
      await admin.insertToken(rec);
      await audit(actor, 'token.create', username, { tokenId: id, name, scopes: sc });
      return { token: `${TOKEN_PREFIX}${id}_${secret}`, record: publicToken(rec) };
    },

    async listTokens(username) {
      return (await admin.listTokens(username)).map(publicToken);
    },

    async revokeToken(id, actor, onlyOwner) {
      const t = await admin.getToken(id);
      if (!t || (onlyOwner && t.username !== onlyOwner)) throw new AppError('ERR_NOT_FOUND', `no token ${id}`);
      await admin.deleteToken(id);
      await audit(actor, 'token.revoke', t.username, { tokenId: id, name: t.name });
    },
  };
  return svc;
}

/** May this role see (and therefore filter on) authentication strings? */
export function roleReadsSecrets(role: Role): boolean {
  return ROLES[role].readsSecrets;
}

/** Does the role reach at least `min`? */
export function roleAtLeast(role: Role, min: Role): boolean {
  return ROLES[role].rank >= ROLES[min].rank;
}
