// Owns the dashboard: phones by LSC status, LSC expiry (chart), pending and recently failed operations
// with their reasons, CAPF CA validity, listeners and ITL freshness.

import { api, queryString } from '../api.ts';
import { useApi } from '../hooks.ts';
import { Link } from '../router.tsx';
import { fmtDateTime, relative, STATUS_VERBS, statusText } from '../format.ts';
import { Badge, BarChart, Empty, ErrorMessage, Loading, PageHeader, Section } from '../components/ui.tsx';
import { RollbackBanner } from '../components/rollback-banner.tsx';
import { expiryBars } from '../components/expiry-links.ts';
import type { ExpirySummary, ItlStatusReport, NodeStatus, OperationStatusCode, Page, Phone } from '../types.ts';

/** The phone list filtered by status codes. */
const statusLink = (s: Partial<OperationStatusCode>) =>
  `/phones${queryString({ statusOutcome: s.outcome, statusOperation: s.operation, statusReason: s.reason })}`;

const DAY_MS = 86_400_000;

async function loadOperations() {
  const [pending, ...failed] = await Promise.all([
    api<Page<Phone>>('GET', '/phones', undefined, {
      query: { statusOutcome: 'pending', limit: 5, sort: 'updatedAt', order: 'desc' },
    }),
    ...Object.keys(STATUS_VERBS).map((op) =>
      api<Page<Phone>>('GET', '/phones', undefined, {
        query: { statusOutcome: 'failed', statusOperation: op, limit: 200, sort: 'updatedAt', order: 'desc' },
      }),
    ),
  ]);
  const since = Date.now() - DAY_MS;
  const recent = failed.flatMap((f) => f.items).filter((p) => new Date(p.updatedAt).getTime() >= since);
  // By status code; the sentence is derived for display and the link filters by the codes.
  const reasons = new Map<string, { status: OperationStatusCode; n: number }>();
  for (const p of recent) {
    const k = `${p.operationStatus.operation}/${p.operationStatus.reason}`;
    reasons.set(k, { status: p.operationStatus, n: (reasons.get(k)?.n ?? 0) + 1 });
  }
  return {
    pending,
    failedRecent: recent,
    failedTotal: failed.reduce((n, f) => n + f.total, 0),
    reasons: [...reasons.values()].sort((a, b) => b.n - a.n),
  };
}

