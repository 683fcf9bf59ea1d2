// Owns the Migration page: the guided move of phones that trust another cluster (CUCM or OpenCAPF) onto this one.
// A checklist that ticks itself from what this cluster observed (GET /api/v1/migration/plan, refreshed every
// 10 s), the certificates for the old cluster (POST /migration/export-trust) and the phone-side check
// (POST /migration/check). docs/migration.md is the same guide in prose.

import { useState } from 'react';
import { api } from '../api.ts';
import { useAction, useApi, useInterval } from '../hooks.ts';
import { fmtDateTime } from '../format.ts';
import { Badge, ErrorMessage, Field, Loading, Notice, PageHeader, Section } from '../components/ui.tsx';
import type { Me, MigrationCheck, MigrationExport, MigrationPlan, MigrationStep } from '../types.ts';

type From = 'cucm' | 'opencapf';

const STATE_BADGE: Record<MigrationStep['state'], { tone: 'ok' | 'warn' | 'bad' | 'neutral'; text: string }> = {
  done: { tone: 'ok', text: 'Done' },
  watch: { tone: 'warn', text: 'Under way' },
  todo: { tone: 'bad', text: 'To do' },
  manual: { tone: 'neutral', text: 'Not observable here' },
};

function download(fileName: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/x-pem-file' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.click();
  URL.revokeObjectURL(url);
}

function Step({ n, s }: { n: number; s: MigrationStep }) {
  const b = STATE_BADGE[s.state];
  return (
    <li className="migration-step" data-step={s.id} data-state={s.state}>
      <h3>
        {n}. {s.title} <Badge tone={b.tone}>{b.text}</Badge>
      </h3>
      {s.details.length ? <p className="pre-line">{s.details.join('\n')}</p> : null}
      {s.commands.length ? <pre>{s.commands.map((c) => `$ ${c}`).join('\n')}</pre> : null}
      {s.evidence ? <p className="muted">Observed: {s.evidence}</p> : null}
    </li>
  );
}

