// Owns Reports: the CAPF report download (with the find filters) and the expiry view by model.

import { useState } from 'react';
import { api, downloadUrl } from '../api.ts';
import { useApi } from '../hooks.ts';
import { Link } from '../router.tsx';
import { fmtDateTime } from '../format.ts';
import { BarChart, ErrorMessage, Loading, PageHeader, Section } from '../components/ui.tsx';
import { PhoneFilterFields, emptyFilter, filterBody, type FilterDraft } from '../components/phone-filter.tsx';
import type { ExpirySummary } from '../types.ts';

export function ReportsPage() {
  const exp = useApi(() => api<ExpirySummary>('GET', '/reports/expiry'), []);
  const [f, setF] = useState<FilterDraft>(emptyFilter);
  const t = exp.data?.totals;
  return (
    <div>
      <PageHeader title="Reports" subtitle="CAPF report and LSC expiry" />
      <Section title="CAPF report (CSV)">
        <p className="muted">
          Device, model, description, authentication mode and string, operation, status, LSC status, serial, issuer,
          validity and days left — the report CUCM's Unified Reporting gives, for the phones you select.
        </p>
        <div className="form-grid">
          <PhoneFilterFields group="main" value={f} onChange={setF} />
        </div>
        <details className="more-filters">
          <summary>More filters</summary>
          <div className="form-grid">
            <PhoneFilterFields group="more" value={f} onChange={setF} />
          </div>
        </details>
        <div className="form-actions">
          <a className="button primary" href={downloadUrl('/reports/capf', filterBody(f))} download>
            Download CAPF report
          </a>
        </div>
      </Section>
      <Section
        title="LSC expiry"
        actions={exp.data ? <span className="muted">as of {fmtDateTime(exp.data.generatedAt)}</span> : null}
      >
        <ErrorMessage error={exp.error} title="The expiry report is unavailable" />
        {exp.loading && !exp.data ? <Loading what="expiry" /> : null}
        {t && exp.data ? (
          <>
            <BarChart
              title="LSCs by expiry"
              bars={[
                { label: 'Expired', value: t.expired, tone: 'bad' },
                { label: '≤ 30 days', value: t.within30, tone: 'warn' },
                { label: '31–90 days', value: t.within90, tone: 'pending' },
                { label: '> 90 days', value: t.valid, tone: 'ok' },
                { label: 'No LSC', value: t.none, tone: 'neutral' },
              ]}
            />
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
                      <td className="num">{m.expired}</td>
                      <td className="num">{m.within30}</td>
                      <td className="num">{m.within90}</td>
                      <td className="num">{m.valid}</td>
                      <td className="num">{m.none}</td>
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
