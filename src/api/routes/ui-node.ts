// Owns /api/v1/status (listeners, CAPF CA validity, ITL freshness as far as this node knows them) and
// /api/v1/identities (CUCM's Certificate List / Certificate Details: show, download, regenerate, CSR,
// upload a CA-signed certificate or chain) for the web UI and scripts.

import { X509Certificate } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../shared/errors.ts';
import {
  IDENTITIES,
  isIdentityName,
  type CertificateInfo,
  type IdentityName,
  type IdentityService,
} from '../../pki/index.ts';
import type { ApiDeps } from '../deps.ts';
import { absentBodyIsEmpty, actorOf, confirmPasswordProp } from '../request-helpers.ts';
import { arr, nullable, obj, str } from '../schemas.ts';

/** Listeners an OpenCAPF node can run; the status page lists each, started or not. */
export const KNOWN_LISTENERS = {
  capf: 'CAPF (TLS 3804): certificate operations with phones',
  tftp: 'TFTP (UDP 69): configuration files, ITL/CTL',
  http: 'HTTP (6970): configuration files, trust lists, CRL and OCSP for phones and RADIUS servers',
  tvs: 'TVS (TLS 2445): trust verification',
  https: 'HTTPS (6971): configuration files over TLS',
  api: 'REST API and this web UI',
} as const;

/** What the node-level routes need from the composition root. */
export interface NodeDeps {
  nodeName: string;
  identities: IdentityService;
  capfExpiry(): { level: 'ok' | 'warning' | 'expired'; message: string; notAfter: string; daysLeft: number };
  /** Listeners `serve` started (empty when the API runs outside `serve`). */
  listeners(): readonly { name: string; host: string; port: number }[];
  activeCapfSessions(): number | null;
  /** Identity changes, each audited by trust administration (the CLI writes the same rows). */
  trustAdmin: {
    regenerateIdentities(
      names: readonly IdentityName[],
      actor: { name: string; source: string },
      options?: { force?: boolean },
    ): Promise<import('../../pki/index.ts').LoadedIdentity[]>;
    createCsr(name: IdentityName, actor: { name: string; source: string }): Promise<string>;
    importCertificate(
      name: IdentityName,
      pem: string,
      actor: { name: string; source: string },
    ): Promise<import('../../pki/index.ts').LoadedIdentity>;
  };
  /** ITL freshness when a provisioning listener publishes one; null when this build has none. */
  itl?(): { builtAt: string; signer: string; records: number; includesCapf: boolean; rollback: boolean } | null;
}

const nameParam = obj({ name: { type: 'string', enum: Object.keys(IDENTITIES) } }, ['name']);

function cn(attrs: CertificateInfo['subject']): string | null {
  return attrs.find((a) => a.type === 'CN')?.value ?? null;
}

function summary(name: IdentityName, c: CertificateInfo) {
  return {
    name,
    purpose: IDENTITIES[name].purpose,
    description: IDENTITIES[name].description,
    commonName: cn(c.subject) ?? name,
    type: c.selfSigned ? 'Self-signed' : 'CA-signed',
    keyType: c.keyDescription,
    issuedBy: cn(c.issuer) ?? c.issuerDn,
    notBefore: c.notBefore.toISOString(),
    notAfter: c.notAfter.toISOString(),
    serialHex: c.serialHex,
  };
}

function details(c: CertificateInfo) {
  const spki = new X509Certificate(c.der).publicKey.export({ type: 'spki', format: 'der' });
  return {
    version: c.version,
    serialHex: c.serialHex,
    signatureAlgorithm: c.signatureAlgorithm,
    signatureAlgorithmOid: c.signatureAlgorithmOid,
    issuerDn: c.issuerDn,
    subjectDn: c.subjectDn,
    notBefore: c.notBefore.toISOString(),
    notAfter: c.notAfter.toISOString(),
    keyType: c.keyDescription,
    publicKeyHex: spki.toString('hex'),
    sha1: c.sha1,
    sha256: c.sha256,
    isCa: c.isCa,
    selfSigned: c.selfSigned,
  };
}

