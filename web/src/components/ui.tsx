// Owns the small shared building blocks: messages (the API's own text, never raw JSON), badges, fields,
// page header, pager, the bar chart and the key/value table used by detail pages.

import { useId, useState, type FormEvent, type ReactNode } from 'react';
import { ApiError, errorField, errorMessage } from '../api.ts';
import { label, statusText, statusTone } from '../format.ts';
import { validationSentence, validationOf } from '../error-messages.ts';
import type { OperationStatusCode } from '../types.ts';
import { Link } from '../router.tsx';

export function ErrorMessage({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  const code = error instanceof ApiError && error.code.startsWith('ERR_') ? error.code : null;
  return (
    <div className="msg msg-error" role="alert">
      <strong>{title ?? 'The request failed'}:</strong> {errorMessage(error, label.authMode)}
      {code ? <span className="msg-code"> ({code})</span> : null}
    </div>
  );
}

/** A validation error shown at its field (under the control), when the error is about `field`. */
export function FieldError({ error, field, id }: { error: unknown; field: string | string[]; id?: string }) {
  const f = errorField(error);
  if (!f || !(Array.isArray(field) ? field : [field]).includes(f)) return null;
  const v = validationOf((error as ApiError).details)!;
  return (
    <small className="field-error" role="alert" id={id} data-field={f}>
      {validationSentence(v)}
    </small>
  );
}

export function Notice({ children, tone = 'ok' }: { children: ReactNode; tone?: 'ok' | 'warn' | 'info' }) {
  if (!children) return null;
  return (
    <div className={`msg msg-${tone}`} role="status">
      {children}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}

/** A Certificate Operation Status: CUCM's sentence, derived from the codes here, at the edge. */
export function StatusBadge({ status }: { status: OperationStatusCode }) {
  return <span className={`badge badge-${statusTone(status)}`}>{statusText(status)}</span>;
}

export function Badge({
  tone,
  children,
}: {
  tone: 'ok' | 'bad' | 'pending' | 'neutral' | 'warn';
  children: ReactNode;
}) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}

export function PageHeader({
  title,
  children,
  subtitle,
}: {
  title: string;
  subtitle?: ReactNode;
  children?: ReactNode;
}) {
  return (
    <header className="page-header">
      <div>
        <h1>{title}</h1>
        {subtitle ? <p className="muted">{subtitle}</p> : null}
      </div>
      {children ? <div className="toolbar">{children}</div> : null}
    </header>
  );
}

export function Section({
  title,
  children,
  actions,
  id,
  className,
}: {
  title: string;
  children: ReactNode;
  actions?: ReactNode;
  id?: string;
  className?: string;
}) {
  const hid = useId();
  return (
    <section className={`card${className ? ` ${className}` : ''}`} aria-labelledby={hid} id={id}>
      <div className="card-head">
        <h2 id={hid}>{title}</h2>
        {actions ? <div className="toolbar">{actions}</div> : null}
      </div>
      {children}
    </section>
  );
}

/** A labelled control; the label is tied to the control by id. */
export function Field({
  label,
  hint,
  children,
  required,
  wide,
}: {
  label: string;
  hint?: ReactNode;
  required?: boolean;
  wide?: boolean;
  children: (id: string, describedBy?: string) => ReactNode;
}) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  return (
    <div className={`field${wide ? ' field-wide' : ''}`}>
      <label htmlFor={id}>
        {label}
        {required ? (
          <span aria-hidden="true" className="req">
            *
          </span>
        ) : null}
      </label>
      {children(id, hintId)}
      {hint ? (
        <small id={hintId} className="muted">
          {hint}
        </small>
      ) : null}
    </div>
  );
}

export function KeyValues({ rows }: { rows: [string, ReactNode][] }) {
  return (
    <dl className="kv">
      {rows.map(([k, v]) => (
        <div key={k} className="kv-row">
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

export function Pager({
  offset,
  limit,
  total,
  onChange,
  pageSizes,
  onPageSize,
}: {
  offset: number;
  limit: number;
  total: number;
  onChange: (offset: number) => void;
  /** With onPageSize: a "rows per page" choice. */
  pageSizes?: readonly number[];
  onPageSize?: (n: number) => void;
}) {
  const from = total === 0 ? 0 : offset + 1;
  const to = Math.min(offset + limit, total);
  const pages = Math.max(1, Math.ceil(total / limit));
  const page = Math.floor(offset / limit) + 1;
  const [jump, setJump] = useState('');
  const jumpTo = (e: FormEvent) => {
    e.preventDefault();
    const n = Math.min(pages, Math.max(1, Math.floor(Number(jump)) || 1));
    setJump('');
    onChange((n - 1) * limit);
  };
  return (
    <nav className="pager" aria-label="Pages">
      <span aria-live="polite">
        {from}–{to} of {total}
        {pages > 1 ? ` · page ${page} of ${pages}` : ''}
      </span>
      <button type="button" onClick={() => onChange(0)} disabled={offset === 0}>
        First
      </button>
      <button type="button" onClick={() => onChange(Math.max(0, offset - limit))} disabled={offset === 0}>
        Previous
      </button>
      <button type="button" onClick={() => onChange(offset + limit)} disabled={to >= total}>
        Next
      </button>
      <button type="button" onClick={() => onChange((pages - 1) * limit)} disabled={to >= total}>
        Last
      </button>
      {pages > 2 ? (
        <form onSubmit={jumpTo} className="pager-jump">
          <label>
            Page{' '}
            <input
              type="number"
              min={1}
              max={pages}
              inputMode="numeric"
              value={jump}
              onChange={(e) => setJump(e.target.value)}
              aria-label={`Go to page (1 to ${pages})`}
            />
          </label>{' '}
          <button type="submit">Go</button>
        </form>
      ) : null}
      {pageSizes && onPageSize ? (
        <label className="pager-size">
          Rows per page{' '}
          <select value={limit} onChange={(e) => onPageSize(Number(e.target.value))}>
            {pageSizes.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
      ) : null}
    </nav>
  );
}

export interface Bar {
  label: string;
  value: number;
  tone: 'ok' | 'bad' | 'warn' | 'pending' | 'neutral';
  href?: string;
}

/** A horizontal bar chart with the numbers written next to each bar (readable without colour, scales to any width). */
export function BarChart({ bars, title }: { bars: Bar[]; title: string }) {
  const max = Math.max(1, ...bars.map((b) => b.value));
  return (
    <figure className="chart" aria-label={title}>
      <table className="chart-table">
        <caption className="sr-only">{title}</caption>
        <tbody>
          {bars.map((b) => (
            <tr key={b.label}>
              <th scope="row">{b.href ? <Link to={b.href}>{b.label}</Link> : b.label}</th>
              <td className="chart-cell">
                <svg
                  className="chart-svg"
                  viewBox="0 0 100 10"
                  preserveAspectRatio="none"
                  aria-hidden="true"
                  focusable="false"
                >
                  <rect x="0" y="0" width="100" height="10" className="chart-track" rx="1" />
                  <rect
                    x="0"
                    y="0"
                    width={b.value > 0 ? Math.max(1.5, (b.value / max) * 100) : 0}
                    height="10"
                    className={`chart-bar tone-${b.tone}`}
                    rx="1"
                  />
                </svg>
              </td>
              <td className="num chart-value">
                {b.href ? (
                  <Link to={b.href} aria-label={`${b.value} phones: ${b.label}`}>
                    {b.value}
                  </Link>
                ) : (
                  b.value
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}
