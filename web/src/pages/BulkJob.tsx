// Owns the bulk job page (/bulk/jobs/:id), CUCM's BAT job log: the job's request, live progress, cancel, the
// per-device result with its reason and a link to the phone, and the downloads (failures, unique strings).

import { useEffect, useRef, useState } from 'react';
import { api, downloadUrl } from '../api.ts';
import { useAction, useApi, useInterval } from '../hooks.ts';
import { Link } from '../router.tsx';
import { fmtDateTime, label } from '../format.ts';
import { Badge, Empty, ErrorMessage, KeyValues, Loading, Notice, PageHeader, Section } from '../components/ui.tsx';
import type { BulkJob, BulkJobItem, Me } from '../types.ts';

const PAGE = 200;

export function isActive(j: Pick<BulkJob, 'state'>): boolean {
  return j.state === 'queued' || j.state === 'running';
}

const STATE_TEXT: Record<string, string> = {
  queued: 'Queued',
  running: 'Running',
  done: 'Done',
  cancelled: 'Cancelled',
  failed: 'Stopped by an error',
};

export function JobState({ state }: { state: BulkJob['state'] }) {
  const tone = state === 'done' ? 'ok' : state === 'failed' ? 'bad' : state === 'cancelled' ? 'warn' : 'pending';
  return <Badge tone={tone}>{STATE_TEXT[state] ?? state}</Badge>;
}

export function JobProgress({ job }: { job: BulkJob }) {
  const pct = job.total ? Math.round((job.processed / job.total) * 100) : job.state === 'done' ? 100 : 0;
  return (
    <div aria-live="polite">
      <p>
        State: <JobState state={job.state} />{' '}
        <span data-testid="job-state" className="sr-only">
          {job.state}
        </span>{' '}
        · {job.processed} of {job.total} processed · {job.succeeded} succeeded ·{' '}
        <span data-testid="job-failed">{job.failed} failed</span>
      </p>
      <progress className="progress" max={100} value={pct} aria-label={`Job ${job.id} progress`}>
        {pct}%
      </progress>
      {job.error ? (
        <div className="msg msg-error" role="alert">
          The job stopped: {job.error}
        </div>
      ) : null}
    </div>
  );
}

/** What a job asked for, in CUCM's words. */
export function jobRequestText(j: BulkJob): string {
  const r = j.request as Record<string, unknown>;
  const op = label.operation(String(r.operation ?? ''));
  if (r.operation === 'none') return op;
  const parts = [op];
  if (r.authMode) parts.push(label.authMode(String(r.authMode)));
  else parts.push("each phone's Authentication Mode");
  if (r.authString === 'generate') parts.push('a unique string per device');
  if (r.onProfileMismatch === 'use-profile') parts.push("each profile's mode where it differs");
  return parts.join(' · ');
}

