// Owns the certificate monitor as a service: rules and channels (each change audited, secrets never shown), a run
// (read every source, decide each rule's slot, take the notification so no node sends it twice, build one digest,
// deliver it with retries and exponential backoff, log every attempt), test messages, and what metrics read.

import { createHash, randomBytes } from 'node:crypto';
import { AppError } from '../shared/errors.ts';
import type { Clock } from '../shared/clock.ts';
import type { AuditActor, AuditEvent } from '../audit/index.ts';
import { CERT_CLASSES, type CertClass } from './classes.ts';
import { ruleCovers, slotOf, windowsOf, DAY_MS, type ExpiryWindow } from './schedule.ts';
import { collectSafely, type CertificateSource, type ClassReport } from './sources.ts';
import { buildDigest, digestMessage, testMessage, type Digest } from './digest.ts';
import {
  checkClasses,
  checkDescription,
  checkEmailSettings,
  checkKind,
  checkName,
  checkSecret,
  checkStartDays,
  checkWebhookSettings,
} from './inputs.ts';
import type {
  ChannelKind,
  DeliveryAttempt,
  DeliveryRecord,
  DeliveryStatus,
  EmailSettings,
  MonitorChannel,
  MonitorRule,
  MonitorStore,
  NotificationKey,
  NotificationSenders,
  OutgoingMessage,
  WebhookSettings,
} from './ports.ts';

export interface MonitorSettings {
  /** cluster.nodeName: named in every message. */
  node: string;
  /** At most this many certificates listed per window of a digest (monitor.listPerWindow). */
  listPerWindow: number;
  /** Attempts per notification and run (monitor.deliveryAttempts). */
  deliveryAttempts: number;
  /** Wait before the second attempt, doubled for each next one (monitor.retryBackoffMs) … */
  retryBackoffMs: number;
  /** … up to this (monitor.retryBackoffMaxMs). */
  retryBackoffMaxMs: number;
  /** The longest one attempt may take (the senders' timeout): bounds how long a notification is held. */
  sendTimeoutMs: number;
}

export interface MonitorDeps {
  store: MonitorStore;
  sources: readonly CertificateSource[];
  senders: NotificationSenders;
  clock: Clock;
  settings: MonitorSettings;
  /** Who takes notifications in the store (node, process): another runner's lease is respected. */
  runner: string;
  /** Told of every attempt (metrics). */
  onAttempt?(a: DeliveryAttempt): void;
}

/** A channel as shown (CLI, API, web UI): the secret only as whether it is set. */
export interface ChannelView extends Omit<MonitorChannel, 'secret'> {
  secret: 'set' | null;
}

export interface RuleInput {
  name: string;
  description?: string;
  enabled?: boolean;
  classes?: readonly string[];
  startDaysBefore?: number;
  hourlyLastDay?: boolean;
  channels?: readonly string[];
}
export type RulePatch = Omit<Partial<RuleInput>, 'name'>;

export interface ChannelInput {
  name: string;
  kind: string;
  enabled?: boolean;
  email?: Partial<EmailSettings>;
  webhook?: Partial<WebhookSettings>;
  /** SMTP password or webhook HMAC secret; a webhook without one gets a generated secret, returned once. */
  secret?: string | null;
}
export interface ChannelPatch {
  enabled?: boolean;
  email?: Partial<EmailSettings>;
  webhook?: Partial<WebhookSettings>;
  /** A new secret; null clears it (e-mail only); absent keeps it. */
  secret?: string | null;
}

export interface ChannelResult {
  status: DeliveryStatus | 'skipped';
  channel: string;
  attempts: number;
  /** Why skipped (already sent for this slot, another node is sending), or the last answer. */
  detail: string;
}

export interface RuleRunResult {
  rule: string;
  slot: string | null;
  mode: 'daily' | 'hourly' | null;
  /** Certificates the digest lists or counts. */
  due: number;
  channels: ChannelResult[];
  digest: { subject: string; text: string } | null;
}

export interface RunResult {
  at: string;
  dryRun: boolean;
  rules: RuleRunResult[];
}

/** What the expiry metrics read: every cluster certificate, fleet counts by window, and which sources answered. */
export interface MonitorSnapshot {
  certificates: { class: CertClass; name: string; notAfterMs: number }[];
  fleets: { class: CertClass; window: string; count: number; soonestNotAfterMs: number | null }[];
  sources: { class: CertClass; up: boolean }[];
}

