// Owns the audit log view: filters (actor, action, target, since), paging, details per entry; each action is
// shown by its display text with the stored name beside it (the name is what the Action filter takes).

import { useState, type FormEvent } from 'react';
import { api } from '../api.ts';
import { useApi } from '../hooks.ts';
import { fmtDateTime } from '../format.ts';
import { Empty, ErrorMessage, Field, Loading, PageHeader, Pager, Section } from '../components/ui.tsx';
import type { AuditEntry, Page } from '../types.ts';
import { AUDIT_ACTIONS } from '../../../src/audit/actions.ts';

const LIMIT = 50;

/** A detail value in words: nested objects as `key=value` lists (in parentheses below the first level). */
function valueText(v: unknown, depth: number): string {
  if (Array.isArray(v)) return v.map((x) => valueText(x, depth + 1)).join(', ');
  if (typeof v !== 'object' || v === null) return String(v);
  const inner = Object.entries(v as Record<string, unknown>)
    .map(([a, b]) => `${a}=${valueText(b, depth + 1)}`)
    .join(', ');
  return depth > 0 ? `(${inner})` : inner;
}

function detailText(d: Record<string, unknown>): string {
  return Object.entries(d)
    .map(([k, v]) => `${k}: ${valueText(v, 0)}`)
    .join('; ');
}

export function AuditPage() {
  const [draft, setDraft] = useState({ actor: '', action: '', target: '', since: '' });
  const [q, setQ] = useState({ ...draft, offset: 0 });
  const log = useApi(
    () =>
      api<Page<AuditEntry>>('GET', '/audit', undefined, {
        query: { ...q, since: q.since ? new Date(q.since).toISOString() : '', limit: LIMIT },
      }),
    [JSON.stringify(q)],
  );
  const find = (e: FormEvent) => {
    e.preventDefault();
    setQ({ ...draft, offset: 0 });
  };
  return (
    <div>
      <PageHeader title="Audit log" subtitle="Every change and every certificate issued, newest first (append-only)" />
      <Section title="Filter">
        <form onSubmit={find}>
          <div className="form-grid">
            <Field label="Actor">
              {(id) => (
                <input
                  id={id}
                  value={draft.actor}
                  onChange={(e) => setDraft({ ...draft, actor: e.target.value })}
                  placeholder="admin, capf, cli:…"
                />
              )}
            </Field>
            <Field label="Action">
              {(id) => (
                <>
                  <input
                    id={id}
                    list={`${id}-names`}
                    value={draft.action}
                    placeholder="capf.schedule"
                    onChange={(e) => setDraft({ ...draft, action: e.target.value })}
                  />
                  <datalist id={`${id}-names`}>
                    {Object.entries(AUDIT_ACTIONS).map(([name, text]) => (
                      <option key={name} value={name}>
                        {text}
                      </option>
                    ))}
                  </datalist>
                </>
              )}
            </Field>
            <Field label="Target">
              {(id) => (
                <input
                  id={id}
                  value={draft.target}
                  onChange={(e) => setDraft({ ...draft, target: e.target.value })}
                  placeholder="SEP…"
                />
              )}
            </Field>
            <Field label="Since">
              {(id) => (
                <input
                  id={id}
                  type="datetime-local"
                  value={draft.since}
                  onChange={(e) => setDraft({ ...draft, since: e.target.value })}
                />
              )}
            </Field>
          </div>
          <div className="form-actions">
            <button type="submit" className="primary">
              Find
            </button>
          </div>
        </form>
      </Section>
      <Section title={log.data ? `Entries (${log.data.total})` : 'Entries'}>
        <ErrorMessage error={log.error} title="The audit log cannot be read" />
        {log.loading && !log.data ? <Loading what="audit log" /> : null}
        {log.data ? (
          log.data.items.length === 0 ? (
            <Empty>No entry matches.</Empty>
          ) : (
            <>
              <div className="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">When</th>
                      <th scope="col">Actor</th>
                      <th scope="col">Source</th>
                      <th scope="col">Action</th>
                      <th scope="col">Target</th>
                      <th scope="col">Details</th>
                    </tr>
                  </thead>
                  <tbody>
                    {log.data.items.map((e) => (
                      <tr key={e.id}>
                        <td>{fmtDateTime(e.at)}</td>
                        <td>{e.actor}</td>
                        <td className="mono">{e.source}</td>
                        <td>
                          {e.actionText} <small className="mono">{e.action}</small>
                        </td>
                        <td className="mono wrap">{e.target}</td>
                        <td className="wrap">
                          <small>{detailText(e.details)}</small>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <Pager
                offset={q.offset}
                limit={LIMIT}
                total={log.data.total}
                onChange={(o) => setQ({ ...q, offset: o })}
              />
            </>
          )
        ) : null}
      </Section>
    </div>
  );
}
