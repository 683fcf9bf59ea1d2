// Public surface of notify/: the outbound transports of the certificate monitor (SMTP e-mail, signed webhooks).
import type { NotificationSenders } from '../monitor/ports.ts';
import { createEmailSender } from './email.ts';
import { createWebhookSender } from './webhook.ts';

export { createEmailSender } from './email.ts';
export { createWebhookSender, signBody, SIGNATURE_HEADER, DELIVERY_HEADER, EVENT_HEADER } from './webhook.ts';

/** Every sender by channel kind (tsc refuses a kind without one). */
export function createNotificationSenders(o: { timeoutMs: number; clientName?: string }): NotificationSenders {
  return {
    email: createEmailSender(o),
    webhook: createWebhookSender({ timeoutMs: o.timeoutMs }),
  };
}
