// Owns wiring the administration services (users, profiles, bulk jobs, reports, audit, CSV import,
// renewal) onto the open store: the one place their ports meet the Kysely implementation.

import { accessSettings, renewalSettings, type Config } from '../config/index.ts';
import type { Clock } from '../shared/clock.ts';
import type { OpenStore } from '../store/index.ts';
import type { PhoneService, QueryFacts } from '../phones/index.ts';
import { createUserService } from '../access/index.ts';
import { createProfileService } from '../phones/profiles.ts';
import { createBulkService, createCsvImportService, createRenewalService } from '../bulk/index.ts';
import { createReportService } from '../reports/index.ts';
import { createAuditService } from '../audit/index.ts';
import { createPhoneAdminService } from '../phones/phone-admin.ts';
import type { AdminServices } from '../api/admin-services.ts';

export type { AdminServices };

export function createAdminServices(o: {
  config: Config;
  store: OpenStore;
  phones: PhoneService;
  clock: Clock;
  capfNotAfter: () => Date;
  facts: () => QueryFacts;
}): AdminServices {
  const { config, store, phones, clock } = o;
  const { admin } = store;
  const bulk = createBulkService(store.phones, admin, clock, o.facts);
  return {
    users: createUserService(store.access, clock, accessSettings(config)),
    profiles: createProfileService(store.phones, admin, clock),
    bulk,
    reports: createReportService(admin, o.capfNotAfter, clock, o.facts),
    audit: createAuditService(store.audit),
    phoneAdmin: createPhoneAdminService(store.phones, phones, clock, o.facts),
    csvImport: createCsvImportService(phones),
    renewal: createRenewalService(bulk, renewalSettings(config), clock),
  };
}
