// Owns /api/v1/monitor: the certificate monitor's rules and notification channels (listed for every role; added,
// changed and removed by administrators, audited by the service like the CLI's `opencapf monitor`), a run now,
// test messages and the delivery log. Secrets go in request bodies only and come back as "set", never themselves.

import type { FastifyInstance } from 'fastify';
import { AppError } from '../../shared/errors.ts';
import { actorOf } from '../request-helpers.ts';
import type { ApiDeps } from '../deps.ts';
import { arr, nullable, obj, str } from '../schemas.ts';
import { CERT_CLASS_NAMES, MAX_START_DAYS, type MonitorService } from '../../monitor/index.ts';
import { CHANNEL_KINDS, SMTP_SECURITY } from '../../monitor/ports.ts';

const NAME = str(64, { pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' });
const classSchema = { type: 'string', enum: ['all', ...CERT_CLASS_NAMES] };
const boolean = { type: 'boolean' };
const integer = (min: number, max: number) => ({ type: 'integer', minimum: min, maximum: max });

const ruleSchema = obj({
  name: str(64),
  description: str(),
  enabled: boolean,
  classes: arr({ type: 'string' }, 32),
  startDaysBefore: { type: 'integer' },
  hourlyLastDay: boolean,
  channels: arr(str(64), 100),
  createdAt: str(),
  updatedAt: str(),
});
const ruleBodyProps = {
  description: str(256),
  enabled: boolean,
  classes: arr(classSchema, 32),
  startDaysBefore: integer(1, MAX_START_DAYS),
  hourlyLastDay: boolean,
  channels: arr(NAME, 100),
};

const emailProps = {
  host: str(253),
  port: integer(1, 65535),
  security: { type: 'string', enum: [...SMTP_SECURITY] },
  username: nullable(str(256)),
  from: str(254),
  to: arr(str(254), 50),
  caPem: nullable(str(65_536)),
};
const webhookProps = { url: str(2048), caPem: nullable(str(65_536)) };
const channelSchema = obj({
  name: str(64),
  kind: { type: 'string', enum: [...CHANNEL_KINDS] },
  enabled: boolean,
  settings: obj({ ...emailProps, url: str(2048) }),
  secret: nullable({ type: 'string', enum: ['set'] }),
  createdAt: str(),
  updatedAt: str(),
});
const channelResult = obj({
  status: { type: 'string', enum: ['sent', 'failed', 'skipped'] },
  channel: str(64),
  attempts: { type: 'integer' },
  detail: str(1000),
});
const deliverySchema = obj({
  id: { type: 'integer' },
  at: str(),
  rule: str(64),
  slot: str(64),
  channel: str(64),
  kind: { type: 'string', enum: [...CHANNEL_KINDS] },
  attempt: { type: 'integer' },
  status: { type: 'string', enum: ['sent', 'failed'] },
  detail: str(1000),
  subject: str(1000),
});
const runSchema = obj({
  at: str(),
  dryRun: boolean,
  rules: arr(
    obj({
      rule: str(64),
      slot: nullable(str(64)),
      mode: nullable({ type: 'string', enum: ['daily', 'hourly'] }),
      due: { type: 'integer' },
      channels: arr(channelResult),
      digest: nullable(obj({ subject: str(1000), text: str(10_000_000) })),
    }),
  ),
});

type RuleBody = {
  description?: string;
  enabled?: boolean;
  classes?: string[];
  startDaysBefore?: number;
  hourlyLastDay?: boolean;
  channels?: string[];
};
type ChannelBody = {
  enabled?: boolean;
  email?: Record<string, unknown>;
  webhook?: Record<string, unknown>;
  secret?: string | null;
};

export function registerMonitorRoutes(app: FastifyInstance, deps: Pick<ApiDeps, 'monitor'>): void {
  const need = (): MonitorService => {
    if (!deps.monitor) throw new AppError('ERR_NOT_FOUND', 'this node has no certificate monitor');
    return deps.monitor;
  };
  const tags = ['monitor'];
  const nameParam = obj({ name: NAME }, ['name']);

  app.get(
    '/monitor/rules',
    {
      config: { access: 'read-only' },
      schema: {
        summary: 'Certificate monitor rules: which classes (empty: all), from how many days before expiry, channels',
        tags,
        response: { 200: obj({ items: arr(ruleSchema) }) },
      },
    },
    async () => ({ items: await need().listRules() }),
  );
  app.post<{ Body: RuleBody & { name: string } }>(
    '/monitor/rules',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Add a rule (defaults: every class, 30 days, hourly on the last day, every channel); audited',
        tags,
        body: obj({ name: NAME, ...ruleBodyProps }, ['name']),
        response: { 200: obj({ rule: ruleSchema }) },
      },
    },
    async (req) => ({ rule: await need().addRule(req.body, actorOf(req)) }),
  );
  app.patch<{ Params: { name: string }; Body: RuleBody }>(
    '/monitor/rules/:name',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Change a rule (only the fields sent); audited',
        tags,
        params: nameParam,
        body: obj(ruleBodyProps),
        response: { 200: obj({ rule: ruleSchema }) },
      },
    },
    async (req) => ({ rule: await need().setRule(req.params.name, req.body, actorOf(req)) }),
  );
  app.delete<{ Params: { name: string } }>(
    '/monitor/rules/:name',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Remove a rule; audited',
        tags,
        params: nameParam,
        response: { 200: obj({ removed: ruleSchema }) },
      },
    },
    async (req) => ({ removed: await need().removeRule(req.params.name, actorOf(req)) }),
  );

  app.get(
    '/monitor/channels',
    {
      config: { access: 'read-only' },
      schema: {
        summary: 'Notification channels (e-mail over SMTP, webhooks); a secret only as "set"',
        tags,
        response: { 200: obj({ items: arr(channelSchema) }) },
      },
    },
    async () => ({ items: await need().listChannels() }),
  );
  const channelBodyProps = {
    enabled: boolean,
    email: obj(emailProps),
    webhook: obj(webhookProps),
    secret: nullable(str(1024)),
  };
  app.post<{ Body: ChannelBody & { name: string; kind: string } }>(
    '/monitor/channels',
    {
      config: { access: 'admin', secretsGoTo: 'the request body (secret)' },
      schema: {
        summary:
          'Add a channel: kind email (email: host, from, to; secret = SMTP AUTH password) or webhook (webhook: ' +
          'url; secret = HMAC-SHA256 key, generated and returned once as generatedSecret when not given); audited',
        tags,
        body: obj({ name: NAME, kind: { type: 'string', enum: [...CHANNEL_KINDS] }, ...channelBodyProps }, [
          'name',
          'kind',
        ]),
        response: { 200: obj({ channel: channelSchema, generatedSecret: nullable(str(100)) }) },
      },
    },
    async (req) => need().addChannel(req.body, actorOf(req)),
  );
  app.patch<{ Params: { name: string }; Body: ChannelBody }>(
    '/monitor/channels/:name',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Change a channel (only the fields sent; secret null clears an SMTP password); audited',
        tags,
        params: nameParam,
        body: obj(channelBodyProps),
        response: { 200: obj({ channel: channelSchema }) },
      },
    },
    async (req) => ({ channel: await need().setChannel(req.params.name, req.body, actorOf(req)) }),
  );
  app.delete<{ Params: { name: string } }>(
    '/monitor/channels/:name',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Remove a channel (409 while a rule names it); audited',
        tags,
        params: nameParam,
        response: { 200: obj({ removed: channelSchema }) },
      },
    },
    async (req) => ({ removed: await need().removeChannel(req.params.name, actorOf(req)) }),
  );
  app.post<{ Params: { name: string } }>(
    '/monitor/channels/:name/test',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Send a test message over the channel now (one attempt, in the delivery log); audited',
        tags,
        params: nameParam,
        response: { 200: obj({ result: channelResult }) },
      },
    },
    async (req) => ({ result: await need().testChannel(req.params.name, actorOf(req)) }),
  );

  app.get<{ Querystring: { limit?: number; channel?: string; rule?: string } }>(
    '/monitor/deliveries',
    {
      config: { access: 'read-only' },
      schema: {
        summary: 'The delivery log: every attempt, newest first',
        tags,
        querystring: obj({ limit: integer(1, 1000), channel: NAME, rule: NAME }),
        response: { 200: obj({ items: arr(deliverySchema) }) },
      },
    },
    async (req) => ({ items: await need().deliveries(req.query) }),
  );
  app.post<{ Body: { dryRun?: boolean } }>(
    '/monitor/run',
    {
      config: { access: 'admin' },
      schema: {
        summary:
          'Run the monitor now: send what is due and not sent yet for its slot (a UTC day, or hour on a last day); ' +
          'dryRun builds the digests without sending or recording; audited',
        tags,
        body: obj({ dryRun: { type: 'boolean', default: false } }),
        response: { 200: runSchema },
      },
    },
    async (req) => (req.body?.dryRun ? need().runOnce({ dryRun: true }) : need().runOnce({ actor: actorOf(req) })),
  );
}
