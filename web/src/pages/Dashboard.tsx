// Owns the dashboard: phones by LSC status, LSC expiry (chart), pending and recently failed operations
// with their reasons, CAPF CA validity, listeners and ITL freshness.

import { api } from '../api.ts';
import { useApi } from '../hooks.ts';
import { Link } from '../router.tsx';
import { fmtDateTime, relative } from '../format.ts';
import { Badge, BarChart, Empty, ErrorMessage, Loading, PageHeader, Section } from '../components/ui.tsx';
import type { ExpirySummary, NodeStatus, Page, Phone } from '../types.ts';

const DAY_MS = 86_400_000;

async function loadOperations() {
  const [pending, ...failed] = await Promise.all([
    api<Page<Phone>>('GET', '/phones', undefined, { query: { status: 'Operation Pending', limit: 5, sort: 'updatedAt', order: 'desc' } }),
    ...['Upgrade Failed', 'Delete Failed', 'Troubleshoot Failed'].map((p) =>
      api<Page<Phone>>('GET', '/phones', undefined, { query: { statusPrefix: p, limit: 200, sort: 'updatedAt', order: 'desc' } })),
  ]);
  const since = Date.now() - DAY_MS;
  const recent = failed.flatMap((f) => f.items).filter((p) => new Date(p.updatedAt).getTime() >= since);
  const reasons = new Map<string, number>();
  for (const p of recent) reasons.set(p.status, (reasons.get(p.status) ?? 0) + 1);
  return { pending, failedRecent: recent, failedTotal: failed.reduce((n, f) => n + f.total, 0), reasons: [...reasons.entries()].sort((a, b) => b[1] - a[1]) };
}

export function DashboardPage() {
  const expiry = useApi(() => api<ExpirySummary>('GET', '/reports/expiry'), []);
  const status = useApi(() => api<NodeStatus>('GET', '/status'), []);
  const ops = useApi(loadOperations, []);
  const t = expiry.data?.totals;
  const installed = t ? t.phones - t.none : 0;

  return (
    <div>
      <PageHeader title="Dashboard" subtitle={expiry.data ? `As of ${fmtDateTime(expiry.data.generatedAt)}` : undefined}>
        <button type="button" onClick={() => { void expiry.reload(); void status.reload(); void ops.reload(); }}>Refresh</button>
      </PageHeader>

      <ErrorMessage error={expiry.error} title="Phone counts are unavailable" />
      {t ? (
        <div className="stats" aria-label="Phones by LSC status">
          <Link to="/phones" className="stat"><span className="stat-value" data-testid="count-phones">{t.phones}</span><span className="stat-label">Phones</span></Link>
          <Link to="/phones?lscStatus=installed" className="stat tone-ok"><span className="stat-value" data-testid="count-installed">{installed}</span><span className="stat-label">LSC Installed</span></Link>
          <Link to="/phones?lscStatus=none" className="stat"><span className="stat-value" data-testid="count-none">{t.none}</span><span className="stat-label">No LSC</span></Link>
          <Link to="/phones?status=Operation%20Pending" className="stat tone-pending"><span className="stat-value" data-testid="count-pending">{ops.data?.pending.total ?? '…'}</span><span className="stat-label">Operations pending</span></Link>
          <Link to="/phones?statusPrefix=Upgrade%20Failed" className={`stat${(ops.data?.failedRecent.length ?? 0) > 0 ? ' tone-bad' : ''}`}><span className="stat-value" data-testid="count-failed24h">{ops.data?.failedRecent.length ?? '…'}</span><span className="stat-label">Failed, last 24 h</span></Link>
        </div>
      ) : expiry.loading ? <Loading what="phone counts" /> : null}

      <div className="grid">
        <Section title="LSC expiry" actions={<Link to="/reports">Expiry report</Link>}>
          {t ? (
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
          ) : <Loading what="expiry" />}
        </Section>

        <Section title="CAPF certificate authority" actions={<Link to="/certificates/capf">Certificate Details</Link>}>
          {expiry.data ? (
            <div>
              <p>
                {expiry.data.capfCa.expired ? <Badge tone="bad">Expired</Badge> : expiry.data.capfCa.daysLeft < 90 ? <Badge tone="warn">Expires soon</Badge> : <Badge tone="ok">Valid</Badge>}{' '}
                valid to <strong>{fmtDateTime(expiry.data.capfCa.notAfter)}</strong> ({expiry.data.capfCa.daysLeft} days left)
              </p>
              {status.data && status.data.capfCa.level !== 'ok' ? <div className="msg msg-warn" role="status">{status.data.capfCa.message}</div> : null}
            </div>
          ) : <Loading what="CAPF validity" />}
        </Section>

        <Section title="Operations" actions={<Link to="/phones?status=Operation%20Pending">Pending phones</Link>}>
          <ErrorMessage error={ops.error} title="Operations are unavailable" />
          {ops.data ? (
            <div>
              <h3>Failed in the last 24 h, by reason</h3>
              {ops.data.reasons.length === 0 ? <Empty>No failed operation in the last 24 hours.</Empty> : (
                <ul className="reasons">
                  {ops.data.reasons.map(([reason, n]) => (
                    <li key={reason}><Link to={`/phones?status=${encodeURIComponent(reason)}`}>{reason}</Link>: <strong>{n}</strong></li>
                  ))}
                </ul>
              )}
              <h3>Latest pending</h3>
              {ops.data.pending.items.length === 0 ? <Empty>No operation is pending.</Empty> : (
                <ul>
                  {ops.data.pending.items.map((p) => (
                    <li key={p.deviceName}><Link to={`/phones/${p.deviceName}`}>{p.deviceName}</Link> {p.capfInformation.certificateOperation}, completes by {fmtDateTime(p.capf.completesBy)}</li>
                  ))}
                </ul>
              )}
            </div>
          ) : ops.loading ? <Loading what="operations" /> : null}
        </Section>

        <Section className="span-all" title={`Listeners${status.data ? ` on ${status.data.nodeName}` : ''}`}>
          <ErrorMessage error={status.error} title="Node status is unavailable" />
          {status.data ? (
            <div>
              <div className="table-wrap">
                <table>
                  <thead><tr><th scope="col">Service</th><th scope="col">What</th><th scope="col">State</th><th scope="col">Address</th></tr></thead>
                  <tbody>
                    {status.data.listeners.map((l) => (
                      <tr key={l.name}>
                        <td><strong>{l.name.toUpperCase()}</strong></td>
                        <td className="muted">{l.description}</td>
                        <td>{l.running ? <Badge tone="ok">Running</Badge> : <Badge tone="neutral">Not running on this node</Badge>}</td>
                        <td className="mono">{l.running ? `${l.host}:${l.port}` : '—'}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              {status.data.activeCapfSessions !== null ? <p className="muted">Active CAPF sessions: {status.data.activeCapfSessions}</p> : null}
              <h3>ITL freshness</h3>
              {status.data.itl ? (
                <p>Built {relative(status.data.itl.builtAt)} ({fmtDateTime(status.data.itl.builtAt)}), {status.data.itl.records} records, signed by {status.data.itl.signer}; {status.data.itl.includesCapf ? <Badge tone="ok">CAPF record present</Badge> : <Badge tone="bad">No CAPF record</Badge>}</p>
              ) : (
                <p className="muted">Not available on this node: no TFTP/HTTP provisioning listener publishes an ITL here yet. See <Link to="/trust">Trust lists</Link>.</p>
              )}
            </div>
          ) : status.loading ? <Loading what="listeners" /> : null}
        </Section>
      </div>
    </div>
  );
}