export function MigrationPage({ me }: { me: Me }) {
  const [from, setFrom] = useState<From>('cucm');
  const plan = useApi(() => api<MigrationPlan>('GET', `/migration/plan?from=${from}`), [from]);
  useInterval(() => void plan.reload(), 10_000);
  const exp = useAction();
  const chk = useAction();
  const [exported, setExported] = useState<MigrationExport | null>(null);
  const [check, setCheck] = useState<MigrationCheck | null>(null);
  const [oldTftp, setOldTftp] = useState('');
  const [oldTvs, setOldTvs] = useState('');
  const [ourTftp, setOurTftp] = useState('');
  const canAct = me.role === 'admin' || me.role === 'operator';

  const runExport = async () => {
    const r = await exp.run(
      () => api<MigrationExport>('POST', '/migration/export-trust'),
      'Certificates ready: download each file and upload it on the old cluster as MANIFEST.txt says.',
    );
    if (r) {
      setExported(r);
      await plan.reload();
    }
  };
  const runCheck = async () => {
    const body = {
      ...(oldTftp.trim() ? { oldTftp: oldTftp.trim() } : {}),
      oldTvs: oldTvs
        .split(/[\s,]+/)
        .map((t) => t.trim())
        .filter(Boolean),
      ...(ourTftp.trim() ? { tftp: ourTftp.trim() } : {}),
    };
    const r = await chk.run(() => api<MigrationCheck>('POST', '/migration/check', body));
    if (r) {
      setCheck(r);
      await plan.reload();
    }
  };

  return (
    <div>
      <PageHeader
        title="Move phones from another cluster"
        subtitle="Phones that hold another cluster's ITL, moved here without erasing a single ITL by hand"
      />
      <Section title="Where are the phones now?">
        <div className="form-row">
          <Field label="The cluster the phones trust now">
            {(id) => (
              <select id={id} value={from} onChange={(e) => setFrom(e.target.value as From)}>
                <option value="cucm">Cisco Unified CM</option>
                <option value="opencapf">Another OpenCAPF cluster</option>
              </select>
            )}
          </Field>
        </div>
      </Section>
      <Section title="Checklist">
        {plan.loading && !plan.data ? <Loading what="the migration plan" /> : null}
        <ErrorMessage error={plan.error} title="The plan cannot be read" />
        {plan.data ? (
          <ol className="migration-steps">
            {plan.data.steps.map((s, i) => (
              <Step key={s.id} n={i + 1} s={s} />
            ))}
          </ol>
        ) : null}
        <p className="muted">Ticks come from what this cluster observed; the list refreshes every 10 seconds.</p>
      </Section>
      <Section title="Certificates for the old cluster">
        {exp.notice ? <Notice>{exp.notice}</Notice> : null}
        <ErrorMessage error={exp.error} title="The export failed" />
        <div className="form-actions">
          <button type="button" disabled={!canAct || exp.busy} onClick={() => void runExport()}>
            Export signing certificates
          </button>
          {!canAct ? <small className="muted">Operators and administrators can export.</small> : null}
        </div>
        {exported ? (
          <table>
            <thead>
              <tr>
                <th>File</th>
                <th>Certificate</th>
                <th>Upload on CUCM as</th>
                <th>Valid to</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {exported.certificates.map((c) => (
                <tr key={c.fileName}>
                  <td>
                    <code>{c.fileName}</code>
                  </td>
                  <td>
                    {c.cucmName} <small className="muted">SHA-1 {c.sha1}</small>
                  </td>
                  <td>{c.cucmStores.join(', ')}</td>
                  <td>{fmtDateTime(c.notAfter)}</td>
                  <td>
                    <button type="button" onClick={() => download(c.fileName, c.pem)}>
                      Download
                    </button>
                  </td>
                </tr>
              ))}
              <tr>
                <td>
                  <code>MANIFEST.txt</code>
                </td>
                <td colSpan={3}>What to upload where, and the services to restart</td>
                <td>
                  <button type="button" onClick={() => download('MANIFEST.txt', exported.manifest)}>
                    Download
                  </button>
                </td>
              </tr>
            </tbody>
          </table>
        ) : null}
      </Section>
      <Section title="Check before moving phones">
        <p>
          Asks the old cluster's TFTP for the ITL the phones hold, then its TVS about our signer, as a phone would. Give
          our TFTP address as DHCP option 150 will hand it out to check that too.
        </p>
        <div className="form-row">
          <Field label="Old cluster TFTP" hint="host or host:port">
            {(id, d) => (
              <input id={id} aria-describedby={d} value={oldTftp} onChange={(e) => setOldTftp(e.target.value)} />
            )}
          </Field>
          <Field label="Old cluster TVS" hint="host:2445; several separated by spaces">
            {(id, d) => (
              <input id={id} aria-describedby={d} value={oldTvs} onChange={(e) => setOldTvs(e.target.value)} />
            )}
          </Field>
          <Field label="Our TFTP as the phones reach it" hint="DHCP option 150">
            {(id, d) => (
              <input id={id} aria-describedby={d} value={ourTftp} onChange={(e) => setOurTftp(e.target.value)} />
            )}
          </Field>
        </div>
        <ErrorMessage error={chk.error} title="The check could not run" />
        <div className="form-actions">
          <button type="button" disabled={!canAct || chk.busy} onClick={() => void runCheck()}>
            {chk.busy ? 'Checking…' : 'Run the check'}
          </button>
        </div>
        {check ? (
          <div role="status" className={`msg ${check.ok ? 'msg-ok' : 'msg-warn'}`}>
            <p>
              <strong>{check.ok ? 'Ready' : 'Not ready'}</strong> ({fmtDateTime(check.at)})
            </p>
            <ul className="check-lines">
              {check.lines.map((l, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: lines of one answer, never reordered
                <li key={i} data-ok={String(l.ok)}>
                  {l.ok === true ? '✔' : l.ok === false ? '✘' : '–'} {l.text}
                  {l.ok === false && l.cure ? <div className="muted">Cure: {l.cure}</div> : null}
                </li>
              ))}
            </ul>
          </div>
        ) : null}
      </Section>
    </div>
  );
}
