// Owns importing phones from CSV (device name, model, description, security profile): streaming, in
// chunks, with one precise error per bad row; a bad row never stops the good ones.
//
// Each chunk is its own transaction, by design: the body may be up to api.maxImportBytes (256 MiB), so
// one transaction would either hold SQLite's only connection (and every CAPF session) for as long as the
// upload takes, or buffer millions of rows in memory first. When the import stops part-way (disk full,
// body too large) the error says exactly which lines were committed, and re-running the same CSV is
// safe: rows already added come back as ERR_PHONE_EXISTS and are left as they are.

import { AppError, asStoreFullError, isAppError } from '../shared/errors.ts';
import { createCsvParser, type CsvLimits, type CsvRecord, DEFAULT_CSV_LIMITS } from './csv-import-codec.ts';
import { cucmHeader, cucmRow, type CucmHeader, type CucmRow } from './cucm-import.ts';
import type { Actor, NewPhone, PhoneService } from '../phones/service.ts';
import { DESCRIPTION_MAX_CHARS, MODEL_MAX_CHARS } from '../phones/model.ts';

export interface ImportRowError {
  line: number;
  deviceName: string | null;
  code: string;
  message: string;
}

export interface ImportProgress {
  rows: number;
  added: number;
  failed: number;
}

export interface ImportReport extends ImportProgress {
  /** The first MAX_REPORTED_ERRORS errors, in line order; `failed` counts all of them. */
  errors: ImportRowError[];
  errorsTruncated: boolean;
}

export interface ImportOptions {
  onProgress?: (p: ImportProgress) => void;
  chunkRows?: number;
  limits?: CsvLimits;
}

export interface CucmImportReport extends ImportReport {
  format: 'cucm';
  /** Header columns OpenCAPF does not use (a BAT "All Details" export has many): reported, ignored. */
  ignoredColumns: string[];
}

export interface CsvImportService {
  importCsv(source: AsyncIterable<string | Uint8Array>, actor: Actor, opts?: ImportOptions): Promise<ImportReport>;
  /**
   * A CUCM BAT phone export (bulk/cucm-import.ts), all or nothing: a file-level fault (no DEVICE NAME column,
   * wrong delimiter, a field over the limit) throws ERR_CSV_SYNTAX / ERR_CSV_LIMIT; any bad row is reported
   * with its line and then nothing is imported; else every phone is added with its CAPF settings at once.
   */
  importCucm(source: AsyncIterable<string | Uint8Array>, actor: Actor, opts?: ImportOptions): Promise<CucmImportReport>;
}

/** A BAT "All Details" export has hundreds of columns and long lines; one field still may not exceed 64 KiB. */
export const CUCM_CSV_LIMITS: CsvLimits = { maxFieldChars: 64 * 1024, maxRecordChars: 1024 * 1024, maxFields: 4096 };

export const MAX_REPORTED_ERRORS = 10_000;

type Column = 'deviceName' | 'model' | 'description' | 'profileName';

/** Header names we recognise (CUCM BAT exports and our own), compared lower-case without spaces/underscores. */
const HEADER_ALIASES: Record<string, Column> = {
  devicename: 'deviceName',
  device: 'deviceName',
  name: 'deviceName',
  macaddress: 'deviceName',
  model: 'model',
  devicetype: 'model',
  phonetype: 'model',
  product: 'model',
  productmodel: 'model',
  description: 'description',
  securityprofile: 'profileName',
  phonesecurityprofile: 'profileName',
  devicesecurityprofile: 'profileName',
  profile: 'profileName',
  profilename: 'profileName',
};
const DEFAULT_COLUMNS: Column[] = ['deviceName', 'model', 'description', 'profileName'];
// eslint-disable-next-line no-control-regex
const CONTROL_RE = /[\u0000-\u001f\u007f]/;

