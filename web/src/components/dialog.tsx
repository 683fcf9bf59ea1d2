// Owns the UI's confirmations: Escape closes any of them (useEscape), the safe choice has the focus when one
// opens, and PasswordConfirm asks for the admin's password again for cluster-wide trust changes — the server
// checks it (confirmPassword; ERR_CONFIRMATION_REQUIRED / ERR_CONFIRMATION_FAILED), this only collects it.

import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useAction } from '../hooks.ts';
import { ErrorMessage } from './ui.tsx';

/** Calls onClose when Escape is pressed while `active`. */
export function useEscape(active: boolean, onClose: () => void): void {
  const saved = useRef(onClose);
  saved.current = onClose;
  useEffect(() => {
    if (!active) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        saved.current();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [active]);
}

/** A yes/no confirmation: the consequence, a (danger) confirm button and Cancel (focused); Escape cancels. */
export function ConfirmBox({
  title,
  children,
  confirmLabel,
  onConfirm,
  onCancel,
  busy,
}: {
  title: ReactNode;
  children?: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
  busy?: boolean;
}) {
  const id = useId();
  const cancel = useRef<HTMLButtonElement>(null);
  useEscape(true, onCancel);
  useEffect(() => cancel.current?.focus(), []);
  return (
    <div className="warning-box" role="alertdialog" aria-labelledby={`${id}-t`}>
      <strong id={`${id}-t`}>{title}</strong>
      {children}
      <div className="form-actions">
        <button type="button" className="danger" onClick={onConfirm} disabled={busy}>
          {confirmLabel}
        </button>
        <button type="button" ref={cancel} onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}

/**
 * A change of what every phone trusts: says what it does, asks for the password again and runs `onConfirm`
 * with it. A wrong password is the server's refusal, shown here; Escape or Cancel closes without a request.
 */
export function PasswordConfirm({
  title,
  children,
  confirmLabel,
  onConfirm,
  onCancel,
}: {
  title: ReactNode;
  children?: ReactNode;
  confirmLabel: string;
  onConfirm: (password: string) => Promise<unknown>;
  onCancel: () => void;
}) {
  const id = useId();
  const [password, setPassword] = useState('');
  const input = useRef<HTMLInputElement>(null);
  const a = useAction();
  useEscape(true, onCancel);
  useEffect(() => input.current?.focus(), []);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await a.run(() => onConfirm(password));
    setPassword('');
  };
  return (
    <form
      className="warning-box"
      role="alertdialog"
      aria-labelledby={`${id}-t`}
      aria-describedby={`${id}-d`}
      onSubmit={submit}
    >
      <strong id={`${id}-t`}>{title}</strong>
      <div id={`${id}-d`}>{children}</div>
      <div className="field">
        <label htmlFor={`${id}-pw`}>Your password (to confirm)</label>
        <input
          id={`${id}-pw`}
          ref={input}
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </div>
      <ErrorMessage error={a.error} title="Not changed" />
      <div className="form-actions">
        <button type="submit" className="danger" disabled={a.busy || !password}>
          {confirmLabel}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
