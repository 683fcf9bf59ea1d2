// Owns Find and List Phones: the admin issue's filters, paging and sorting (kept in the URL, except the
// authentication string: a secret, kept in the page only and sent in the body of POST /phones/search), and Add New.

import { useState, type FormEvent } from 'react';
import { api, ApiError, compact, downloadUrl, errorMessage } from '../api.ts';
import { useAction, useApi } from '../hooks.ts';
import { Link, navigate, useLocation } from '../router.tsx';
import { AUTH_MODES, CERT_OPERATIONS, daysFromNow, fmtDate, fromLocalInput, label } from '../format.ts';
import {
  Badge,
  Empty,
  ErrorMessage,
  Field,
  Loading,
  Notice,
  PageHeader,
  Pager,
  Section,
  StatusBadge,
} from '../components/ui.tsx';
import {
  PHONE_FILTER_FIELDS,
  PHONE_SORTS,
  PhoneFilterFields,
  emptyFilter,
  filterBody,
  formFields,
  type FilterDraft,
} from '../components/phone-filter.tsx';
import { Modal } from '../components/modal.tsx';
import type { Me, Page, Phone, Profile, Results } from '../types.ts';

/**
 * Filters kept in the page URL: the form fields of the query field table. The authentication string is not
 * one of them (a secret: URLs end up in history and logs).
 */
const FILTERS = formFields().map(([k]) => k);
const SORTS = Object.entries(PHONE_SORTS).map(([k, v]) => [k, v.label] as const);
/** Page sizes offered (the API takes up to 500); the default keeps a 1280×800 screen full without scrolling far. */
export const PAGE_SIZES = [25, 50, 100, 250] as const;
const DEFAULT_LIMIT = 50;

function pageSize(text: string | null): number {
  const n = Number(text);
  return (PAGE_SIZES as readonly number[]).includes(n) ? n : DEFAULT_LIMIT;
}

