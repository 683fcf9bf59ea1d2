// Owns the Phone Configuration page: device info, the CAPF Information section laid out as in CUCM
// (Save, Apply Config, Generate String), the phone's LSC and MIC, and its recent CAPF sessions as a timeline.

import { Fragment, useEffect, useState, type FormEvent } from 'react';
import { api, compact } from '../api.ts';
import { useAction, useApi, useInterval } from '../hooks.ts';
import { Link, navigate } from '../router.tsx';
import {
  AUTH_MODES,
  CERT_OPERATIONS,
  EC_KEY_SIZES,
  KEY_ORDERS,
  RSA_KEY_SIZES,
  colonHex,
  fmtDateTime,
  fromLocalInput,
  label,
  toLocalInput,
  daysFromNow,
} from '../format.ts';
import {
  Badge,
  Empty,
  ErrorMessage,
  FieldError,
  KeyValues,
  Loading,
  Notice,
  PageHeader,
  Section,
  StatusBadge,
} from '../components/ui.tsx';
import type { CapfSession, Me, Phone, PhoneDetail, Profile } from '../types.ts';

interface CapfForm {
  operation: string;
  authMode: string;
  authString: string;
  keyOrder: string;
  rsaKeySize: number;
  ecKeySize: number | null;
  completesBy: string;
}
const fromPhone = (p: Phone): CapfForm => ({
  operation: p.capf.operation,
  authMode: p.capf.authMode,
  authString: p.capf.authString ?? '',
  keyOrder: p.capf.keyOrder,
  rsaKeySize: p.capf.rsaKeySize,
  ecKeySize: p.capf.ecKeySize,
  completesBy: toLocalInput(p.capf.completesBy),
});

