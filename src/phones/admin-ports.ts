// Owns the storage interfaces for phones in batches: selected by a filter and updated together (implemented
// in store/phone-batch-store.ts; bulk jobs are bulk/ports.ts, report aggregates reports/ports.ts).

import type { PhoneQuery, PhoneStore } from './ports.ts';
import type { AuditBatchAppendPort } from '../audit/ports.ts';
import type { CapfSettings, OperationStatusCode, Phone } from './model.ts';

/** A phone query without paging (bulk selections, report scans). */
export type PhoneFilter = Omit<PhoneQuery, 'sort' | 'order' | 'offset' | 'limit'>;

export interface CapfUpdate {
  deviceName: string;
  capf: CapfSettings;
  operationStatus: OperationStatusCode;
}

/** Phones selected by a filter, in batches, and updated together (store/phone-batch-store.ts). */
export interface PhoneBatchStore {
  scanPhones(filter: PhoneFilter, afterDeviceName: string | null, limit: number): Promise<Phone[]>;
  countPhones(filter: PhoneFilter): Promise<number>;
  /** Phones matching the filter whose profile's authentication mode differs from authMode, by profile. */
  profileMismatches(
    filter: PhoneFilter,
    authMode: string,
  ): Promise<{ profileName: string; profileMode: string; phones: number }[]>;
  applyCapfUpdates(updates: readonly CapfUpdate[], now: string): Promise<void>;
  /** Copies a profile's CAPF defaults onto its phones that have no pending operation; returns how many changed. */
  applyProfileDefaults(
    profileName: string,
    s: Pick<CapfSettings, 'authMode' | 'keyOrder' | 'rsaKeySize' | 'ecKeySize'>,
    now: string,
  ): Promise<number>;
  countPendingWithProfile(profileName: string, notAuthMode: string): Promise<number>;
}

/**
 * Phone batches as a unit of work: the batch port and the audit log's batch append port (inside transaction(),
 * the rows are written in that transaction) with the PhoneStore on the same connection.
 */
export interface PhoneBatchUnit extends PhoneBatchStore, AuditBatchAppendPort {
  /** The PhoneStore on the same connection (inside a transaction: the same transaction). */
  phoneStore(): PhoneStore;
  transaction<T>(fn: (store: PhoneBatchUnit) => Promise<T>): Promise<T>;
}
