// Owns the UI's only backend: the public REST API (/api/v1), with the cookie session, the CSRF header on
// every request, and the API's error shape turned into ApiError (code + the API's own message).

import { describeError, validationOf } from './error-messages.ts';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type Listener = () => void;
const unauthenticatedListeners = new Set<Listener>();
/** Called when any request answers 401 (the session ended): the app shows the login page. */
export function onUnauthenticated(l: Listener): () => void {
  unauthenticatedListeners.add(l);
  return () => unauthenticatedListeners.delete(l);
}

export type Query = Record<string, string | number | boolean | null | undefined>;

export function queryString(q: Query = {}): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

export async function api<T>(
  method: string,
  path: string,
  body?: unknown,
  o: { query?: Query; contentType?: string } = {},
): Promise<T> {
  const headers: Record<string, string> = { 'x-requested-with': 'opencapf-web', accept: 'application/json' };
  let payload: BodyInit | undefined;
  if (body !== undefined) {
    if (typeof body === 'string') {
      payload = body;
      headers['content-type'] = o.contentType ?? 'text/plain';
    } else {
      payload = JSON.stringify(body);
      headers['content-type'] = 'application/json';
    }
  }
  let res: Response;
  try {
    res = await fetch(`/api/v1${path}${queryString(o.query)}`, {
      method,
      headers,
      body: payload ?? null,
      credentials: 'same-origin',
    });
  } catch {
    throw new ApiError(0, 'ERR_NETWORK', '');
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!res.ok) {
    const e = (json as { error?: { code?: string; message?: string; details?: Record<string, unknown> } } | null)
      ?.error;
    const err = new ApiError(
      res.status,
      e?.code ?? `HTTP_${res.status}`,
      e?.message ?? `The server answered HTTP ${res.status} ${res.statusText}`.trim(),
      e?.details,
    );
    if (res.status === 401 && path !== '/auth/login') for (const l of unauthenticatedListeners) l();
    throw err;
  }
  return json as T;
}

/** The URL of a download served by the API (the browser sends the session cookie). */
export function downloadUrl(path: string, q?: Query): string {
  return `/api/v1${path}${queryString(q)}`;
}

/** What the admin reads for an error: the code's sentence in the UI's words (error-messages.ts), never raw JSON. */
export function errorMessage(e: unknown, authModeLabel?: (k: string) => string): string {
  if (e instanceof ApiError) return describeError(e.code, e.message, e.details, authModeLabel);
  return 'Something went wrong in the page. Reload it and try again.';
}

/** The field a validation error is about (the API's name of it), or null. */
export function errorField(e: unknown): string | null {
  return e instanceof ApiError && e.code === 'ERR_BAD_REQUEST' ? (validationOf(e.details)?.field ?? null) : null;
}

/**
 * Drops null and undefined fields from a request body. The API's validator coerces a JSON null in an
 * optional "string or null" field to "" (ajv coerceTypes), so the UI omits such fields instead.
 */
export function compact<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined)) as Partial<T>;
}
