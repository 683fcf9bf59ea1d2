// Owns Users and API tokens: administrators add users (role, a password or a one-time one shown once), change a
// role, reset a password, disable/enable and delete; everyone lists, creates (shown once) and revokes their own
// API tokens, administrators everyone's.

import { useState, type FormEvent } from 'react';
import { api } from '../api.ts';
import { useAction, useApi } from '../hooks.ts';
import { fmtDateTime } from '../format.ts';
import { Badge, Empty, ErrorMessage, Field, Loading, Notice, PageHeader, Section } from '../components/ui.tsx';
import { Modal } from '../components/modal.tsx';
import { ROLES, TOKEN_SCOPES } from '../../../src/access/roles.ts';
import type * as Api from '../api-types.gen.ts';
import type { Me } from '../types.ts';

type User = Api.GetUsersResponse['items'][number];
type Token = Api.GetTokensResponse['items'][number];
const ROLE_HELP: Record<string, string> = {
  admin: 'everything, including users, profiles and trust changes',
  operator: 'phones, CAPF operations, bulk jobs; reads authentication strings',
  'read-only': 'looks only; never sees authentication strings',
};

/** A secret shown once, with a copy button and the reason it will not be shown again. */
function ShownOnce({ label, value, onDone }: { label: string; value: string; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="msg msg-warn" role="status">
      <p>
        {label} — shown once; copy it now, it cannot be shown again:
        <br />
        <code className="mono secret-once">{value}</code>
      </p>
      <div className="form-actions">
        <button
          type="button"
          onClick={() =>
            void navigator.clipboard?.writeText(value).then(
              () => setCopied(true),
              () => setCopied(false),
            )
          }
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
        <button type="button" onClick={onDone}>
          Done
        </button>
      </div>
    </div>
  );
}

export function UsersPage({ me }: { me: Me }) {
  const isAdmin = me.role === 'admin';
  return (
    <div>
      <PageHeader title="Users and API tokens" subtitle="User Management > Application Users" />
      {isAdmin ? <UsersSection me={me} /> : null}
      <TokensSection me={me} />
    </div>
  );
}

