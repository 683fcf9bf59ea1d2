// Owns the closed table of audit actions: every action name the audit log holds, with its display text.
// The names are stored as they are (changing one would orphan the rows already written, so an odd name such as
// `phone.edit` stays); the display text is derived here, at the edges (API `actionText`, web UI).

import { AppError } from '../shared/errors.ts';

export const AUDIT_ACTIONS = {
  // --- phones and CAPF operations (phones/) ---
  'phone.add': 'Phone added',
  'phone.edit': 'Phone edited',
  'phone.remove': 'Phone removed',
  'capf.schedule': 'CAPF operation scheduled',
  // --- certificates: LSCs (phones/, revocation/) and node identities (provisioning/trust-admin.ts) ---
  'certificate.issue': 'LSC issued',
  'certificate.revoke': 'LSC revoked',
  'certificate.delete': 'LSC deleted from the phone',
  'certificate.regenerate': 'Identity certificate regenerated',
  'certificate.csr': 'Identity CSR generated',
  'certificate.import': 'Identity certificate imported',
  // --- trust lists ---
  'itl.reset-localkey': 'ITL re-signed with the ITLRecovery key',
  'itl.reset-normal': 'ITL signing back to normal',
  'itl.rebuild': 'ITL rebuilt',
  'itl.rollback-on': 'Rollback ITL turned on (phones will accept the next cluster)',
  'itl.rollback-off': 'Rollback ITL turned off',
  // --- foreign TVS trust (provisioning/foreign-trust.ts) ---
  'tvs.trust-import': 'Certificate of another cluster added to the TVS trust',
  'tvs.trust-remove': 'Certificate of another cluster removed from the TVS trust',
  'itl.rotate-start': 'TFTP signer rotation started (next certificate listed in the ITL)',
  'itl.rotate-finish': 'TFTP signer rotation finished (next certificate now signs)',
  'itl.rotate-abort': 'TFTP signer rotation aborted (next certificate discarded)',
  // --- manufacturing CAs and MICs (provisioning/manufacturing-trust.ts, phones/capf-operations.ts) ---
  'capf.manufacturing-ca-import': 'Manufacturing CA added to the MIC trust',
  'capf.manufacturing-ca-remove': 'Manufacturing CA removed from the MIC trust',
  'capf.expired-mic-accepted': "Expired MIC accepted for CAPF authentication (the profile's policy)",
  // --- moving phones between clusters (migration/) ---
  'migration.export-trust': 'Signing certificates exported for the old cluster',
  'migration.check': 'Migration check run',
  // --- certificate monitor (monitor/) ---
  'monitor.rule-add': 'Certificate monitor rule added',
  'monitor.rule-set': 'Certificate monitor rule changed',
  'monitor.rule-remove': 'Certificate monitor rule removed',
  'monitor.channel-add': 'Notification channel added',
  'monitor.channel-set': 'Notification channel changed',
  'monitor.channel-remove': 'Notification channel removed',
  'monitor.channel-test': 'Test message sent over a notification channel',
  'monitor.run-now': 'Certificate monitor run started by hand',
  // --- phone security profiles ---
  'profile.create': 'Security profile created',
  'profile.update': 'Security profile updated',
  'profile.delete': 'Security profile deleted',
  // --- bulk jobs ---
  'bulk.create': 'Bulk job created',
  'bulk.cancel': 'Bulk job cancelled',
  // --- users, tokens, logins (access/) ---
  'user.create': 'User created',
  'user.update': 'User updated',
  'user.delete': 'User deleted',
  'user.password-change': 'Password changed',
  'token.create': 'API token created',
  'token.revoke': 'API token revoked',
  'auth.login': 'Signed in',
  'auth.login-failed': 'Sign-in failed',
  'auth.login-throttled': 'Sign-in refused (too many failures)',
  'auth.logout': 'Signed out',
  'auth.confirm-failed': 'Password re-entry for a trust change failed',
} as const satisfies Record<string, string>;

export type AuditAction = keyof typeof AUDIT_ACTIONS;

export function isAuditAction(name: string): name is AuditAction {
  return Object.hasOwn(AUDIT_ACTIONS, name);
}

/** Refuses an action name that is not in the table (for names that arrive at run time). */
export function assertAuditAction(name: string): asserts name is AuditAction {
  if (!isAuditAction(name)) {
    throw new AppError('ERR_INTERNAL', `unknown audit action "${name}" (not in audit/actions.ts)`);
  }
}

/**
 * The display text of a stored action. A row written by other software or a later version may hold a name
 * this table does not know: it is shown as it is stored rather than hidden.
 */
export function auditActionText(name: string): string {
  return isAuditAction(name) ? AUDIT_ACTIONS[name] : name;
}
