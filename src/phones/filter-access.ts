// Owns who may filter phones on what: the phone query fields that are secrets, the viewer every query is
// made for, and the one check every phone query entry point (find, report, bulk query and job) runs first.
//
// Why a filter is guarded like a value: hiding the authentication string in answers is not enough when a
// filter on it still answers "matches / does not match". A read-only user recovered a 4-digit string in
// 7,404 requests that way (issue #15 item 3). So a filter on a secret is refused, before anything is
// queried and with the same answer for every guess, to a role that may not read that secret.

import { AppError } from '../shared/errors.ts';
import type { PhoneQuery } from './ports.ts';
import { ROLES, roleReadsSecrets, type Role } from '../access/roles.ts';
import { SECRET_FILTER_FIELDS } from './query-fields.ts';

/** Who a query is made for. Every phone query entry point requires one, so none can forget the check. */
export interface Viewer {
  role: Role;
}

/**
 * The operator at the machine: the CLI and the node's own jobs (renewal). Whoever runs the CLI on a data
 * directory can read its database file, strings included, so it sees what an administrator sees.
 */
export const LOCAL_VIEWER: Viewer = Object.freeze({ role: 'admin' as const });

/** Phone query fields whose values are secrets: marked in the field table. */
export { SECRET_FILTER_FIELDS };

/** May this viewer see secret values (authentication strings) in answers? */
export function viewerReadsSecrets(viewer: Viewer): boolean {
  return roleReadsSecrets(viewer.role);
}

/** Throws ERR_FORBIDDEN when the query filters on a secret the viewer may not read. */
export function assertFilterAllowed(q: Partial<Record<keyof PhoneQuery, unknown>>, viewer: Viewer): void {
  if (viewerReadsSecrets(viewer)) return;
  for (const [field, { label }] of Object.entries(SECRET_FILTER_FIELDS)) {
    if (q[field as keyof PhoneQuery] === undefined) continue;
    const allowed = Object.entries(ROLES)
      .filter(([, r]) => r.readsSecrets)
      .map(([name]) => name)
      .join(' or ');
    throw new AppError(
      'ERR_FORBIDDEN',
      `filtering on the ${label} (${field}) needs a role that may read it (${allowed}); you are ${viewer.role}`,
      { field },
    );
  }
}