const summarySchema = obj({
  name: str(),
  purpose: str(),
  description: str(),
  commonName: str(1024),
  type: str(),
  keyType: str(),
  issuedBy: str(1024),
  notBefore: str(),
  notAfter: str(),
  serialHex: str(),
});
const detailSchema = obj({
  version: { type: 'integer' },
  serialHex: str(),
  signatureAlgorithm: str(),
  signatureAlgorithmOid: str(),
  issuerDn: str(1024),
  subjectDn: str(1024),
  notBefore: str(),
  notAfter: str(),
  keyType: str(),
  publicKeyHex: str(8192),
  sha1: str(),
  sha256: str(),
  isCa: { type: 'boolean' },
  selfSigned: { type: 'boolean' },
});

function need(d: ApiDeps): NodeDeps {
  if (!d.node) throw new AppError('ERR_NOT_FOUND', 'node status is not available on this API instance');
  return d.node;
}

export function registerNodeRoutes(app: FastifyInstance, d: ApiDeps): void {
  app.get(
    '/status',
    {
      config: { access: 'read-only' },
      schema: {
        summary:
          'Node status: every listener (running or not), the CAPF CA ' +
          'validity, active CAPF sessions, ITL freshness when known',
        tags: ['status'],
        response: {
          200: obj({
            nodeName: str(),
            generatedAt: str(),
            listeners: arr(
              obj({
                name: str(),
                description: str(),
                running: { type: 'boolean' },
                host: nullable(str()),
                port: nullable({ type: 'integer' }),
              }),
            ),
            capfCa: obj({ level: str(), message: str(1024), notAfter: str(), daysLeft: { type: 'integer' } }),
            activeCapfSessions: nullable({ type: 'integer' }),
            itl: nullable(
              obj({
                builtAt: str(),
                signer: str(1024),
                records: { type: 'integer' },
                includesCapf: { type: 'boolean' },
                rollback: { type: 'boolean' },
              }),
            ),
          }),
        },
      },
    },
    async () => {
      const n = need(d);
      const running = n.listeners();
      const names = [...new Set([...Object.keys(KNOWN_LISTENERS), ...running.map((l) => l.name)])];
      return {
        nodeName: n.nodeName,
        generatedAt: new Date().toISOString(),
        listeners: names.map((name) => {
          const l = running.find((r) => r.name === name);
          return {
            name,
            description: (KNOWN_LISTENERS as Record<string, string>)[name] ?? name,
            running: !!l,
            host: l?.host ?? null,
            port: l?.port ?? null,
          };
        }),
        capfCa: n.capfExpiry(),
        activeCapfSessions: n.activeCapfSessions(),
        itl: n.itl?.() ?? null,
      };
    },
  );

  app.get(
    '/identities',
    {
      config: { access: 'read-only' },
      schema: {
        summary:
          "Certificate List: the node's certificates (CAPF, ITLRecovery, " +
          'CallManager/TFTP, TVS) with type, key, issuer and expiry',
        tags: ['certificates'],
        response: { 200: obj({ items: arr(summarySchema) }) },
      },
    },
    async () => ({
      items: need(d)
        .identities.list()
        .map((i) => summary(i.name, i.certificate)),
    }),
  );

  app.get<{ Params: { name: IdentityName } }>(
    '/identities/:name',
    {
      config: { access: 'read-only' },
      schema: {
        summary:
          'Certificate Details: version, serial, signature algorithm, validity, ' +
          'subject, issuer, key value, fingerprints, chain, the previous certificate',
        tags: ['certificates'],
        params: nameParam,
        response: {
          200: obj({
            ...(summarySchema.properties as Record<string, Record<string, unknown>>),
            certificate: detailSchema,
            chain: arr(detailSchema),
            previous: nullable(detailSchema),
            pem: str(65536),
            expiry: nullable(obj({ level: str(), message: str(1024), notAfter: str(), daysLeft: { type: 'integer' } })),
          }),
        },
      },
    },
    async (req) => {
      const n = need(d);
      const id = n.identities.get(req.params.name);
      const prev = n.identities.previous(req.params.name);
      return {
        ...summary(id.name, id.certificate),
        certificate: details(id.certificate),
        chain: id.chain.map(details),
        previous: prev ? details(prev) : null,
        pem: id.certPem,
        expiry: req.params.name === 'capf' ? n.capfExpiry() : null,
      };
    },
  );

  for (const format of ['pem', 'der'] as const) {
    app.get<{ Params: { name: IdentityName } }>(
      `/identities/:name/${format}`,
      {
        config: { access: 'read-only' },
        schema: {
          summary: `Download .${format.toUpperCase()} File`,
          tags: ['certificates'],
          params: nameParam,
          produces: [format === 'pem' ? 'application/x-pem-file' : 'application/pkix-cert'],
        },
      },
      async (req, reply) => {
        const id = need(d).identities.get(req.params.name);
        const file = `${IDENTITIES[req.params.name].purpose}.${format}`;
        reply.header('content-disposition', `attachment; filename="${file}"`);
        return format === 'pem'
          ? reply.type('application/x-pem-file').send(id.certPem)
          : reply.type('application/pkix-cert').send(id.certificate.der);
      },
    );
  }

  const forceProp = {
    type: 'boolean',
    default: false,
    description:
      'regenerate even when phones would be stranded (otherwise 409 ERR_SIGNER_STRANDS_PHONES); audited as forced',
  };
  app.post<{ Params: { name: IdentityName }; Body: { force?: boolean } }>(
    '/identities/:name/regenerate',
    {
      config: { access: 'admin', confirm: true },
      preValidation: absentBodyIsEmpty,
      schema: {
        summary:
          'Regenerate: a new key and self-signed certificate (the old one is kept as previous). For CAPF: ' +
          'phones keep their LSCs, but 802.1X/VPN that trust the old CAPF certificate must be given the new ' +
          'one. tftp/itlrecovery: 409 ERR_SIGNER_STRANDS_PHONES while a change would strand phones',
        tags: ['certificates'],
        params: nameParam,
        body: obj({ force: forceProp, confirmPassword: confirmPasswordProp }),
        response: { 200: summarySchema },
      },
    },
    async (req) => {
      const [id] = await need(d).trustAdmin.regenerateIdentities([req.params.name], actorOf(req), {
        force: req.body?.force === true,
      });
      return summary(id!.name, id!.certificate);
    },
  );

  app.post<{ Body: { names: IdentityName[]; force?: boolean } }>(
    '/identities/regenerate',
    {
      config: { access: 'admin', confirm: true },
      schema: {
        summary:
          'Regenerate several certificates as one act, in the order given. tftp with itlrecovery is refused ' +
          '(409 ERR_SIGNER_STRANDS_PHONES: both SAST certificates of every ITL would be gone, Cisco doc ' +
          '225746), as is any order that strands phones, unless force; nothing changes when refused',
        tags: ['certificates'],
        body: obj(
          {
            names: {
              type: 'array',
              items: { type: 'string', enum: Object.keys(IDENTITIES) },
              minItems: 1,
              maxItems: Object.keys(IDENTITIES).length,
              uniqueItems: true,
            },
            force: forceProp,
            confirmPassword: confirmPasswordProp,
          },
          ['names'],
        ),
        response: { 200: obj({ items: arr(summarySchema) }) },
      },
    },
    async (req) => {
      const ids = await need(d).trustAdmin.regenerateIdentities(req.body.names, actorOf(req), {
        force: req.body.force === true,
      });
      return { items: ids.map((id) => summary(id.name, id.certificate)) };
    },
  );

  app.post<{ Params: { name: IdentityName } }>(
    '/identities/:name/csr',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Generate CSR for the current key (PKCS#10 PEM), to be signed by your CA',
        tags: ['certificates'],
        params: nameParam,
        response: { 200: obj({ csr: str(65536) }) },
      },
    },
    async (req) => {
      const csr = await need(d).trustAdmin.createCsr(req.params.name, actorOf(req));
      return { csr };
    },
  );

  app.post<{ Params: { name: IdentityName }; Body: { pem: string } }>(
    '/identities/:name/certificate',
    {
      config: { access: 'admin' },
      schema: {
        summary:
          'Upload Certificate/Certificate chain: a CA-signed certificate ' +
          'for the current key (PEM, leaf first, then the chain)',
        tags: ['certificates'],
        params: nameParam,
        body: obj({ pem: str(262144, { minLength: 1 }) }, ['pem']),
        response: { 200: summarySchema },
      },
    },
    async (req) => {
      if (!isIdentityName(req.params.name)) throw new AppError('ERR_PKI_UNKNOWN_IDENTITY', 'no such certificate');
      const id = await need(d).trustAdmin.importCertificate(req.params.name, req.body.pem, actorOf(req));
      return summary(id.name, id.certificate);
    },
  );
}
