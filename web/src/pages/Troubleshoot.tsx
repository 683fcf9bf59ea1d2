// Owns the Troubleshoot page: run `doctor` (GET /api/v1/doctor) for the cluster or one phone (?device=, the
// phone page's Diagnose link runs it at once) and show its findings, the phone's own first, each remedy with
// links to the pages that carry it out (doctor-remedies.ts) and to the docs. When this build has no doctor,
// the API's answer says so.

import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, ApiError } from '../api.ts';
import { useAction } from '../hooks.ts';
import { Link, navigate, useLocation } from '../router.tsx';
import { remedyFor } from '../doctor-remedies.ts';
import { fmtDateTime } from '../format.ts';
import { Badge, Empty, ErrorMessage, Field, PageHeader, Section } from '../components/ui.tsx';
import type { DoctorResult } from '../types.ts';

/** docs/troubleshooting.md#x -> the copy this server serves at /docs/troubleshooting.md#x. */
function docsHref(anchor: string): string {
  return anchor.startsWith('docs/') ? `/${anchor}` : anchor;
}

const SEED_CASES = [
  [
    'No valid CAPF server',
    "The phone's ITL has no CAPF record: " +
      'check the CAPF certificate is in the ITL every TFTP server publishes, then reset the phone.',
  ],
  [
    'LSC: Connection Failed',
    "The ITL's CAPF certificate differs from the current one, CAPF is stopped, or port 3804 is unreachable.",
  ],
  [
    'LSC: Failed',
    'Operation Completes By is in the past ("Upgrade Failed: ' +
      'User Initiated Request Late/Timedout"): set a deadline at least an hour ahead.',
  ],
  [
    'Upgrade Failed: Invalid Authentication String',
    'The string typed on the phone differs from the one in its CAPF Information: give the user the right one ' +
      '(or Generate String, Save) and have it typed again; too many wrong ones lock the operation.',
  ],
  [
    'LSC: Operation Pending',
    "The phone's ITL differs from the TFTP servers', the ITL is corrupt (reset localkey), TVS fails, " +
      'the authentication mode expects an LSC the phone lacks, or DNS cannot resolve the CAPF host.',
  ],
] as const;

type Finding = DoctorResult['findings'][number];

