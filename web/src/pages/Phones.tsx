// Owns Find and List Phones: the admin issue's filters, paging and sorting (kept in the URL, except the
// authentication string: a secret, kept in the page only and sent in the body of POST /phones/search), and Add New.

import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../api.ts';
import { useAction, useApi } from '../hooks.ts';
import { Link, navigate, useLocation } from '../router.tsx';
import { fmtDate, daysFromNow } from '../format.ts';
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
import type { Me, Page, Phone, Profile, Results } from '../types.ts';

/**
 * Filters kept in the page URL: the form fields of the query field table. The authentication string is not
 * one of them (a secret: URLs end up in history and logs).
 */
const FILTERS = formFields().map(([k]) => k);
const SORTS = Object.entries(PHONE_SORTS).map(([k, v]) => [k, v.label] as const);
const LIMIT = 50;

export function PhonesPage({ me }: { me: Me }) {
  const { search } = useLocation();
  const key = search.toString();
  const filters: FilterDraft = Object.fromEntries(FILTERS.map((f) => [f, search.get(f) ?? '']));
  const sort = search.get('sort') ?? 'deviceName';
  const order = search.get('order') === 'desc' ? 'desc' : 'asc';
  const offset = Number(search.get('offset') ?? 0) || 0;
  // Only roles that may read authentication strings may filter on them (the API answers 403 otherwise).
  const canEdit = me.role !== 'read-only';
  const [authString, setAuthString] = useState('');
  const [draftAuthString, setDraftAuthString] = useState('');
  const list = useApi(() => {
    const paging = { sort, order, offset, limit: LIMIT };
    if (!authString) return api<Page<Phone>>('GET', '/phones', undefined, { query: { ...filters, ...paging } });
    return api<Page<Phone>>('POST', '/phones/search', { filter: { ...filterBody(filters), authString }, ...paging });
  }, [key, authString]);
  const [draft, setDraft] = useState(filters);
  const [adding, setAdding] = useState(false);

  const go = (q: Record<string, string | number>) => {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(q)) if (v !== '' && v !== undefined) p.set(k, String(v));
    navigate(`/phones${p.toString() ? `?${p}` : ''}`);
  };
  const find = (e: FormEvent) => {
    e.preventDefault();
    setAuthString(draftAuthString);
    go({ ...draft, sort, order });
  };
  const clear = () => {
    setDraft(emptyFilter());
    setDraftAuthString('');
    setAuthString('');
    go({});
  };
  const sortBy = (s: string) => go({ ...filters, sort: s, order: s === sort && order === 'asc' ? 'desc' : 'asc' });

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

      <Section title="Find phones where">
        <form onSubmit={find}>
          <div className="form-grid">
            <PhoneFilterFields group="main" value={draft} onChange={setDraft} />
          </div>
          <details className="more-filters">
            <summary>More filters</summary>
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
          <div className="form-actions">
            <button type="submit" className="primary">
              Find
            </button>
            <button type="button" onClick={clear}>
              Clear Filter
            </button>
          </div>
        </form>
      </Section>

      <Section title={list.data ? `Phones (${list.data.total})` : 'Phones'}>
        <ErrorMessage error={list.error} title="Phones cannot be listed" />
        {list.loading && !list.data ? <Loading what="phones" /> : null}
        {list.data ? (
          list.data.items.length === 0 ? (
            <Empty>No phone matches. {canEdit ? 'Use Add New, or import a CSV with the CLI or the API.' : ''}</Empty>
          ) : (
            <>
              <div className="table-wrap">
                <table>
                  <thead>
                    <tr>
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
                      <th scope="col">LSC</th>
                      <th scope="col">MIC expires</th>
                    </tr>
                  </thead>
                  <tbody>
                    {list.data.items.map((p) => (
                      <tr key={p.deviceName}>
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
                        <td className="wrap">{p.description}</td>
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
                limit={LIMIT}
                total={list.data.total}
                onChange={(o) => go({ ...filters, sort, order, offset: o })}
              />
            </>
          )
        ) : null}
      </Section>
    </div>
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
