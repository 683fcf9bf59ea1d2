// Owns Bulk Administration > Phones > Update Phones: query, review the matched phones, the CAPF update
// (with unique strings per device); a submitted job opens its own page (BulkJob.tsx); the job list below
// follows running jobs live.

import { useState, type FormEvent } from 'react';
import { api, compact, downloadUrl } from '../api.ts';
import { useAction, useApi, useInterval } from '../hooks.ts';
import { Link, navigate } from '../router.tsx';
import {
  AUTH_MODES,
  CERT_OPERATIONS,
  EC_KEY_SIZES,
  KEY_ORDERS,
  RSA_KEY_SIZES,
  fmtDateTime,
  fromLocalInput,
  label,
  toLocalInput,
} from '../format.ts';
import { Empty, ErrorMessage, FieldError, Loading, PageHeader, Section, StatusBadge } from '../components/ui.tsx';
import { PhoneFilterFields, emptyFilter, filterBody, type FilterDraft } from '../components/phone-filter.tsx';
import type { BulkJob, BulkPreview, Me } from '../types.ts';
import { isActive, jobRequestText, JobState } from './BulkJob.tsx';

type Preview = BulkPreview;
const cleanFilter = filterBody;

export function BulkPage({ me }: { me: Me }) {
  const [filter, setFilter] = useState<FilterDraft>(emptyFilter);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [step, setStep] = useState<'query' | 'update'>('query');
  const [update, setUpdate] = useState({
    operation: 'install',
    authMode: 'auth-string',
    unique: true,
    authString: '',
    keyOrder: 'rsa',
    rsaKeySize: 2048,
    ecKeySize: null as number | null,
    completesBy: toLocalInput(new Date(Date.now() + 24 * 3600_000).toISOString()),
    useProfile: false,
  });
  const q = useAction();
  const u = useAction();
  const jobs = useApi(() => api<{ items: BulkJob[] }>('GET', '/bulk/jobs', undefined, { query: { limit: 10 } }), []);
  const canEdit = me.role !== 'read-only';

  const body = () =>
    compact({
      operation: update.operation,
      ...(update.operation === 'none'
        ? {}
        : {
            authMode: update.authMode,
            authString:
              update.authMode === 'auth-string' ? (update.unique ? 'generate' : update.authString || null) : null,
            keyOrder: update.keyOrder,
            rsaKeySize: update.rsaKeySize,
            ecKeySize: update.ecKeySize,
            completesBy: fromLocalInput(update.completesBy),
          }),
      ...(update.useProfile ? { onProfileMismatch: 'use-profile' } : {}),
    });

  const find = async (e: FormEvent) => {
    e.preventDefault();
    const r = await q.run(() => api<Preview>('POST', '/bulk/query', { filter: cleanFilter(filter) }));
    if (r) setPreview(r);
  };
  const review = async () => {
    const r = await u.run(() => api<Preview>('POST', '/bulk/query', { filter: cleanFilter(filter), update: body() }));
    if (r) setPreview(r);
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const r = await u.run(() => api<BulkJob>('POST', '/bulk/jobs', { filter: cleanFilter(filter), update: body() }));
    if (r) navigate(`/bulk/jobs/${r.id}`);
  };
  // The job list follows running jobs (their progress) and shows jobs started elsewhere (CLI, renewal).
  const anyActive = jobs.data?.items.some(isActive) ?? false;
  useInterval(() => void jobs.reload(), anyActive ? 1000 : 5000);

  const onFilter = (v: FilterDraft) => {
    setFilter(v);
    setPreview(null);
  };

  return (
    <div>
      <PageHeader
        title="Bulk Administration"
        subtitle="Phones > Update Phones > Query: apply a CAPF operation to every phone a query matches"
      />
      <ol className="steps" aria-label="Steps">
        <li aria-current={step === 'query' ? 'step' : undefined}>1. Query</li>
        <li aria-current={step === 'update' ? 'step' : undefined}>2. CAPF update</li>
        <li>3. Job (its own page)</li>
      </ol>

      <Section title="1. Find phones where">
        <form onSubmit={find}>
          <div className="form-grid">
            <PhoneFilterFields group="main" value={filter} onChange={onFilter} />
          </div>
          <details className="more-filters">
            <summary>More filters</summary>
            <div className="form-grid">
              <PhoneFilterFields group="more" value={filter} onChange={onFilter} />
            </div>
          </details>
          <ErrorMessage error={q.error} title="Query failed" />
          <div className="form-actions">
            <button type="submit" className="primary" disabled={q.busy}>
              Find
            </button>
            <button
              type="button"
              onClick={() => {
                setFilter(emptyFilter());
                setPreview(null);
                setStep('query');
              }}
            >
              Clear Filter
            </button>
          </div>
        </form>
        {preview ? (
          <div>
            <p role="status" data-testid="bulk-matched">
              <strong>{preview.matched}</strong> phone{preview.matched === 1 ? '' : 's'} match.
              {preview.sample.length < preview.matched ? ` The first ${preview.sample.length} are shown.` : ''}
            </p>
            {preview.sample.length > 0 ? (
              <div className="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Device Name</th>
                      <th scope="col">Model</th>
                      <th scope="col">Description</th>
                      <th scope="col">Profile</th>
                      <th scope="col">Certificate Operation Status</th>
                    </tr>
                  </thead>
                  <tbody>
                    {preview.sample.slice(0, 20).map((p) => (
                      <tr key={p.deviceName}>
                        <td>
                          <Link to={`/phones/${p.deviceName}`} className="mono">
                            {p.deviceName}
                          </Link>
                        </td>
                        <td>{p.model}</td>
                        <td className="wrap">{p.description}</td>
                        <td>{p.profileName ?? <span className="muted">None</span>}</td>
                        <td>
                          <StatusBadge status={p.operationStatus} />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ) : (
              <Empty>Nothing to update: change the query.</Empty>
            )}
            {canEdit && preview.matched > 0 && step === 'query' ? (
              <div className="form-actions">
                <button type="button" className="primary" onClick={() => setStep('update')}>
                  Next
                </button>
              </div>
            ) : null}
          </div>
        ) : null}
      </Section>

      {step !== 'query' && preview ? (
        <Section title="2. Certification Authority Proxy Function (CAPF) Information">
          <form onSubmit={submit} aria-label="Bulk CAPF update">
            <div className="cucm-form">
              <label htmlFor="b-op">
                Certificate Operation
                <span className="req" aria-hidden="true">
                  *
                </span>
              </label>
              <select
                id="b-op"
                value={update.operation}
                onChange={(e) => setUpdate({ ...update, operation: e.target.value })}
              >
                {Object.entries(CERT_OPERATIONS).map(([k, v]) => (
                  <option key={k} value={k}>
                    {v.label}
                  </option>
                ))}
              </select>
              <label htmlFor="b-auth">
                Authentication Mode
                <span className="req" aria-hidden="true">
                  *
                </span>
              </label>
              <select
                id="b-auth"
                value={update.authMode}
                onChange={(e) => setUpdate({ ...update, authMode: e.target.value })}
              >
                {Object.entries(AUTH_MODES).map(([k, v]) => (
                  <option key={k} value={k}>
                    {v.label}
                  </option>
                ))}
              </select>
              <span className="label" aria-hidden="true"></span>
              <label className="check">
                <input
                  type="checkbox"
                  checked={update.unique}
                  disabled={update.authMode !== 'auth-string'}
                  onChange={(e) => setUpdate({ ...update, unique: e.target.checked })}
                />{' '}
                Generate unique authentication string for each device
              </label>
              <label htmlFor="b-string">Authentication String</label>
              <div className="inline">
                <input
                  id="b-string"
                  inputMode="numeric"
                  maxLength={10}
                  size={12}
                  value={update.unique ? '' : update.authString}
                  placeholder={update.unique ? 'one per device' : ''}
                  disabled={update.unique || update.authMode !== 'auth-string'}
                  onChange={(e) => setUpdate({ ...update, authString: e.target.value.replace(/\D/g, '') })}
                />
                <button
                  type="button"
                  disabled={update.unique || update.authMode !== 'auth-string'}
                  onClick={async () => {
                    const r = await u.run(() => api<{ authString: string }>('POST', '/phones/generate-string'));
                    if (r) setUpdate({ ...update, authString: r.authString });
                  }}
                >
                  Generate String
                </button>
                <FieldError error={u.error} field="authString" />
              </div>
              <label htmlFor="b-keyorder">
                Key Order
                <span className="req" aria-hidden="true">
                  *
                </span>
              </label>
              <select
                id="b-keyorder"
                value={update.keyOrder}
                onChange={(e) => setUpdate({ ...update, keyOrder: e.target.value })}
              >
                {Object.entries(KEY_ORDERS).map(([k, v]) => (
                  <option key={k} value={k}>
                    {v.label}
                  </option>
                ))}
              </select>
              <label htmlFor="b-rsa">
                RSA Key Size (Bits)
                <span className="req" aria-hidden="true">
                  *
                </span>
              </label>
              <select
                id="b-rsa"
                value={update.rsaKeySize}
                disabled={update.keyOrder === 'ec'}
                onChange={(e) => setUpdate({ ...update, rsaKeySize: Number(e.target.value) })}
              >
                {RSA_KEY_SIZES.map((n) => (
                  <option key={n} value={n}>
                    {n}
                  </option>
                ))}
              </select>
              <label htmlFor="b-ec">EC Key Size (Bits)</label>
              <select
                id="b-ec"
                value={update.ecKeySize ?? ''}
                disabled={update.keyOrder === 'rsa'}
                onChange={(e) => setUpdate({ ...update, ecKeySize: e.target.value ? Number(e.target.value) : null })}
              >
                <option value="">&lt; None &gt;</option>
                {EC_KEY_SIZES.map((n) => (
                  <option key={n} value={n}>
                    {n}
                  </option>
                ))}
              </select>
              <label htmlFor="b-deadline">Operation Completes By</label>
              <div className="inline">
                <input
                  id="b-deadline"
                  type="datetime-local"
                  step={3600}
                  value={update.completesBy}
                  onChange={(e) => setUpdate({ ...update, completesBy: e.target.value })}
                />
                <FieldError error={u.error} field="completesBy" />
              </div>
            </div>
            {preview.mismatches.length > 0 ? (
              <div className="warning-box" role="alert">
                <strong>The Authentication Mode must match the phones' Phone Security Profile.</strong>{' '}
                {label.authMode(update.authMode)} contradicts:
                <ul>
                  {preview.mismatches.map((m) => (
                    <li key={m.profileName}>
                      "{m.profileName}" ({label.authMode(m.profileMode)}): {m.phones} phone{m.phones === 1 ? '' : 's'}
                    </li>
                  ))}
                </ul>
                <label className="check">
                  <input
                    type="checkbox"
                    checked={update.useProfile}
                    onChange={(e) => setUpdate({ ...update, useProfile: e.target.checked })}
                  />{' '}
                  Use each profile's Authentication Mode for those phones
                </label>
              </div>
            ) : null}
            <ErrorMessage error={u.error} title="The bulk update was refused" />
            {step === 'update' ? (
              <div className="form-actions">
                <button type="button" onClick={review} disabled={u.busy}>
                  Check against profiles
                </button>
                <button type="submit" className="primary" disabled={u.busy}>
                  Submit job for {preview.matched} phone{preview.matched === 1 ? '' : 's'}
                </button>
                <button type="button" onClick={() => setStep('query')}>
                  Back
                </button>
              </div>
            ) : null}
          </form>
        </Section>
      ) : null}

      <Section title="Recent jobs">
        <ErrorMessage error={jobs.error} title="Jobs cannot be listed" />
        {jobs.loading && !jobs.data ? <Loading what="jobs" /> : null}
        {jobs.data && jobs.data.items.length === 0 ? <Empty>No bulk job yet.</Empty> : null}
        {jobs.data && jobs.data.items.length > 0 ? (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Job</th>
                  <th scope="col">Created</th>
                  <th scope="col">By</th>
                  <th scope="col">Update</th>
                  <th scope="col">State</th>
                  <th scope="col" className="num">
                    Done
                  </th>
                  <th scope="col" className="num">
                    Failed
                  </th>
                  <th scope="col">Strings</th>
                </tr>
              </thead>
              <tbody>
                {jobs.data.items.map((j) => (
                  <tr key={j.id}>
                    <td>
                      <Link to={`/bulk/jobs/${j.id}`}>Job {j.id}</Link>
                    </td>
                    <td>{fmtDateTime(j.createdAt)}</td>
                    <td>{j.createdBy}</td>
                    <td className="wrap">{jobRequestText(j)}</td>
                    <td>
                      <JobState state={j.state} />
                    </td>
                    <td className="num">
                      {j.processed}/{j.total}
                    </td>
                    <td className="num">{j.failed > 0 ? <Link to={`/bulk/jobs/${j.id}`}>{j.failed}</Link> : 0}</td>
                    <td>
                      {canEdit && j.request.authString === 'generate' ? (
                        <a href={downloadUrl(`/bulk/jobs/${j.id}/export`)} download>
                          CSV
                        </a>
                      ) : (
                        '—'
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </Section>
    </div>
  );
}
