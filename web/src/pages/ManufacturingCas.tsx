// Owns the Manufacturing CAs page: the CAs that phones' MICs are checked against for CAPF authentication — the
// read-only bundle of capf.manufacturingCaFile and the managed entries (GET/POST/DELETE /api/v1/capf/manufacturing-cas)
// — and the MIC report (GET /api/v1/reports/mic): which phones hold an expired MIC, by issuer.

import { useState } from 'react';
import { api, ApiError } from '../api.ts';
import { useAction, useApi } from '../hooks.ts';
import { Link } from '../router.tsx';
import { colonHex, fmtDate, fmtDateTime } from '../format.ts';
import { Badge, Empty, ErrorMessage, Field, Loading, Notice, PageHeader, Section } from '../components/ui.tsx';
import type {
  ManufacturingCa,
  ManufacturingCaImport,
  ManufacturingCaImported,
  ManufacturingCas,
  Me,
  MicReport,
} from '../types.ts';

const STATE: Record<ManufacturingCa['state'], { tone: 'ok' | 'bad' | 'warn'; text: string }> = {
  valid: { tone: 'ok', text: 'Valid' },
  expired: { tone: 'bad', text: 'Expired' },
  'not-yet-valid': { tone: 'warn', text: 'Not yet valid' },
};

const MIC_STATE: Record<MicReport['items'][number]['state'], { tone: 'ok' | 'bad' | 'warn'; text: string }> = {
  expired: { tone: 'bad', text: 'Expired' },
  within90: { tone: 'warn', text: 'Expires within 90 days' },
  valid: { tone: 'ok', text: 'Valid' },
  unknown: { tone: 'warn', text: 'Not-after not recorded' },
};

type FileInput = ManufacturingCaImport['files'][number];

/** A chosen file as the API takes it: PEM text as it is, anything else as base64 of its bytes. */
async function readFile(f: File): Promise<FileInput> {
  const bytes = new Uint8Array(await f.arrayBuffer());
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 4096));
  if (head.includes('-----BEGIN ')) return { name: f.name, pem: new TextDecoder('latin1').decode(bytes) };
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return { name: f.name, base64: btoa(bin) };
}

function Problems({ error }: { error: unknown }) {
  const problems =
    error instanceof ApiError
      ? (error.details?.problems as { file: string; item: number | null; message: string }[] | undefined)
      : undefined;
  if (!problems?.length) return <ErrorMessage error={error} title="Nothing was imported" />;
  return (
    <div className="msg msg-error" role="alert">
      <strong>Nothing was imported</strong> ({(error as ApiError).code}):
      <ul>
        {problems.map((p) => (
          <li key={`${p.file}-${p.item ?? 0}-${p.message}`}>
            <code>{p.file}</code>
            {p.item !== null ? ` (certificate ${p.item})` : ''}: {p.message}
          </li>
        ))}
      </ul>
    </div>
  );
}

