// Owns Certificate List and Certificate Details (CUCM OS Administration > Security > Certificate
// Management): validity, serial, signature algorithm, subject, key; Regenerate, Generate CSR,
// Upload Certificate/Certificate chain, Download .PEM/.DER, with what a CAPF regeneration does to phones.

import { Fragment, useState } from 'react';
import { api, downloadUrl } from '../api.ts';
import { useAction, useApi } from '../hooks.ts';
import { Link } from '../router.tsx';
import { colonHex, daysFromNow, fmtDate } from '../format.ts';
import { PasswordConfirm } from '../components/dialog.tsx';
import { Badge, ErrorMessage, Field, KeyValues, Loading, Notice, PageHeader, Section } from '../components/ui.tsx';
import type { CertDetails, IdentityDetail, IdentitySummary, Me } from '../types.ts';

function utc(iso: string): string {
  return new Date(iso).toUTCString();
}

function ExpiryBadge({ notAfter }: { notAfter: string }) {
  const d = daysFromNow(notAfter);
  if (d < 0) return <Badge tone="bad">Expired</Badge>;
  if (d < 90) return <Badge tone="warn">{d} days left</Badge>;
  return <Badge tone="ok">Valid</Badge>;
}

export function CertificatesPage() {
  const list = useApi(() => api<{ items: IdentitySummary[] }>('GET', '/identities'), []);
  return (
    <div>
      <PageHeader title="Certificate List" subtitle="Security > Certificate Management" />
      <Section title={list.data ? `Certificate List (${list.data.items.length} records found)` : 'Certificate List'}>
        <ErrorMessage error={list.error} title="Certificates cannot be listed" />
        {list.loading && !list.data ? <Loading what="certificates" /> : null}
        {list.data ? (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Certificate</th>
                  <th scope="col">Common Name</th>
                  <th scope="col">Type</th>
                  <th scope="col">Key Type</th>
                  <th scope="col">Issued By</th>
                  <th scope="col">Expiration</th>
                  <th scope="col">Description</th>
                </tr>
              </thead>
              <tbody>
                {list.data.items.map((c) => (
                  <tr key={c.name}>
                    <td>
                      <strong>{c.purpose}</strong>
                    </td>
                    <td>
                      <Link to={`/certificates/${c.name}`}>{c.commonName}</Link>
                    </td>
                    <td>{c.type}</td>
                    <td>{c.keyType}</td>
                    <td className="wrap">{c.issuedBy}</td>
                    <td>
                      {fmtDate(c.notAfter)} <ExpiryBadge notAfter={c.notAfter} />
                    </td>
                    <td className="wrap">{c.description}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </Section>
    </div>
  );
}

function CertData({ c }: { c: CertDetails }) {
  return (
    <KeyValues
      rows={[
        ['Version', `V${c.version}`],
        [
          'Serial Number',
          <span key="serial" className="mono">
            {c.serialHex} <small className="muted">({colonHex(c.serialHex)})</small>
          </span>,
        ],
        ['SignatureAlgorithm', `${c.signatureAlgorithm} (${c.signatureAlgorithmOid})`],
        ['Issuer Name', c.issuerDn],
        ['Validity From', utc(c.notBefore)],
        [
          'To',
          <Fragment key="to">
            {utc(c.notAfter)} <ExpiryBadge notAfter={c.notAfter} />
          </Fragment>,
        ],
        ['Subject Name', c.subjectDn],
        ['Key', c.keyType],
        [
          'Key value',
          <details key="key-value">
            <summary>{c.publicKeyHex.length / 2} bytes (SubjectPublicKeyInfo)</summary>
            <div className="hex">{c.publicKeyHex}</div>
          </details>,
        ],
        ['CA', c.isCa ? 'yes' : 'no'],
        [
          'SHA-1 Fingerprint',
          <span key="sha1" className="hex">
            {colonHex(c.sha1)}
          </span>,
        ],
        [
          'SHA-256 Fingerprint',
          <span key="sha256" className="hex">
            {colonHex(c.sha256)}
          </span>,
        ],
      ]}
    />
  );
}

const WARNINGS: Record<string, string[]> = {
  capf: [
    'A new CAPF key and self-signed certificate replace the current one; the old certificate is kept as "previous".',
    'Phones trust CAPF through the ITL: until every TFTP server publishes an ITL with the new CAPF certificate ' +
      'and phones have reset to download it, certificate operations fail with "LSC: Connection Failed".',
    'LSCs already installed stay on the phones and stay valid until they expire, ' +
      'but they are signed by the OLD CAPF certificate; new operations sign with the new one.',
    '802.1X (e.g. ISE/RADIUS) and AnyConnect phone VPN (ASA/FTD) that trust LSCs by their CAPF issuer must be ' +
      'given the NEW CAPF certificate before phones get new LSCs — and keep the ' +
      'old one until every LSC is reissued, or phones lose network or VPN access.',
    'If your CAPF certificate is signed by a third-party CA, ' +
      'regenerating makes it self-signed: generate a CSR and upload the signed certificate again.',
  ],
  itlrecovery: [
    'The ITLRecovery key signs ITL files. Phones only accept a new signer through their current ITL (or TVS); ' +
      'regenerate only together with a trust-list rollover, or use "reset localkey".',
  ],
  tftp: [
    'The CallManager/TFTP certificate signs configuration files. Phones must get it ' +
      'through an ITL signed by a key they trust, or they refuse new configuration files.',
  ],
  tvs: [
    'Phones verify unknown certificates through TVS. Publish an ITL ' +
      'with the new TVS certificate and reset phones, or TVS lookups fail.',
  ],
};

export function CertificatePage({ name, me }: { name: string; me: Me }) {
  const d = useApi(() => api<IdentityDetail>('GET', `/identities/${encodeURIComponent(name)}`), [name]);
  const a = useAction();
  const [confirmRegen, setConfirmRegen] = useState(false);
  const [csr, setCsr] = useState<string | null>(null);
  const [upload, setUpload] = useState('');
  const [showUpload, setShowUpload] = useState(false);
  const isAdmin = me.role === 'admin';

  if (d.error)
    return (
      <div>
        <PageHeader title="Certificate Details" />
        <ErrorMessage error={d.error} title="The certificate cannot be shown" />
        <Link to="/certificates">Back to the Certificate List</Link>
      </div>
    );
  if (!d.data) return <Loading what="certificate" />;
  const c = d.data;

  // The dialog shows a refusal (wrong password, signers that would strand phones) and stays open.
  const regenerate = async (password: string) => {
    const s = await api<IdentitySummary>('POST', `/identities/${name}/regenerate`, { confirmPassword: password });
    setConfirmRegen(false);
    a.setError(null);
    a.setNotice(`Regenerated: new serial ${s.serialHex}, valid to ${fmtDate(s.notAfter)}.`);
    await d.reload();
  };
  const genCsr = async () => {
    const r = await a.run(() => api<{ csr: string }>('POST', `/identities/${name}/csr`));
    if (r) setCsr(r.csr);
  };
  const doUpload = async () => {
    const r = await a.run(
      () => api<IdentitySummary>('POST', `/identities/${name}/certificate`, { pem: upload }),
      (s) => `Uploaded: ${s.commonName}, issued by ${s.issuedBy}.`,
    );
    if (r) {
      setUpload('');
      setShowUpload(false);
      await d.reload();
    }
  };
  const actions = (
    <div className="toolbar">
      {isAdmin ? (
        <button type="button" onClick={() => setConfirmRegen(true)}>
          Regenerate
        </button>
      ) : null}
      {isAdmin ? (
        <button type="button" onClick={genCsr} disabled={a.busy}>
          Generate CSR
        </button>
      ) : null}
      {isAdmin ? (
        <button type="button" onClick={() => setShowUpload(!showUpload)} aria-expanded={showUpload}>
          Upload Certificate/Certificate chain
        </button>
      ) : null}
      <a className="button" href={downloadUrl(`/identities/${name}/pem`)} download>
        Download .PEM File
      </a>
      <a className="button" href={downloadUrl(`/identities/${name}/der`)} download>
        Download .DER File
      </a>
    </div>
  );

  return (
    <div>
      <PageHeader title={`Certificate Details for ${c.commonName}, ${c.purpose}`} subtitle={c.description}>
        <Link to="/certificates" className="button">
          Back to Certificate List
        </Link>
      </PageHeader>
      {actions}
      {c.expiry && c.expiry.level !== 'ok' ? (
        <div className="msg msg-warn" role="alert">
          {c.expiry.message}
        </div>
      ) : null}
      {confirmRegen ? (
        <PasswordConfirm
          title={`Regenerate the ${c.purpose} certificate? Read what it does first.`}
          confirmLabel={`Regenerate ${c.purpose} now`}
          onConfirm={regenerate}
          onCancel={() => setConfirmRegen(false)}
        >
          <ul>
            {(WARNINGS[name] ?? []).map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        </PasswordConfirm>
      ) : null}
      <ErrorMessage error={a.error} title="The action failed" />
      <Notice>{a.notice}</Notice>
      {showUpload ? (
        <Section title="Upload Certificate/Certificate chain">
          <p className="muted">
            Paste the CA-signed certificate for this node's current key (PEM), followed by its issuing chain.
          </p>
          <Field label="Certificate and chain (PEM)" wide>
            {(id) => (
              <textarea
                id={id}
                rows={8}
                value={upload}
                onChange={(e) => setUpload(e.target.value)}
                placeholder="-----BEGIN CERTIFICATE-----"
              />
            )}
          </Field>
          <div className="form-actions">
            <button type="button" className="primary" disabled={!upload || a.busy} onClick={doUpload}>
              Upload
            </button>
          </div>
        </Section>
      ) : null}
      {csr ? (
        <Section
          title="Certificate Signing Request"
          actions={
            <a
              className="button"
              href={`data:application/pkcs10;charset=utf-8,${encodeURIComponent(csr)}`}
              download={`${c.purpose}.csr`}
            >
              Download CSR
            </a>
          }
        >
          <pre>{csr}</pre>
        </Section>
      ) : null}
      <Section title="Certificate Settings">
        <KeyValues
          rows={[
            ['File Name', `${c.purpose}.pem`],
            ['Certificate Purpose', c.purpose],
            ['Certificate Type', c.type],
            ['Description (friendly name)', c.description],
          ]}
        />
      </Section>
      <Section title="Certificate File Data">
        <CertData c={c.certificate} />
      </Section>
      {c.chain.length > 0 ? (
        <Section title="Issuer chain">
          {c.chain.map((x) => (
            <CertData key={x.sha256} c={x} />
          ))}
        </Section>
      ) : null}
      {c.previous ? (
        <Section title="Previous certificate (kept for the transition)">
          <CertData c={c.previous} />
        </Section>
      ) : null}
    </div>
  );
}
