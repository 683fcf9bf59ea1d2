// Owns the digest a rule sends (pure): every due certificate of the rule's classes grouped by expiry window —
// one message per run however many phones, fleets counted with the soonest listed — the renewal policy's results,
// and the same content as mail text and as the webhook's JSON.

import { CERT_CLASSES, type CertClass } from './classes.ts';
import { daysLeft, type ExpiryWindow, type Slot } from './schedule.ts';
import type { ClassReport } from './sources.ts';
import type { OutgoingMessage, RenewalSummary } from './ports.ts';

export const DIGEST_TYPE = 'opencapf.cert-monitor.digest';
export const TEST_TYPE = 'opencapf.cert-monitor.test';
export const PAYLOAD_VERSION = 1;

export interface DigestItem {
  name: string;
  detail: string;
  notAfter: string;
  daysLeft: number;
}

export interface DigestWindow {
  key: string;
  label: string;
  count: number;
  items: DigestItem[];
  /** Counted but not listed (past the per-window limit). */
  omitted: number;
}

export interface DigestClass {
  class: CertClass;
  label: string;
  count: number;
  windows: DigestWindow[];
  error: string | null;
}

export interface Digest {
  node: string;
  rule: { name: string; startDaysBefore: number; hourlyLastDay: boolean };
  slot: string;
  mode: Slot['mode'];
  generatedAt: string;
  classes: DigestClass[];
  /** Present when the rule covers LSCs: what the renewal policy did in the last 24 hours. */
  renewal: (RenewalSummary & { since: string }) | null;
}

export function buildDigest(o: {
  node: string;
  rule: Digest['rule'];
  slot: Slot;
  now: Date;
  windows: readonly ExpiryWindow[];
  reports: readonly ClassReport[];
  renewal: Digest['renewal'];
}): Digest {
  const nowMs = o.now.getTime();
  const classes = o.reports
    .map((r): DigestClass => {
      const windows = r.windows
        .map((w, i) => ({
          key: o.windows[i]!.key,
          label: o.windows[i]!.label,
          count: w.count,
          items: w.items.map((c) => ({
            name: c.name,
            detail: c.detail,
            notAfter: c.notAfter,
            daysLeft: daysLeft(Date.parse(c.notAfter) - nowMs),
          })),
          omitted: Math.max(0, w.count - w.items.length),
        }))
        .filter((w) => w.count > 0);
      return {
        class: r.class,
        label: CERT_CLASSES[r.class].label,
        count: windows.reduce((n, w) => n + w.count, 0),
        windows,
        error: r.error ?? null,
      };
    })
    .filter((c) => c.count > 0 || c.error);
  return {
    node: o.node,
    rule: o.rule,
    slot: o.slot.slot,
    mode: o.slot.mode,
    generatedAt: o.now.toISOString(),
    classes,
    renewal: o.renewal,
  };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function subjectOf(d: Digest): string {
  const parts = d.classes.filter((c) => c.count > 0).map((c) => `${c.count} ${c.label}`);
  const errors = d.classes.filter((c) => c.error).length;
  const what = parts.length ? parts.join(', ') : 'nothing due';
  const err = errors ? ` (${plural(errors, 'source')} unreadable)` : '';
  return `[OpenCAPF ${d.node}] certificates expiring: ${what}${err}`;
}

function textOf(d: Digest): string {
  const lines = [
    `OpenCAPF certificate monitor, node ${d.node}, ${d.generatedAt}`,
    `Rule "${d.rule.name}": listed from ${plural(d.rule.startDaysBefore, 'day')} before expiry, ` +
      `${d.mode === 'hourly' ? 'hourly (a cluster certificate is in its last day)' : 'daily'}.`,
    '',
  ];
  for (const c of d.classes) {
    lines.push(`${c.label}: ${c.count}`);
    if (c.error) lines.push(`  ERROR: ${c.error}`);
    for (const w of c.windows) {
      lines.push(`  ${w.label} (${w.count}):`);
      for (const i of w.items) {
        const left = i.daysLeft < 0 ? `expired ${plural(-i.daysLeft, 'day')} ago` : `${plural(i.daysLeft, 'day')} left`;
        lines.push(`    ${i.name}  ${i.detail}  not after ${i.notAfter} (${left})`);
      }
      if (w.omitted) lines.push(`    … and ${w.omitted} more (opencapf report capf lists every phone)`);
    }
    lines.push('');
  }
  if (d.renewal)
    lines.push(
      `renewal (since ${d.renewal.since}): ${d.renewal.renewed} renewed, ${d.renewal.failed} failed ` +
        `(${plural(d.renewal.jobs, 'renewal job')} created)`,
      '',
    );
  lines.push(
    'What to do: regenerate or re-import cluster certificates (opencapf cert …) before they end; phones renew ' +
      'their LSCs through the renewal policy (renewal.enabled) or a bulk Install/Upgrade.',
  );
  return `${lines.join('\n')}\n`;
}

/** The digest as a message: the same content as text (mail) and JSON (webhooks). */
export function digestMessage(d: Digest, deliveryId: string): OutgoingMessage {
  return {
    subject: subjectOf(d),
    text: textOf(d),
    json: { type: DIGEST_TYPE, version: PAYLOAD_VERSION, deliveryId, ...d },
    deliveryId,
  };
}

/** The test message of a channel (`monitor channel test`, the web UI's "Send test"). */
export function testMessage(node: string, channel: string, now: Date, deliveryId: string): OutgoingMessage {
  const at = now.toISOString();
  return {
    subject: `[OpenCAPF ${node}] test message of the certificate monitor (channel ${channel})`,
    text:
      `This is a test message of the OpenCAPF certificate monitor on node ${node}, sent ${at} over the ` +
      `channel "${channel}". Digests of expiring certificates arrive the same way.\n`,
    json: { type: TEST_TYPE, version: PAYLOAD_VERSION, deliveryId, node, channel, generatedAt: at },
    deliveryId,
  };
}
