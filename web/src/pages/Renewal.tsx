// Owns the Renewal page: the LSC renewal policy in force (renewal.* settings), how many LSCs are inside the
// renewal window now (a link to exactly those phones), and "Run renewal now" for operators, with the job it made.

import { api } from '../api.ts';
import { useAction, useApi } from '../hooks.ts';
import { Link } from '../router.tsx';
import { label } from '../format.ts';
import { Badge, ErrorMessage, KeyValues, Loading, Notice, PageHeader, Section } from '../components/ui.tsx';
import type * as Api from '../api-types.gen.ts';
import type { Me } from '../types.ts';

type Policy = Api.GetRenewalResponse;
type Run = Api.PostRenewalRunResponse;

export function RenewalPage({ me }: { me: Me }) {
  const policy = useApi(() => api<Policy>('GET', '/renewal'), []);
  const a = useAction();
  const canRun = me.role !== 'read-only';
  const run = async () => {
    const r = await a.run(
      () => api<Run>('POST', '/renewal/run'),
      (x) =>
        x.scheduled && x.job
          ? `Renewal scheduled: job ${x.job.id} for ${x.job.total} phone(s).`
          : 'Nothing scheduled: no LSC is inside the window, or a renewal job is already running.',
    );
    if (r) await policy.reload();
  };
  const p = policy.data;
  const windowEnd = p ? new Date(Date.now() + p.windowDays * 86_400_000).toISOString().slice(0, 10) : '';
  return (
    <div>
      <PageHeader title="LSC renewal" subtitle="Certificate renewal policy" />
      <ErrorMessage error={policy.error} title="The renewal policy cannot be shown" />
      {policy.loading && !p ? <Loading what="the renewal policy" /> : null}
      {p ? (
        <>
          <Section title="Policy in force">
            <KeyValues
              rows={[
                [
                  'Automatic renewal',
                  p.enabled ? (
                    <Badge key="on" tone="ok">
                      On
                    </Badge>
                  ) : (
                    <Badge key="off" tone="neutral">
                      Off (renewal.enabled)
                    </Badge>
                  ),
                ],
                ['Renew LSCs expiring within', `${p.windowDays} days (renewal.windowDays)`],
                ['Authentication Mode of renewals', `${label.authMode(p.authMode)} (renewal.authMode)`],
                ['Operation Completes By', `${p.deadlineHours} hours after scheduling (renewal.deadlineHours)`],
              ]}
            />
            <p className="muted">
              The policy is part of the node's configuration (<code>renewal.windowDays</code> and the others in the
              configuration file or as OPENCAPF_ environment variables; docs/configuration.md).
            </p>
          </Section>
          <Section title="Due now">
            <p>
              <Link to={`/phones?lscExpiresBefore=${windowEnd}T00:00:00Z&lscStatus=installed`}>
                {p.due} LSC{p.due === 1 ? '' : 's'}
              </Link>{' '}
              expire before {windowEnd} and would be renewed by the next run.
            </p>
            {canRun ? (
              <button type="button" className="primary" onClick={() => void run()} disabled={a.busy}>
                Run Renewal Now
              </button>
            ) : (
              <p className="muted">Operators and administrators can run renewal now.</p>
            )}
            <ErrorMessage error={a.error} title="Renewal was not scheduled" />
            <Notice>{a.notice}</Notice>
            {a.notice?.startsWith('Renewal scheduled') ? (
              <p>
                Follow it on <Link to="/bulk">Bulk Administration</Link>.
              </p>
            ) : null}
          </Section>
        </>
      ) : null}
    </div>
  );
}
