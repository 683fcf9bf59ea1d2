// Owns revocation as a service: CRLs of the current (and previous) CAPF CA, regenerated when the set of
// revoked certificates changes and before they go stale; OCSP answers; manual revocation; the trust
// bundle RADIUS servers and VPN head-ends need.

import { createHash } from 'node:crypto';
import { AppError } from '../shared/errors.ts';
import type { Clock } from '../shared/clock.ts';
import { startPeriodic } from '../shared/periodic.ts';
import { derToPem, type CertificateInfo } from '../pki/index.ts';
import { createCaSigner, CERT_ID_HASHES, type CaSigner } from './ca-signer.ts';
import { buildCrl, crlToPem } from './crl.ts';
import { normalizeSerialHex } from './asn1.ts';
import {
  decodeOcspRequest,
  encodeBasicResponse,
  encodeErrorResponse,
  encodeResponseData,
  OcspResponseStatus,
  type OcspCertId,
  type OcspCertStatus,
  type OcspRequest,
  type OcspSingleResponse,
} from './ocsp-codec.ts';
import { isRevocationReason, reasonCode, type RevocationReason } from './reasons.ts';
import type { CaSource, RevocationStore } from './ports.ts';
import { CodecError } from '../shared/errors.ts';
import { verifyCertificate, type VerifyResult } from './verify.ts';

export type CaGeneration = 'current' | 'previous';

export interface PublishedCrl {
  generation: CaGeneration;
  der: Buffer;
  pem: string;
  crlNumber: bigint;
  thisUpdate: Date;
  nextUpdate: Date;
  entries: number;
  issuerDn: string;
}

export interface RevocationSettings {
  crlValidityHours: number;
  crlRefreshMinutes: number;
  ocspValidityMinutes: number;
  /** Sent but never acknowledged LSCs are revoked this long after issue (revocation.unacknowledgedGraceHours). */
  unacknowledgedGraceHours: number;
}

export interface TrustBundle {
  pem: string;
  certificates: { generation: CaGeneration | 'chain'; certificate: CertificateInfo }[];
}

export interface RevocationService {
  /** The CRL of the current or previous CAPF CA, regenerated first if revocations changed or it is due. */
  crl(generation: CaGeneration): Promise<PublishedCrl | null>;
  /** Regenerates both CRLs now (force) or only if something changed or they are due. */
  refresh(o?: { force?: boolean }): Promise<PublishedCrl[]>;
  /** Answers a DER OCSPRequest with a DER OCSPResponse (never throws for bad input). */
  ocsp(request: Uint8Array): Promise<Buffer>;
  /** Revokes an LSC by serial with a reason; records it in the audit log. */
  revoke(serialHex: string, reason: RevocationReason, actor: { name: string; source: string }): Promise<void>;
  /** CAPF CA certificates relying parties must trust: current (+ its chain) and, during a rollover, previous. */
  trustBundle(o?: { includePrevious?: boolean; includeChain?: boolean }): TrustBundle;
  /**
   * Revokes (cessationOfOperation) LSCs still unacknowledged `unacknowledgedGraceHours` after issue and,
   * if any, regenerates the CRLs at once; returns their serials.
   */
  revokeUnacknowledged(): Promise<string[]>;
  /** Runs revokeUnacknowledged soon and then every `intervalMs` until stopped. */
  startUnacknowledgedSweep(intervalMs: number, onError: (e: unknown) => void): { stop(): void };
  /** Called after every regeneration. */
  onPublish(listener: (crls: PublishedCrl[]) => void): void;
  /** Is this certificate (PEM or DER) a valid LSC of ours, a MIC, revoked, expired…? */
  verify(certificate: Uint8Array | string): Promise<VerifyResult>;
}

export interface RevocationServiceOptions {
  cas: CaSource;
  store: RevocationStore;
  clock: Clock;
  settings: RevocationSettings;
  /** Does the certificate chain to a configured manufacturing CA (capf.manufacturingCaFile)? */
  isTrustedMic?: (der: Buffer) => boolean;
}

const HOUR_MS = 3_600_000;
/** Who revokes orphaned LSCs in the audit log. */
const UNACKNOWLEDGED_ACTOR = { name: 'revocation', source: 'unacknowledged-lsc-sweep' };

