// Owns sending a message over an e-mail channel: SMTP with nodemailer (STARTTLS required by default, or TLS from
// the first byte, AUTH with the channel's password), one connection per message, every step bounded by a timeout.
// Why nodemailer: the SMTP client most Node projects use, maintained for over a decade, no dependencies of its
// own, STARTTLS/AUTH/pipelining and RFC 5322 encoding done right — nothing we should hand-roll.

import { isIP } from 'node:net';
import nodemailer from 'nodemailer';
import type {
  EmailSettings,
  MonitorChannel,
  NotificationSender,
  OutgoingMessage,
  SendResult,
} from '../monitor/ports.ts';

export interface EmailSenderOptions {
  /** Connect, greeting and every socket wait, each (monitor.sendTimeoutMs). */
  timeoutMs: number;
  /** Our name in EHLO (cluster.publicHost or the node's name). */
  clientName?: string;
}

/** Permanent SMTP failures (5xx replies, a refused login, a bad address) are not retried; the rest are. */
function isRetryable(e: { code?: string; responseCode?: number }): boolean {
  if (e.code === 'EAUTH' || e.code === 'EENVELOPE' || e.code === 'EMESSAGE') return false;
  return !(typeof e.responseCode === 'number' && e.responseCode >= 500 && e.responseCode < 600);
}

/** One line, bounded: a server's reply is hostile input before it reaches the delivery log. */
const oneLine = (s: string) => s.replace(/[\u0000-\u001f\u007f]+/g, ' ').slice(0, 300);

export function createEmailSender(o: EmailSenderOptions): NotificationSender {
  return {
    async send(channel: MonitorChannel, message: OutgoingMessage): Promise<SendResult> {
      const s = channel.settings as EmailSettings;
      const transport = nodemailer.createTransport({
        host: s.host,
        port: s.port,
        secure: s.security === 'tls',
        requireTLS: s.security === 'starttls',
        ignoreTLS: s.security === 'none',
        ...(s.username ? { auth: { user: s.username, pass: channel.secret ?? '' } } : {}),
        // SNI carries host names only (RFC 6066 §3); an address is still checked against the certificate.
        tls: {
          minVersion: 'TLSv1.2',
          ...(isIP(s.host) ? {} : { servername: s.host }),
          ...(s.caPem ? { ca: s.caPem } : {}),
        },
        connectionTimeout: o.timeoutMs,
        greetingTimeout: o.timeoutMs,
        socketTimeout: o.timeoutMs,
        ...(o.clientName ? { name: o.clientName } : {}),
        logger: false,
        debug: false,
      });
      try {
        const info = await transport.sendMail({
          from: s.from,
          to: s.to,
          subject: message.subject,
          text: message.text,
          headers: { 'X-OpenCAPF-Delivery': message.deliveryId },
        });
        return { ok: true, detail: `accepted by ${s.host}:${s.port}: ${oneLine(String(info.response ?? ''))}` };
      } catch (e) {
        const err = e as { code?: string; responseCode?: number; message?: string };
        return {
          ok: false,
          retryable: isRetryable(err),
          detail: `${s.host}:${s.port}: ${err.code ? `${err.code} ` : ''}${oneLine(err.message ?? String(e))}`,
        };
      } finally {
        transport.close();
      }
    },
  };
}
