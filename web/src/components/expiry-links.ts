// Owns the links from an LSC expiry count to exactly the phones it counts: the windows of the expiry report
// (src/store/report-store.ts: expired ≤ now < ≤ 30 days < ≤ 90 days < later), as phone-list filters taken at the
// report's own instant (generatedAt), so a count and the list behind its link agree.

import { queryString } from '../api.ts';

export type ExpiryWindow = 'expired' | 'within30' | 'within90' | 'valid' | 'none';
const DAY_MS = 86_400_000;

/** The phone-list filter of one window at `generatedAt` (the list's "before" is strict, the report's "≤" is not). */
export function expiryFilter(window: ExpiryWindow, generatedAt: string): Record<string, string> {
  const now = Date.parse(generatedAt);
  const at = (ms: number) => new Date(ms).toISOString();
  const upTo = (ms: number) => at(ms + 1); // "lsc_not_after ≤ t" as "< t + 1 ms"
  switch (window) {
    case 'expired':
      return { lscStatus: 'installed', lscExpiresBefore: upTo(now) };
    case 'within30':
      return { lscExpiresAfter: at(now), lscExpiresBefore: upTo(now + 30 * DAY_MS) };
    case 'within90':
      return { lscExpiresAfter: at(now + 30 * DAY_MS), lscExpiresBefore: upTo(now + 90 * DAY_MS) };
    case 'valid':
      return { lscExpiresAfter: at(now + 90 * DAY_MS) };
    case 'none':
      return { lscStatus: 'none' };
  }
}

/** /phones filtered to one window (and a model, for the per-model table). */
export function expiryLink(window: ExpiryWindow, generatedAt: string, model?: string): string {
  return `/phones${queryString({ ...expiryFilter(window, generatedAt), ...(model ? { model } : {}) })}`;
}

/** The bars of the "LSCs by expiry" chart, each a link to its phones. */
export function expiryBars(
  t: Record<ExpiryWindow, number>,
  generatedAt: string,
): { label: string; value: number; tone: 'bad' | 'warn' | 'pending' | 'ok' | 'neutral'; href: string }[] {
  return [
    { label: 'Expired', value: t.expired, tone: 'bad', href: expiryLink('expired', generatedAt) },
    { label: '≤ 30 days', value: t.within30, tone: 'warn', href: expiryLink('within30', generatedAt) },
    { label: '31–90 days', value: t.within90, tone: 'pending', href: expiryLink('within90', generatedAt) },
    { label: '> 90 days', value: t.valid, tone: 'ok', href: expiryLink('valid', generatedAt) },
    { label: 'No LSC', value: t.none, tone: 'neutral', href: expiryLink('none', generatedAt) },
  ];
}