export interface MonitorService {
  listRules(): Promise<MonitorRule[]>;
  addRule(input: RuleInput, actor: AuditActor): Promise<MonitorRule>;
  setRule(name: string, patch: RulePatch, actor: AuditActor): Promise<MonitorRule>;
  removeRule(name: string, actor: AuditActor): Promise<MonitorRule>;
  listChannels(): Promise<ChannelView[]>;
  addChannel(input: ChannelInput, actor: AuditActor): Promise<{ channel: ChannelView; generatedSecret: string | null }>;
  setChannel(name: string, patch: ChannelPatch, actor: AuditActor): Promise<ChannelView>;
  removeChannel(name: string, actor: AuditActor): Promise<ChannelView>;
  /** Sends the channel's test message now (one attempt, logged and audited). */
  testChannel(name: string, actor: AuditActor): Promise<ChannelResult>;
  deliveries(q?: { limit?: number; channel?: string; rule?: string }): Promise<DeliveryRecord[]>;
  /** One run: sends what is due and not yet sent; dryRun builds the digests without sending or recording. */
  runOnce(o?: { dryRun?: boolean; actor?: AuditActor }): Promise<RunResult>;
  snapshot(): Promise<MonitorSnapshot>;
  /**
   * Runs every intervalMs (the first run after firstDelayMs), telling onRun what each run did; stop() ends the timer
   * and cuts short a backoff wait (that notification is logged as failed and tried again by the next run).
   */
  start(o: {
    intervalMs: number;
    onError: (e: unknown) => void;
    onRun?: (r: RunResult) => void;
    firstDelayMs?: number;
  }): { stop(): Promise<void> };
}

export const DEFAULT_RULE = {
  name: 'default',
  description: 'Every certificate, from 30 days before expiry, daily; hourly on the last day',
  classes: [] as CertClass[],
  startDaysBefore: 30,
  hourlyLastDay: true,
} as const;

const notFound = (what: string, name: string) =>
  new AppError('ERR_NOT_FOUND', `no monitor ${what} named "${name.slice(0, 64)}"`);

export function channelView(c: MonitorChannel): ChannelView {
  const { secret, ...rest } = c;
  return { ...rest, secret: secret ? 'set' : null };
}

/** What the audit log keeps of a channel: its settings, the secret only as set / unchanged / cleared. */
function auditedChannel(c: MonitorChannel, secret: 'set' | 'unchanged' | 'cleared' | 'none') {
  const { caPem, ...settings } = c.settings as EmailSettings;
  return { kind: c.kind, enabled: c.enabled, settings: { ...settings, caPem: caPem ? 'set' : null }, secret };
}

function emailSettings(base: Partial<EmailSettings>, over: Partial<EmailSettings> = {}): EmailSettings {
  const m = { ...base, ...over };
  if (m.host === undefined || m.from === undefined || m.to === undefined)
    throw new AppError('ERR_BAD_REQUEST', 'an e-mail channel needs host, from and to');
  return checkEmailSettings({
    host: m.host,
    port: m.port ?? (m.security === 'tls' ? 465 : 587),
    security: m.security ?? 'starttls',
    username: m.username ?? null,
    from: m.from,
    to: m.to,
    caPem: m.caPem ?? null,
  });
}

function webhookSettings(base: Partial<WebhookSettings>, over: Partial<WebhookSettings> = {}): WebhookSettings {
  const m = { ...base, ...over };
  if (m.url === undefined) throw new AppError('ERR_BAD_REQUEST', 'a webhook channel needs a url');
  return checkWebhookSettings({ url: m.url, caPem: m.caPem ?? null });
}

/** The same id for every attempt of a notification, on every node: receivers may drop repeats by it. */
function deliveryIdOf(node: string, key: NotificationKey): string {
  return createHash('sha256').update(`${node}\n${key.rule}\n${key.slot}\n${key.channel}`).digest('hex').slice(0, 32);
}

