// Owns cluster-level status facts shared by serve, the CLI and (later) the API: CAPF expiry warnings.

import type { AppServices } from './context.ts';
import { daysUntil } from '../pki/index.ts';

export function describeCapfExpiry(ctx: Pick<AppServices, 'identities' | 'clock' | 'config'>): { level: 'ok' | 'warning' | 'expired'; message: string; notAfter: string; daysLeft: number } {
  const cert = ctx.identities.get('capf').certificate;
  const days = daysUntil(cert.notAfter, ctx.clock.now());
  const notAfter = cert.notAfter.toISOString();
  if (cert.notAfter <= ctx.clock.now()) {
    return { level: 'expired', daysLeft: days, notAfter, message: `The CAPF certificate EXPIRED on ${notAfter}. Installs are refused until you regenerate it: opencapf cert regenerate capf` };
  }
  if (days < ctx.config['pki.expiryWarningDays']) {
    return { level: 'warning', daysLeft: days, notAfter, message: `The CAPF certificate expires in ${days} days (${notAfter}). Regenerate it before installing LSCs (seed: do not proceed with an expiring CAPF certificate).` };
  }
  return { level: 'ok', daysLeft: days, notAfter, message: `The CAPF certificate is valid for ${days} more days.` };
}