function headerColumns(fields: string[]): Column[] | null {
  const keys = fields.map((f) =>
    f
      .trim()
      .toLowerCase()
      .replace(/[\s_-]+/g, ''),
  );
  if (!keys.some((k) => HEADER_ALIASES[k] === 'deviceName')) return null;
  const cols: Column[] = [];
  keys.forEach((k, i) => {
    const c = HEADER_ALIASES[k];
    if (!c)
      throw new AppError(
        'ERR_CSV_SYNTAX',
        `line 1: unknown column "${fields[i]}" (use Device Name, Model, Description, Security Profile)`,
      );
    if (cols.includes(c)) throw new AppError('ERR_CSV_SYNTAX', `line 1: column "${fields[i]}" appears twice`);
    cols.push(c);
  });
  return cols;
}

function rowToPhone(fields: string[], cols: Column[]): NewPhone | { code: string; message: string } {
  if (fields.length > cols.length)
    return {
      code: 'ERR_CSV_SYNTAX',
      message: `${fields.length} fields, expected at most ${cols.length} (${cols.join(', ')})`,
    };
  const v: Partial<Record<Column, string>> = {};
  cols.forEach((c, i) => {
    v[c] = (fields[i] ?? '').trim();
  });
  const model = v.model ?? '';
  const description = v.description ?? '';
  if (!v.deviceName) return { code: 'ERR_PHONE_BAD_NAME', message: 'device name is empty' };
  if (!model) return { code: 'ERR_BAD_REQUEST', message: 'model is empty' };
  if (model.length > MODEL_MAX_CHARS || CONTROL_RE.test(model))
    return { code: 'ERR_BAD_REQUEST', message: `model must be at most ${MODEL_MAX_CHARS} printable characters` };
  if (description.length > DESCRIPTION_MAX_CHARS || CONTROL_RE.test(description)) {
    return {
      code: 'ERR_BAD_REQUEST',
      message: `description must be at most ${DESCRIPTION_MAX_CHARS} characters without control characters`,
    };
  }
  return { deviceName: v.deviceName, model, description, profileName: v.profileName || null };
}