export function PhonesPage({ me }: { me: Me }) {
  const { search } = useLocation();
  const key = search.toString();
  const filters: FilterDraft = Object.fromEntries(FILTERS.map((f) => [f, search.get(f) ?? '']));
  const sort = search.get('sort') ?? 'deviceName';
  const order = search.get('order') === 'desc' ? 'desc' : 'asc';
  const offset = Number(search.get('offset') ?? 0) || 0;
  const limit = pageSize(search.get('limit'));
  // Only roles that may read authentication strings may filter on them (the API answers 403 otherwise).
  const canEdit = me.role !== 'read-only';
  const [authString, setAuthString] = useState('');
  const [draftAuthString, setDraftAuthString] = useState('');
  const list = useApi(() => {
    const paging = { sort, order, offset, limit };
    if (!authString) return api<Page<Phone>>('GET', '/phones', undefined, { query: { ...filters, ...paging } });
    return api<Page<Phone>>('POST', '/phones/search', { filter: { ...filterBody(filters), authString }, ...paging });
  }, [key, authString]);
  const [draft, setDraft] = useState(filters);
  const [adding, setAdding] = useState(false);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [dialog, setDialog] = useState<'delete' | 'schedule' | null>(null);
  const exporter = useAction();
  const moreActive = formFields('more').filter(([k]) => filters[k]).length + (authString ? 1 : 0);

  const go = (q: Record<string, string | number>) => {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(q)) if (v !== '' && v !== undefined) p.set(k, String(v));
    navigate(`/phones${p.toString() ? `?${p}` : ''}`);
  };
  const here = { ...filters, sort, order, ...(limit !== DEFAULT_LIMIT ? { limit } : {}) };
  const find = (e: FormEvent) => {
    e.preventDefault();
    setAuthString(draftAuthString);
    setSelected(new Set());
    go({ ...draft, sort, order, ...(limit !== DEFAULT_LIMIT ? { limit } : {}) });
  };
  const clear = () => {
    setDraft(emptyFilter());
    setDraftAuthString('');
    setAuthString('');
    setSelected(new Set());
    go({});
  };
  const sortBy = (s: string) => go({ ...here, sort: s, order: s === sort && order === 'asc' ? 'desc' : 'asc' });
  const items = list.data?.items ?? [];
  const allOnPage = items.length > 0 && items.every((p) => selected.has(p.deviceName));
  const toggle = (name: string) => {
    const n = new Set(selected);
    if (n.has(name)) n.delete(name);
    else n.add(name);
    setSelected(n);
  };
  const togglePage = () => {
    const n = new Set(selected);
    for (const p of items) {
      if (allOnPage) n.delete(p.deviceName);
      else n.add(p.deviceName);
    }
    setSelected(n);
  };
  // The CSV of every phone the filter matches (not only this page): the CAPF report, by GET when the filter
  // can be in the URL, by POST (body) when it holds the authentication string.
  const exportCsv = () =>
    exporter.run(async () => {
      const stamp = new Date().toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
      const res = await fetch(
        authString ? downloadUrl('/reports/capf') : downloadUrl('/reports/capf', filterBody(filters)),
        {
          method: authString ? 'POST' : 'GET',
          credentials: 'same-origin',
          headers: {
            'x-requested-with': 'opencapf-web',
            ...(authString ? { 'content-type': 'application/json' } : {}),
          },
          ...(authString ? { body: JSON.stringify({ filter: { ...filterBody(filters), authString } }) } : {}),
        },
      );
      if (!res.ok) throw new ApiError(res.status, `HTTP_${res.status}`, `The export failed (HTTP ${res.status}).`);
      const a = document.createElement('a');
      a.href = URL.createObjectURL(await res.blob());
      a.download = `phones-${stamp}.csv`;
      a.click();
      URL.revokeObjectURL(a.href);
    }, 'The list was exported (every matching phone, not only this page).');

  return (
    <div>
      <PageHeader title="Find and List Phones" subtitle="Device > Phone">
        {canEdit ? (
          <button type="button" className="primary" onClick={() => setAdding(!adding)} aria-expanded={adding}>
            Add New
          </button>
        ) : null}
      </PageHeader>
      {adding ? <AddPhone onAdded={(name) => navigate(`/phones/${name}`)} onCancel={() => setAdding(false)} /> : null}

      <form onSubmit={find} className="filter-bar" aria-label="Find phones where">
        <div className="filter-bar-fields">
          <PhoneFilterFields group="main" value={draft} onChange={setDraft} />
        </div>
        <details className="more-filters" open={moreActive > 0 ? true : undefined}>
          <summary>More filters{moreActive ? ` (${moreActive} set)` : ''}</summary>
          <div className="form-grid">
            <PhoneFilterFields group="more" value={draft} onChange={setDraft} />
            {canEdit ? (
              <Field
                label={PHONE_FILTER_FIELDS.authString.label}
                hint="sent in the request body, never in the page address"
              >
                {(id, d) => (
                  <input
                    id={id}
                    aria-describedby={d}
                    inputMode="numeric"
                    autoComplete="off"
                    maxLength={10}
                    value={draftAuthString}
                    onChange={(e) => setDraftAuthString(e.target.value.replace(/\D/g, ''))}
                  />
                )}
              </Field>
            ) : null}
          </div>
        </details>
        <div className="filter-bar-actions">
          <button type="submit" className="primary">
            Find
          </button>
          <button type="button" onClick={clear}>
            Clear Filter
          </button>
        </div>
      </form>

      <Section
        title={list.data ? `Phones (${list.data.total})` : 'Phones'}
        actions={
          list.data?.items.length ? (
            <div className="list-toolbar" role="toolbar" aria-label="Selected phones">
              <span aria-live="polite">{selected.size ? `${selected.size} selected` : 'None selected'}</span>
              {canEdit ? (
                <>
                  <button type="button" onClick={togglePage}>
                    {allOnPage ? 'Deselect Page' : 'Select All on Page'}
                  </button>
                  {selected.size ? (
                    <button type="button" onClick={() => setSelected(new Set())}>
                      Clear Selection
                    </button>
                  ) : null}
                  <button type="button" disabled={!selected.size} onClick={() => setDialog('schedule')}>
                    Apply Config to Selected…
                  </button>
                  <button
                    type="button"
                    className="danger"
                    disabled={!selected.size}
                    onClick={() => setDialog('delete')}
                  >
                    Delete Selected…
                  </button>
                </>
              ) : null}
              <button type="button" onClick={() => void exportCsv()} disabled={exporter.busy}>
                Export List (CSV)
              </button>
            </div>
          ) : null
        }
      >
        <ErrorMessage error={list.error} title="Phones cannot be listed" />
        <ErrorMessage error={exporter.error} title="The list was not exported" />
        <Notice>{exporter.notice}</Notice>
        {list.loading && !list.data ? <Loading what="phones" /> : null}
        {list.data ? (
          list.data.items.length === 0 ? (
            <Empty>No phone matches. {canEdit ? 'Use Add New, or Import phones (CSV).' : ''}</Empty>
          ) : (
            <>
              <div className="table-wrap">
                <table className="phone-list">
                  <thead>
                    <tr>
                      {canEdit ? (
                        <th scope="col" className="select">
                          <input
                            type="checkbox"
                            aria-label="Select every phone on this page"
                            checked={allOnPage}
                            onChange={togglePage}
                          />
                        </th>
                      ) : null}
                      {SORTS.map(([k, l]) => (
                        <th
                          key={k}
                          scope="col"
                          aria-sort={sort === k ? (order === 'asc' ? 'ascending' : 'descending') : 'none'}
                        >
                          <button type="button" className="sort" onClick={() => sortBy(k)}>
                            {l}
                            {sort === k ? (order === 'asc' ? ' ▲' : ' ▼') : ''}
                          </button>
                        </th>
                      ))}
                      <th scope="col">Description</th>
                      <th scope="col">Profile</th>
                      <th scope="col">Auth Mode</th>
                      {canEdit ? <th scope="col">Authentication String</th> : null}
                      <th scope="col">LSC</th>
                      <th scope="col">MIC expires</th>
                    </tr>
                  </thead>
                  <tbody>
                    {list.data.items.map((p) => (
                      <tr key={p.deviceName} className={selected.has(p.deviceName) ? 'selected' : undefined}>
                        {canEdit ? (
                          <td className="select">
                            <input
                              type="checkbox"
                              aria-label={`Select ${p.deviceName}`}
                              checked={selected.has(p.deviceName)}
                              onChange={() => toggle(p.deviceName)}
                            />
                          </td>
                        ) : null}
                        <td>
                          <Link to={`/phones/${p.deviceName}`} className="mono">
                            {p.deviceName}
                          </Link>
                        </td>
                        <td>{p.model}</td>
                        <td>
                          <StatusBadge status={p.operationStatus} />
                        </td>
                        <td>
                          {p.lsc ? (
                            <>
                              {fmtDate(p.lsc.notAfter)}{' '}
                              <small className="muted">({daysFromNow(p.lsc.notAfter)} d)</small>
                            </>
                          ) : (
                            '—'
                          )}
                        </td>
                        <td>{fmtDate(p.updatedAt)}</td>
                        <td className="wrap" title={p.description}>
                          {p.description}
                        </td>
                        <td>{p.profileName ?? '—'}</td>
                        <td>{p.capf.operation === 'none' ? '—' : label.authMode(p.capf.authMode)}</td>
                        {canEdit ? <td className="mono">{p.capf.authString ?? '—'}</td> : null}
                        <td>
                          {p.lscStatus === 'Installed' ? (
                            <Badge tone="ok">Installed</Badge>
                          ) : (
                            <Badge tone="neutral">None</Badge>
                          )}
                        </td>
                        <td title={p.mic ? p.mic.issuerDn : undefined}>
                          {p.mic?.notAfter ? (
                            Date.parse(p.mic.notAfter) < Date.now() ? (
                              <Badge tone="bad">Expired {fmtDate(p.mic.notAfter)}</Badge>
                            ) : (
                              fmtDate(p.mic.notAfter)
                            )
                          ) : (
                            '—'
                          )}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <Pager
                offset={offset}
                limit={limit}
                total={list.data.total}
                onChange={(o) => go({ ...here, offset: o })}
                pageSizes={PAGE_SIZES}
                onPageSize={(n) => go({ ...here, limit: n, offset: Math.floor(offset / n) * n })}
              />
            </>
          )
        ) : null}
      </Section>
      {dialog === 'delete' ? (
        <DeleteSelected
          names={[...selected]}
          onClose={(changed) => {
            setDialog(null);
            if (changed) {
              setSelected(new Set());
              void list.reload();
            }
          }}
        />
      ) : null}
      {dialog === 'schedule' ? (
        <ScheduleSelected
          names={[...selected]}
          onClose={(changed) => {
            setDialog(null);
            if (changed) void list.reload();
          }}
        />
      ) : null}
    </div>
  );
}

/** Runs `fn` over the names a few at a time, reporting progress; returns the failures. */
async function eachWithProgress(
  names: readonly string[],
  fn: (name: string) => Promise<void>,
  onProgress: (done: number) => void,
): Promise<{ deviceName: string; message: string }[]> {
  const failures: { deviceName: string; message: string }[] = [];
  let next = 0;
  let done = 0;
  const worker = async () => {
    for (let i = next++; i < names.length; i = next++) {
      try {
        await fn(names[i]!);
      } catch (e) {
        failures.push({ deviceName: names[i]!, message: errorMessage(e) });
      }
      onProgress(++done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, names.length) }, worker));
  return failures;
}

function DeleteSelected({ names, onClose }: { names: string[]; onClose: (changed: boolean) => void }) {
  const [done, setDone] = useState<number | null>(null);
  const [failures, setFailures] = useState<{ deviceName: string; message: string }[] | null>(null);
  const run = async () => {
    setDone(0);
    setFailures(
      await eachWithProgress(
        names,
        (n) => api<void>('DELETE', `/phones/${encodeURIComponent(n)}`),
        (k) => setDone(k),
      ),
    );
  };
  const finished = failures !== null;
  return (
    <Modal title={`Delete ${names.length} phone${names.length === 1 ? '' : 's'}`} onClose={() => onClose(finished)}>
      {!finished ? (
        <p>
          Each phone is removed and its LSC is revoked (it appears on the next CRL); RADIUS and VPN stop trusting it.
          The phones' certificate history stays in the audit log. This cannot be undone.
        </p>
      ) : null}
      {done !== null ? (
        <p aria-live="polite">
          <progress max={names.length} value={done} /> {done} of {names.length}
        </p>
      ) : null}
      {finished ? (
        failures.length === 0 ? (
          <Notice>
            {names.length} phone{names.length === 1 ? '' : 's'} deleted.
          </Notice>
        ) : (
          <div className="msg msg-warn" role="alert">
            {names.length - failures.length} deleted; {failures.length} not deleted:
            <ul>
              {failures.map((f) => (
                <li key={f.deviceName}>
                  <span className="mono">{f.deviceName}</span>: {f.message}
                </li>
              ))}
            </ul>
          </div>
        )
      ) : null}
      <div className="form-actions">
        {!finished ? (
          <button type="button" className="danger" disabled={done !== null} onClick={() => void run()}>
            Delete {names.length}
          </button>
        ) : null}
        <button type="button" onClick={() => onClose(finished)} disabled={done !== null && !finished}>
          {finished ? 'Close' : 'Cancel'}
        </button>
      </div>
    </Modal>
  );
}

/** Sets the CAPF Information of the selected phones at once (POST /phones/capf), as Apply Config does for one. */
function ScheduleSelected({ names, onClose }: { names: string[]; onClose: (changed: boolean) => void }) {
  const [f, setF] = useState({ operation: 'install', authMode: 'null-string', completesBy: '' });
  const a = useAction();
  const [result, setResult] = useState<Results | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const completesBy = fromLocalInput(f.completesBy);
    const r = await a.run(() =>
      api<Results>(
        'POST',
        '/phones/capf',
        compact({
          deviceNames: names,
          operation: f.operation,
          ...(f.operation === 'none'
            ? {}
            : {
                authMode: f.authMode,
                ...(f.authMode === 'auth-string' ? { authString: 'generate' } : {}),
                completesBy,
              }),
        }),
      ),
    );
    if (r) setResult(r);
  };
  const failed = result?.results.filter((r) => !r.ok) ?? [];
  return (
    <Modal
      title={`Apply Config to ${names.length} phone${names.length === 1 ? '' : 's'}`}
      onClose={() => onClose(!!result)}
    >
      {result ? (
        <>
          <Notice tone={failed.length ? 'warn' : 'ok'}>
            {result.results.length - failed.length} updated and published
            {failed.length ? `; ${failed.length} refused` : ''}. Each phone acts on it at its next configuration
            download (reset the phones to make it immediate).
          </Notice>
          {failed.length ? (
            <ul>
              {failed.map((r) => (
                <li key={r.deviceName}>
                  <span className="mono">{r.deviceName}</span>: {r.message}
                </li>
              ))}
            </ul>
          ) : null}
          <div className="form-actions">
            <button type="button" onClick={() => onClose(true)}>
              Close
            </button>
          </div>
        </>
      ) : (
        <form onSubmit={submit}>
          <div className="form-grid">
            <Field label="Certificate Operation" required>
              {(id) => (
                <select id={id} value={f.operation} onChange={(e) => setF({ ...f, operation: e.target.value })}>
                  {Object.entries(CERT_OPERATIONS).map(([k, v]) => (
                    <option key={k} value={k}>
                      {v.label}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            {f.operation !== 'none' ? (
              <>
                <Field
                  label="Authentication Mode"
                  required
                  hint={f.authMode === 'auth-string' ? 'a unique string is generated for each phone' : undefined}
                >
                  {(id, d) => (
                    <select
                      id={id}
                      aria-describedby={d}
                      value={f.authMode}
                      onChange={(e) => setF({ ...f, authMode: e.target.value })}
                    >
                      {Object.entries(AUTH_MODES).map(([k, v]) => (
                        <option key={k} value={k}>
                          {v.label}
                        </option>
                      ))}
                    </select>
                  )}
                </Field>
                <Field label="Operation Completes By" required hint="your local time; at least one hour ahead">
                  {(id, d) => (
                    <input
                      id={id}
                      aria-describedby={d}
                      type="datetime-local"
                      required
                      value={f.completesBy}
                      onChange={(e) => setF({ ...f, completesBy: e.target.value })}
                    />
                  )}
                </Field>
              </>
            ) : null}
          </div>
          <ErrorMessage error={a.error} title="Nothing was changed" />
          <div className="form-actions">
            <button type="submit" className="primary" disabled={a.busy}>
              Apply Config
            </button>
            <button type="button" onClick={() => onClose(false)}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </Modal>
  );
}

function AddPhone({ onAdded, onCancel }: { onAdded: (deviceName: string) => void; onCancel: () => void }) {
  const profiles = useApi(() => api<{ items: Profile[] }>('GET', '/profiles'), []);
  const [p, setP] = useState({ deviceName: '', model: '', description: '', profileName: '' });
  const a = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const r = await a.run(() =>
      api<Results>('POST', '/phones', {
        phones: [
          {
            deviceName: p.deviceName.trim().toUpperCase(),
            ...(p.model ? { model: p.model } : {}),
            description: p.description,
            ...(p.profileName ? { profileName: p.profileName } : {}),
          },
        ],
      }),
    );
    if (!r) return;
    const one = r.results[0]!;
    if (one.ok) onAdded(one.phone?.deviceName ?? p.deviceName);
    else a.setError(new ApiError(400, one.code ?? 'ERR_BAD_REQUEST', one.message ?? 'refused'));
  };
  return (
    <Section title="Add a New Phone">
      <form onSubmit={submit}>
        <div className="form-grid">
          <Field
            label="Device Name"
            required
            hint="SEP + the 12 hex digits of the MAC (or the MAC itself), or a softphone name such as CSFJSMITH"
          >
            {(id, d) => (
              <input
                id={id}
                aria-describedby={d}
                required
                value={p.deviceName}
                onChange={(e) => setP({ ...p, deviceName: e.target.value })}
                placeholder="SEP001122334455"
              />
            )}
          </Field>
          <Field label="Phone Type (model)">
            {(id) => (
              <input
                id={id}
                value={p.model}
                onChange={(e) => setP({ ...p, model: e.target.value })}
                placeholder="Cisco 8845"
              />
            )}
          </Field>
          <Field label="Description">
            {(id) => (
              <input id={id} value={p.description} onChange={(e) => setP({ ...p, description: e.target.value })} />
            )}
          </Field>
          <Field label="Device Security Profile">
            {(id) => (
              <select id={id} value={p.profileName} onChange={(e) => setP({ ...p, profileName: e.target.value })}>
                <option value="">&lt; None &gt;</option>
                {profiles.data?.items.map((x) => (
                  <option key={x.name} value={x.name}>
                    {x.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </div>
        <ErrorMessage error={a.error} title="The phone was not added" />
        <Notice>{a.notice}</Notice>
        <div className="form-actions">
          <button type="submit" className="primary" disabled={a.busy}>
            Save
          </button>
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        </div>
      </form>
    </Section>
  );
}
