// Owns CAPF reporting: the CAPF report as CSV (CUCM "Generate CAPF Report" plus LSC columns), the LSC
// expiry summary by model with the CAPF CA's own expiry (the reporting asked for in CSCuz18034), and the MIC
// report (the MICs phones presented, by issuer and expiry: which phones to move to an LSC first).

import type { Clock } from '../shared/clock.ts';
import type { PhoneFilter } from '../phones/admin-ports.ts';
import type { ReportSource } from './ports.ts';
import { AUTH_MODES, CERT_OPERATIONS } from '../phones/model.ts';
import { lscStatus } from '../phones/phone-admin.ts';
import { csvRow } from '../bulk/csv-import-codec.ts';
import { assertFilterAllowed, viewerReadsSecrets, type Viewer } from '../phones/filter-access.ts';
import { withFacts, type QueryFacts } from '../phones/query-fields.ts';

export const CAPF_REPORT_COLUMNS = [
  'Device Name',
  'Model',
  'Description',
  'Authentication Mode',
  'Authentication String',
  'Certificate Operation',
  'Certificate Operation Status',
  'LSC Status',
  'LSC Serial Number',
  'LSC Issuer',
  'LSC Not Before',
  'LSC Expires',
  'Days Left',
] as const;

export interface ExpiryCounts {
  none: number;
  expired: number;
  within30: number;
  within90: number;
  valid: number;
}

export interface ExpirySummary {
  generatedAt: string;
  totals: ExpiryCounts & { phones: number };
  byModel: (ExpiryCounts & { model: string; phones: number })[];
  capfCa: { notAfter: string; daysLeft: number; expired: boolean };
}

/** A MIC's state at report time; `unknown`: recorded before migration 0009, without its not-after. */
export type MicState = 'expired' | 'within90' | 'valid' | 'unknown';

export interface MicReportItem {
  deviceName: string;
  model: string;
  profileName: string | null;
  issuer: string;
  subject: string;
  serialHex: string;
  notAfter: string | null;
  sha1: string | null;
  seenAt: string;
  state: MicState;
  daysLeft: number | null;
  /** The phone has an LSC on record (its MIC no longer matters for CAPF authentication by LSC). */
  hasLsc: boolean;
}

export interface MicCounts {
  phones: number;
  expired: number;
  within90: number;
  valid: number;
  unknown: number;
}

export interface MicReport {
  generatedAt: string;
  /** Phones with a recorded MIC that the filter matches, and their MICs' states. */
  totals: MicCounts;
  byIssuer: (MicCounts & { issuer: string })[];
  /** The first `limit` phones by device name (all are counted above). */
  items: MicReportItem[];
  total: number;
}

export interface ReportService {
  /** The MIC report: phones with a recorded MIC matching the filter, by issuer and expiry. */
  micReport(filter: PhoneFilter, viewer: Viewer, o?: { limit?: number }): Promise<MicReport>;
  /**
   * Streams the CAPF report for `viewer`: strings shown as "(hidden)" unless it may read them; a filter on them refused
   * likewise.
   */
  capfReportCsv(filter: PhoneFilter, viewer: Viewer): AsyncIterable<string>;
  expirySummary(): Promise<ExpirySummary>;
}

const DAY_MS = 86_400_000;

