// Owns the Trust lists page: each node's current ITL/CTL shown like `show itl`, with a verify badge,
// rebuild, reset localkey and rollback mode (GET/POST /api/v1/trust/itl).

import { api, ApiError } from '../api.ts';
import { useAction, useApi } from '../hooks.ts';
import { Link } from '../router.tsx';
import { fmtDateTime } from '../format.ts';
import { Badge, ErrorMessage, Loading, Notice, PageHeader, Section } from '../components/ui.tsx';
import { RollbackBanner } from '../components/rollback-banner.tsx';
import type { Me, TrustLists } from '../types.ts';

const SIGNER_TEXT: Record<string, string> = {
  normal: 'signed by the TFTP (CallManager) certificate',
  localkey: 'signed by the ITLRecovery key (reset localkey)',
  'tftp-transition': 'signed by the ITLRecovery key while phones learn the new TFTP certificate',
};

export function TrustListsPage({ me }: { me: Me }) {
  const itl = useApi(() => api<TrustLists>('GET', '/trust/itl'), []);
  const a = useAction();
  const isAdmin = me.role === 'admin';
  const unavailable = itl.error instanceof ApiError && itl.error.status === 404;
  const act = async (path: string, body: unknown, done: string) => {
    const r = await a.run(() => api<TrustLists>('POST', path, body), done);
    if (r) await itl.reload();
  };
  return (
    <div>
      <PageHeader title="Trust lists (ITL/CTL)" subtitle="What each TFTP server gives phones, shown like `show itl`" />
      {itl.loading && !itl.data ? <Loading what="trust lists" /> : null}
      {unavailable ? (
        <Section title="Not available on this node">
          <p>This node does not publish ITL/CTL files ({(itl.error as ApiError).message}). See docs/trust-lists.md.</p>
        </Section>
      ) : (
        <ErrorMessage error={itl.error} title="Trust lists cannot be read" />
      )}
      {itl.data?.rollback ? <RollbackBanner /> : null}
      {itl.data ? (
        <Section title="Signing">
          <p>
            Phones accept a new ITL only when it is signed by a certificate from the ITL they already hold. If they lost
            that trust (a corrupt ITL, a restored cluster), <strong>reset localkey</strong> signs with the ITLRecovery
            key, which every phone's ITL lists. Go back to normal signing once the phones have the new file. Compare the
            CAPF record with the <Link to="/certificates/capf">CAPF Certificate Details</Link>: a phone whose ITL lacks
            the current CAPF certificate reports "No valid CAPF server".
          </p>
          <p>
            Current mode:{' '}
            <strong>
              {itl.data.signingMode === 'localkey'
                ? 'reset localkey (ITLRecovery signs)'
                : 'normal (TFTP certificate signs)'}
            </strong>
          </p>
          {a.notice ? <Notice>{a.notice}</Notice> : null}
          <ErrorMessage error={a.error} title="The action failed" />
          <div className="form-actions">
            <button
              type="button"
              disabled={!isAdmin || a.busy}
              onClick={() =>
                void act('/trust/itl/rebuild', undefined, 'Trust lists rebuilt from the current certificates.')
              }
            >
              Rebuild ITL
            </button>
            {itl.data.signingMode === 'normal' ? (
              <button
                type="button"
                disabled={!isAdmin || a.busy}
                onClick={() =>
                  void act(
                    '/trust/itl/signing',
                    { mode: 'localkey' },
                    'The ITL is now signed with the ITLRecovery key. Reset the phones so they fetch it.',
                  )
                }
              >
                Reset localkey
              </button>
            ) : (
              <button
                type="button"
                disabled={!isAdmin || a.busy}
                onClick={() =>
                  void act(
                    '/trust/itl/signing',
                    { mode: 'normal' },
                    'The ITL is signed with the TFTP certificate again.',
                  )
                }
              >
                Back to normal signing
              </button>
            )}
            {!isAdmin ? <small className="muted">Only administrators can rebuild or reset trust lists.</small> : null}
          </div>
        </Section>
      ) : null}
      {itl.data ? (
        <Section
          title="Moving phones to another cluster"
          actions={itl.data.rollback ? <Badge tone="bad">Rollback mode on</Badge> : <Badge tone="ok">Normal ITL</Badge>}
        >
          <p>
            Phones leaving this cluster hold our ITL and refuse the next cluster's ITL unless they can trust its signer.
            Two ways, without touching a phone: make our TVS vouch for the next cluster's certificates (
            <Link to="/tvs-trust">TVS trust (other clusters)</Link>), or serve the <strong>rollback ITL</strong> (CUCM:
            "Prepare Cluster for Rollback to pre-8.0"): still signed by our signer, so phones accept it, but with empty
            TVS and TFTP records, so they then accept any next ITL and unsigned configuration files. Reset the phones,
            keep this cluster reachable until they all have it, and turn it off again if this cluster stays in service.
          </p>
          <div className="form-actions">
            {itl.data.rollback ? (
              <button
                type="button"
                disabled={!isAdmin || a.busy}
                onClick={() =>
                  void act(
                    '/trust/itl/rollback',
                    { on: false },
                    'Rollback mode is off: the normal ITL is served again.',
                  )
                }
              >
                Turn rollback mode off
              </button>
            ) : (
              <button
                type="button"
                className="danger"
                disabled={!isAdmin || a.busy}
                onClick={() =>
                  void act(
                    '/trust/itl/rollback',
                    { on: true },
                    'Rollback mode is on. Reset the phones so they fetch the rollback ITL.',
                  )
                }
              >
                Turn rollback mode on
              </button>
            )}
          </div>
        </Section>
      ) : null}
      {itl.data?.items.map((t) => (
        <Section
          key={`${t.node}-${t.kind}`}
          title={`${t.kind} of ${t.node}`}
          actions={
            t.verified ? (
              <Badge tone="ok">Signature verified</Badge>
            ) : (
              <Badge tone="bad">Does not verify{t.verifyMessage ? `: ${t.verifyMessage}` : ''}</Badge>
            )
          }
        >
          <p className="muted">
            Built {fmtDateTime(t.builtAt)}, {t.bytes} bytes, {SIGNER_TEXT[t.signerReason] ?? `signed by ${t.signedBy}`}
            {t.transitional.length
              ? `; still lists the previous ${t.transitional.join(', ')} certificate during the transition`
              : ''}
            .
          </p>
          {t.warnings.length ? (
            <div className="msg msg-warn" role="status">
              <ul>
                {t.warnings.map((w) => (
                  <li key={w}>{w}</li>
                ))}
              </ul>
            </div>
          ) : null}
          <pre>{t.showItl}</pre>
        </Section>
      ))}
    </div>
  );
}
