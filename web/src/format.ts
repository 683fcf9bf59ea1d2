// Owns how dates, durations and CUCM vocabulary are shown. Labels come from the server's own tables
// (src/phones/model.ts), never from a second copy.

import { AUTH_MODES, CERT_OPERATIONS, DEVICE_SECURITY_MODES, KEY_ORDERS } from '../../src/phones/model.ts';

export { AUTH_MODES, CERT_OPERATIONS, DEVICE_SECURITY_MODES, KEY_ORDERS };
export {
  EC_KEY_SIZES,
  RSA_KEY_SIZES,
  FAILURE_REASONS,
  OperationStatus,
  DEFAULT_PROFILE_NAME,
  STATUS_OUTCOMES,
  STATUS_VERBS,
  statusText,
} from '../../src/phones/model.ts';

export const label = {
  operation: (k: string) => (CERT_OPERATIONS as Record<string, { label: string }>)[k]?.label ?? k,
  authMode: (k: string) => (AUTH_MODES as Record<string, { label: string }>)[k]?.label ?? k,
  keyOrder: (k: string) => (KEY_ORDERS as Record<string, { label: string }>)[k]?.label ?? k,
  securityMode: (k: string) => (DEVICE_SECURITY_MODES as Record<string, { label: string }>)[k]?.label ?? k,
};

export function fmtDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(undefined, {
    year: 'numeric',
    month: 'short',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  });
}

export function fmtDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: '2-digit' });
}

export function daysFromNow(iso: string): number {
  return Math.floor((new Date(iso).getTime() - Date.now()) / 86_400_000);
}

export function relative(iso: string): string {
  const ms = Date.now() - new Date(iso).getTime();
  const m = Math.round(ms / 60_000);
  if (Math.abs(m) < 1) return 'just now';
  if (Math.abs(m) < 60) return m > 0 ? `${m} min ago` : `in ${-m} min`;
  const h = Math.round(m / 60);
  if (Math.abs(h) < 48) return h > 0 ? `${h} h ago` : `in ${-h} h`;
  const d = Math.round(h / 24);
  return d > 0 ? `${d} days ago` : `in ${-d} days`;
}

/** Hex with colons every byte, as CUCM and `show itl` print serials. */
export function colonHex(hex: string): string {
  return (hex.match(/.{1,2}/g) ?? []).join(':').toUpperCase();
}

/** The badge tone of a Certificate Operation Status, from its outcome code (never from the sentence). */
export function statusTone(status: { outcome: string }): 'ok' | 'bad' | 'pending' | 'neutral' {
  const tones = { failed: 'bad', success: 'ok', pending: 'pending', none: 'neutral' } as const;
  return tones[status.outcome as keyof typeof tones] ?? 'neutral';
}

/** A datetime-local input value (local time) from ISO, and back. */
export function toLocalInput(iso: string | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
export function fromLocalInput(v: string): string | null {
  if (!v) return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}
