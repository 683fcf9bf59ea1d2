// Owns when a monitor rule sends (pure): which expiry window a certificate is in, whether a rule has anything to
// say, and the slot it sends in — one per UTC day, or one per UTC hour while a cluster certificate is in its last
// day (CUCM Certificate Monitor: start N days before, every 24 hours; we add hourly on the last day). A slot is
// what is recorded as sent, so nothing goes out twice for the same rule and slot, whatever restarts in between.

import { CERT_CLASSES, type CertClass } from './classes.ts';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/** Window edges in days before expiry; a rule's windows are these below its start, then its start. */
export const WINDOW_EDGES_DAYS = [1, 7, 30, 90, 180, 365] as const;

/** What schedules a rule (the rest of a rule — name, channels — does not matter here). */
export interface RuleSchedule {
  /** The classes it covers; empty: every class (so a class added later is covered too). */
  classes: readonly CertClass[];
  /** Listed from this many days before expiry (and after expiry, as expired). */
  startDaysBefore: number;
  /** Send hourly while a cluster certificate has less than a day left. */
  hourlyLastDay: boolean;
}

/** A window of time left before expiry: (fromDays, toDays] in days; `expired` holds 0 and less. */
export interface ExpiryWindow {
  key: string;
  label: string;
  /** Exclusive lower bound of the time left, ms; null for the expired window. */
  fromMs: number | null;
  /** Inclusive upper bound of the time left, ms. */
  toMs: number;
}

/** The windows of a rule, soonest first: expired, then up to 1 day, 7, 30, … days, the last ending at its start. */
export function windowsOf(startDaysBefore: number): ExpiryWindow[] {
  const edges = [...WINDOW_EDGES_DAYS.filter((d) => d < startDaysBefore), startDaysBefore];
  const out: ExpiryWindow[] = [{ key: 'expired', label: 'expired', fromMs: null, toMs: 0 }];
  let from = 0;
  for (const d of edges) {
    const label = from === 0 ? `within ${d === 1 ? '1 day' : `${d} days`}` : `in ${from + 1} to ${d} days`;
    out.push({ key: `le${d}d`, label, fromMs: from * DAY_MS, toMs: d * DAY_MS });
    from = d;
  }
  return out;
}

/** The index of the window holding `remainingMs` (time left before expiry), or -1 past the rule's start. */
export function windowIndex(windows: readonly ExpiryWindow[], remainingMs: number): number {
  return windows.findIndex((w) => remainingMs <= w.toMs && (w.fromMs === null || remainingMs > w.fromMs));
}

export function ruleCovers(rule: Pick<RuleSchedule, 'classes'>, cls: CertClass): boolean {
  return rule.classes.length === 0 || rule.classes.includes(cls);
}

/** Is a certificate with this much time left inside the rule's start (expired ones always are)? */
export function isDue(rule: Pick<RuleSchedule, 'startDaysBefore'>, remainingMs: number): boolean {
  return remainingMs <= rule.startDaysBefore * DAY_MS;
}

/** Less than a day left, not yet expired. */
export function isLastDay(remainingMs: number): boolean {
  return remainingMs > 0 && remainingMs <= DAY_MS;
}

export interface Slot {
  /** `day:YYYY-MM-DD` or `hour:YYYY-MM-DDTHH` (UTC): recorded per rule and channel once sent. */
  slot: string;
  mode: 'daily' | 'hourly';
}

/**
 * The slot a rule sends in at `now`, or null when none of its certificates is due. Hourly only for cluster
 * certificates: a fleet of phones nearly always has some LSC in its last day, and its digest stays daily.
 */
export function slotOf(
  rule: RuleSchedule,
  items: readonly { class: CertClass; notAfterMs: number }[],
  now: Date,
): Slot | null {
  const nowMs = now.getTime();
  const due = items.filter((i) => ruleCovers(rule, i.class) && isDue(rule, i.notAfterMs - nowMs));
  if (due.length === 0) return null;
  const hourly = rule.hourlyLastDay && due.some((i) => !CERT_CLASSES[i.class].fleet && isLastDay(i.notAfterMs - nowMs));
  const iso = now.toISOString();
  return hourly
    ? { slot: `hour:${iso.slice(0, 13)}`, mode: 'hourly' }
    : { slot: `day:${iso.slice(0, 10)}`, mode: 'daily' };
}

/** Days left as the digest prints them: rounded up while valid (6.5 days: 7 left), down once expired (-1, -2 …). */
export function daysLeft(remainingMs: number): number {
  return remainingMs > 0 ? Math.ceil(remainingMs / DAY_MS) : Math.floor(remainingMs / DAY_MS);
}
