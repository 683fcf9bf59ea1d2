// Owns the shape of the administration services as one bundle (built in app/admin.ts, used by the API).

import type { UserService } from '../access/index.ts';
import type { ProfileService } from './profiles.ts';
import type { BulkService } from './bulk.ts';
import type { ReportService } from './reports.ts';
import type { AuditService } from '../audit/index.ts';
import type { PhoneAdminService } from './phone-admin.ts';
import type { CsvImportService } from './csv-import.ts';
import type { RenewalService } from './renewal.ts';

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
