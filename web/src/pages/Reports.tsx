// Owns Reports: the CAPF report (the find filters plus an LSC expiry window) on screen and as a dated CSV, and the
// expiry view by model, every count a link to its phones.

import { useState } from 'react';
import { api, downloadUrl } from '../api.ts';
import { useApi } from '../hooks.ts';
import { Link } from '../router.tsx';
import { daysFromNow, fmtDate, fmtDateTime, label } from '../format.ts';
import {
  BarChart,
  Empty,
  ErrorMessage,
  Field,
  Loading,
  PageHeader,
  Pager,
  Section,
  StatusBadge,
} from '../components/ui.tsx';
import { expiryBars, expiryFilter, expiryLink, type ExpiryWindow } from '../components/expiry-links.ts';
import type { Page, Phone } from '../types.ts';
import { PhoneFilterFields, emptyFilter, filterBody, type FilterDraft } from '../components/phone-filter.tsx';
import type { ExpirySummary } from '../types.ts';

const WINDOWS: [ExpiryWindow | '', string][] = [
  ['', 'Any'],
  ['expired', 'Expired'],
  ['within30', 'Within 30 days'],
  ['within90', 'In 31–90 days'],
  ['valid', 'Later than 90 days'],
  ['none', 'No LSC'],
];
const SHOWN = 50;

function Count({ n, to }: { n: number; to: string }) {
  return n > 0 ? <Link to={to}>{n}</Link> : n;
}

export function ReportsPage() {
  const exp = useApi(() => api<ExpirySummary>('GET', '/reports/expiry'), []);
  const [f, setF] = useState<FilterDraft>(emptyFilter);
  const [window, setWindow] = useState<ExpiryWindow | ''>('');
  const [shown, setShown] = useState<{ query: Record<string, string | boolean>; offset: number } | null>(null);
  const t = exp.data?.totals;
  // The report's filter: the find filters, and the expiry window taken at the expiry report's instant.
  const query = (): Record<string, string | boolean> => ({
    ...filterBody(f),
    ...(window && exp.data ? expiryFilter(window, exp.data.generatedAt) : {}),
  });
  const rows = useApi(
    () =>
      shown
        ? api<Page<Phone>>('GET', '/phones', undefined, {
            query: { ...shown.query, sort: 'lscNotAfter', order: 'asc', offset: shown.offset, limit: SHOWN },
          })
        : Promise.resolve(null),
    [JSON.stringify(shown)],
  );
  return (
    <div>
      <PageHeader title="Reports" subtitle="CAPF report and LSC expiry" />
      <Section title="CAPF report">
        <p className="muted">
          Device, model, description, authentication mode and string, operation, status, LSC status, serial, issuer,
          validity and days left — the report CUCM's Unified Reporting gives, for the phones you select.
        </p>
        <div className="form-grid">
          <PhoneFilterFields group="main" value={f} onChange={setF} />
        </div>
        <div className="form-grid">
          <Field label="LSC expires" hint="the windows of the expiry report below">
            {(id, d) => (
              <select
                id={id}
                aria-describedby={d}
                value={window}
                onChange={(e) => setWindow(e.target.value as ExpiryWindow | '')}
              >
                {WINDOWS.map(([k, l]) => (
                  <option key={k} value={k}>
                    {l}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </div>
        <details className="more-filters">
          <summary>More filters</summary>
          <div className="form-grid">
            <PhoneFilterFields group="more" value={f} onChange={setF} />
          </div>
        </details>
        <div className="form-actions">
          <button type="button" className="primary" onClick={() => setShown({ query: query(), offset: 0 })}>
            Show report
          </button>
          <a className="button" href={downloadUrl('/reports/capf', query())} download>
            Download CAPF report (CSV)
          </a>
        </div>
        <ErrorMessage error={rows.error} title="The report cannot be shown" />
        {rows.data ? (
          rows.data.items.length === 0 ? (
            <Empty>No phone matches.</Empty>
          ) : (
            <>
              <div className="table-wrap">
                <table aria-label="CAPF report">
                  <thead>
                    <tr>
                      <th scope="col">Device Name</th>
                      <th scope="col">Model</th>
                      <th scope="col">Auth Mode</th>
                      <th scope="col">Certificate Operation Status</th>
                      <th scope="col">LSC serial</th>
                      <th scope="col">LSC expires</th>
                      <th scope="col" className="num">
                        Days left
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {rows.data.items.map((p) => (
                      <tr key={p.deviceName}>
                        <td>
                          <Link to={`/phones/${p.deviceName}`} className="mono">
                            {p.deviceName}
                          </Link>
                        </td>
                        <td>{p.model}</td>
                        <td>{p.capf.operation === 'none' ? '—' : label.authMode(p.capf.authMode)}</td>
                        <td>
                          <StatusBadge status={p.operationStatus} />
                        </td>
                        <td className="mono">{p.lsc?.serialHex ?? '—'}</td>
                        <td>{p.lsc ? fmtDate(p.lsc.notAfter) : '—'}</td>
                        <td className="num">{p.lsc ? daysFromNow(p.lsc.notAfter) : '—'}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <Pager
                offset={shown?.offset ?? 0}
                limit={SHOWN}
                total={rows.data.total}
                onChange={(o) => shown && setShown({ ...shown, offset: o })}
              />
            </>
          )
        ) : null}
      </Section>
      <Section
        title="LSC expiry"
        actions={exp.data ? <span className="muted">as of {fmtDateTime(exp.data.generatedAt)}</span> : null}
      >
        <ErrorMessage error={exp.error} title="The expiry report is unavailable" />
        {exp.loading && !exp.data ? <Loading what="expiry" /> : null}
        {t && exp.data ? (
          <>
            <BarChart title="LSCs by expiry" bars={expiryBars(t, exp.data.generatedAt)} />
            <p>
              CAPF certificate valid to {fmtDateTime(exp.data.capfCa.notAfter)} ({exp.data.capfCa.daysLeft} days). An
              LSC never outlives what phones and 802.1X/VPN trust: plan renewal before the CAPF certificate expires.
            </p>
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Model</th>
                    <th scope="col" className="num">
                      Phones
                    </th>
                    <th scope="col" className="num">
                      Expired
                    </th>
                    <th scope="col" className="num">
                      ≤ 30 days
                    </th>
                    <th scope="col" className="num">
                      31–90 days
                    </th>
                    <th scope="col" className="num">
                      &gt; 90 days
                    </th>
                    <th scope="col" className="num">
                      No LSC
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {exp.data.byModel.map((m) => (
                    <tr key={m.model}>
                      <td>
                        <Link to={`/phones?model=${encodeURIComponent(m.model)}`}>{m.model}</Link>
                      </td>
                      <td className="num">{m.phones}</td>
                      <td className="num">
                        <Count n={m.expired} to={expiryLink('expired', exp.data!.generatedAt, m.model)} />
                      </td>
                      <td className="num">
                        <Count n={m.within30} to={expiryLink('within30', exp.data!.generatedAt, m.model)} />
                      </td>
                      <td className="num">
                        <Count n={m.within90} to={expiryLink('within90', exp.data!.generatedAt, m.model)} />
                      </td>
                      <td className="num">
                        <Count n={m.valid} to={expiryLink('valid', exp.data!.generatedAt, m.model)} />
                      </td>
                      <td className="num">
                        <Count n={m.none} to={expiryLink('none', exp.data!.generatedAt, m.model)} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        ) : null}
      </Section>
    </div>
  );
}