export function createRevocationService(o: RevocationServiceOptions): RevocationService {
  const signerCache = new Map<string, CaSigner>();
  const published = new Map<CaGeneration, PublishedCrl>();
  let publishedStamp: string | null = null;
  let lastCrlNumber = 0n;
  let inFlight: Promise<PublishedCrl[]> | null = null;
  const listeners: ((crls: PublishedCrl[]) => void)[] = [];

  function signerFor(generation: CaGeneration): CaSigner | null {
    const m = generation === 'current' ? o.cas.current() : o.cas.previous();
    if (!m) return null;
    const key = `${generation}:${m.certificate.sha256}`;
    let s = signerCache.get(key);
    if (!s) {
      s = createCaSigner(generation, m.certificate, m.privateKey);
      for (const k of signerCache.keys()) if (k.startsWith(`${generation}:`)) signerCache.delete(k);
      signerCache.set(key, s);
    }
    return s;
  }

  const signers = (): CaSigner[] =>
    [signerFor('current'), signerFor('previous')].filter((s): s is CaSigner => s !== null);

  function isDue(now: Date): boolean {
    const cur = published.get('current');
    if (!cur) return true;
    if (cur.issuerDn !== signerFor('current')!.certificate.subjectDn) return true;
    if (!!signerFor('previous') !== published.has('previous')) return true;
    return now.getTime() - cur.thisUpdate.getTime() >= o.settings.crlRefreshMinutes * 60_000;
  }

  async function regenerate(stamp: string): Promise<PublishedCrl[]> {
    const now = new Date(Math.floor(o.clock.now().getTime() / 1000) * 1000);
    const revoked = await o.store.listRevoked();
    const validityMs = o.settings.crlValidityHours * HOUR_MS;
    // RFC 5280 §3.3: an entry stays until one regularly scheduled CRL was issued after the certificate expired.
    const keepAfter = now.getTime() - validityMs;
    // Monotonic CRL numbers without state on disk: seconds since the epoch, bumped if two fall in one second.
    const base = BigInt(Math.floor(now.getTime() / 1000));
    lastCrlNumber = base > lastCrlNumber ? base : lastCrlNumber + 1n;
    const out: PublishedCrl[] = [];
    published.delete('previous');
    for (const signer of signers()) {
      const entries = revoked
        .filter((r) => r.issuerDn === signer.certificate.subjectDn && Date.parse(r.notAfter) > keepAfter)
        .map((r) => ({ serialHex: r.serialHex, revokedAt: new Date(r.revokedAt), reason: r.reason }));
      const nextUpdate = new Date(now.getTime() + validityMs);
      const der = await buildCrl({ signer, entries, crlNumber: lastCrlNumber, thisUpdate: now, nextUpdate });
      const crl: PublishedCrl = {
        generation: signer.generation,
        der,
        pem: crlToPem(der),
        crlNumber: lastCrlNumber,
        thisUpdate: now,
        nextUpdate,
        entries: entries.length,
        issuerDn: signer.certificate.subjectDn,
      };
      published.set(signer.generation, crl);
      out.push(crl);
    }
    publishedStamp = stamp;
    for (const l of listeners) l(out);
    return out;
  }

  async function refresh(opts: { force?: boolean } = {}): Promise<PublishedCrl[]> {
    // Concurrent callers share one regeneration.
    if (inFlight) return inFlight;
    inFlight = (async () => {
      const stamp = await o.store.revocationStamp();
      if (!opts.force && stamp === publishedStamp && !isDue(o.clock.now())) return [...published.values()];
      return regenerate(stamp);
    })();
    try {
      return await inFlight;
    } finally {
      inFlight = null;
    }
  }

  async function revokeUnacknowledged(): Promise<string[]> {
    const now = o.clock.now();
    const before = new Date(now.getTime() - o.settings.unacknowledgedGraceHours * HOUR_MS).toISOString();
    const revoked = await o.store.revokeUnacknowledged(
      before,
      now.toISOString(),
      'cessationOfOperation',
      UNACKNOWLEDGED_ACTOR,
    );
    // Relying parties that fetch the CRL (and onPublish listeners) see the new entries without waiting.
    if (revoked.length) await refresh();
    return revoked.map((r) => r.serialHex);
  }

  async function statusOf(certId: OcspCertId, signer: CaSigner): Promise<OcspCertStatus> {
    const rec = await o.store.getCertificate(normalizeSerialHex(certId.serialHex));
    if (rec?.kind !== 'lsc' || rec.issuerDn !== signer.certificate.subjectDn) return { status: 'unknown' };
    if (rec.state === 'revoked' || rec.state === 'superseded') {
      const reason = rec.revocationReason ?? (rec.state === 'superseded' ? 'superseded' : null);
      const code = reasonCode(reason);
      return {
        status: 'revoked',
        revokedAt: new Date(rec.revokedAt ?? rec.createdAt),
        reasonCode: code === 0 && !reason ? null : code,
      };
    }
    return { status: 'good' };
  }

  function matchSigner(certId: OcspCertId, all: CaSigner[]): CaSigner | null {
    const hash = CERT_ID_HASHES[certId.hashAlgorithmOid as keyof typeof CERT_ID_HASHES];
    if (!hash) return null;
    return (
      all.find((s) => {
        const h = s.certIdHashes(hash);
        return h.nameHash.equals(certId.issuerNameHash) && h.keyHash.equals(certId.issuerKeyHash);
      }) ?? null
    );
  }

  return {
    async crl(generation) {
      await refresh();
      return published.get(generation) ?? null;
    },
    refresh,
    async ocsp(request) {
      let req: OcspRequest;
      try {
        req = decodeOcspRequest(request);
      } catch (e) {
        if (e instanceof CodecError) return encodeErrorResponse(OcspResponseStatus.malformedRequest);
        throw e;
      }
      const all = signers();
      const matched = req.certIds.map((c) => matchSigner(c, all));
      // One response has one signer: the CA of the first CertID we know; CertIDs of the other CA are "unknown".
      const signer = matched.find((s) => s !== null);
      if (!signer) return encodeErrorResponse(OcspResponseStatus.unauthorized);
      const now = o.clock.now();
      const nextUpdate = new Date(now.getTime() + o.settings.ocspValidityMinutes * 60_000);
      const responses: OcspSingleResponse[] = [];
      for (const [i, certId] of req.certIds.entries()) {
        const status: OcspCertStatus = matched[i] === signer ? await statusOf(certId, signer) : { status: 'unknown' };
        responses.push({ certIdRaw: certId.raw, status, thisUpdate: now, nextUpdate });
      }
      const tbs = encodeResponseData({
        responderKeyHash: signer.keyHashSha1,
        producedAt: now,
        responses,
        nonceExtension: req.nonceExtension,
      });
      const signature = await signer.sign(tbs);
      // The responder is the CA itself (RFC 6960 §4.2.2.2 case 1); its certificate is included so clients find the
      // signer.
      return encodeBasicResponse(tbs, signer.signatureAlgorithm, signature, [signer.certificate.der]);
    },
    async revoke(serialHex, reason, actor) {
      if (!isRevocationReason(reason))
        throw new AppError('ERR_BAD_REQUEST', `unknown revocation reason "${String(reason)}"`);
      const serial = normalizeSerialHex(serialHex);
      if (!/^[0-9A-F]{1,64}$/.test(serial))
        throw new AppError('ERR_BAD_REQUEST', `"${serialHex}" is not a hexadecimal serial number`);
      const rec = await o.store.getCertificate(serial);
      if (rec?.kind !== 'lsc') throw new AppError('ERR_CERT_NOT_FOUND', `no LSC with serial ${serial}`);
      if (rec.state === 'revoked')
        throw new AppError(
          'ERR_CERT_ALREADY_REVOKED',
          `LSC ${serial} was already revoked on ${rec.revokedAt ?? '?'} (${rec.revocationReason ?? 'unspecified'})`,
        );
      const at = o.clock.now().toISOString();
      const audit = {
        at,
        actor,
        action: 'certificate.revoke',
        target: rec.deviceName,
        details: { serial, reason },
      } as const;
      await o.store.revoke(serial, at, reason, audit);
    },
    revokeUnacknowledged,
    startUnacknowledgedSweep(intervalMs, onError) {
      return startPeriodic(revokeUnacknowledged, intervalMs, onError);
    },
    trustBundle(b = {}) {
      const cur = o.cas.current();
      const prev = b.includePrevious === false ? null : o.cas.previous();
      const certificates: TrustBundle['certificates'] = [{ generation: 'current', certificate: cur.certificate }];
      if (b.includeChain !== false)
        for (const c of cur.chain) certificates.push({ generation: 'chain', certificate: c });
      if (prev && prev.certificate.sha256 !== cur.certificate.sha256)
        certificates.push({ generation: 'previous', certificate: prev.certificate });
      const seen = new Set<string>();
      const unique = certificates.filter((c) => !seen.has(c.certificate.sha256) && seen.add(c.certificate.sha256));
      const pem = unique
        .map(
          (c) =>
            `# ${c.generation === 'chain' ? 'chain' : `${c.generation} CAPF CA`}: ` +
            `${c.certificate.subjectDn} (serial ${c.certificate.serialHex}, expires ` +
            `${c.certificate.notAfter.toISOString()})\n${derToPem(c.certificate.der)}`,
        )
        .join('');
      return { pem, certificates: unique };
    },
    onPublish(l) {
      listeners.push(l);
    },
    verify(certificate) {
      return verifyCertificate(
        certificate,
        { cas: o.cas, store: o.store, isTrustedMic: o.isTrustedMic ?? (() => false) },
        o.clock.now(),
      );
    },
  };
}

/** SHA-256 of a CRL, for logs. */
export function crlDigest(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('hex').slice(0, 16);
}