export function ManufacturingCasPage({ me }: { me: Me }) {
  const list = useApi(() => api<ManufacturingCas>('GET', '/capf/manufacturing-cas'), []);
  const report = useApi(() => api<MicReport>('GET', '/reports/mic?limit=200'), []);
  const a = useAction();
  const isAdmin = me.role === 'admin';
  const [pasted, setPasted] = useState('');
  const [files, setFiles] = useState<File[]>([]);
  const [comment, setComment] = useState('');
  const [confirmRemove, setConfirmRemove] = useState<ManufacturingCa | null>(null);

  const submit = async (dryRun: boolean) => {
    const inputs: FileInput[] = [];
    for (const f of files) inputs.push(await readFile(f));
    if (pasted.trim()) inputs.push({ name: 'pasted PEM', pem: pasted });
    const body: ManufacturingCaImport = { files: inputs, dryRun, ...(comment ? { comment } : {}) };
    const r = await a.run(
      () => api<ManufacturingCaImported>('POST', '/capf/manufacturing-cas', body),
      (x) =>
        `${dryRun ? 'Checked: would trust' : 'Trusted'} ${x.items.length} manufacturing CA(s): ` +
        `${x.items.map((e) => e.subject).join('; ')}${dryRun ? ' (nothing was stored)' : ''}.`,
    );
    if (r && !dryRun) {
      setPasted('');
      setFiles([]);
      setComment('');
      await list.reload();
    }
  };
  const remove = async (e: ManufacturingCa) => {
    setConfirmRemove(null);
    const r = await a.run(
      () => api('DELETE', `/capf/manufacturing-cas/${e.sha256}`),
      `Removed ${e.subject}: MICs it issued no longer authenticate.`,
    );
    if (r !== undefined) await list.reload();
  };

  return (
    <div>
      <PageHeader
        title="Manufacturing CAs"
        subtitle="The CAs phones' manufacturing certificates (MICs) are checked against for CAPF authentication"
      />
      <p>
        A phone authenticating <em>By Existing Certificate</em> with its MIC must present a MIC issued by one of these
        CAs and naming the phone. The CAs trusted are those of <code>capf.manufacturingCaFile</code> (read-only here:
        edit the file and restart) together with the ones managed below. Cisco MICs last 10 years: Cisco advises moving
        phones with old MICs to LSCs and then removing the manufacturing CAs (docs/capf.md, "Expired MICs").
      </p>
      {list.loading && !list.data ? <Loading what="the manufacturing CAs" /> : null}
      <ErrorMessage error={list.error} title="The manufacturing CAs cannot be read" />
      {list.data ? (
        <Section title={`Trusted manufacturing CAs (${list.data.items.length})`}>
          {list.data.items.length === 0 ? (
            <Empty>No manufacturing CA is trusted: no MIC authenticates.</Empty>
          ) : (
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Subject</th>
                    <th scope="col">Valid to</th>
                    <th scope="col">State</th>
                    <th scope="col">Source</th>
                    <th scope="col">SHA-1</th>
                    <th scope="col">Added</th>
                    <th scope="col">Comment</th>
                    {isAdmin ? (
                      <th scope="col">
                        <span className="sr-only">Actions</span>
                      </th>
                    ) : null}
                  </tr>
                </thead>
                <tbody>
                  {list.data.items.map((e) => (
                    <tr key={e.sha256}>
                      <td>{e.subject}</td>
                      <td>{fmtDate(e.notAfter)}</td>
                      <td>
                        <Badge tone={STATE[e.state].tone}>{STATE[e.state].text}</Badge>
                      </td>
                      <td>{e.source === 'config' ? 'capf.manufacturingCaFile' : 'Managed'}</td>
                      <td>
                        <code title={`SHA-1 ${colonHex(e.sha1)}\nSHA-256 ${e.sha256}`}>
                          {colonHex(e.sha1).slice(0, 23)}…
                        </code>
                      </td>
                      <td title={e.addedAt ? fmtDateTime(e.addedAt) : undefined}>
                        {e.addedAt ? `${fmtDate(e.addedAt)} by ${e.addedBy}` : ''}
                      </td>
                      <td>{e.comment}</td>
                      {isAdmin ? (
                        <td>
                          {e.source === 'managed' ? (
                            <button type="button" className="danger" onClick={() => setConfirmRemove(e)}>
                              Remove
                            </button>
                          ) : null}
                        </td>
                      ) : null}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {confirmRemove ? (
            <div className="warning-box" role="alertdialog" aria-labelledby="mfg-rm-title">
              <strong id="mfg-rm-title">
                Stop trusting {confirmRemove.subject}? Phones whose MIC it issued can no longer authenticate with it.
              </strong>
              <div className="form-actions">
                <button type="button" className="danger" onClick={() => void remove(confirmRemove)}>
                  Remove
                </button>
                <button type="button" onClick={() => setConfirmRemove(null)}>
                  Cancel
                </button>
              </div>
            </div>
          ) : null}
        </Section>
      ) : null}
      {a.error ? <Problems error={a.error} /> : null}
      <Notice>{a.notice}</Notice>
      {list.data && isAdmin ? (
        <Section title="Import manufacturing CAs">
          <p className="muted">
            PEM or DER files, one or several CA certificates each. All or nothing: a certificate that is not a CA (a
            phone's MIC, for instance), something that is not a certificate, a private key or a CA already trusted
            refuses the whole import.
          </p>
          <Field label="CA certificate files" hint="e.g. cmca2.pem (Cisco Manufacturing CA SHA2)">
            {(id, hint) => (
              <input
                id={id}
                type="file"
                multiple
                accept=".pem,.crt,.cer,.der"
                aria-describedby={hint}
                onChange={(e) => setFiles([...(e.target.files ?? [])])}
              />
            )}
          </Field>
          <Field label="Or paste PEM" wide>
            {(id) => (
              <textarea
                id={id}
                rows={6}
                value={pasted}
                onChange={(e) => setPasted(e.target.value)}
                placeholder="-----BEGIN CERTIFICATE-----"
              />
            )}
          </Field>
          <Field label="Comment">
            {(id) => (
              <input
                id={id}
                maxLength={256}
                value={comment}
                onChange={(e) => setComment(e.target.value)}
                placeholder="where it comes from"
              />
            )}
          </Field>
          <div className="form-actions">
            <button
              type="button"
              className="primary"
              disabled={a.busy || (!files.length && !pasted.trim())}
              onClick={() => void submit(false)}
            >
              Import
            </button>
            <button
              type="button"
              disabled={a.busy || (!files.length && !pasted.trim())}
              onClick={() => void submit(true)}
            >
              Check only
            </button>
          </div>
        </Section>
      ) : list.data ? (
        <p className="muted">Only administrators can import or remove manufacturing CAs.</p>
      ) : null}
      <Section title="MIC report">
        <ErrorMessage error={report.error} title="The MIC report cannot be read" />
        {report.data ? (
          report.data.total === 0 ? (
            <Empty>No MIC has been recorded yet: phones record theirs when they authenticate with it.</Empty>
          ) : (
            <>
              <p>
                {report.data.totals.expired} of {report.data.totals.phones} phone(s) with a recorded MIC hold an expired
                one. Move them to an LSC (By Authentication String or By Null String); filter them on the{' '}
                <Link to="/phones">Phones</Link> page with "MIC expires before".
              </p>
              <div className="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">MIC issuer</th>
                      <th scope="col">Phones</th>
                      <th scope="col">Expired</th>
                      <th scope="col">Within 90 days</th>
                      <th scope="col">Valid</th>
                    </tr>
                  </thead>
                  <tbody>
                    {report.data.byIssuer.map((b) => (
                      <tr key={b.issuer}>
                        <td>{b.issuer}</td>
                        <td>{b.phones}</td>
                        <td>{b.expired}</td>
                        <td>{b.within90}</td>
                        <td>{b.valid}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <div className="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Device Name</th>
                      <th scope="col">MIC issuer</th>
                      <th scope="col">Serial</th>
                      <th scope="col">Not after</th>
                      <th scope="col">State</th>
                      <th scope="col">LSC</th>
                    </tr>
                  </thead>
                  <tbody>
                    {report.data.items.map((i) => (
                      <tr key={i.deviceName}>
                        <td>
                          <Link to={`/phones/${i.deviceName}`}>{i.deviceName}</Link>
                        </td>
                        <td>{i.issuer}</td>
                        <td>
                          <code>{i.serialHex}</code>
                        </td>
                        <td>{i.notAfter ? fmtDate(i.notAfter) : ''}</td>
                        <td>
                          <Badge tone={MIC_STATE[i.state].tone}>{MIC_STATE[i.state].text}</Badge>
                        </td>
                        <td>{i.hasLsc ? 'Yes' : 'No'}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              {report.data.total > report.data.items.length ? (
                <p className="muted">
                  {report.data.items.length} of {report.data.total} shown (opencapf report mic lists all).
                </p>
              ) : null}
            </>
          )
        ) : null}
      </Section>
    </div>
  );
}
