// Owns Phone Security Profiles: list, edit (CAPF defaults), with the seed's mismatch warning and the
// server's answer on how many phones the change touched or now contradicts.

import { type ChangeEvent, type FormEvent, useEffect, useState } from 'react';
import { api } from '../api.ts';
import { useAction, useApi } from '../hooks.ts';
import { Link, navigate } from '../router.tsx';
import { Modal } from '../components/modal.tsx';
import {
  AUTH_MODES,
  DEVICE_SECURITY_MODES,
  EC_KEY_SIZES,
  KEY_ORDERS,
  RSA_KEY_SIZES,
  fmtDateTime,
  label,
} from '../format.ts';
import { ErrorMessage, Field, Loading, Notice, PageHeader, Section } from '../components/ui.tsx';
import type { Me, Profile } from '../types.ts';

export function ProfilesPage({ me }: { me: Me }) {
  const list = useApi(() => api<{ items: Profile[] }>('GET', '/profiles'), []);
  const [adding, setAdding] = useState(false);
  return (
    <div>
      <PageHeader title="Phone Security Profiles" subtitle="System > Security > Phone Security Profile">
        {me.role === 'admin' ? (
          <button type="button" className="primary" onClick={() => setAdding(true)}>
            Add New
          </button>
        ) : null}
      </PageHeader>
      {me.role !== 'admin' ? <p className="muted">Only administrators change profiles.</p> : null}
      {adding ? <NewProfile onClose={() => setAdding(false)} /> : null}
      <Section title={list.data ? `Profiles (${list.data.items.length})` : 'Profiles'}>
        <ErrorMessage error={list.error} title="Profiles cannot be listed" />
        {list.loading && !list.data ? <Loading what="profiles" /> : null}
        {list.data ? (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Device Security Mode</th>
                  <th scope="col">Authentication Mode</th>
                  <th scope="col">Key Order</th>
                  <th scope="col" className="num">
                    RSA
                  </th>
                  <th scope="col" className="num">
                    Phones
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.data.items.map((p) => (
                  <tr key={p.name}>
                    <td className="wrap">
                      <Link to={`/profiles/${encodeURIComponent(p.name)}`}>{p.name}</Link>
                      <br />
                      <small className="muted">{p.description}</small>
                    </td>
                    <td>{label.securityMode(p.deviceSecurityMode)}</td>
                    <td>{label.authMode(p.authMode)}</td>
                    <td>{label.keyOrder(p.keyOrder)}</td>
                    <td className="num">{p.rsaKeySize}</td>
                    <td className="num">
                      <Link to={`/phones?profile=${encodeURIComponent(p.name)}`}>{p.phones}</Link>
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

/**
 * Add New (empty name, CAPF defaults of the server) or Copy (every setting of `from`): asks for the new name, creates
 * the profile and opens it.
 */
function NewProfile({ from, onClose }: { from?: Draft & { name: string }; onClose: () => void }) {
  const [name, setName] = useState(from ? `${from.name} copy` : '');
  const [description, setDescription] = useState(from?.description ?? '');
  const a = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const { name: _old, ...settings } = from ?? { name: '' };
    const r = await a.run(() => api<Profile>('POST', '/profiles', { ...settings, name: name.trim(), description }));
    if (r) {
      onClose();
      navigate(`/profiles/${encodeURIComponent(r.name)}`);
    }
  };
  return (
    <Modal title={from ? `Copy profile ${from.name}` : 'Add a Phone Security Profile'} onClose={onClose}>
      <form onSubmit={submit}>
        <p className="muted">
          {from
            ? 'The copy takes every setting of this profile; no phone uses it until you assign it.'
            : 'The profile starts with the default CAPF settings; set them on the next page.'}
        </p>
        <div className="form-grid">
          <Field label="Name" required>
            {(id) => <input id={id} required maxLength={128} value={name} onChange={(e) => setName(e.target.value)} />}
          </Field>
          <Field label="Description">
            {(id) => <input id={id} value={description} onChange={(e) => setDescription(e.target.value)} />}
          </Field>
        </div>
        <ErrorMessage error={a.error} title="The profile was not created" />
        <div className="form-actions">
          <button type="submit" className="primary" disabled={a.busy}>
            {from ? 'Copy' : 'Add'}
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Modal>
  );
}

function DeleteProfile({ profile, onClose }: { profile: Profile; onClose: () => void }) {
  const a = useAction();
  const del = async () => {
    const r = await a.run(() => api<void>('DELETE', `/profiles/${encodeURIComponent(profile.name)}`).then(() => true));
    if (r) {
      onClose();
      navigate('/profiles');
    }
  };
  return (
    <Modal title={`Delete profile ${profile.name}`} onClose={onClose}>
      {profile.phones > 0 ? (
        <p>
          {profile.phones} phone(s) use this profile, so it cannot be deleted.{' '}
          <Link to={`/phones?profile=${encodeURIComponent(profile.name)}`}>List them</Link> and give them another
          profile first.
        </p>
      ) : (
        <p>No phone uses this profile. Deleting it cannot be undone (the audit log keeps the record).</p>
      )}
      <ErrorMessage error={a.error} title="The profile was not deleted" />
      <div className="form-actions">
        {profile.phones === 0 ? (
          <button type="button" className="danger" onClick={() => void del()} disabled={a.busy}>
            Delete {profile.name}
          </button>
        ) : null}
        <button type="button" onClick={onClose}>
          Cancel
        </button>
      </div>
    </Modal>
  );
}

type Draft = Pick<
  Profile,
  | 'description'
  | 'deviceSecurityMode'
  | 'authMode'
  | 'keyOrder'
  | 'rsaKeySize'
  | 'ecKeySize'
  | 'encryptedConfig'
  | 'acceptExpiredMic'
>;

export function ProfilePage({ name, me }: { name: string; me: Me }) {
  const p = useApi(() => api<Profile>('GET', `/profiles/${encodeURIComponent(name)}`), [name]);
  const [d, setD] = useState<Draft | null>(null);
  const [applyToPhones, setApplyToPhones] = useState(true);
  const [dialog, setDialog] = useState<'copy' | 'delete' | null>(null);
  const onApplyToPhones = (e: ChangeEvent<HTMLInputElement>) => setApplyToPhones(e.target.checked);
  const a = useAction();
  const isAdmin = me.role === 'admin';
  useEffect(() => {
    if (p.data)
      setD({
        description: p.data.description,
        deviceSecurityMode: p.data.deviceSecurityMode,
        authMode: p.data.authMode,
        keyOrder: p.data.keyOrder,
        rsaKeySize: p.data.rsaKeySize,
        ecKeySize: p.data.ecKeySize,
        encryptedConfig: p.data.encryptedConfig,
        acceptExpiredMic: p.data.acceptExpiredMic,
      });
  }, [p.data]);
  if (p.error)
    return (
      <div>
        <PageHeader title="Phone Security Profile" />
        <ErrorMessage error={p.error} title="The profile cannot be shown" />
        <Link to="/profiles">Back to the list</Link>
      </div>
    );
  if (!p.data || !d) return <Loading what="profile" />;
  const modeChanged = d.authMode !== p.data.authMode;

  const save = async () => {
    const r = await a.run(
      () =>
        api<{ profile: Profile; phonesUsingProfile: number; phonesUpdated: number; pendingConflicts: number }>(
          'PATCH',
          `/profiles/${encodeURIComponent(name)}`,
          { ...d, applyToPhones },
        ),
      (x) => {
        const conflicts =
          x.pendingConflicts > 0
            ? ` ${x.pendingConflicts} pending operation(s) now contradict it and cannot complete until their ` +
              'Authentication Mode matches.'
            : '';
        return (
          `Saved. ${x.phonesUsingProfile} phone(s) use this profile; ${x.phonesUpdated} took its new CAPF defaults.` +
          `${conflicts} Apply Config on the phones (or reset them) for the change to reach them.`
        );
      },
    );
    if (r) await p.reload();
  };
  const sel = (
    id: string,
    lab: string,
    value: string | number,
    opts: [string | number, string][],
    on: (v: string) => void,
  ) => (
    <>
      <label htmlFor={id}>{lab}</label>
      <select id={id} value={value} disabled={!isAdmin} onChange={(e) => on(e.target.value)}>
        {opts.map(([k, l]) => (
          <option key={k} value={k}>
            {l}
          </option>
        ))}
      </select>
    </>
  );

  return (
    <div>
      <PageHeader
        title={`Phone Security Profile: ${p.data.name}`}
        subtitle={`${p.data.phones} phone(s) use it · updated ${fmtDateTime(p.data.updatedAt)}`}
      >
        {isAdmin ? (
          <>
            <button type="button" onClick={() => setDialog('copy')}>
              Copy
            </button>
            <button type="button" className="danger" onClick={() => setDialog('delete')}>
              Delete
            </button>
          </>
        ) : null}
        <Link to="/profiles" className="button">
          Back To Find/List
        </Link>
      </PageHeader>
      {dialog === 'copy' ? <NewProfile from={{ ...d, name: p.data.name }} onClose={() => setDialog(null)} /> : null}
      {dialog === 'delete' ? <DeleteProfile profile={p.data} onClose={() => setDialog(null)} /> : null}
      <Section title="Phone Security Profile Information">
        <div className="cucm-form">
          <label htmlFor="pf-desc">Description</label>
          <input
            id="pf-desc"
            value={d.description}
            disabled={!isAdmin}
            onChange={(e) => setD({ ...d, description: e.target.value })}
          />
          {sel(
            'pf-mode',
            'Device Security Mode',
            d.deviceSecurityMode,
            Object.entries(DEVICE_SECURITY_MODES).map(([k, v]) => [k, v.label]),
            (v) => setD({ ...d, deviceSecurityMode: v }),
          )}
          <label htmlFor="pf-enc">Encrypted TFTP Configuration</label>
          <label className="check">
            <input
              id="pf-enc"
              type="checkbox"
              checked={d.encryptedConfig}
              disabled={!isAdmin}
              onChange={(e) => setD({ ...d, encryptedConfig: e.target.checked })}
            />{' '}
            encrypt SEP&lt;MAC&gt;.cnf.xml
          </label>
        </div>
      </Section>
      <Section title="Parameters used in Phone (CAPF)">
        <div className="cucm-form">
          {sel(
            'pf-auth',
            'Authentication Mode*',
            d.authMode,
            Object.entries(AUTH_MODES).map(([k, v]) => [k, v.label]),
            (v) => setD({ ...d, authMode: v }),
          )}
          {sel(
            'pf-ko',
            'Key Order*',
            d.keyOrder,
            Object.entries(KEY_ORDERS).map(([k, v]) => [k, v.label]),
            (v) => setD({ ...d, keyOrder: v }),
          )}
          {sel(
            'pf-rsa',
            'RSA Key Size (Bits)*',
            d.rsaKeySize,
            RSA_KEY_SIZES.map((n) => [n, String(n)]),
            (v) => setD({ ...d, rsaKeySize: Number(v) }),
          )}
          {sel(
            'pf-ec',
            'EC Key Size (Bits)',
            d.ecKeySize ?? '',
            [['', '< None >'], ...EC_KEY_SIZES.map((n): [number, string] => [n, String(n)])],
            (v) => setD({ ...d, ecKeySize: v ? Number(v) : null }),
          )}
          <label htmlFor="pf-expired-mic">Accept an expired MIC for CAPF authentication</label>
          <label className="check">
            <input
              id="pf-expired-mic"
              type="checkbox"
              checked={d.acceptExpiredMic}
              disabled={!isAdmin}
              aria-describedby="pf-expired-mic-risk"
              onChange={(e) => setD({ ...d, acceptExpiredMic: e.target.checked })}
            />{' '}
            off by default
          </label>
        </div>
        <div
          id="pf-expired-mic-risk"
          className={d.acceptExpiredMic ? 'warning-box' : 'muted'}
          role={d.acceptExpiredMic ? 'status' : undefined}
        >
          {d.acceptExpiredMic ? <strong>Risk: expired MICs are accepted for this profile's phones. </strong> : null}
          An expired MIC (Cisco MICs last 10 years) still has to chain to a trusted{' '}
          <Link to="/manufacturing-cas">manufacturing CA</Link> and name the phone, but nobody vouches for its key any
          more: whoever holds an old phone can get an LSC for a pending device of this profile, and with it 802.1X and
          VPN access. Turn it on only while moving these phones to LSCs, then off (docs/capf.md, "Expired MICs").
        </div>
        <p className="muted">
          Note: These fields are related to the CAPF Information settings on the Phone Configuration page.
        </p>
        {modeChanged ? (
          <div className="warning-box" role="status">
            <strong>
              You are changing the Authentication Mode from {label.authMode(p.data.authMode)} to{' '}
              {label.authMode(d.authMode)}.
            </strong>
            <ul>
              <li>
                A CAPF operation whose Authentication Mode does not match its phone's profile cannot complete (for
                example By Null String on the phone and By Existing Certificate (precedence to LSC) in the profile).
              </li>
              <li>
                After Save, Apply Config: the {p.data.phones} phone(s) using this profile download new configuration and
                may restart.
              </li>
            </ul>
          </div>
        ) : null}
        {isAdmin ? (
          <>
            <label className="check">
              <input type="checkbox" checked={applyToPhones} onChange={onApplyToPhones} /> Copy the new CAPF defaults
              onto phones without a pending operation
            </label>
            <ErrorMessage error={a.error} title="Not saved" />
            <Notice tone={a.notice?.includes('contradict') ? 'warn' : 'ok'}>{a.notice}</Notice>
            <div className="form-actions">
              <button type="button" className="primary" onClick={save} disabled={a.busy}>
                Save
              </button>
            </div>
          </>
        ) : null}
      </Section>
    </div>
  );
}
