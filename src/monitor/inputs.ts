// Owns checking what administrators send for rules and channels (API bodies and CLI options are hostile input):
// names, classes, days, mail addresses without line breaks (no header injection), webhook URLs without
// credentials, CA bundles and secrets within bounds.

import { AppError } from '../shared/errors.ts';
import { CERT_CLASS_NAMES, isCertClass, type CertClass } from './classes.ts';
import {
  CHANNEL_KINDS,
  SMTP_SECURITY,
  type ChannelKind,
  type EmailSettings,
  type SmtpSecurity,
  type WebhookSettings,
} from './ports.ts';

const bad = (message: string) => new AppError('ERR_BAD_REQUEST', message);

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
export function checkName(what: 'rule' | 'channel', name: string): string {
  if (!NAME.test(name))
    throw bad(`${what} name "${name.slice(0, 64)}" must be 1 to 64 letters, digits, "_", "." or "-" (not first)`);
  return name;
}

export const MAX_START_DAYS = 3650;
export function checkStartDays(n: number): number {
  if (!Number.isInteger(n) || n < 1 || n > MAX_START_DAYS)
    throw bad(`days before expiry must be a whole number from 1 to ${MAX_START_DAYS}`);
  return n;
}

/** An empty list, or one holding "all": every class. */
export function checkClasses(list: readonly string[]): CertClass[] {
  if (list.includes('all')) return [];
  const out: CertClass[] = [];
  for (const c of list) {
    if (!isCertClass(c)) throw bad(`unknown certificate class "${c.slice(0, 32)}" (${CERT_CLASS_NAMES.join(', ')})`);
    if (!out.includes(c)) out.push(c);
  }
  return out;
}

export function checkDescription(s: string): string {
  if (s.length > 256 || /[\r\n]/.test(s)) throw bad('a description is one line of at most 256 characters');
  return s;
}

export function checkKind(s: string): ChannelKind {
  if (!(CHANNEL_KINDS as readonly string[]).includes(s))
    throw bad(`channel kind must be ${CHANNEL_KINDS.join(' or ')}`);
  return s as ChannelKind;
}

// Deliberately narrow: a mailbox of printable characters, one "@", no spaces, quotes, commas or line breaks.
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?';
const DOMAIN = `${LABEL}(?:\\.${LABEL})*`;
const MAILBOX = new RegExp(`^[A-Za-z0-9.!#$%&'*+/=?^_\`{|}~-]{1,64}@${DOMAIN}$`);
export function checkMailbox(s: string): string {
  if (s.length > 254 || !MAILBOX.test(s)) throw bad(`"${s.slice(0, 64)}" is not a mail address (name@domain)`);
  return s;
}

const HOST = new RegExp(`^(?:${DOMAIN}|\\[[0-9A-Fa-f:.]+\\])$`);
export function checkHost(s: string): string {
  if (s.length > 253 || !HOST.test(s)) throw bad(`"${s.slice(0, 64)}" is not a host name or address`);
  return s;
}

export function checkPort(n: number): number {
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw bad('port must be from 1 to 65535');
  return n;
}

export const MAX_CA_PEM = 65_536;
export function checkCaPem(s: string | null): string | null {
  if (s === null || s === '') return null;
  if (s.length > MAX_CA_PEM || !/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.test(s))
    throw bad(`a CA bundle is PEM certificates, at most ${MAX_CA_PEM} characters`);
  if (/PRIVATE KEY-----/.test(s)) throw bad('the CA bundle holds a private key; give only certificates');
  return s;
}

export function checkSecurity(s: string): SmtpSecurity {
  if (!(SMTP_SECURITY as readonly string[]).includes(s)) throw bad(`security must be ${SMTP_SECURITY.join(', ')}`);
  return s as SmtpSecurity;
}

export function checkEmailSettings(s: EmailSettings): EmailSettings {
  if (s.to.length === 0 || s.to.length > 50) throw bad('an e-mail channel needs 1 to 50 recipients');
  if (s.username !== null && (s.username.length === 0 || s.username.length > 256 || /[\r\n]/.test(s.username)))
    throw bad('the SMTP user is one line of 1 to 256 characters');
  if (s.username !== null && s.security === 'none')
    throw bad('SMTP AUTH over an unprotected connection would send the password in clear: use starttls or tls');
  return {
    host: checkHost(s.host),
    port: checkPort(s.port),
    security: checkSecurity(s.security),
    username: s.username,
    from: checkMailbox(s.from),
    to: [...new Set(s.to.map(checkMailbox))],
    caPem: checkCaPem(s.caPem),
  };
}

export function checkWebhookSettings(s: WebhookSettings): WebhookSettings {
  let u: URL;
  try {
    u = new URL(s.url);
  } catch {
    throw bad('the webhook URL cannot be parsed');
  }
  if (s.url.length > 2048) throw bad('the webhook URL is longer than 2048 characters');
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw bad('a webhook URL is http:// or https://');
  if (u.username || u.password)
    throw bad('a webhook URL carries no user or password (it is shown and logged); the HMAC secret authenticates');
  return { url: u.toString(), caPem: checkCaPem(s.caPem) };
}

export function checkSecret(kind: ChannelKind, s: string): string {
  if (s.length > 1024 || /[\r\n\0]/.test(s)) throw bad('a secret is one line of at most 1024 characters');
  if (kind === 'webhook' && s.length < 16) throw bad('a webhook secret has at least 16 characters');
  if (kind === 'email' && s.length === 0) throw bad('an empty SMTP password: leave it unset instead');
  return s;
}
