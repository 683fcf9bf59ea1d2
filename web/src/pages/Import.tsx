// Owns the Import phones page: a CSV file — our columns or a CUCM BAT phone export (docs/migration.md) — shown
// as a preview before anything is sent, uploaded with a progress bar (POST /api/v1/phones/import), and the
// server's report: rows, added, failed, every failed row with its line and reason (downloadable as CSV), and the
// BAT columns OpenCAPF ignores. A CUCM import is all or nothing; ours keeps the rows that are fine.

import { useState } from 'react';
import { ApiError } from '../api.ts';
import { Link } from '../router.tsx';
import { Empty, ErrorMessage, Field, Notice, PageHeader, Section } from '../components/ui.tsx';
import type { Me } from '../types.ts';

type Format = 'opencapf' | 'cucm';

interface ImportError {
  line: number;
  deviceName: string | null;
  code: string;
  message: string;
}

interface Report {
  rows: number;
  added: number;
  failed: number;
  errors: ImportError[];
  errorsTruncated: boolean;
  format?: string;
  ignoredColumns?: string[];
}

/** Splits CSV text into records (RFC 4180 quoting), for the preview only; the server parses the real thing. */
export function previewRecords(text: string, max: number): string[][] {
  const out: string[][] = [];
  let field = '';
  let rec: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length && out.length < max; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      rec.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      rec.push(field);
      if (!(rec.length === 1 && rec[0] === '')) out.push(rec);
      rec = [];
      field = '';
    } else field += c;
  }
  if ((field !== '' || rec.length) && out.length < max) out.push([...rec, field]);
  return out;
}

/** A BAT export names CAPF columns or has many more columns than ours. */
function guessFormat(header: string[]): Format {
  const keys = header.map((h) => h.toLowerCase().replace(/[^a-z0-9]/g, ''));
  return keys.some((k) => ['certificateoperation', 'authenticationmode', 'devicepool', 'devicetype'].includes(k)) ||
    header.length > 6
    ? 'cucm'
    : 'opencapf';
}

function errorsCsv(errors: ImportError[]): string {
  const q = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return [
    'Line,Device Name,Code,Message',
    ...errors.map((e) => [e.line, e.deviceName ?? '', e.code, e.message].map((x) => q(String(x))).join(',')),
  ].join('\r\n');
}

