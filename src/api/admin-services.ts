// Owns the shape of the administration services the API routes call, as one bundle (built in app/admin.ts).

import type { UserService } from '../access/index.ts';
import type { AuditService } from '../audit/index.ts';
import type { PhoneAdminService } from '../phones/phone-admin.ts';
import type { ProfileService } from '../phones/profiles.ts';
import type { BulkService, CsvImportService, RenewalService } from '../bulk/index.ts';
import type { ReportService } from '../reports/index.ts';

export interface AdminServices {
  users: UserService;
  profiles: ProfileService;
  bulk: BulkService;
  reports: ReportService;
  audit: AuditService;
  phoneAdmin: PhoneAdminService;
  csvImport: CsvImportService;
  renewal: RenewalService;
}
