// Owns writing the audit log: the one function every service appends through, so each row names an action of
// the closed table (audit/actions.ts) and has the same shape whoever writes it.

import { assertAuditAction, type AuditAction } from './actions.ts';
import type { AuditAppendPort, AuditBatchAppendPort, AuditEntry } from './ports.ts';

/** Who did it: a user name, `cli:<OS account>`, `capf`, …, and from where (address, `cli`, …). */
export interface AuditActor {
  name: string;
  source: string;
}

/** One event to record; `action` must be a key of AUDIT_ACTIONS (tsc refuses any other literal). */
export interface AuditEvent {
  at: string;
  actor: AuditActor;
  action: AuditAction;
  target: string;
  details?: Record<string, unknown>;
}

/** A port that appends audit rows: one at a time, or in batches. */
export type AuditSink = AuditAppendPort | AuditBatchAppendPort;

/**
 * Appends the events through `to`, the caller's (transaction-scoped) store, so the rows commit or roll back
 * with the caller's change. An action outside the table (a value that arrived at run time) is refused with
 * ERR_INTERNAL before anything is written.
 */
export async function recordAudit(to: AuditSink, events: AuditEvent | readonly AuditEvent[]): Promise<void> {
  const list: readonly AuditEvent[] = Array.isArray(events) ? events : [events as AuditEvent];
  const rows: AuditEntry[] = list.map((e) => {
    assertAuditAction(e.action);
    const { at, actor, action, target } = e;
    return { at, actor: actor.name, source: actor.source, action, target, details: e.details ?? {} };
  });
  if ('appendAuditMany' in to) {
    if (rows.length) await to.appendAuditMany(rows);
    return;
  }
  for (const r of rows) await to.appendAudit(r);
}
