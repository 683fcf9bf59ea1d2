// Owns the Certificate monitor page: its rules, notification channels (with "Send test") and the last deliveries
// (GET/POST/PATCH/DELETE /api/v1/monitor/…), a dry run showing the digest that is due, and a run now.

import { useState } from 'react';
import { api } from '../api.ts';
import { useAction, useApi } from '../hooks.ts';
import { fmtDateTime } from '../format.ts';
import { Badge, Empty, ErrorMessage, Field, Loading, Notice, PageHeader, Section } from '../components/ui.tsx';
import type {
  Me,
  MonitorChannel,
  MonitorChannelAdd,
  MonitorChannelAdded,
  MonitorChannels,
  MonitorDeliveries,
  MonitorRule,
  MonitorRuleAdd,
  MonitorRules,
  MonitorRun,
  MonitorTestResult,
} from '../types.ts';

const CLASSES = ['capf-ca', 'identity', 'chain', 'crl', 'manufacturing-ca', 'lsc', 'mic'] as const;

function target(c: MonitorChannel): string {
  const s = c.settings;
  if (c.kind === 'webhook') return s.url;
  return `${s.host}:${s.port} (${s.security}${s.username ? `, AUTH ${s.username}` : ''}) → ${(s.to ?? []).join(', ')}`;
}

