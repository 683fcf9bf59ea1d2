// Owns the Trust lists page: each node's current ITL/CTL shown like `show itl`, with a verify badge,
// rebuild, reset localkey, rollback mode and the staged rotation of the TFTP signer (GET/POST /api/v1/trust/itl…).
// The changes of what every phone trusts ask for the password again (PasswordConfirm; the server checks it).

import { useState, type ReactNode } from 'react';
import { api, ApiError } from '../api.ts';
import { useAction, useApi } from '../hooks.ts';
import { Link } from '../router.tsx';
import { fmtDateTime } from '../format.ts';
import { Badge, ErrorMessage, Loading, Notice, PageHeader, Section } from '../components/ui.tsx';
import { RollbackBanner } from '../components/rollback-banner.tsx';
import { PasswordConfirm } from '../components/dialog.tsx';
import type { ItlRotation, Me, TrustLists } from '../types.ts';

interface TrustChange {
  title: string;
  text: ReactNode;
  confirmLabel: string;
  path: string;
  body: Record<string, unknown>;
  done: string;
}

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
  const rotation = useApi(() => api<ItlRotation>('GET', '/trust/itl/rotation'), []);
  const [change, setChange] = useState<TrustChange | null>(null);
  const act = async (path: string, body: unknown, done: string) => {
    const r = await a.run(() => api<TrustLists>('POST', path, body), done);
    if (r) await itl.reload();
  };
  // A confirmed change: the dialog shows the server's refusal (wrong password) and stays open; success closes it.
  const confirmed = async (c: TrustChange, password: string) => {
    await api('POST', c.path, { ...c.body, confirmPassword: password });
    setChange(null);
    a.setError(null);
    a.setNotice(c.done);
    await Promise.all([itl.reload(), rotation.reload()]);
  };
  const ask = (c: TrustChange) => {
    a.setNotice(null);
    setChange(c);
  };
  const dialog = (where: 'signing' | 'rollback' | 'rotation') =>
    change?.path.includes(where) ? (
      <PasswordConfirm
        title={change.title}
        confirmLabel={change.confirmLabel}
        onConfirm={(pw) => confirmed(change, pw)}
        onCancel={() => setChange(null)}
      >
        {change.text}
      </PasswordConfirm>
    ) : null;
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
                  ask({
                    title: 'Reset localkey: sign the ITL with the ITLRecovery key?',
                    text:
                      'Every phone that fetches the ITL accepts the new signer through ITLRecovery. ' +
                      'Go back to normal signing once they have it.',
                    confirmLabel: 'Reset localkey',
                    path: '/trust/itl/signing',
                    body: { mode: 'localkey' },
                    done: 'The ITL is now signed with the ITLRecovery key. Reset the phones so they fetch it.',
                  })
                }
              >
                Reset localkey
              </button>
            ) : (
              <button
                type="button"
                disabled={!isAdmin || a.busy}
                onClick={() =>
                  ask({
                    title: 'Back to normal signing with the TFTP certificate?',
                    text: 'Phones that have not fetched the ITL signed by ITLRecovery yet may refuse the next one.',
                    confirmLabel: 'Back to normal signing',
                    path: '/trust/itl/signing',
                    body: { mode: 'normal' },
                    done: 'The ITL is signed with the TFTP certificate again.',
                  })
                }
              >
                Back to normal signing
              </button>
            )}
            {!isAdmin ? <small className="muted">Only administrators can rebuild or reset trust lists.</small> : null}
          </div>
          {dialog('signing')}
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
                  ask({
                    title: 'Turn rollback mode off?',
                    text: 'The normal ITL is served again; phones that already took the rollback ITL accept it.',
                    confirmLabel: 'Turn rollback mode off',
                    path: '/trust/itl/rollback',
                    body: { on: false },
                    done: 'Rollback mode is off: the normal ITL is served again.',
                  })
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
                  ask({
                    title: 'Turn rollback mode on?',
                    text:
                      'Phones that fetch the rollback ITL then accept ANY next ITL and unsigned ' +
                      'configuration files.',
                    confirmLabel: 'Turn rollback mode on',
                    path: '/trust/itl/rollback',
                    body: { on: true },
                    done: 'Rollback mode is on. Reset the phones so they fetch the rollback ITL.',
                  })
                }
              >
                Turn rollback mode on
              </button>
            )}
          </div>
          {dialog('rollback')}
        </Section>
      ) : null}
      {rotation.data ? (
        <RotationSection r={rotation.data} isAdmin={isAdmin} ask={ask} dialog={dialog('rotation')} />
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

const PHASE_TEXT: Record<string, string> = {
  none: 'No rotation staged',
  staged: 'Next certificate staged: phones are learning it',
  finished: 'Finished',
  aborted: 'Aborted',
};

function RotationSection({
  r,
  isAdmin,
  ask,
  dialog,
}: {
  r: ItlRotation;
  isAdmin: boolean;
  ask: (c: TrustChange) => void;
  dialog: ReactNode;
}) {
  const staged = r.phase === 'staged';
  return (
    <Section
      title="Rotation of the TFTP signer"
      actions={<Badge tone={staged ? 'pending' : 'neutral'}>{PHASE_TEXT[r.phase] ?? r.phase}</Badge>}
    >
      <p>{r.summary}</p>
      {r.phones ? (
        <p className="muted">
          Phones that fetched an ITL listing the next certificate: {r.phones.current} of {r.phones.total} (older{' '}
          {r.phones.older}, never {r.phones.never}).
        </p>
      ) : null}
      {r.blockers.length ? (
        <div className="msg msg-warn" role="status">
          <ul>
            {r.blockers.map((b) => (
              <li key={b}>{b}</li>
            ))}
          </ul>
        </div>
      ) : null}
      <div className="form-actions">
        {!staged ? (
          <button
            type="button"
            disabled={!isAdmin}
            onClick={() =>
              ask({
                title: 'Start a rotation of the TFTP signer?',
                text:
                  'A next TFTP key and certificate are generated; the ITL lists them (still signed by the ' +
                  'current key) so phones learn them before they sign.',
                confirmLabel: 'Start rotation',
                path: '/trust/itl/rotation/start',
                body: {},
                done: 'Rotation started: reset the phones so they fetch the ITL that lists the next certificate.',
              })
            }
          >
            Start rotation
          </button>
        ) : (
          <>
            <button
              type="button"
              className="danger"
              disabled={!isAdmin}
              onClick={() =>
                ask({
                  title: 'Finish the rotation: the next certificate signs from now on?',
                  text:
                    'Phones that have not fetched an ITL listing it refuse the files it signs (the server ' +
                    'refuses while it knows of such phones).',
                  confirmLabel: 'Finish rotation',
                  path: '/trust/itl/rotation/finish',
                  body: {},
                  done: 'Rotation finished: the new TFTP certificate signs.',
                })
              }
            >
              Finish rotation
            </button>
            <button
              type="button"
              disabled={!isAdmin}
              onClick={() =>
                ask({
                  title: 'Abort the rotation?',
                  text: 'The next certificate and its key are discarded; the ITL lists the current signers only.',
                  confirmLabel: 'Abort rotation',
                  path: '/trust/itl/rotation/abort',
                  body: {},
                  done: 'Rotation aborted.',
                })
              }
            >
              Abort rotation
            </button>
          </>
        )}
      </div>
      {dialog}
    </Section>
  );
}