export function PhonePage({ deviceName, me }: { deviceName: string; me: Me }) {
  const detail = useApi(() => api<PhoneDetail>('GET', `/phones/${encodeURIComponent(deviceName)}`), [deviceName]);
  const profiles = useApi(() => api<{ items: Profile[] }>('GET', '/profiles'), []);
  const [form, setForm] = useState<CapfForm | null>(null);
  const [dirty, setDirty] = useState(false);
  const a = useAction();
  const canEdit = me.role !== 'read-only';

  useEffect(() => {
    if (detail.data && !dirty) setForm(fromPhone(detail.data.phone));
  }, [detail.data, dirty]);
  // While an operation is pending, follow the phone live (it may contact CAPF any moment).
  const pending = detail.data?.phone.operationStatus.outcome === 'pending';
  useInterval(
    () => {
      if (!dirty && !a.busy) void detail.reload();
    },
    pending ? 2000 : null,
  );

  if (detail.error) {
    return (
      <div>
        <PageHeader title={`Phone ${deviceName}`} />
        <ErrorMessage error={detail.error} title="The phone cannot be shown" />
        <Link to="/phones">Back to Find/List</Link>
      </div>
    );
  }
  if (!detail.data || !form) return <Loading what={`phone ${deviceName}`} />;
  const { phone, sessions, certificates } = detail.data;
  const profile = profiles.data?.items.find((x) => x.name === phone.profileName) ?? null;
  const set = (patch: Partial<CapfForm>) => {
    setForm({ ...form, ...patch });
    setDirty(true);
  };
  const mismatch = profile && form.operation !== 'none' && form.authMode !== profile.authMode;
  const noOp = form.operation === 'none';

  const save = async (apply: boolean) => {
    const body = {
      operation: form.operation,
      authMode: form.authMode,
      authString: form.authMode === 'auth-string' && form.authString ? form.authString : null,
      keyOrder: form.keyOrder,
      rsaKeySize: form.rsaKeySize,
      ecKeySize: form.ecKeySize,
      completesBy: form.operation === 'none' ? null : fromLocalInput(form.completesBy),
    };
    const r = await a.run(
      () => api<Phone>('PUT', `/phones/${encodeURIComponent(deviceName)}/capf`, compact(body)),
      (p) =>
        apply
          ? `Saved and applied: configuration version ${p.configVersion} is published; the phone picks it up ` +
            `at its next configuration download (reset the phone to make it immediate). Status: ${p.status}.`
          : `Saved. Certificate Operation Status: ${p.status}.`,
    );
    if (r) {
      setDirty(false);
      await detail.reload();
    }
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void save(false);
  };
  const generate = async () => {
    const r = await a.run(() => api<{ authString: string }>('POST', '/phones/generate-string'));
    if (r) set({ authString: r.authString, authMode: 'auth-string' });
  };
  const remove = async () => {
    if (!window.confirm(`Delete ${deviceName}? Its LSC is revoked.`)) return;
    const ok = await a.run(() => api('DELETE', `/phones/${encodeURIComponent(deviceName)}`).then(() => true));
    if (ok) navigate('/phones');
  };

  return (
    <div>
      <PageHeader
        title="Phone Configuration"
        subtitle={
          <>
            <span className="mono">{phone.deviceName}</span> · {phone.model} · {phone.description || 'no description'}
          </>
        }
      >
        <Link to="/phones" className="button">
          Back To Find/List
        </Link>
        <Link to={`/troubleshoot?device=${encodeURIComponent(phone.deviceName)}`} className="button">
          Diagnose
        </Link>
        {canEdit ? (
          <button type="button" className="danger" onClick={remove}>
            Delete
          </button>
        ) : null}
      </PageHeader>

      <Section title="Device Information">
        <KeyValues
          rows={[
            [
              'Device Name',
              <span key="device-name" className="mono">
                {phone.deviceName}
              </span>,
            ],
            ['Phone Type', phone.model],
            ['Description', phone.description || '—'],
            [
              'Device Security Profile',
              phone.profileName ? (
                <Link key="profile" to={`/profiles/${encodeURIComponent(phone.profileName)}`}>
                  {phone.profileName}
                </Link>
              ) : (
                <span key="profile" className="muted">
                  None (no profile rule applies)
                </span>
              ),
            ],
            ['Configuration version', String(phone.configVersion)],
            ['Last CAPF session', fmtDateTime(phone.lastSessionAt)],
          ]}
        />
      </Section>

      <Section title="Certification Authority Proxy Function (CAPF) Information" id="capf">
        <form onSubmit={submit} aria-label="CAPF Information" noValidate>
          <div className="cucm-form">
            <label htmlFor="capf-op">
              Certificate Operation
              <span className="req" aria-hidden="true">
                *
              </span>
            </label>
            <select
              id="capf-op"
              value={form.operation}
              disabled={!canEdit}
              onChange={(e) => set({ operation: e.target.value })}
            >
              {Object.entries(CERT_OPERATIONS).map(([k, v]) => (
                <option key={k} value={k}>
                  {v.label}
                </option>
              ))}
            </select>

            <label htmlFor="capf-auth">
              Authentication Mode
              <span className="req" aria-hidden="true">
                *
              </span>
            </label>
            <select
              id="capf-auth"
              value={form.authMode}
              disabled={!canEdit || noOp}
              onChange={(e) => set({ authMode: e.target.value })}
            >
              {Object.entries(AUTH_MODES).map(([k, v]) => (
                <option key={k} value={k}>
                  {v.label}
                </option>
              ))}
            </select>

            <label htmlFor="capf-string">Authentication String</label>
            <div className="inline">
              <input
                id="capf-string"
                inputMode="numeric"
                maxLength={10}
                size={12}
                aria-describedby="capf-string-hint"
                value={form.authString}
                disabled={!canEdit || noOp || form.authMode !== 'auth-string'}
                onChange={(e) => set({ authString: e.target.value.replace(/\D/g, '') })}
                placeholder={me.role === 'read-only' ? 'hidden for read-only users' : ''}
              />
              <button type="button" onClick={generate} disabled={!canEdit || noOp || a.busy}>
                Generate String
              </button>
              <small id="capf-string-hint" className="muted">
                4 to 10 digits; typed on the phone (Settings &gt; Security &gt; LSC)
              </small>
              <FieldError error={a.error} field="authString" />
            </div>

            <label htmlFor="capf-keyorder">
              Key Order
              <span className="req" aria-hidden="true">
                *
              </span>
            </label>
            <select
              id="capf-keyorder"
              value={form.keyOrder}
              disabled={!canEdit || noOp}
              onChange={(e) => set({ keyOrder: e.target.value })}
            >
              {Object.entries(KEY_ORDERS).map(([k, v]) => (
                <option key={k} value={k}>
                  {v.label}
                </option>
              ))}
            </select>

            <label htmlFor="capf-rsa">
              RSA Key Size (Bits)
              <span className="req" aria-hidden="true">
                *
              </span>
            </label>
            <select
              id="capf-rsa"
              value={form.rsaKeySize}
              disabled={!canEdit || noOp || form.keyOrder === 'ec'}
              onChange={(e) => set({ rsaKeySize: Number(e.target.value) })}
            >
              {RSA_KEY_SIZES.map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>

            <label htmlFor="capf-ec">EC Key Size (Bits)</label>
            <select
              id="capf-ec"
              value={form.ecKeySize ?? ''}
              disabled={!canEdit || noOp || form.keyOrder === 'rsa'}
              onChange={(e) => set({ ecKeySize: e.target.value ? Number(e.target.value) : null })}
            >
              <option value="">&lt; None &gt;</option>
              {EC_KEY_SIZES.map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>

            <label htmlFor="capf-deadline">Operation Completes By</label>
            <div className="inline">
              <input
                id="capf-deadline"
                type="datetime-local"
                step={3600}
                value={form.completesBy}
                disabled={!canEdit || noOp}
                onChange={(e) => set({ completesBy: e.target.value })}
                aria-describedby="capf-deadline-hint"
              />
              <small id="capf-deadline-hint" className="muted">
                your local time; any time in the future, an hour or more leaves time to reset the phone (seed: "LSC:
                Failed")
              </small>
              <FieldError error={a.error} field="completesBy" />
            </div>

            <span className="label" id="capf-status-label">
              Certificate Operation Status:
            </span>
            <section aria-labelledby="capf-status-label" data-testid="capf-status">
              <StatusBadge status={phone.operationStatus} />
            </section>
          </div>
          {mismatch ? (
            <div className="warning-box" role="status">
              <strong>Authentication Mode does not match the Phone Security Profile.</strong> The profile "
              {profile!.name}" uses {label.authMode(profile!.authMode)}; this operation uses{' '}
              {label.authMode(form.authMode)}. The operation cannot complete while they disagree (seed: Bulk LSC
              Install) — Save is refused by the server unless the profile is changed.
            </div>
          ) : null}
          {profile ? (
            <p className="muted">
              Note: Security Profile "{profile.name}" contains additional CAPF settings (
              {label.authMode(profile.authMode)}, {label.keyOrder(profile.keyOrder)}, RSA {profile.rsaKeySize}).
            </p>
          ) : null}
          <ErrorMessage error={a.error} title="Not saved" />
          <Notice>{a.notice}</Notice>
          {canEdit ? (
            <div className="form-actions">
              <button type="submit" className="primary" disabled={a.busy}>
                Save
              </button>
              <button type="button" onClick={() => void save(true)} disabled={a.busy}>
                Apply Config
              </button>
              {dirty ? (
                <button
                  type="button"
                  onClick={() => {
                    setDirty(false);
                    setForm(fromPhone(phone));
                    a.setError(null);
                  }}
                >
                  Undo changes
                </button>
              ) : null}
            </div>
          ) : (
            <p className="muted">Read-only users cannot change CAPF settings.</p>
          )}
        </form>
      </Section>

      <div className="grid">
        <Section title="Locally Significant Certificate">
          {phone.lsc ? (
            <KeyValues
              rows={[
                [
                  'LSC Status',
                  <Badge key="lsc-status" tone="ok">
                    Installed
                  </Badge>,
                ],
                [
                  'Serial Number',
                  <span key="lsc-serial" className="mono">
                    {colonHex(phone.lsc.serialHex)}
                  </span>,
                ],
                ['Issuer', phone.lsc.issuerDn],
                ['Valid From', fmtDateTime(phone.lsc.notBefore)],
                [
                  'Valid To',
                  <Fragment key="lsc-valid-to">
                    {fmtDateTime(phone.lsc.notAfter)}{' '}
                    <small className="muted">({daysFromNow(phone.lsc.notAfter)} days left)</small>
                  </Fragment>,
                ],
              ]}
            />
          ) : (
            <KeyValues
              rows={[
                [
                  'LSC Status',
                  <Badge key="lsc-status" tone="neutral">
                    None
                  </Badge>,
                ],
              ]}
            />
          )}
        </Section>
        <Section title="Manufacturing Installed Certificate">
          {phone.mic ? (
            <KeyValues
              rows={[
                ['Seen', fmtDateTime(phone.mic.seenAt)],
                ['Subject', phone.mic.subjectDn],
                ['Issuer', phone.mic.issuerDn],
                [
                  'Expires',
                  phone.mic.notAfter
                    ? fmtDateTime(phone.mic.notAfter) +
                      (Date.parse(phone.mic.notAfter) < Date.now() ? ' (EXPIRED)' : '')
                    : 'not recorded',
                ],
                ['SHA-1', phone.mic.sha1 ? colonHex(phone.mic.sha1) : 'not recorded'],
                [
                  'Serial Number',
                  <span key="mic-serial" className="mono">
                    {colonHex(phone.mic.serialHex)}
                  </span>,
                ],
              ]}
            />
          ) : (
            <Empty>No MIC seen yet (the phone has not authenticated with its MIC).</Empty>
          )}
        </Section>
      </div>

      <Section title="Recent CAPF sessions">
        {sessions.length === 0 ? (
          <Empty>
            No CAPF session yet. The phone contacts CAPF (port 3804) after it downloads its new configuration.
          </Empty>
        ) : (
          <SessionTimeline sessions={sessions} />
        )}
      </Section>

      {certificates.length > 0 ? (
        <Section title="Certificates issued to this phone">
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Serial</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Valid from</th>
                  <th scope="col">Valid to</th>
                  <th scope="col">State</th>
                </tr>
              </thead>
              <tbody>
                {certificates.map((c) => (
                  <tr key={c.serialHex}>
                    <td className="mono">{c.serialHex}</td>
                    <td>{c.kind}</td>
                    <td>{fmtDateTime(c.notBefore)}</td>
                    <td>{fmtDateTime(c.notAfter)}</td>
                    <td>
                      {c.state === 'revoked' ? (
                        <Badge tone="bad">Revoked{c.revocationReason ? `: ${c.revocationReason}` : ''}</Badge>
                      ) : (
                        <Badge tone={c.state === 'active' ? 'ok' : 'neutral'}>{c.state}</Badge>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </Section>
      ) : null}
    </div>
  );
}

function dirLabel(dir: string): { text: string; cls: string } {
  if (dir === 'P>S') return { text: 'phone', cls: 'dir-phone' };
  if (dir === 'S>P') return { text: 'CAPF', cls: 'dir-server' };
  return { text: '', cls: '' };
}

function SessionTimeline({ sessions }: { sessions: CapfSession[] }) {
  return (
    <ol className="timeline">
      {sessions.map((s) => {
        // The session's outcome code gives the tone (a session's status sentence, when one is recorded, is display
        // only).
        const tone = s.outcome === 'success' ? 'ok' : s.outcome === 'none' ? 'neutral' : 'bad';
        return (
          <li key={`${s.sessionId}-${s.startedAt}`} className={`tone-${tone}`}>
            <div>
              <strong>{fmtDateTime(s.startedAt)}</strong> ·{' '}
              {s.operation ? label.operation(s.operation) : 'no operation'}
              {s.authMode ? ` · ${label.authMode(s.authMode)}` : ''} · from <span className="mono">{s.peer}</span>
            </div>
            <div>
              <Badge tone={tone}>{s.status ?? s.outcome}</Badge>
              {s.reason ? <span className="muted"> — {s.reason}</span> : null}
            </div>
            {s.log.length > 0 ? (
              <details>
                <summary>Messages ({s.log.length})</summary>
                <ul className="log">
                  {s.log.map((l, i) => {
                    const d = dirLabel(l.dir);
                    return (
                      // biome-ignore lint/suspicious/noArrayIndexKey: the log is append-only, never reordered
                      <li key={i}>
                        <span className="muted">{new Date(l.at).toLocaleTimeString()}</span>
                        <span className={d.cls}>{d.text}</span>
                        <span>{l.text}</span>
                      </li>
                    );
                  })}
                </ul>
              </details>
            ) : null}
          </li>
        );
      })}
    </ol>
  );
}
