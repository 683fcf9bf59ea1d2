// Owns reading the CAPF expiry (pki/capf-expiry.ts) off the services: serve, the API and the CLI ask here.

import type { AppServices } from './context.ts';
import { describeCapfExpiry as describe, type CapfExpiry } from '../pki/capf-expiry.ts';

export function describeCapfExpiry(s: Pick<AppServices, 'identities' | 'clock' | 'config'>): CapfExpiry {
  return describe(s.identities.get('capf').certificate, s.clock.now(), s.config['pki.expiryWarningDays']);
}