export function createMonitorService(d: MonitorDeps): MonitorService {
  const { store, clock, settings } = d;
  const nowIso = () => clock.now().toISOString();
  let stopping: (() => void) | null = null;
  let stopSignal = new Promise<void>((resolve) => {
    stopping = resolve;
  });
  let inFlight: Promise<RunResult> | null = null;

  /** Waits ms; resolves false at once when the monitor is being stopped. */
  const wait = (ms: number) =>
    Promise.race([new Promise<boolean>((r) => setTimeout(() => r(true), ms).unref()), stopSignal.then(() => false)]);

  const backoff = (attempt: number) =>
    Math.min(settings.retryBackoffMs * 2 ** (attempt - 1), settings.retryBackoffMaxMs);
  /** How long a taken notification may take at most: every attempt at its timeout plus every wait, and a margin. */
  const leaseMs = () => {
    let ms = 60_000;
    for (let a = 1; a <= settings.deliveryAttempts; a++) ms += settings.sendTimeoutMs + backoff(a);
    return ms;
  };

  async function deliver(
    channel: MonitorChannel,
    message: OutgoingMessage,
    key: NotificationKey,
    attempts: number,
  ): Promise<ChannelResult> {
    const sender = d.senders[channel.kind];
    let last = '';
    for (let attempt = 1; ; attempt++) {
      const r = await sender.send(channel, message);
      last = r.detail.slice(0, 500);
      const rec: DeliveryAttempt = {
        ...key,
        at: nowIso(),
        kind: channel.kind,
        attempt,
        status: r.ok ? 'sent' : 'failed',
        detail: last,
        subject: message.subject.slice(0, 300),
      };
      await store.appendDelivery(rec);
      d.onAttempt?.(rec);
      if (r.ok) return { status: 'sent', channel: channel.name, attempts: attempt, detail: last };
      if (!r.retryable || attempt >= attempts || !(await wait(backoff(attempt))))
        return { status: 'failed', channel: channel.name, attempts: attempt, detail: last };
    }
  }

  async function needRule(name: string): Promise<MonitorRule> {
    const r = await store.getRule(name);
    if (!r) throw notFound('rule', name);
    return r;
  }
  async function needChannel(name: string): Promise<MonitorChannel> {
    const c = await store.getChannel(name);
    if (!c) throw notFound('channel', name);
    return c;
  }
  async function checkChannelNames(names: readonly string[]): Promise<string[]> {
    const known = new Set((await store.listChannels()).map((c) => c.name));
    const out = [...new Set(names.map((n) => checkName('channel', n)))];
    const missing = out.filter((n) => !known.has(n));
    if (missing.length) throw notFound('channel', missing.join(', '));
    return out;
  }
  const event = (action: AuditEvent['action'], actor: AuditActor, target: string, details: Record<string, unknown>) =>
    ({ at: nowIso(), actor, action, target, details }) satisfies AuditEvent;

  /** Reads each source once per window set (rules with the same start share it). */
  async function reportsFor(classes: readonly CertClass[], windows: readonly ExpiryWindow[], now: Date) {
    const q = { now, windows, listLimit: settings.listPerWindow };
    const covered = d.sources.filter((s) => ruleCovers({ classes }, s.class));
    return Promise.all(covered.map((s) => collectSafely(s, q)));
  }

  async function runRule(rule: MonitorRule, channels: MonitorChannel[], now: Date, dryRun: boolean) {
    const windows = windowsOf(rule.startDaysBefore);
    const reports: ClassReport[] = await reportsFor(rule.classes, windows, now);
    const items = reports.flatMap((r) =>
      r.windows.flatMap((w) => w.items.map((i) => ({ class: i.class, notAfterMs: Date.parse(i.notAfter) }))),
    );
    const slot = slotOf(rule, items, now);
    const due = reports.reduce((n, r) => n + r.windows.reduce((m, w) => m + w.count, 0), 0);
    const result: RuleRunResult = {
      rule: rule.name,
      slot: slot?.slot ?? null,
      mode: slot?.mode ?? null,
      due,
      channels: [],
      digest: null,
    };
    if (!slot) return result;
    const since = new Date(now.getTime() - DAY_MS).toISOString();
    const renewal = ruleCovers(rule, 'lsc') ? { since, ...(await store.renewalSince(since)) } : null;
    const digest: Digest = buildDigest({
      node: settings.node,
      rule: { name: rule.name, startDaysBefore: rule.startDaysBefore, hourlyLastDay: rule.hourlyLastDay },
      slot,
      now,
      windows,
      reports,
      renewal,
    });
    const targets = rule.channels.length ? channels.filter((c) => rule.channels.includes(c.name)) : channels;
    const preview = digestMessage(
      digest,
      deliveryIdOf(settings.node, { rule: rule.name, slot: slot.slot, channel: '' }),
    );
    result.digest = { subject: preview.subject, text: preview.text };
    if (dryRun) return result;
    for (const channel of targets) {
      const key = { rule: rule.name, slot: slot.slot, channel: channel.name };
      const leaseUntil = new Date(clock.now().getTime() + leaseMs()).toISOString();
      if (!(await store.claimNotification(key, d.runner, nowIso(), leaseUntil))) {
        result.channels.push({
          status: 'skipped',
          channel: channel.name,
          attempts: 0,
          detail: 'already sent for this slot, or another node is sending it',
        });
        continue;
      }
      const r = await deliver(
        channel,
        digestMessage(digest, deliveryIdOf(settings.node, key)),
        key,
        settings.deliveryAttempts,
      );
      await store.finishNotification(key, r.status === 'sent' ? 'sent' : 'failed', r.attempts, nowIso());
      result.channels.push(r);
    }
    return result;
  }

  async function run(dryRun: boolean): Promise<RunResult> {
    const now = clock.now();
    const rules = (await store.listRules()).filter((r) => r.enabled);
    const channels = (await store.listChannels()).filter((c) => c.enabled);
    const out: RuleRunResult[] = [];
    for (const rule of rules) out.push(await runRule(rule, channels, now, dryRun));
    return { at: now.toISOString(), dryRun, rules: out };
  }

  const svc: MonitorService = {
    listRules: () => store.listRules(),

    async addRule(input, actor) {
      const at = nowIso();
      const rule: MonitorRule = {
        name: checkName('rule', input.name),
        description: checkDescription(input.description ?? ''),
        enabled: input.enabled ?? true,
        classes: checkClasses(input.classes ?? []),
        startDaysBefore: checkStartDays(input.startDaysBefore ?? DEFAULT_RULE.startDaysBefore),
        hourlyLastDay: input.hourlyLastDay ?? true,
        channels: await checkChannelNames(input.channels ?? []),
        createdAt: at,
        updatedAt: at,
      };
      const { createdAt: _c, updatedAt: _u, ...shown } = rule;
      await store.insertRule(rule, event('monitor.rule-add', actor, rule.name, shown));
      return rule;
    },

    async setRule(name, patch, actor) {
      const old = await needRule(name);
      const rule: MonitorRule = {
        ...old,
        ...(patch.description !== undefined ? { description: checkDescription(patch.description) } : {}),
        ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
        ...(patch.classes !== undefined ? { classes: checkClasses(patch.classes) } : {}),
        ...(patch.startDaysBefore !== undefined ? { startDaysBefore: checkStartDays(patch.startDaysBefore) } : {}),
        ...(patch.hourlyLastDay !== undefined ? { hourlyLastDay: patch.hourlyLastDay } : {}),
        ...(patch.channels !== undefined ? { channels: await checkChannelNames(patch.channels) } : {}),
        updatedAt: nowIso(),
      };
      if (!(await store.updateRule(rule, event('monitor.rule-set', actor, name, { ...patch }))))
        throw notFound('rule', name);
      return rule;
    },

    async removeRule(name, actor) {
      const old = await needRule(name);
      if (!(await store.deleteRule(name, event('monitor.rule-remove', actor, name, {})))) throw notFound('rule', name);
      return old;
    },

    async listChannels() {
      return (await store.listChannels()).map(channelView);
    },

    async addChannel(input, actor) {
      const kind: ChannelKind = checkKind(input.kind);
      const name = checkName('channel', input.name);
      const settingsIn = kind === 'email' ? emailSettings(input.email ?? {}) : webhookSettings(input.webhook ?? {});
      const generated = kind === 'webhook' && !input.secret ? randomBytes(32).toString('base64url') : null;
      const secret = generated ?? (input.secret ? checkSecret(kind, input.secret) : null);
      const at = nowIso();
      const channel: MonitorChannel = {
        name,
        kind,
        enabled: input.enabled ?? true,
        settings: settingsIn,
        secret,
        createdAt: at,
        updatedAt: at,
      };
      const shownSecret = generated ? 'generated' : secret ? 'set' : 'none';
      await store.insertChannel(
        channel,
        event('monitor.channel-add', actor, name, {
          ...auditedChannel(channel, 'none'),
          secret: shownSecret,
        }),
      );
      return { channel: channelView(channel), generatedSecret: generated };
    },

    async setChannel(name, patch, actor) {
      const old = await needChannel(name);
      let secret = old.secret;
      let secretChange: 'set' | 'unchanged' | 'cleared' = 'unchanged';
      if (patch.secret === null) {
        if (old.kind === 'webhook')
          throw new AppError('ERR_BAD_REQUEST', 'a webhook channel keeps an HMAC secret; set a new one');
        secret = null;
        secretChange = 'cleared';
      } else if (patch.secret !== undefined) {
        secret = checkSecret(old.kind, patch.secret);
        secretChange = 'set';
      }
      const channel: MonitorChannel = {
        ...old,
        ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
        settings:
          old.kind === 'email'
            ? emailSettings(old.settings as EmailSettings, patch.email)
            : webhookSettings(old.settings as WebhookSettings, patch.webhook),
        secret,
        updatedAt: nowIso(),
      };
      if (
        !(await store.updateChannel(
          channel,
          event('monitor.channel-set', actor, name, auditedChannel(channel, secretChange)),
        ))
      )
        throw notFound('channel', name);
      return channelView(channel);
    },

    async removeChannel(name, actor) {
      const old = await needChannel(name);
      const users = (await store.listRules()).filter((r) => r.channels.includes(name)).map((r) => r.name);
      if (users.length)
        throw new AppError(
          'ERR_CONFLICT',
          `channel "${name}" is named by the rule(s) ${users.join(', ')}; take it out of them first`,
        );
      if (!(await store.deleteChannel(name, event('monitor.channel-remove', actor, name, {}))))
        throw notFound('channel', name);
      return channelView(old);
    },

    async testChannel(name, actor) {
      const channel = await needChannel(name);
      const now = clock.now();
      const key = { rule: '', slot: `test:${now.toISOString()}`, channel: name };
      const r = await deliver(channel, testMessage(settings.node, name, now, deliveryIdOf(settings.node, key)), key, 1);
      await store.appendAuditEvents([
        event('monitor.channel-test', actor, name, { status: r.status, detail: r.detail }),
      ]);
      return r;
    },

    deliveries: (q = {}) =>
      store.listDeliveries({
        limit: Math.min(Math.max(q.limit ?? 100, 1), 1000),
        ...(q.channel ? { channel: q.channel } : {}),
        ...(q.rule ? { rule: q.rule } : {}),
      }),

    async runOnce(o = {}) {
      if (o.dryRun) return run(true);
      if (o.actor) await store.appendAuditEvents([event('monitor.run-now', o.actor, 'monitor', {})]);
      // One run at a time in this process; other processes and nodes are kept apart by the notification claims.
      while (inFlight) await inFlight.catch(() => undefined);
      inFlight = run(false);
      try {
        return await inFlight;
      } finally {
        inFlight = null;
      }
    },

    async snapshot() {
      const now = clock.now();
      // Wide enough for a CA valid for decades: every certificate falls in some window.
      const windows = windowsOf(100 * 366);
      const reports = await reportsFor([], windows, now);
      const snap: MonitorSnapshot = { certificates: [], fleets: [], sources: [] };
      for (const r of reports) {
        snap.sources.push({ class: r.class, up: !r.error });
        if (CERT_CLASSES[r.class].fleet) {
          r.windows.forEach((w, i) => {
            const first = w.items[0];
            snap.fleets.push({
              class: r.class,
              window: windows[i]!.key,
              count: w.count,
              soonestNotAfterMs: first ? Date.parse(first.notAfter) : null,
            });
          });
        } else
          for (const w of r.windows)
            for (const c of w.items)
              snap.certificates.push({ class: r.class, name: c.name, notAfterMs: Date.parse(c.notAfter) });
      }
      return snap;
    },

    start({ intervalMs, onError, onRun, firstDelayMs = 5000 }) {
      stopSignal = new Promise<void>((resolve) => {
        stopping = resolve;
      });
      let stopped = false;
      const tick = () => {
        if (stopped) return;
        void svc
          .runOnce()
          .then((r) => onRun?.(r))
          .catch(onError);
      };
      const first = setTimeout(tick, firstDelayMs);
      const timer = setInterval(tick, intervalMs);
      first.unref();
      timer.unref();
      return {
        async stop() {
          stopped = true;
          clearTimeout(first);
          clearInterval(timer);
          stopping?.();
          await inFlight?.catch(() => undefined);
        },
      };
    },
  };
  return svc;
}
