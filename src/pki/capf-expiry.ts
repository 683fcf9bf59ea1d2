// Owns how close the CAPF certificate is to expiry, in words: ok, warning (fewer than the warning days
// left) or expired, with what to do about it. Shared by serve's start-up warning, the API and the CLI.

import { daysUntil } from './certificate-info.ts';

export interface CapfExpiry {
  level: 'ok' | 'warning' | 'expired';
  message: string;
  notAfter: string;
  daysLeft: number;
}

export function describeCapfExpiry(cert: { notAfter: Date }, now: Date, warningDays: number): CapfExpiry {
  const days = daysUntil(cert.notAfter, now);
  const notAfter = cert.notAfter.toISOString();
  if (cert.notAfter <= now) {
    return {
      level: 'expired',
      daysLeft: days,
      notAfter,
      message:
        `The CAPF certificate EXPIRED on ${notAfter}. Installs are ` +
        'refused until you regenerate it: opencapf cert regenerate capf',
    };
  }
  if (days < warningDays) {
    return {
      level: 'warning',
      daysLeft: days,
      notAfter,
      message:
        `The CAPF certificate expires in ${days} days (${notAfter}). Regenerate it ` +
        'before installing LSCs (seed: do not proceed with an expiring CAPF certificate).',
    };
  }
  return { level: 'ok', daysLeft: days, notAfter, message: `The CAPF certificate is valid for ${days} more days.` };
}