export function BulkJobPage({ id, me }: { id: number; me: Me }) {
  const job = useApi(() => api<BulkJob>('GET', `/bulk/jobs/${id}`), [id]);
  const [onlyFailed, setOnlyFailed] = useState(false);
  const [more, setMore] = useState<BulkJobItem[]>([]);
  const [exhausted, setExhausted] = useState(false);
  const items = useApi(async () => {
    const r = await api<{ items: BulkJobItem[] }>('GET', `/bulk/jobs/${id}/items`, undefined, {
      query: { onlyFailed, limit: PAGE },
    });
    setMore([]);
    setExhausted(r.items.length < PAGE);
    return r.items;
  }, [id, onlyFailed]);
  const a = useAction();
  const canEdit = me.role !== 'read-only';
  const running = job.data ? isActive(job.data) : false;

  // Live: while the job runs, its progress and its first page of results follow the worker.
  useInterval(
    () => {
      void job.reload();
      if (more.length === 0) void items.reload();
    },
    running ? 1000 : null,
  );
  // When the job ends, the last results are loaded once more.
  const wasRunning = useRef(false);
  useEffect(() => {
    if (wasRunning.current && !running) void items.reload();
    wasRunning.current = running;
  }, [running, items.reload]);

  const loadMore = async () => {
    const all = [...(items.data ?? []), ...more];
    const after = all[all.length - 1]?.deviceName;
    const r = await a.run(() =>
      api<{ items: BulkJobItem[] }>('GET', `/bulk/jobs/${id}/items`, undefined, {
        query: { onlyFailed, after, limit: PAGE },
      }),
    );
    if (r) {
      setMore([...more, ...r.items]);
      if (r.items.length < PAGE) setExhausted(true);
    }
  };
  const cancel = async () => {
    const r = await a.run(
      () => api<BulkJob>('POST', `/bulk/jobs/${id}/cancel`),
      'Cancelled: phones already updated keep their new settings; the others are not touched.',
    );
    if (r) await job.reload();
  };

  if (job.error)
    return (
      <div>
        <PageHeader title={`Bulk job ${id}`} />
        <ErrorMessage error={job.error} title="The job cannot be shown" />
        <Link to="/bulk">Back to Bulk Administration</Link>
      </div>
    );
  if (!job.data) return <Loading what={`bulk job ${id}`} />;
  const j = job.data;
  const rows = [...(items.data ?? []), ...more];
  return (
    <div>
      <PageHeader title={`Bulk job ${j.id}`} subtitle={jobRequestText(j)}>
        <Link to="/bulk" className="button">
          Back to Bulk Administration
        </Link>
      </PageHeader>
      <Section title="Progress">
        <JobProgress job={j} />
        <KeyValues
          rows={[
            ['Created', fmtDateTime(j.createdAt)],
            ['By', `${j.createdBy} (${j.source})`],
            ['Last change', fmtDateTime(j.updatedAt)],
            ['Kind', j.kind === 'renewal' ? 'LSC renewal (scheduled by the renewal policy)' : 'CAPF update'],
          ]}
        />
        <Notice>{a.notice}</Notice>
        <ErrorMessage error={a.error} title="The action failed" />
        <div className="form-actions">
          {running && canEdit ? (
            <button type="button" className="danger" onClick={cancel} disabled={a.busy}>
              Cancel job
            </button>
          ) : null}
          {j.failed > 0 ? (
            <a className="button" href={downloadUrl(`/bulk/jobs/${j.id}/failures`)} download>
              Download failures (CSV)
            </a>
          ) : null}
          {!running && canEdit && (j.request as Record<string, unknown>).authString === 'generate' ? (
            <a className="button primary" href={downloadUrl(`/bulk/jobs/${j.id}/export`)} download>
              Download unique-strings CSV
            </a>
          ) : null}
        </div>
      </Section>
      <Section
        title="Result per device"
        actions={
          <label className="check">
            <input type="checkbox" checked={onlyFailed} onChange={(e) => setOnlyFailed(e.target.checked)} /> Only failed
            devices
          </label>
        }
      >
        <ErrorMessage error={items.error} title="The results cannot be listed" />
        {items.loading && !items.data ? <Loading what="results" /> : null}
        {items.data && rows.length === 0 ? (
          <Empty>
            {onlyFailed ? 'No device failed.' : running ? 'No device processed yet.' : 'The job processed no device.'}
          </Empty>
        ) : null}
        {rows.length > 0 ? (
          <div className="table-wrap">
            <table data-testid="job-items">
              <thead>
                <tr>
                  <th scope="col">Device Name</th>
                  <th scope="col">Result</th>
                  <th scope="col">Reason</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((it) => (
                  <tr key={it.deviceName}>
                    <td>
                      <Link to={`/phones/${it.deviceName}`} className="mono">
                        {it.deviceName}
                      </Link>
                    </td>
                    <td>{it.ok ? <Badge tone="ok">Scheduled</Badge> : <Badge tone="bad">Failed</Badge>}</td>
                    <td className="wrap">
                      {it.ok ? (
                        '—'
                      ) : (
                        <>
                          {it.message} <span className="msg-code">({it.code})</span>
                        </>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
        {rows.length > 0 && !exhausted ? (
          <div className="form-actions">
            <button type="button" onClick={loadMore} disabled={a.busy}>
              Show {PAGE} more
            </button>
          </div>
        ) : null}
      </Section>
    </div>
  );
}