function RulesTable({
  rules,
  isAdmin,
  onToggle,
}: {
  rules: MonitorRule[];
  isAdmin: boolean;
  onToggle: (r: MonitorRule) => void;
}) {
  if (!rules.length) return <Empty>No rule: nothing is checked.</Empty>;
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Rule</th>
            <th scope="col">Certificates</th>
            <th scope="col">From (days before expiry)</th>
            <th scope="col">Last day</th>
            <th scope="col">Channels</th>
            <th scope="col">State</th>
            {isAdmin ? (
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>
          {rules.map((r) => (
            <tr key={r.name}>
              <td title={r.description}>{r.name}</td>
              <td>{r.classes.length ? r.classes.join(', ') : 'all'}</td>
              <td>{r.startDaysBefore}</td>
              <td>{r.hourlyLastDay ? 'hourly' : 'daily'}</td>
              <td>{r.channels.length ? r.channels.join(', ') : 'every enabled channel'}</td>
              <td>{r.enabled ? <Badge tone="ok">Enabled</Badge> : <Badge tone="neutral">Disabled</Badge>}</td>
              {isAdmin ? (
                <td>
                  <button type="button" onClick={() => onToggle(r)}>
                    {r.enabled ? 'Disable' : 'Enable'}
                  </button>
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function AddRule({ onAdded }: { onAdded: () => void }) {
  const a = useAction();
  const [name, setName] = useState('');
  const [days, setDays] = useState(30);
  const [hourly, setHourly] = useState(true);
  const [classes, setClasses] = useState<string[]>([]);
  const submit = async () => {
    const body: MonitorRuleAdd = {
      name,
      startDaysBefore: days,
      hourlyLastDay: hourly,
      classes: (classes.length ? classes : ['all']) as MonitorRuleAdd['classes'],
    };
    const r = await a.run(() => api('POST', '/monitor/rules', body), `Rule ${name} added.`);
    if (r !== undefined) {
      setName('');
      onAdded();
    }
  };
  return (
    <Section title="Add a rule">
      <div className="form-grid">
        <Field label="Name" required>
          {(id) => <input id={id} value={name} onChange={(e) => setName(e.target.value)} maxLength={64} />}
        </Field>
        <Field label="Days before expiry" hint="CUCM's Certificate Monitor starts 30 days before">
          {(id, d) => (
            <input
              id={id}
              aria-describedby={d}
              type="number"
              min={1}
              max={3650}
              value={days}
              onChange={(e) => setDays(Number(e.target.value))}
            />
          )}
        </Field>
        <Field label="Hourly on the last day">
          {(id) => <input id={id} type="checkbox" checked={hourly} onChange={(e) => setHourly(e.target.checked)} />}
        </Field>
        <fieldset className="field field-wide">
          <legend>Certificates (none ticked: all)</legend>
          {CLASSES.map((c) => (
            <label key={c} className="inline">
              <input
                type="checkbox"
                checked={classes.includes(c)}
                onChange={(e) => setClasses(e.target.checked ? [...classes, c] : classes.filter((x) => x !== c))}
              />{' '}
              {c}
            </label>
          ))}
        </fieldset>
      </div>
      <ErrorMessage error={a.error} title="The rule was not added" />
      {a.notice ? <Notice>{a.notice}</Notice> : null}
      <button type="button" className="primary" disabled={a.busy || !name} onClick={() => void submit()}>
        Add rule
      </button>
    </Section>
  );
}

function AddChannel({ onAdded }: { onAdded: () => void }) {
  const a = useAction();
  const [kind, setKind] = useState<'email' | 'webhook'>('email');
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  const [host, setHost] = useState('');
  const [port, setPort] = useState(587);
  const [security, setSecurity] = useState<'starttls' | 'tls' | 'none'>('starttls');
  const [user, setUser] = useState('');
  const [secret, setSecret] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [generated, setGenerated] = useState<string | null>(null);
  const submit = async () => {
    const body: MonitorChannelAdd =
      kind === 'webhook'
        ? { name, kind, webhook: { url }, ...(secret ? { secret } : {}) }
        : {
            name,
            kind,
            email: {
              host,
              port,
              security,
              username: user || null,
              from,
              to: to
                .split(',')
                .map((s) => s.trim())
                .filter(Boolean),
            },
            ...(secret ? { secret } : {}),
          };
    const r = await a.run(
      () => api<MonitorChannelAdded>('POST', '/monitor/channels', body),
      (x) => `Channel ${x.channel.name} added. Send it a test message below.`,
    );
    if (r) {
      setGenerated(r.generatedSecret);
      setSecret('');
      setName('');
      onAdded();
    }
  };
  return (
    <Section title="Add a channel">
      <div className="form-grid">
        <Field label="Kind">
          {(id) => (
            <select id={id} value={kind} onChange={(e) => setKind(e.target.value as 'email' | 'webhook')}>
              <option value="email">E-mail (SMTP)</option>
              <option value="webhook">Webhook (signed JSON)</option>
            </select>
          )}
        </Field>
        <Field label="Name" required>
          {(id) => <input id={id} value={name} onChange={(e) => setName(e.target.value)} maxLength={64} />}
        </Field>
        {kind === 'webhook' ? (
          <>
            <Field label="URL" required wide>
              {(id) => <input id={id} value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://…" />}
            </Field>
            <Field label="HMAC secret" hint="16+ characters; leave empty to have one generated (shown once)">
              {(id, d) => (
                <input
                  id={id}
                  aria-describedby={d}
                  type="password"
                  autoComplete="new-password"
                  value={secret}
                  onChange={(e) => setSecret(e.target.value)}
                />
              )}
            </Field>
          </>
        ) : (
          <>
            <Field label="SMTP server" required>
              {(id) => <input id={id} value={host} onChange={(e) => setHost(e.target.value)} />}
            </Field>
            <Field label="Port">
              {(id) => <input id={id} type="number" value={port} onChange={(e) => setPort(Number(e.target.value))} />}
            </Field>
            <Field label="Security">
              {(id) => (
                <select
                  id={id}
                  value={security}
                  onChange={(e) => setSecurity(e.target.value as 'starttls' | 'tls' | 'none')}
                >
                  <option value="starttls">STARTTLS (required)</option>
                  <option value="tls">TLS from the first byte (465)</option>
                  <option value="none">None (lab only, no AUTH)</option>
                </select>
              )}
            </Field>
            <Field label="User (AUTH)">
              {(id) => <input id={id} value={user} onChange={(e) => setUser(e.target.value)} autoComplete="off" />}
            </Field>
            <Field label="Password (AUTH)">
              {(id) => (
                <input
                  id={id}
                  type="password"
                  autoComplete="new-password"
                  value={secret}
                  onChange={(e) => setSecret(e.target.value)}
                />
              )}
            </Field>
            <Field label="From" required>
              {(id) => <input id={id} value={from} onChange={(e) => setFrom(e.target.value)} />}
            </Field>
            <Field label="To" required hint="comma-separated" wide>
              {(id, d) => <input id={id} aria-describedby={d} value={to} onChange={(e) => setTo(e.target.value)} />}
            </Field>
          </>
        )}
      </div>
      <ErrorMessage error={a.error} title="The channel was not added" />
      {a.notice ? <Notice>{a.notice}</Notice> : null}
      {generated ? (
        <Notice tone="warn">
          HMAC secret (shown this once; the receiver checks X-OpenCAPF-Signature with it): <code>{generated}</code>
        </Notice>
      ) : null}
      <button type="button" className="primary" disabled={a.busy || !name} onClick={() => void submit()}>
        Add channel
      </button>
    </Section>
  );
}

export function MonitorPage({ me }: { me: Me }) {
  const rules = useApi(() => api<MonitorRules>('GET', '/monitor/rules'), []);
  const channels = useApi(() => api<MonitorChannels>('GET', '/monitor/channels'), []);
  const deliveries = useApi(() => api<MonitorDeliveries>('GET', '/monitor/deliveries?limit=50'), []);
  const a = useAction();
  const [preview, setPreview] = useState<MonitorRun | null>(null);
  const isAdmin = me.role === 'admin';

  const sendTest = async (c: MonitorChannel) => {
    await a.run(
      () => api<MonitorTestResult>('POST', `/monitor/channels/${encodeURIComponent(c.name)}/test`),
      (r) => `Test message over ${c.name}: ${r.result.status} — ${r.result.detail}`,
    );
    await deliveries.reload();
  };
  const run = async (dryRun: boolean) => {
    const r = await a.run(
      () => api<MonitorRun>('POST', '/monitor/run', { dryRun }),
      (x) =>
        x.rules
          .map(
            (rule) =>
              `${rule.rule}: ${rule.slot ? `${rule.due} due` : 'nothing due'}` +
              (dryRun ? '' : rule.channels.map((c) => `, ${c.channel} ${c.status}`).join('')),
          )
          .join('; '),
    );
    if (r) setPreview(dryRun ? r : null);
    if (!dryRun) await deliveries.reload();
  };
  const toggle = async (r: MonitorRule) => {
    await a.run(() => api('PATCH', `/monitor/rules/${encodeURIComponent(r.name)}`, { enabled: !r.enabled }));
    await rules.reload();
  };

  return (
    <div>
      <PageHeader
        title="Certificate monitor"
        subtitle="Digests of expiring certificates — CAPF CA, identities, chains, CRLs, manufacturing CAs, LSCs, MICs"
      >
        <button type="button" disabled={a.busy} onClick={() => void run(true)}>
          Preview digest
        </button>
        {isAdmin ? (
          <button type="button" className="primary" disabled={a.busy} onClick={() => void run(false)}>
            Run now
          </button>
        ) : null}
      </PageHeader>
      <p>
        Each rule sends one digest per day (per hour while a cluster certificate is in its last day) over its channels,
        listing phones grouped by expiry window; nothing is sent twice for the same rule and day.
      </p>
      <ErrorMessage error={a.error} title="That did not work" />
      {a.notice ? <Notice>{a.notice}</Notice> : null}
      {preview
        ? preview.rules
            .filter((r) => r.digest)
            .map((r) => (
              <Section key={r.rule} title={`Digest of rule ${r.rule} (not sent)`}>
                <p>
                  <strong>{r.digest!.subject}</strong>
                </p>
                <pre className="digest">{r.digest!.text}</pre>
              </Section>
            ))
        : null}
      {rules.loading && !rules.data ? <Loading what="the rules" /> : null}
      <ErrorMessage error={rules.error} title="The rules cannot be read" />
      {rules.data ? (
        <Section title={`Rules (${rules.data.items.length})`}>
          <RulesTable rules={rules.data.items} isAdmin={isAdmin} onToggle={(r) => void toggle(r)} />
        </Section>
      ) : null}
      <ErrorMessage error={channels.error} title="The channels cannot be read" />
      {channels.data ? (
        <Section title={`Channels (${channels.data.items.length})`}>
          {channels.data.items.length === 0 ? (
            <Empty>No channel: nothing is sent. Add an e-mail or webhook channel.</Empty>
          ) : (
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Channel</th>
                    <th scope="col">Kind</th>
                    <th scope="col">Sends to</th>
                    <th scope="col">Secret</th>
                    <th scope="col">State</th>
                    {isAdmin ? (
                      <th scope="col">
                        <span className="sr-only">Actions</span>
                      </th>
                    ) : null}
                  </tr>
                </thead>
                <tbody>
                  {channels.data.items.map((c) => (
                    <tr key={c.name}>
                      <td>{c.name}</td>
                      <td>{c.kind === 'email' ? 'E-mail' : 'Webhook'}</td>
                      <td>
                        <code>{target(c)}</code>
                      </td>
                      <td>{c.secret === 'set' ? 'set' : 'none'}</td>
                      <td>{c.enabled ? <Badge tone="ok">Enabled</Badge> : <Badge tone="neutral">Disabled</Badge>}</td>
                      {isAdmin ? (
                        <td>
                          <button type="button" disabled={a.busy} onClick={() => void sendTest(c)}>
                            Send test
                          </button>
                        </td>
                      ) : null}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </Section>
      ) : null}
      {deliveries.data ? (
        <Section title="Last deliveries">
          {deliveries.data.items.length === 0 ? (
            <Empty>Nothing was sent yet.</Empty>
          ) : (
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">At</th>
                    <th scope="col">Rule</th>
                    <th scope="col">Channel</th>
                    <th scope="col">Attempt</th>
                    <th scope="col">Status</th>
                    <th scope="col">Answer</th>
                  </tr>
                </thead>
                <tbody>
                  {deliveries.data.items.map((d) => (
                    <tr key={d.id}>
                      <td>{fmtDateTime(d.at)}</td>
                      <td title={d.slot}>{d.rule || '(test message)'}</td>
                      <td>{d.channel}</td>
                      <td>{d.attempt}</td>
                      <td>{d.status === 'sent' ? <Badge tone="ok">Sent</Badge> : <Badge tone="bad">Failed</Badge>}</td>
                      <td>{d.detail}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </Section>
      ) : null}
      {isAdmin ? (
        <>
          <AddChannel onAdded={() => void channels.reload()} />
          <AddRule onAdded={() => void rules.reload()} />
        </>
      ) : null}
    </div>
  );
}