export function TroubleshootPage() {
  const { search } = useLocation();
  const asked = search.get('device') ?? '';
  const [deviceName, setDeviceName] = useState(asked);
  const [result, setResult] = useState<DoctorResult | null>(null);
  const a = useAction();
  const diagnose = async (device: string) => {
    setResult(null);
    const r = await a.run(() =>
      api<DoctorResult>('GET', '/doctor', undefined, { query: { device: device.trim().toUpperCase() || undefined } }),
    );
    if (r) setResult(r);
  };
  const run = async (e: FormEvent) => {
    e.preventDefault();
    const d = deviceName.trim().toUpperCase();
    navigate(d ? `/troubleshoot?device=${encodeURIComponent(d)}` : '/troubleshoot', { replace: true });
    await diagnose(d);
  };
  // Opened from a phone's Diagnose link: run at once for that phone.
  const ran = useRef(false);
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs once, for the device in the address
  useEffect(() => {
    if (asked && !ran.current) {
      ran.current = true;
      void diagnose(asked);
    }
  }, []);
  const mine = result?.findings.filter((f) => f.scope === 'phone') ?? [];
  const cluster = result?.findings.filter((f) => f.scope !== 'phone') ?? [];
  const missing = a.error instanceof ApiError && a.error.status === 404 && /no route/.test(a.error.message);
  return (
    <div>
      <PageHeader title="Troubleshoot" subtitle="Run doctor for the cluster or one phone" />
      <Section title="Doctor">
        <form onSubmit={run}>
          <div className="form-grid">
            <Field label="Device Name (optional)" hint="empty: check the whole cluster">
              {(id, d) => (
                <input
                  id={id}
                  aria-describedby={d}
                  value={deviceName}
                  onChange={(e) => setDeviceName(e.target.value)}
                  placeholder="SEP001122334455"
                />
              )}
            </Field>
          </div>
          <div className="form-actions">
            <button type="submit" className="primary" disabled={a.busy}>
              {a.busy ? 'Running…' : 'Run doctor'}
            </button>
          </div>
        </form>
        {missing ? (
          <div className="msg msg-warn" role="alert" data-testid="doctor-unavailable">
            Doctor is not available in this build: the server has no doctor API yet ({(a.error as ApiError).message}).
            No findings are shown rather than guessed ones.
          </div>
        ) : (
          <ErrorMessage error={a.error} title="Doctor failed" />
        )}
        {result ? (
          <div data-testid="doctor-result" aria-live="polite">
            <p>
              {result.ok ? <Badge tone="ok">No problem found</Badge> : <Badge tone="bad">Problems found</Badge>}{' '}
              {result.device ? `for ${result.device}` : 'for the cluster'}, checked {fmtDateTime(result.checkedAt)}
            </p>
            {result.findings.length === 0 ? <Empty>Doctor found nothing to report.</Empty> : null}
            {result.device && mine.length > 0 ? <h3>About {result.device}</h3> : null}
            {mine.length > 0 ? <Findings findings={mine} device={result.device} /> : null}
            {result.device && cluster.length > 0 ? <h3>Cluster-wide (every phone)</h3> : null}
            {cluster.length > 0 ? <Findings findings={cluster} device={result.device} /> : null}
          </div>
        ) : null}
      </Section>
      <Section title="What the phone's status messages mean">
        <dl className="kv">
          {SEED_CASES.map(([k, v]) => (
            <div className="kv-row" key={k}>
              <dt>{k}</dt>
              <dd>{v}</dd>
            </div>
          ))}
        </dl>
        <p className="muted">
          Details: <a href="/docs/troubleshooting.md">troubleshooting</a>, <a href="/docs/capf.md">CAPF</a>,{' '}
          <a href="/docs/trust-lists.md">trust lists</a>.
        </p>
      </Section>
    </div>
  );
}

function Findings({ findings, device }: { findings: Finding[]; device: string | null }) {
  return (
    <ul className="findings">
      {findings.map((f) => {
        const ui = remedyFor(f.id, device);
        return (
          <li key={f.id} className="card" data-finding={f.id}>
            <Badge tone={f.severity === 'error' ? 'bad' : f.severity === 'warning' ? 'warn' : 'neutral'}>
              {f.severity}
            </Badge>{' '}
            <strong>{f.title}</strong>
            {f.phoneMessage ? (
              <p>
                <em>Phone shows:</em> “{f.phoneMessage}”
              </p>
            ) : null}
            {f.adminStatus ? (
              <p>
                <em>Certificate Operation Status{device ? ` of ${device}` : ''}:</em>{' '}
                <span data-testid="finding-status">{f.adminStatus}</span>
              </p>
            ) : null}
            {f.cause ? (
              <p>
                <em>Cause:</em> {f.cause}
              </p>
            ) : null}
            <p>
              <em>Remedy:</em> {ui?.remedy ?? f.remedy}
            </p>
            {ui && ui.actions.length > 0 ? (
              <div className="form-actions">
                {ui.actions.map((x) => (
                  <Link key={x.to} to={x.to} className="button">
                    {x.label}
                  </Link>
                ))}
              </div>
            ) : null}
            {f.evidence?.length ? (
              <details>
                <summary>Evidence ({f.evidence.length})</summary>
                <ul>
                  {f.evidence.map((e) => (
                    <li key={e} className="mono wrap">
                      {e}
                    </li>
                  ))}
                </ul>
              </details>
            ) : null}
            {f.docsAnchor ? (
              <p>
                <a href={docsHref(f.docsAnchor)} target="_blank" rel="noreferrer">
                  Read more in {f.docsAnchor.split('#')[0]}
                </a>
              </p>
            ) : null}
          </li>
        );
      })}
    </ul>
  );
}
