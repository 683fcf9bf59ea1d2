// Owns the roles and what they may do (rank, reading secrets), API token scopes, and the Principal a
// request is authenticated as.

export type Role = 'admin' | 'operator' | 'read-only';

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

export function isRole(role: string): role is Role {
  return Object.hasOwn(ROLES, role);
}

/** May this role see (and therefore filter on) authentication strings? */
export function roleReadsSecrets(role: Role): boolean {
  return ROLES[role].readsSecrets;
}

/** Does the role reach at least `min`? */
export function roleAtLeast(role: Role, min: Role): boolean {
  return ROLES[role].rank >= ROLES[min].rank;
}
