// Owns the Trust lists page: each node's current ITL/CTL shown like `show itl`, with a verify badge,
// rebuild and reset localkey — read from GET /api/v1/trust/itl when the provisioning listeners publish one.

import { api, ApiError } from '../api.ts';
import { useApi } from '../hooks.ts';
import { Link } from '../router.tsx';
import { fmtDateTime } from '../format.ts';
import { Badge, ErrorMessage, Loading, PageHeader, Section } from '../components/ui.tsx';

interface TrustListView { node: string; kind: 'ITL' | 'CTL'; builtAt: string; verified: boolean; verifyMessage?: string; showItl: string; warnings: string[] }

export function TrustListsPage() {
  const itl = useApi(() => api<{ items: TrustListView[] }>('GET', '/trust/itl'), []);
  const unavailable = itl.error instanceof ApiError && itl.error.status === 404;
  return (
    <div>
      <PageHeader title="Trust lists (ITL/CTL)" subtitle="What each TFTP server gives phones, shown like `show itl`" />
      {itl.loading && !itl.data ? <Loading what="trust lists" /> : null}
      {unavailable ? (
        <Section title="Not available on this node">
          <p>This build of OpenCAPF does not publish ITL/CTL files through the API yet, so there is nothing to show, verify, rebuild or reset here ({(itl.error as ApiError).message}).</p>
          <p>Meanwhile: the ITL must contain the current CAPF certificate (record FUNCTION CAPF) or phones report "No valid CAPF server"; compare its serial with the <Link to="/certificates/capf">CAPF Certificate Details</Link>. The CLI's <code>opencapf</code> trust commands and docs/trust-lists.md describe <code>show itl</code> and reset localkey.</p>
          <div className="form-actions">
            <button type="button" disabled aria-describedby="trust-why">Rebuild ITL</button>
            <button type="button" disabled aria-describedby="trust-why">Reset localkey</button>
            <small id="trust-why" className="muted">Disabled: the server offers no trust-list API in this build.</small>
          </div>
        </Section>
      ) : <ErrorMessage error={itl.error} title="Trust lists cannot be read" />}
      {itl.data?.items.map((t) => (
        <Section key={`${t.node}-${t.kind}`} title={`${t.kind} of ${t.node}`} actions={t.verified ? <Badge tone="ok">Signature verified</Badge> : <Badge tone="bad">Does not verify{t.verifyMessage ? `: ${t.verifyMessage}` : ''}</Badge>}>
          <p className="muted">Built {fmtDateTime(t.builtAt)}</p>
          {t.warnings.length ? <div className="msg msg-warn" role="status"><ul>{t.warnings.map((w) => <li key={w}>{w}</li>)}</ul></div> : null}
          <pre>{t.showItl}</pre>
        </Section>
      ))}
    </div>
  );
}
