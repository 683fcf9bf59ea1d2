// Owns sending a message over a webhook channel: one POST of the JSON body with an HMAC-SHA256 signature over
// exactly those bytes (X-OpenCAPF-Signature: sha256=<hex>, the channel's secret as key), no redirects followed,
// bounded by a timeout; 2xx is delivered, 408/429/5xx and network errors are worth retrying, other answers not.

import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type {
  MonitorChannel,
  NotificationSender,
  OutgoingMessage,
  SendResult,
  WebhookSettings,
} from '../monitor/ports.ts';

export const SIGNATURE_HEADER = 'x-opencapf-signature';
export const DELIVERY_HEADER = 'x-opencapf-delivery';
export const EVENT_HEADER = 'x-opencapf-event';

/** The signature header's value for a body: receivers compute the same over the raw bytes they received. */
export function signBody(secret: string, body: Uint8Array): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export interface WebhookSenderOptions {
  /** The whole request, connect to answer (monitor.sendTimeoutMs). */
  timeoutMs: number;
  userAgent?: string;
}

/** How much of a receiver's answer is kept for the delivery log (hostile input: bounded, one line). */
const MAX_ANSWER_BYTES = 512;
const oneLine = (s: string) =>
  s
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .trim()
    .slice(0, 200);

export function createWebhookSender(o: WebhookSenderOptions): NotificationSender {
  return {
    send(channel: MonitorChannel, message: OutgoingMessage): Promise<SendResult> {
      const s = channel.settings as WebhookSettings;
      const body = Buffer.from(JSON.stringify(message.json));
      const url = new URL(s.url);
      const headers = {
        'content-type': 'application/json',
        'content-length': String(body.length),
        'user-agent': o.userAgent ?? 'OpenCAPF-cert-monitor/1',
        [EVENT_HEADER]: String(message.json.type ?? ''),
        [DELIVERY_HEADER]: message.deliveryId,
        [SIGNATURE_HEADER]: signBody(channel.secret ?? '', body),
      };
      const lib = url.protocol === 'https:' ? https : http;
      return new Promise<SendResult>((resolve) => {
        let done = false;
        const finish = (r: SendResult) => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          resolve(r);
        };
        const req = lib.request(
          url,
          {
            method: 'POST',
            headers,
            agent: false,
            ...(url.protocol === 'https:'
              ? { minVersion: 'TLSv1.2' as const, ...(s.caPem ? { ca: s.caPem } : {}) }
              : {}),
          },
          (res) => {
            const chunks: Buffer[] = [];
            let kept = 0;
            res.on('data', (c: Buffer) => {
              if (kept < MAX_ANSWER_BYTES) {
                chunks.push(c.subarray(0, MAX_ANSWER_BYTES - kept));
                kept += Math.min(c.length, MAX_ANSWER_BYTES - kept);
              }
            });
            res.on('error', () => undefined);
            res.on('end', () => {
              const status = res.statusCode ?? 0;
              const answer = oneLine(Buffer.concat(chunks).toString('utf8'));
              const detail = `HTTP ${status}${answer ? `: ${answer}` : ''}`;
              if (status >= 200 && status < 300) finish({ ok: true, detail });
              else finish({ ok: false, detail, retryable: status === 408 || status === 429 || status >= 500 });
            });
          },
        );
        const timer = setTimeout(() => req.destroy(new Error(`no answer within ${o.timeoutMs} ms`)), o.timeoutMs);
        timer.unref();
        req.on('error', (e: NodeJS.ErrnoException) =>
          finish({ ok: false, retryable: true, detail: `${e.code ? `${e.code} ` : ''}${oneLine(e.message)}` }),
        );
        req.end(body);
      });
    },
  };
}
