// Owns the TVS trust page: the certificates of other clusters our TVS vouches for (CUCM: the old cluster's
// CallManager-trust / Phone-SAST-trust), so that phones holding our ITL accept the next cluster's ITL — listed for
// every role, imported (file upload or pasted PEM) and removed by administrators (GET/POST/DELETE /api/v1/tvs/trust).

import { useState } from 'react';
import { api, ApiError } from '../api.ts';
import { useAction, useApi } from '../hooks.ts';
import { Link } from '../router.tsx';
import { colonHex, fmtDate, fmtDateTime } from '../format.ts';
import { Badge, Empty, ErrorMessage, Field, Loading, Notice, PageHeader, Section } from '../components/ui.tsx';
import type { Me, TvsTrust, TvsTrustEntry, TvsTrustImport, TvsTrustImported } from '../types.ts';

const STATE: Record<TvsTrustEntry['state'], { tone: 'ok' | 'bad' | 'warn'; text: string }> = {
  valid: { tone: 'ok', text: 'Vouched' },
  expired: { tone: 'bad', text: 'Expired: not vouched' },
  'not-yet-valid': { tone: 'warn', text: 'Not yet valid: not vouched' },
};

type FileInput = TvsTrustImport['files'][number];

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

export function TvsTrustPage({ me }: { me: Me }) {
  const list = useApi(() => api<TvsTrust>('GET', '/tvs/trust'), []);
  const a = useAction();
  const isAdmin = me.role === 'admin';
  const [pasted, setPasted] = useState('');
  const [files, setFiles] = useState<File[]>([]);
  const [roles, setRoles] = useState<string[] | null>(null);
  const [comment, setComment] = useState('');
  const [confirmRemove, setConfirmRemove] = useState<TvsTrustEntry | null>(null);
  const chosenRoles = roles ?? list.data?.defaultRoles ?? [];
  const unavailable = list.error instanceof ApiError && list.error.status === 404;

  const submit = async (dryRun: boolean) => {
    const inputs: FileInput[] = [];
    for (const f of files) inputs.push(await readFile(f));
    if (pasted.trim()) inputs.push({ name: 'pasted PEM', pem: pasted });
    const body: TvsTrustImport = { files: inputs, roles: chosenRoles, dryRun, ...(comment ? { comment } : {}) };
    const r = await a.run(
      () => api<TvsTrustImported>('POST', '/tvs/trust', body),
      (x) =>
        `${dryRun ? 'Checked: would add' : 'Added'} ${x.items.length} certificate(s): ` +
        `${x.items.map((e) => e.subject).join('; ')}${dryRun ? ' (nothing was stored)' : ''}.`,
    );
    if (r && !dryRun) {
      setPasted('');
      setFiles([]);
      setComment('');
      await list.reload();
    }
  };
  const remove = async (e: TvsTrustEntry) => {
    setConfirmRemove(null);
    const r = await a.run(
      () => api('DELETE', `/tvs/trust/${e.sha256}`),
      `Removed ${e.subject}: our TVS no longer vouches for it.`,
    );
    if (r !== undefined) await list.reload();
  };

  return (
    <div>
      <PageHeader
        title="TVS trust (other clusters)"
        subtitle="Certificates of another cluster that our Trust Verification Service vouches for"
      />
      <p>
        When phones leave this cluster for another one (CUCM, or another OpenCAPF), they hold our ITL and refuse the new
        cluster's ITL unless it is signed by a certificate they trust. A phone that meets an unknown signer asks the TVS
        listed in the ITL it holds — ours. Import the new cluster's CallManager (TFTP) and ITLRecovery certificates here
        (CUCM's <em>CallManager-trust</em> and <em>Phone-SAST-trust</em>) and keep this cluster's TVS reachable until
        every phone has moved. Alternatively, serve the <Link to="/trust">rollback ITL</Link>. See docs/trust-lists.md,
        "Moving phones to another cluster".
      </p>
      {list.loading && !list.data ? <Loading what="the TVS trust" /> : null}
      {unavailable ? null : <ErrorMessage error={list.error} title="The TVS trust cannot be read" />}
      {list.data ? (
        <Section title={`Vouched certificates of other clusters (${list.data.items.length})`}>
          {list.data.items.length === 0 ? (
            <Empty>Our TVS vouches only for this cluster's own certificates.</Empty>
          ) : (
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Subject</th>
                    <th scope="col">Roles</th>
                    <th scope="col">Valid to</th>
                    <th scope="col">State</th>
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
                      <td>
                        {e.subject}
                        {e.isCa ? <small className="muted"> (a CA certificate)</small> : null}
                      </td>
                      <td>{e.roles.join(' ')}</td>
                      <td>{fmtDate(e.notAfter)}</td>
                      <td>
                        <Badge tone={STATE[e.state].tone}>{STATE[e.state].text}</Badge>
                      </td>
                      <td>
                        <code title={`SHA-1 ${colonHex(e.sha1)}\nSHA-256 ${e.sha256}`}>
                          {colonHex(e.sha1).slice(0, 23)}…
                        </code>
                      </td>
                      <td title={fmtDateTime(e.addedAt)}>
                        {fmtDate(e.addedAt)} by {e.addedBy}
                      </td>
                      <td>{e.comment}</td>
                      {isAdmin ? (
                        <td>
                          <button type="button" className="danger" onClick={() => setConfirmRemove(e)}>
                            Remove
                          </button>
                        </td>
                      ) : null}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {confirmRemove ? (
            <div className="warning-box" role="alertdialog" aria-labelledby="rm-title">
              <strong id="rm-title">
                Stop vouching for {confirmRemove.subject}? Phones still moving to that cluster will refuse its ITL.
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
        <Section title="Import certificates of another cluster">
          <p className="muted">
            PEM or DER files, one or several certificates each. All or nothing: a file that is not a certificate, a
            private key given by mistake, an expired certificate or one of ours refuses the whole import.
          </p>
          <Field label="Certificate files" hint="e.g. the new cluster's CallManager.pem and ITLRecovery.pem">
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
          <fieldset className="field field-wide">
            <legend>Roles TVS vouches for</legend>
            {list.data.roles.map((r) => (
              <label key={r} className="check">
                <input
                  type="checkbox"
                  checked={chosenRoles.includes(r)}
                  onChange={(e) =>
                    setRoles(e.target.checked ? [...chosenRoles, r] : chosenRoles.filter((x) => x !== r))
                  }
                />{' '}
                {r}
              </label>
            ))}
            <small className="muted">
              Default {list.data.defaultRoles.join(' ')}: a CallManager certificate (it signs the ITL as SAST, the
              configuration files as TFTP, and serves SIP-TLS as CCM). An ITLRecovery certificate needs SAST only.
            </small>
          </fieldset>
          <Field label="Comment">
            {(id) => (
              <input
                id={id}
                maxLength={256}
                value={comment}
                onChange={(e) => setComment(e.target.value)}
                placeholder="which cluster, why"
              />
            )}
          </Field>
          <div className="form-actions">
            <button
              type="button"
              className="primary"
              disabled={a.busy || (!files.length && !pasted.trim()) || chosenRoles.length === 0}
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
        <p className="muted">Only administrators can import or remove certificates.</p>
      ) : null}
    </div>
  );
}