/** POST with upload progress (fetch has none): the same headers as api.ts, the API's error shape on failure. */
function upload(text: string, format: Format, onProgress: (sent: number, total: number) => void): Promise<Report> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/v1/phones/import?format=${format}`);
    xhr.setRequestHeader('content-type', 'text/csv');
    xhr.setRequestHeader('x-requested-with', 'opencapf-web');
    xhr.setRequestHeader('accept', 'application/json');
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : text.length);
    xhr.onerror = () => reject(new ApiError(0, 'ERR_NETWORK', 'The OpenCAPF server cannot be reached.'));
    xhr.onload = () => {
      let json: unknown = null;
      try {
        json = JSON.parse(xhr.responseText);
      } catch {
        json = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(json as Report);
      else {
        const e = (json as { error?: { code?: string; message?: string } } | null)?.error;
        reject(new ApiError(xhr.status, e?.code ?? `HTTP_${xhr.status}`, e?.message ?? `HTTP ${xhr.status}`));
      }
    };
    xhr.send(text);
  });
}

export function ImportPage({ me }: { me: Me }) {
  const canImport = me.role !== 'read-only';
  const [file, setFile] = useState<{ name: string; text: string; lines: number } | null>(null);
  const [format, setFormat] = useState<Format>('opencapf');
  const [progress, setProgress] = useState<{ sent: number; total: number } | null>(null);
  const [report, setReport] = useState<Report | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const preview = file ? previewRecords(file.text, 11) : [];

  async function choose(f: File | undefined) {
    setReport(null);
    setError(null);
    setProgress(null);
    if (!f) return setFile(null);
    let text = await f.text();
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    const lines = text.split(/\r\n|\n|\r/).filter((l) => l !== '').length;
    setFile({ name: f.name, text, lines });
    const head = previewRecords(text, 1)[0];
    if (head) setFormat(guessFormat(head));
  }

  async function run() {
    if (!file) return;
    setBusy(true);
    setError(null);
    setReport(null);
    try {
      setReport(await upload(file.text, format, (sent, total) => setProgress({ sent, total })));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  const pct = progress ? Math.round((100 * progress.sent) / Math.max(1, progress.total)) : 0;
  return (
    <div>
      <PageHeader
        title="Import phones"
        subtitle="Add phones from a CSV file: our columns, or the phone export of CUCM's Bulk Administration"
      />
      {!canImport && <Notice tone="info">Your role can look but not import; ask an operator.</Notice>}
      <Section title="File">
        <Field label="CSV file" hint="Device Name, Model, Description, Security Profile — or a BAT Export Phones file">
          {(id) => (
            <input
              id={id}
              type="file"
              accept=".csv,text/csv"
              disabled={!canImport || busy}
              onChange={(e) => void choose(e.target.files?.[0])}
            />
          )}
        </Field>
        <Field
          label="Format"
          hint={
            format === 'cucm'
              ? 'All or nothing: if one row cannot be imported, none is (docs/migration.md)'
              : 'Rows that are fine are added; the others are listed with their line'
          }
        >
          {(id) => (
            <select id={id} value={format} disabled={busy} onChange={(e) => setFormat(e.target.value as Format)}>
              <option value="opencapf">OpenCAPF columns</option>
              <option value="cucm">CUCM BAT phone export (with CAPF fields)</option>
            </select>
          )}
        </Field>
      </Section>
      {file && (
        <Section title={`Preview of ${file.name}`}>
          <p>
            {file.lines} line{file.lines === 1 ? '' : 's'} ({(file.text.length / 1024).toFixed(1)} KiB); the first{' '}
            {Math.max(0, preview.length - 1)} rows:
          </p>
          <div className="table-wrap">
            <table aria-label="Preview">
              <thead>
                <tr>
                  {(preview[0] ?? []).map((h, i) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: header names may repeat; the place is the identity
                    <th key={`${i}-${h}`}>{h}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {preview.slice(1).map((r, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: preview rows have no identity of their own
                  <tr key={i}>
                    {r.map((c, j) => (
                      // biome-ignore lint/suspicious/noArrayIndexKey: cells of a preview row
                      <td key={j}>{c}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p>
            <button type="button" className="primary" disabled={!canImport || busy} onClick={() => void run()}>
              Import
            </button>
          </p>
        </Section>
      )}
      {(busy || progress) && (
        <Section title="Progress">
          <progress aria-label="Import progress" max={100} value={pct} />{' '}
          {busy ? (pct < 100 ? `Uploading… ${pct}%` : 'Checking and importing…') : 'Done'}
        </Section>
      )}
      {error !== null && <ErrorMessage error={error} title="The file was not imported" />}
      {report && (
        <Section title="Result">
          <p role="status">
            {report.rows} rows: {report.added} phones added, {report.failed} failed
            {report.format === 'cucm' && report.failed > 0
              ? ' — all or nothing: nothing was imported; fix the lines below and import the file again.'
              : '.'}{' '}
            {report.added > 0 && <Link to="/phones">Find and List Phones</Link>}
          </p>
          {report.ignoredColumns && report.ignoredColumns.length > 0 && (
            <p>
              Columns OpenCAPF does not use (ignored): <code>{report.ignoredColumns.join(', ')}</code>
            </p>
          )}
          {report.errors.length === 0 ? (
            <Empty>No row failed.</Empty>
          ) : (
            <>
              <p>
                <a
                  href={`data:text/csv;charset=utf-8,${encodeURIComponent(errorsCsv(report.errors))}`}
                  download="import-errors.csv"
                >
                  Download the failed rows (CSV)
                </a>
                {report.errorsTruncated && ` — the first ${report.errors.length} of ${report.failed} are listed`}
              </p>
              <div className="table-wrap">
                <table aria-label="Failed rows">
                  <thead>
                    <tr>
                      <th>Line</th>
                      <th>Device Name</th>
                      <th>Reason</th>
                    </tr>
                  </thead>
                  <tbody>
                    {report.errors.map((e) => (
                      <tr key={`${e.line}-${e.code}`}>
                        <td>{e.line}</td>
                        <td>{e.deviceName ?? ''}</td>
                        <td>
                          {e.message} <code>{e.code}</code>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          )}
        </Section>
      )}
    </div>
  );
}