function UsersSection({ me }: { me: Me }) {
  const users = useApi(() => api<{ items: User[] }>('GET', '/users'), []);
  const [adding, setAdding] = useState(false);
  const [draft, setDraft] = useState({ username: '', role: 'operator', password: '' });
  const [oneTime, setOneTime] = useState<{ username: string; password: string } | null>(null);
  const [deleting, setDeleting] = useState<string | null>(null);
  const a = useAction();
  const add = async (e: FormEvent) => {
    e.preventDefault();
    const r = await a.run(
      () =>
        api<{ user: User; password?: string }>('POST', '/users', {
          username: draft.username.trim(),
          role: draft.role,
          ...(draft.password ? { password: draft.password } : {}),
        }),
      (x) => `User ${x.user.username} added (${ROLES[x.user.role as keyof typeof ROLES]?.label ?? x.user.role}).`,
    );
    if (r) {
      if (r.password) setOneTime({ username: r.user.username, password: r.password });
      setDraft({ username: '', role: 'operator', password: '' });
      setAdding(false);
      await users.reload();
    }
  };
  const patch = async (u: User, body: { role?: string; disabled?: boolean }, done: string) => {
    const r = await a.run(() => api<User>('PATCH', `/users/${encodeURIComponent(u.username)}`, body), done);
    if (r) await users.reload();
  };
  const resetPassword = async (u: User) => {
    const pw = crypto.getRandomValues(new Uint8Array(12));
    const password = Array.from(pw, (b) => 'abcdefghjkmnpqrstuvwxyz23456789'[b % 31]).join('');
    const r = await a.run(
      () => api<User>('PATCH', `/users/${encodeURIComponent(u.username)}`, { password }),
      `${u.username} must choose a new password at the next login.`,
    );
    if (r) {
      setOneTime({ username: u.username, password });
      await users.reload();
    }
  };
  return (
    <Section
      title={users.data ? `Users (${users.data.items.length})` : 'Users'}
      actions={
        <button type="button" className="primary" onClick={() => setAdding(!adding)} aria-expanded={adding}>
          Add New User
        </button>
      }
    >
      {adding ? (
        <form onSubmit={add} aria-label="Add a user">
          <div className="form-grid">
            <Field label="User name" required hint="letters, digits, dot, dash, underscore">
              {(id, d) => (
                <input
                  id={id}
                  aria-describedby={d}
                  required
                  autoComplete="off"
                  maxLength={64}
                  value={draft.username}
                  onChange={(e) => setDraft({ ...draft, username: e.target.value })}
                />
              )}
            </Field>
            <Field label="Role" required hint={ROLE_HELP[draft.role]}>
              {(id, d) => (
                <select
                  id={id}
                  aria-describedby={d}
                  value={draft.role}
                  onChange={(e) => setDraft({ ...draft, role: e.target.value })}
                >
                  {Object.entries(ROLES).map(([k, v]) => (
                    <option key={k} value={k}>
                      {v.label}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label="Password" hint="leave empty for a one-time password (the user chooses one at first login)">
              {(id, d) => (
                <input
                  id={id}
                  aria-describedby={d}
                  type="password"
                  autoComplete="new-password"
                  value={draft.password}
                  onChange={(e) => setDraft({ ...draft, password: e.target.value })}
                />
              )}
            </Field>
          </div>
          <div className="form-actions">
            <button type="submit" className="primary" disabled={a.busy}>
              Add User
            </button>
            <button type="button" onClick={() => setAdding(false)}>
              Cancel
            </button>
          </div>
        </form>
      ) : null}
      {oneTime ? (
        <ShownOnce
          label={`One-time password for ${oneTime.username}`}
          value={oneTime.password}
          onDone={() => setOneTime(null)}
        />
      ) : null}
      <ErrorMessage error={a.error} title="The change was not made" />
      <Notice>{a.notice}</Notice>
      <ErrorMessage error={users.error} title="Users cannot be listed" />
      {users.loading && !users.data ? <Loading what="users" /> : null}
      {users.data ? (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Role</th>
                <th scope="col">State</th>
                <th scope="col">Last login</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {users.data.items.map((u) => {
                const self = u.username === me.username;
                return (
                  <tr key={u.username}>
                    <td className="mono">{u.username}</td>
                    <td>
                      <select
                        aria-label={`Role of ${u.username}`}
                        value={u.role}
                        disabled={self || a.busy}
                        title={self ? 'you cannot change your own role' : undefined}
                        onChange={(e) =>
                          void patch(u, { role: e.target.value }, `${u.username} is now ${e.target.value}.`)
                        }
                      >
                        {Object.entries(ROLES).map(([k, v]) => (
                          <option key={k} value={k}>
                            {v.label}
                          </option>
                        ))}
                      </select>
                    </td>
                    <td>
                      {u.disabled ? <Badge tone="bad">Disabled</Badge> : <Badge tone="ok">Active</Badge>}
                      {u.mustChangePassword ? (
                        <>
                          {' '}
                          <Badge tone="pending">Must change password</Badge>
                        </>
                      ) : null}
                    </td>
                    <td>{u.lastLoginAt ? fmtDateTime(u.lastLoginAt) : 'never'}</td>
                    <td className="actions">
                      {!self ? (
                        <>
                          <button type="button" disabled={a.busy} onClick={() => void resetPassword(u)}>
                            Reset Password
                          </button>{' '}
                          <button
                            type="button"
                            disabled={a.busy}
                            onClick={() =>
                              void patch(
                                u,
                                { disabled: !u.disabled },
                                u.disabled
                                  ? `${u.username} enabled.`
                                  : `${u.username} disabled: their sessions and tokens stop working.`,
                              )
                            }
                          >
                            {u.disabled ? 'Enable' : 'Disable'}
                          </button>{' '}
                          <button type="button" className="danger" onClick={() => setDeleting(u.username)}>
                            Delete
                          </button>
                        </>
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
      {deleting ? (
        <Modal title={`Delete user ${deleting}`} onClose={() => setDeleting(null)}>
          <p>The user and all their API tokens are removed; what they did stays in the audit log.</p>
          <div className="form-actions">
            <button
              type="button"
              className="danger"
              onClick={async () => {
                const name = deleting;
                setDeleting(null);
                const r = await a.run(
                  () => api<void>('DELETE', `/users/${encodeURIComponent(name)}`).then(() => true),
                  `User ${name} deleted.`,
                );
                if (r) await users.reload();
              }}
            >
              Delete {deleting}
            </button>
            <button type="button" onClick={() => setDeleting(null)}>
              Cancel
            </button>
          </div>
        </Modal>
      ) : null}
    </Section>
  );
}

function TokensSection({ me }: { me: Me }) {
  const isAdmin = me.role === 'admin';
  const [all, setAll] = useState(false);
  const tokens = useApi(
    () => api<{ items: Token[] }>('GET', '/tokens', undefined, { query: all ? { all: true } : {} }),
    [all],
  );
  const [draft, setDraft] = useState({ name: '', scope: 'api', expiresInDays: '90' });
  const [shown, setShown] = useState<string | null>(null);
  const a = useAction();
  const create = async (e: FormEvent) => {
    e.preventDefault();
    const r = await a.run(
      () =>
        api<{ token: string; record: Token }>('POST', '/tokens', {
          name: draft.name.trim(),
          scopes: [draft.scope],
          expiresInDays: draft.expiresInDays ? Number(draft.expiresInDays) : null,
        }),
      (x) => `Token "${x.record.name}" created.`,
    );
    if (r) {
      setShown(r.token);
      setDraft({ ...draft, name: '' });
      await tokens.reload();
    }
  };
  const revoke = async (t: Token) => {
    const r = await a.run(
      () => api<void>('DELETE', `/tokens/${encodeURIComponent(t.id)}`).then(() => true),
      `Token "${t.name}" revoked: requests with it are refused from now on.`,
    );
    if (r) await tokens.reload();
  };
  return (
    <Section
      title={tokens.data ? `API tokens (${tokens.data.items.length})` : 'API tokens'}
      actions={
        isAdmin ? (
          <label className="check">
            <input type="checkbox" checked={all} onChange={(e) => setAll(e.target.checked)} /> Everyone's tokens
          </label>
        ) : null
      }
    >
      <p className="muted">
        A token acts as its owner with the owner's role: send it as <code>Authorization: Bearer &lt;token&gt;</code>.
        Scope <code>metrics</code> reads only <code>/metrics</code> (for Prometheus).
      </p>
      <form onSubmit={create} aria-label="Create an API token">
        <div className="form-grid">
          <Field label="Token name" required hint="what uses it, e.g. prometheus or provisioning script">
            {(id, d) => (
              <input
                id={id}
                aria-describedby={d}
                required
                maxLength={64}
                value={draft.name}
                onChange={(e) => setDraft({ ...draft, name: e.target.value })}
              />
            )}
          </Field>
          <Field label="Scope">
            {(id) => (
              <select id={id} value={draft.scope} onChange={(e) => setDraft({ ...draft, scope: e.target.value })}>
                {TOKEN_SCOPES.map((s) => (
                  <option key={s} value={s}>
                    {s === 'api' ? 'api (everything your role allows)' : 'metrics (GET /metrics only)'}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Expires after (days)" hint="1 to 3650; empty: never (not advised)">
            {(id, d) => (
              <input
                id={id}
                aria-describedby={d}
                type="number"
                min={1}
                max={3650}
                value={draft.expiresInDays}
                onChange={(e) => setDraft({ ...draft, expiresInDays: e.target.value })}
              />
            )}
          </Field>
        </div>
        <div className="form-actions">
          <button type="submit" className="primary" disabled={a.busy}>
            Create Token
          </button>
        </div>
      </form>
      {shown ? <ShownOnce label="The new token" value={shown} onDone={() => setShown(null)} /> : null}
      <ErrorMessage error={a.error} title="The change was not made" />
      <Notice>{a.notice}</Notice>
      <ErrorMessage error={tokens.error} title="Tokens cannot be listed" />
      {tokens.data ? (
        tokens.data.items.length === 0 ? (
          <Empty>No API tokens.</Empty>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  {all ? <th scope="col">Owner</th> : null}
                  <th scope="col">Scopes</th>
                  <th scope="col">Created</th>
                  <th scope="col">Expires</th>
                  <th scope="col">Last used</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {tokens.data.items.map((t) => (
                  <tr key={t.id}>
                    <td>{t.name}</td>
                    {all ? <td className="mono">{t.username}</td> : null}
                    <td>{t.scopes.join(', ')}</td>
                    <td>{fmtDateTime(t.createdAt)}</td>
                    <td>
                      {t.expiresAt ? (
                        Date.parse(t.expiresAt) < Date.now() ? (
                          <Badge tone="bad">Expired {fmtDateTime(t.expiresAt)}</Badge>
                        ) : (
                          fmtDateTime(t.expiresAt)
                        )
                      ) : (
                        'never'
                      )}
                    </td>
                    <td>{t.lastUsedAt ? fmtDateTime(t.lastUsedAt) : 'never'}</td>
                    <td>
                      <button type="button" className="danger" disabled={a.busy} onClick={() => void revoke(t)}>
                        Revoke
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )
      ) : null}
    </Section>
  );
}