export function createCsvImportService(phones: PhoneService): CsvImportService {
  return {
    async importCucm(source, actor, opts = {}) {
      const parser = createCsvParser(opts.limits ?? CUCM_CSV_LIMITS);
      const decoder = new TextDecoder('utf-8');
      const report: CucmImportReport = {
        format: 'cucm',
        rows: 0,
        added: 0,
        failed: 0,
        errors: [],
        errorsTruncated: false,
        ignoredColumns: [],
      };
      let header: CucmHeader | null = null;
      let started = false;
      const rows: CucmRow[] = [];
      const fail = (e: ImportRowError) => {
        report.failed++;
        if (report.errors.length < MAX_REPORTED_ERRORS) report.errors.push(e);
        else report.errorsTruncated = true;
      };
      const take = (records: CsvRecord[]) => {
        for (const rec of records) {
          if (!header) {
            const h = cucmHeader(rec);
            if ('error' in h) throw new AppError('ERR_CSV_SYNTAX', h.error);
            header = h;
            report.ignoredColumns = h.ignored;
            continue;
          }
          if ('error' in rec && rec.error.code === 'ERR_CSV_LIMIT')
            throw new AppError('ERR_CSV_LIMIT', rec.error.message);
          report.rows++;
          const r = cucmRow(rec, header);
          if ('code' in r) fail(r);
          else rows.push(r);
          if (report.rows % 1000 === 0) opts.onProgress?.({ rows: report.rows, added: 0, failed: report.failed });
        }
      };
      for await (const chunk of source) {
        let text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
        if (!started) {
          started = true;
          if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // Excel writes a UTF-8 BOM
        }
        take(parser.push(text));
      }
      take([...parser.push(decoder.decode()), ...parser.end()]);
      if (!header) throw new AppError('ERR_CSV_SYNTAX', 'the file is empty: a BAT export starts with a header line');
      if (report.failed === 0) {
        const r = await phones.importPhones(
          rows.map((x) => ({
            deviceName: x.deviceName,
            model: x.model,
            description: x.description,
            profileName: x.profileName,
            capf: x.capf,
          })),
          actor,
        );
        r.results.forEach((res, i) => {
          if (!res.ok)
            fail({
              line: rows[i]!.line,
              deviceName: res.deviceName,
              code: res.code,
              message: `line ${rows[i]!.line}: ${res.message}`,
            });
        });
        if (r.ok) report.added = rows.length;
      }
      report.errors.sort((a, b) => a.line - b.line);
      opts.onProgress?.({ rows: report.rows, added: report.added, failed: report.failed });
      return report;
    },
    async importCsv(source, actor, opts = {}) {
      const chunkRows = opts.chunkRows ?? 1000;
      const parser = createCsvParser(opts.limits ?? DEFAULT_CSV_LIMITS);
      const decoder = new TextDecoder('utf-8');
      const report: ImportReport = { rows: 0, added: 0, failed: 0, errors: [], errorsTruncated: false };
      let cols: Column[] | null = null;
      let first = true;
      let pending: { line: number; phone: NewPhone }[] = [];
      /** Every line up to this one is settled: added (committed) or reported as failed. */
      let settledThroughLine = 0;
      let lastLine = 0;

      const fail = (e: ImportRowError) => {
        report.failed++;
        if (report.errors.length < MAX_REPORTED_ERRORS) report.errors.push(e);
        else report.errorsTruncated = true;
      };
      const flush = async () => {
        if (!pending.length) return;
        const batch = pending;
        pending = [];
        const results = await phones.addPhones(
          batch.map((b) => b.phone),
          actor,
        );
        results.forEach((r, i) => {
          if (r.ok) report.added++;
          else fail({ line: batch[i]!.line, deviceName: r.deviceName, code: r.code, message: r.message });
        });
        settledThroughLine = lastLine;
        opts.onProgress?.({ rows: report.rows, added: report.added, failed: report.failed });
      };
      const take = async (records: ReturnType<typeof parser.push>) => {
        for (const rec of records) {
          lastLine = rec.line;
          if ('error' in rec) {
            report.rows++;
            fail({ line: rec.line, deviceName: null, code: rec.error.code, message: rec.error.message });
            continue;
          }
          if (first) {
            first = false;
            cols = headerColumns(rec.fields);
            if (cols) continue;
            cols = DEFAULT_COLUMNS;
          }
          report.rows++;
          const p = rowToPhone(rec.fields, cols!);
          if ('code' in p)
            fail({
              line: rec.line,
              deviceName: rec.fields[0]?.slice(0, 64) ?? null,
              code: p.code,
              message: `line ${rec.line}: ${p.message}`,
            });
          else pending.push({ line: rec.line, phone: p });
          if (pending.length >= chunkRows) await flush();
        }
      };
      try {
        for await (const chunk of source) {
          let text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
          if (first && report.rows === 0 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
          await take(parser.push(text));
        }
        await take([...parser.push(decoder.decode()), ...parser.end()]);
        await flush();
      } catch (e) {
        throw stoppedPartWay(e, report.added, settledThroughLine);
      }
      report.errors.sort((a, b) => a.line - b.line);
      return report;
    },
  };
}

/** The error that stopped an import, with what it had committed before (nothing is rolled back). */
function stoppedPartWay(e: unknown, added: number, settledThroughLine: number): unknown {
  const cause = asStoreFullError(e) ?? (isAppError(e) ? e : null);
  if (!cause) return e;
  if (added === 0) return cause; // nothing was committed: the error alone tells the whole story
  return new AppError(
    cause.code,
    `${cause.message}. The import stopped: ${added} phone${added === 1 ? ' was' : 's were'} added ` +
      `from lines 1 to ${settledThroughLine} and stay; later lines were not imported. Re-running the ` +
      'same CSV is safe (phones already added are reported as ERR_PHONE_EXISTS and left unchanged).',
    { ...cause.details, import: { added, committedThroughLine: settledThroughLine } },
    { cause: e },
  );
}