export function createReportService(
  admin: ReportSource,
  capfNotAfter: () => Date,
  clock: Clock,
  facts: () => QueryFacts,
): ReportService {
  return {
    async micReport(filter, viewer, o = {}) {
      assertFilterAllowed(filter, viewer);
      const limit = Math.min(Math.max(o.limit ?? 1000, 1), 10_000);
      const q = withFacts({ ...filter, micStatus: 'recorded' as const }, facts());
      const now = clock.now();
      const nowMs = now.getTime();
      const zero = (): MicCounts => ({ phones: 0, expired: 0, within90: 0, valid: 0, unknown: 0 });
      const totals = zero();
      const byIssuer = new Map<string, MicCounts>();
      const items: MicReportItem[] = [];
      let after: string | null = null;
      for (;;) {
        const phones = await admin.scanPhones(q, after, 5000);
        if (!phones.length) break;
        for (const p of phones) {
          const mic = p.mic;
          if (!mic) continue;
          const end = mic.notAfter ? Date.parse(mic.notAfter) : Number.NaN;
          const daysLeft = Number.isNaN(end) ? null : Math.floor((end - nowMs) / DAY_MS);
          const state: MicState =
            daysLeft === null ? 'unknown' : end <= nowMs ? 'expired' : daysLeft < 90 ? 'within90' : 'valid';
          const c = byIssuer.get(mic.issuerDn) ?? zero();
          byIssuer.set(mic.issuerDn, c);
          for (const x of [totals, c]) {
            x.phones++;
            x[state]++;
          }
          if (items.length < limit)
            items.push({
              deviceName: p.deviceName,
              model: p.model,
              profileName: p.profileName,
              issuer: mic.issuerDn,
              subject: mic.subjectDn,
              serialHex: mic.serialHex,
              notAfter: mic.notAfter,
              sha1: mic.sha1,
              seenAt: mic.seenAt,
              state,
              daysLeft,
              hasLsc: p.lsc !== null,
            });
        }
        after = phones[phones.length - 1]!.deviceName;
      }
      return {
        generatedAt: now.toISOString(),
        totals,
        byIssuer: [...byIssuer].map(([issuer, c]) => ({ issuer, ...c })).sort((a, b) => b.phones - a.phones),
        items,
        total: totals.phones,
      };
    },

    async *capfReportCsv(filter, viewer) {
      assertFilterAllowed(filter, viewer);
      const q = withFacts(filter, facts());
      const withStrings = viewerReadsSecrets(viewer);
      const nowMs = clock.now().getTime();
      yield csvRow(CAPF_REPORT_COLUMNS);
      let after: string | null = null;
      for (;;) {
        const phones = await admin.scanPhones(q, after, 5000);
        if (!phones.length) return;
        let chunk = '';
        for (const p of phones) {
          const daysLeft = p.lsc ? Math.floor((Date.parse(p.lsc.notAfter) - nowMs) / DAY_MS) : null;
          chunk += csvRow([
            p.deviceName,
            p.model,
            p.description,
            AUTH_MODES[p.capf.authMode]?.label ?? p.capf.authMode,
            withStrings ? p.capf.authString : p.capf.authString ? '(hidden)' : '',
            CERT_OPERATIONS[p.capf.operation]?.label ?? p.capf.operation,
            p.status,
            lscStatus(p),
            p.lsc?.serialHex,
            p.lsc?.issuerDn,
            p.lsc?.notBefore,
            p.lsc?.notAfter,
            daysLeft,
          ]);
        }
        yield chunk;
        after = phones[phones.length - 1]!.deviceName;
      }
    },

    async expirySummary() {
      const now = clock.now();
      const iso = (ms: number) => new Date(ms).toISOString();
      const rows = await admin.expiryBuckets(
        now.toISOString(),
        iso(now.getTime() + 30 * DAY_MS),
        iso(now.getTime() + 90 * DAY_MS),
      );
      const totals = { phones: 0, none: 0, expired: 0, within30: 0, within90: 0, valid: 0 };
      const byModel = rows.map((r) => {
        const phones = r.none + r.expired + r.within30 + r.within90 + r.valid;
        for (const k of ['none', 'expired', 'within30', 'within90', 'valid'] as const) totals[k] += r[k];
        totals.phones += phones;
        return { ...r, phones };
      });
      const ca = capfNotAfter();
      return {
        generatedAt: now.toISOString(),
        totals,
        byModel,
        capfCa: {
          notAfter: ca.toISOString(),
          daysLeft: Math.floor((ca.getTime() - now.getTime()) / DAY_MS),
          expired: ca <= now,
        },
      };
    },
  };
}