export function DashboardPage() {
  const expiry = useApi(() => api<ExpirySummary>('GET', '/reports/expiry'), []);
  const status = useApi(() => api<NodeStatus>('GET', '/status'), []);
  const ops = useApi(loadOperations, []);
  const itl = useApi(() => api<ItlStatusReport>('GET', '/reports/itl-status?limit=1'), []);
  const t = expiry.data?.totals;
  const installed = t ? t.phones - t.none : 0;

  return (
    <div>
      <PageHeader
        title="Dashboard"
        subtitle={expiry.data ? `As of ${fmtDateTime(expiry.data.generatedAt)}` : undefined}
      >
        <button
          type="button"
          onClick={() => {
            void expiry.reload();
            void status.reload();
            void ops.reload();
          }}
        >
          Refresh
        </button>
      </PageHeader>

      {status.data?.itl?.rollback ? <RollbackBanner /> : null}
      <ErrorMessage error={expiry.error} title="Phone counts are unavailable" />
      {t ? (
        <section className="stats" aria-label="Phones by LSC status">
          <Link to="/phones" className="stat">
            <span className="stat-value" data-testid="count-phones">
              {t.phones}
            </span>
            <span className="stat-label">Phones</span>
          </Link>
          <Link to="/phones?lscStatus=installed" className="stat tone-ok">
            <span className="stat-value" data-testid="count-installed">
              {installed}
            </span>
            <span className="stat-label">LSC Installed</span>
          </Link>
          <Link to="/phones?lscStatus=none" className="stat">
            <span className="stat-value" data-testid="count-none">
              {t.none}
            </span>
            <span className="stat-label">No LSC</span>
          </Link>
          <Link to={statusLink({ outcome: 'pending' })} className="stat tone-pending">
            <span className="stat-value" data-testid="count-pending">
              {ops.data?.pending.total ?? '…'}
            </span>
            <span className="stat-label">Operations pending</span>
          </Link>
          <Link
            to={statusLink({ outcome: 'failed', operation: 'install' })}
            className={`stat${(ops.data?.failedRecent.length ?? 0) > 0 ? ' tone-bad' : ''}`}
          >
            <span className="stat-value" data-testid="count-failed24h">
              {ops.data?.failedRecent.length ?? '…'}
            </span>
            <span className="stat-label">Failed, last 24 h</span>
          </Link>
        </section>
      ) : expiry.loading ? (
        <Loading what="phone counts" />
      ) : null}

      <div className="grid">
        <Section title="LSC expiry" actions={<Link to="/reports">Expiry report</Link>}>
          {t ? (
            <BarChart title="LSCs by expiry" bars={expiryBars(t, expiry.data!.generatedAt)} />
          ) : (
            <Loading what="expiry" />
          )}
        </Section>

        <Section title="ITL File Status" actions={<Link to="/migration">Move phones here</Link>}>
          {itl.data ? (
            <div data-testid="itl-status">
              <BarChart
                title="Phones by the ITL they were last served"
                bars={[
                  { label: 'Current ITL', value: itl.data.counts.current, tone: 'ok' },
                  { label: 'Older ITL', value: itl.data.counts.older, tone: 'warn' },
                  { label: 'Never seen', value: itl.data.counts.never, tone: 'neutral' },
                ]}
              />
              <p className="muted">
                What our TFTP/HTTP servers served each phone. List them: Phones, More filters, ITL File Status, or
                <code> opencapf report itl-status</code>.
              </p>
            </div>
          ) : (
            <ErrorMessage error={itl.error} title="ITL File Status cannot be read" />
          )}
        </Section>

        <Section title="CAPF certificate authority" actions={<Link to="/certificates/capf">Certificate Details</Link>}>
          {expiry.data ? (
            <div>
              <p>
                {expiry.data.capfCa.expired ? (
                  <Badge tone="bad">Expired</Badge>
                ) : expiry.data.capfCa.daysLeft < 90 ? (
                  <Badge tone="warn">Expires soon</Badge>
                ) : (
                  <Badge tone="ok">Valid</Badge>
                )}{' '}
                valid to <strong>{fmtDateTime(expiry.data.capfCa.notAfter)}</strong> ({expiry.data.capfCa.daysLeft} days
                left)
              </p>
              {status.data && status.data.capfCa.level !== 'ok' ? (
                <div className="msg msg-warn" role="status">
                  {status.data.capfCa.message}
                </div>
              ) : null}
            </div>
          ) : (
            <Loading what="CAPF validity" />
          )}
        </Section>

        <Section title="Operations" actions={<Link to={statusLink({ outcome: 'pending' })}>Pending phones</Link>}>
          <ErrorMessage error={ops.error} title="Operations are unavailable" />
          {ops.data ? (
            <div>
              <h3>Failed in the last 24 h, by reason</h3>
              {ops.data.reasons.length === 0 ? (
                <Empty>No failed operation in the last 24 hours.</Empty>
              ) : (
                <ul className="reasons">
                  {ops.data.reasons.map(({ status, n }) => (
                    <li key={statusText(status)}>
                      <Link to={statusLink(status)}>{statusText(status)}</Link>: <strong>{n}</strong>
                    </li>
                  ))}
                </ul>
              )}
              <h3>Latest pending</h3>
              {ops.data.pending.items.length === 0 ? (
                <Empty>No operation is pending.</Empty>
              ) : (
                <ul>
                  {ops.data.pending.items.map((p) => (
                    <li key={p.deviceName}>
                      <Link to={`/phones/${p.deviceName}`}>{p.deviceName}</Link>{' '}
                      {p.capfInformation.certificateOperation}, completes by {fmtDateTime(p.capf.completesBy)}
                    </li>
                  ))}
                </ul>
              )}
            </div>
          ) : ops.loading ? (
            <Loading what="operations" />
          ) : null}
        </Section>

        <Section className="span-all" title={`Listeners${status.data ? ` on ${status.data.nodeName}` : ''}`}>
          <ErrorMessage error={status.error} title="Node status is unavailable" />
          {status.data ? (
            <div>
              <div className="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Service</th>
                      <th scope="col">What</th>
                      <th scope="col">State</th>
                      <th scope="col">Address</th>
                    </tr>
                  </thead>
                  <tbody>
                    {status.data.listeners.map((l) => (
                      <tr key={l.name}>
                        <td>
                          <strong>{l.name.toUpperCase()}</strong>
                        </td>
                        <td className="muted">{l.description}</td>
                        <td>
                          {l.running ? (
                            <Badge tone="ok">Running</Badge>
                          ) : (
                            <Badge tone="neutral">Not running on this node</Badge>
                          )}
                        </td>
                        <td className="mono">{l.running ? `${l.host}:${l.port}` : '—'}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              {status.data.activeCapfSessions !== null ? (
                <p className="muted">Active CAPF sessions: {status.data.activeCapfSessions}</p>
              ) : null}
              <h3>ITL freshness</h3>
              {status.data.itl ? (
                <p>
                  Built {relative(status.data.itl.builtAt)} ({fmtDateTime(status.data.itl.builtAt)}),{' '}
                  {status.data.itl.records} records, signed by {status.data.itl.signer};{' '}
                  {status.data.itl.includesCapf ? (
                    <Badge tone="ok">CAPF record present</Badge>
                  ) : (
                    <Badge tone="bad">No CAPF record</Badge>
                  )}
                  {status.data.itl.rollback ? (
                    <>
                      {' '}
                      <Badge tone="bad">Rollback ITL</Badge>
                    </>
                  ) : null}
                </p>
              ) : (
                <p className="muted">
                  Not available on this node: no TFTP/HTTP provisioning listener publishes an ITL here yet. See{' '}
                  <Link to="/trust">Trust lists</Link>.
                </p>
              )}
            </div>
          ) : status.loading ? (
            <Loading what="listeners" />
          ) : null}
        </Section>
      </div>
    </div>
  );
}
