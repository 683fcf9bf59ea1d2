// Owns the login page and the first password change (a generated one-time password must be changed first).

import { useState, type FormEvent } from 'react';
import { api } from '../api.ts';
import { useAction } from '../hooks.ts';
import { ErrorMessage, Field } from '../components/ui.tsx';
import type { Me } from '../types.ts';

export function LoginPage({ me, onLoggedIn }: { me: Me | null; onLoggedIn: () => Promise<void> }) {
  const [username, setUsername] = useState('admin');
  const [password, setPassword] = useState('');
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const a = useAction();
  const mustChange = !!me?.mustChangePassword;

  const login = async (e: FormEvent) => {
    e.preventDefault();
    const r = await a.run(() => api<{ mustChangePassword: boolean }>('POST', '/auth/login', { username, password }));
    if (r) {
      setCurrent(password);
      await onLoggedIn();
    }
  };
  const change = async (e: FormEvent) => {
    e.preventDefault();
    if (next !== again) {
      a.setError(new Error('mismatch'));
      return;
    }
    const r = await a.run(() =>
      api('POST', '/auth/password', { currentPassword: current, newPassword: next }).then(() => true),
    );
    if (r) await onLoggedIn();
  };

  return (
    <main className="login" id="main">
      <h1>OpenCAPF administration</h1>
      <p className="muted">
        Certificate Authority Proxy Function: Locally Significant Certificates for Cisco IP phones.
      </p>
      <div className="card">
        {mustChange ? (
          <form onSubmit={change} aria-labelledby="pw-title">
            <h2 id="pw-title">Change your one-time password</h2>
            <p className="muted">{me!.username} must choose a new password (10 to 1024 characters) before going on.</p>
            <Field label="Current password" required>
              {(id) => (
                <input
                  id={id}
                  type="password"
                  autoComplete="current-password"
                  value={current}
                  onChange={(e) => setCurrent(e.target.value)}
                  required
                />
              )}
            </Field>
            <Field label="New password" required>
              {(id) => (
                <input
                  id={id}
                  type="password"
                  autoComplete="new-password"
                  minLength={10}
                  value={next}
                  onChange={(e) => setNext(e.target.value)}
                  required
                />
              )}
            </Field>
            <Field label="New password again" required>
              {(id) => (
                <input
                  id={id}
                  type="password"
                  autoComplete="new-password"
                  value={again}
                  onChange={(e) => setAgain(e.target.value)}
                  required
                />
              )}
            </Field>
            {a.error instanceof Error && a.error.message === 'mismatch' ? (
              <div className="msg msg-error" role="alert">
                The two new passwords differ.
              </div>
            ) : (
              <ErrorMessage error={a.error} title="Password not changed" />
            )}
            <button className="primary" type="submit" disabled={a.busy}>
              Change password
            </button>
          </form>
        ) : (
          <form onSubmit={login} aria-labelledby="login-title">
            <h2 id="login-title">Log in</h2>
            <Field label="User name" required>
              {(id) => (
                <input
                  id={id}
                  autoComplete="username"
                  value={username}
                  onChange={(e) => setUsername(e.target.value)}
                  required
                />
              )}
            </Field>
            <Field label="Password" required>
              {(id) => (
                <input
                  id={id}
                  type="password"
                  autoComplete="current-password"
                  value={password}
                  onChange={(e) => setPassword(e.target.value)}
                  required
                />
              )}
            </Field>
            <ErrorMessage error={a.error} title="Login failed" />
            <button className="primary" type="submit" disabled={a.busy}>
              {a.busy ? 'Logging in…' : 'Log in'}
            </button>
            <p className="muted small">
              First start: the user is <code>admin</code> with the password in <code>OPENCAPF_ADMIN_PASSWORD</code>, or
              the one-time password <code>opencapf serve</code> printed.
            </p>
          </form>
        )}
      </div>
    </main>
  );
}
