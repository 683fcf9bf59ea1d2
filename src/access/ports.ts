// Owns the storage interface access needs (implemented in store/access-store.ts): users, API tokens, browser
// sessions and the login throttle (kept in the database, so a lockout survives a restart).

import type { AuditAppendPort } from '../audit/ports.ts';
import type { Role } from './roles.ts';

export interface UserRecord {
  username: string;
  role: Role;
  passwordHash: string;
  mustChangePassword: boolean;
  disabled: boolean;
  createdAt: string;
  updatedAt: string;
  lastLoginAt: string | null;
}

export interface ApiTokenRecord {
  id: string;
  username: string;
  name: string;
  /** sha256 of the secret part, hex. */
  secretHash: string;
  scopes: string[];
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
}

export interface WebSessionRecord {
  /** sha256 of the cookie value, hex. */
  idHash: string;
  username: string;
  createdAt: string;
  expiresAt: string;
  source: string;
}

/** Failed logins under one throttle key ("u:<user name>" or "ip:<address>") within the current window. */
export interface LoginThrottleRecord {
  key: string;
  failures: number;
  /** ISO time the window of counted failures started. */
  firstFailureAt: string;
  /** ISO time logins under this key are refused until; null when not locked. */
  lockedUntil: string | null;
}

/** Also the audit log's append port on the same connection: inside transaction(), the same transaction. */
export interface AccessStore extends AuditAppendPort {
  // --- users ---
  countUsers(): Promise<number>;
  getUser(username: string): Promise<UserRecord | null>;
  listUsers(): Promise<UserRecord[]>;
  insertUser(u: UserRecord): Promise<void>;
  updateUser(username: string, patch: Partial<Omit<UserRecord, 'username' | 'createdAt'>>): Promise<boolean>;
  /** Deletes the user with their tokens and sessions. */
  deleteUser(username: string): Promise<boolean>;

  // --- API tokens ---
  insertToken(t: ApiTokenRecord): Promise<void>;
  getToken(id: string): Promise<ApiTokenRecord | null>;
  listTokens(username?: string): Promise<ApiTokenRecord[]>;
  deleteToken(id: string): Promise<boolean>;
  touchToken(id: string, at: string): Promise<void>;

  // --- browser sessions ---
  insertWebSession(s: WebSessionRecord): Promise<void>;
  getWebSession(idHash: string): Promise<WebSessionRecord | null>;
  deleteWebSession(idHash: string): Promise<void>;
  deleteWebSessionsOf(username: string): Promise<void>;

  // --- login throttle ---
  getLoginThrottles(keys: readonly string[]): Promise<LoginThrottleRecord[]>;
  /**
   * Counts one failed login under each key, atomically: a window that started before `windowStart` restarts
   * at one; reaching `maxFailures` sets lockedUntil.
   */
  recordLoginFailure(
    keys: readonly string[],
    o: { now: string; windowStart: string; maxFailures: number; lockedUntil: string },
  ): Promise<void>;
  deleteLoginThrottles(keys: readonly string[]): Promise<void>;
  /** Drops records whose window started before `before` and that hold no lockout after `now`. */
  pruneLoginThrottles(before: string, now: string): Promise<number>;

  transaction<T>(fn: (store: AccessStore) => Promise<T>): Promise<T>;
}
