// Owns what the certificate monitor needs from outside: its store (rules, channels, what was sent per rule, slot
// and channel, every delivery attempt, and the phone certificates and renewal results it reports on) and the
// senders that deliver a message over a channel (notify/ implements them; app/ wires both).

import type { AuditEvent } from '../audit/index.ts';
import type { CertClass } from './classes.ts';

export type ChannelKind = 'email' | 'webhook';
export const CHANNEL_KINDS: readonly ChannelKind[] = ['email', 'webhook'];

/** How the SMTP connection is protected: STARTTLS required (default), TLS from the first byte (465), or none. */
export type SmtpSecurity = 'starttls' | 'tls' | 'none';
export const SMTP_SECURITY: readonly SmtpSecurity[] = ['starttls', 'tls', 'none'];

export interface EmailSettings {
  host: string;
  port: number;
  security: SmtpSecurity;
  /** AUTH user; null: no authentication. The password is the channel's secret. */
  username: string | null;
  from: string;
  to: string[];
  /** PEM of the CA(s) the SMTP server's certificate must chain to; null: the system's trust store. */
  caPem: string | null;
}

export interface WebhookSettings {
  url: string;
  /** PEM of the CA(s) an https:// receiver's certificate must chain to; null: the system's trust store. */
  caPem: string | null;
}

export type ChannelSettings = EmailSettings | WebhookSettings;

/** A notification channel as stored: the secret is the SMTP password or the webhook's HMAC key. */
export interface MonitorChannel {
  name: string;
  kind: ChannelKind;
  enabled: boolean;
  settings: ChannelSettings;
  secret: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface MonitorRule {
  name: string;
  description: string;
  enabled: boolean;
  classes: CertClass[];
  startDaysBefore: number;
  hourlyLastDay: boolean;
  /** Channel names; empty: every enabled channel. */
  channels: string[];
  createdAt: string;
  updatedAt: string;
}

/** One notification: a rule's message for one slot over one channel (the test messages of a channel too). */
export interface NotificationKey {
  rule: string;
  slot: string;
  channel: string;
}

export type DeliveryStatus = 'sent' | 'failed';

/** One attempt to deliver a message, as logged. */
export interface DeliveryAttempt extends NotificationKey {
  at: string;
  kind: ChannelKind;
  attempt: number;
  status: DeliveryStatus;
  /** The receiver's answer (HTTP status, SMTP reply) or the error; never a secret. */
  detail: string;
  subject: string;
}

export interface DeliveryRecord extends DeliveryAttempt {
  id: number;
}

/** A phone certificate (LSC or MIC) as the monitor lists it. */
export interface PhoneCertificate {
  deviceName: string;
  model: string;
  notAfter: string;
}

/** A window of not-after times: (afterIso, untilIso]; afterIso null: everything up to untilIso. */
export interface NotAfterRange {
  afterIso: string | null;
  untilIso: string;
}

export interface RenewalSummary {
  /** Renewal jobs created in the period. */
  jobs: number;
  /** LSCs issued in the period to phones a renewal job had scheduled. */
  renewed: number;
  /** Phones a renewal job could not schedule, or whose renewal operation failed, in the period. */
  failed: number;
}

export interface MonitorStore {
  listRules(): Promise<MonitorRule[]>;
  getRule(name: string): Promise<MonitorRule | null>;
  /** Inserts the rule and the audit event in one transaction; a rule of that name already there: ERR_CONFLICT. */
  insertRule(rule: MonitorRule, audit: AuditEvent): Promise<void>;
  /** Replaces the rule; false when there is no such rule. */
  updateRule(rule: MonitorRule, audit: AuditEvent): Promise<boolean>;
  deleteRule(name: string, audit: AuditEvent): Promise<boolean>;
  listChannels(): Promise<MonitorChannel[]>;
  getChannel(name: string): Promise<MonitorChannel | null>;
  insertChannel(channel: MonitorChannel, audit: AuditEvent): Promise<void>;
  updateChannel(channel: MonitorChannel, audit: AuditEvent): Promise<boolean>;
  deleteChannel(name: string, audit: AuditEvent): Promise<boolean>;
  /**
   * Takes a notification for this runner: true when nobody took it before, or it failed, or its taker's lease
   * lapsed (a node that died while sending); false when it was sent or another runner holds it.
   */
  claimNotification(key: NotificationKey, runner: string, nowIso: string, leaseUntilIso: string): Promise<boolean>;
  finishNotification(key: NotificationKey, status: DeliveryStatus, attempts: number, nowIso: string): Promise<void>;
  appendDelivery(d: DeliveryAttempt): Promise<void>;
  /** Newest first. */
  listDeliveries(q: { limit: number; channel?: string; rule?: string }): Promise<DeliveryRecord[]>;
  appendAuditEvents(events: readonly AuditEvent[]): Promise<void>;
  /** Per range: how many phones' LSC (or MIC) ends in it, and the first `listLimit` of them, soonest first. */
  phoneCertificates(
    kind: 'lsc' | 'mic',
    ranges: readonly NotAfterRange[],
    listLimit: number,
  ): Promise<{ count: number; items: PhoneCertificate[] }[]>;
  renewalSince(sinceIso: string): Promise<RenewalSummary>;
}

/** A message to deliver: the digest (or a test message), as text for mail and as JSON for webhooks. */
export interface OutgoingMessage {
  subject: string;
  text: string;
  /** The JSON body of a webhook (serialised once; the signature is over these bytes). */
  json: Record<string, unknown>;
  /** Unique per notification (rule, slot, channel): webhooks send it as X-OpenCAPF-Delivery. */
  deliveryId: string;
}

/** The outcome of one attempt: the receiver's answer, or why it failed (retryable or not). */
export type SendResult = { ok: true; detail: string } | { ok: false; detail: string; retryable: boolean };

/** Delivers one message over one channel, once (the monitor retries). Never throws: failures are results. */
export interface NotificationSender {
  send(channel: MonitorChannel, message: OutgoingMessage): Promise<SendResult>;
}

/** Senders by channel kind. */
export type NotificationSenders = Record<ChannelKind, NotificationSender>;
