// Owns the phone's questions to TVS (tvs-protocol.md §1, §5–§7; tlv-files.md §9.3): is this unknown trust-list
// signer a SAST (VERIFY), and which certificate signed this configuration file (QUERY by signer name, issuer and
// serial, role TFTP). The phone asks the TVS servers of the configuration it last accepted, in priority order, and
// talks only to a server whose certificate is a TVS record of the trust list it holds (a rollback ITL's blank TVS
// entry trusts none).

import { parseCertificate, type CertificateInfo } from '../pki/index.ts';
import { isAppError } from '../shared/errors.ts';
import type { PhoneTrustStore, TvsAttempt, VouchAnswer } from '../trust/index.ts';
import { tvsQuery, tvsVerify, TvsRole, type TvsClientOptions } from '../tvs/index.ts';
import type { Resolver } from './resolver.ts';
import type { HeldCertificatePem } from './state.ts';

export interface PhoneTvsContext {
  /** `<TVS><members>` of the last accepted configuration. */
  members: readonly { address: string; port: number }[];
  resolve: Resolver;
  trust: PhoneTrustStore;
  /** The phone's certificate for TLS (LSC once it has one). */
  identity: () => HeldCertificatePem;
  /** `CP-<model>-SEP<MAC>`. */
  deviceName: string;
  timeoutMs: number;
}

/** True when the held trust lists have a TVS record the phone could check a TVS server against. */
export function hasTvsRecord(trust: PhoneTrustStore): boolean {
  return trust.entries().some((e) => e.role === 'TVS' && e.sha1 !== undefined);
}

type Asked<T> = { answer: T | null; attempt: TvsAttempt };

async function eachMember<T>(
  ctx: PhoneTvsContext,
  ask: (o: TvsClientOptions) => Promise<T>,
  accept: (answer: T) => boolean,
): Promise<{ answer: T | null; attempts: TvsAttempt[] }> {
  const attempts: TvsAttempt[] = [];
  if (!hasTvsRecord(ctx.trust)) return { answer: null, attempts };
  for (const m of ctx.members) {
    const r = await askOne(ctx, m, ask);
    attempts.push(r.attempt);
    if (r.answer !== null && accept(r.answer)) {
      r.attempt.result = 'vouched';
      return { answer: r.answer, attempts };
    }
  }
  return { answer: null, attempts };
}

async function askOne<T>(
  ctx: PhoneTvsContext,
  m: { address: string; port: number },
  ask: (o: TvsClientOptions) => Promise<T>,
): Promise<Asked<T>> {
  const server = `${m.address}:${m.port}`;
  let host: string;
  try {
    host = await ctx.resolve(m.address);
  } catch {
    return { answer: null, attempt: { server, result: 'unresolvable' } };
  }
  const id = ctx.identity();
  try {
    const answer = await ask({
      host,
      port: m.port,
      deviceName: ctx.deviceName,
      timeoutMs: ctx.timeoutMs,
      checkServerCertificate: (der) => ctx.trust.isTrusted(der, 'TVS'),
      tls: { certPem: id.certPem, keyPem: id.keyPem },
    });
    return { answer, attempt: { server, result: 'not-vouched' } };
  } catch (e) {
    const untrusted = isAppError(e) && e.code === 'ERR_PKI_CHAIN';
    return {
      answer: null,
      attempt: { server, result: untrusted ? 'untrusted-server' : 'unreachable', detail: (e as Error).message },
    };
  }
}

/** §9.3: does a TVS of the held ITL vouch that `cert` is a SAST? */
export async function vouchForSigner(ctx: PhoneTvsContext, cert: CertificateInfo): Promise<VouchAnswer> {
  const r = await eachMember(
    ctx,
    (o) => tvsVerify({ ...o, certDer: cert.der }),
    (a) => a.trusted && a.roles.includes(TvsRole.SAST),
  );
  return { vouched: r.answer !== null, attempts: r.attempts };
}

const TFTP_ROLES: readonly number[] = [TvsRole.TFTP, TvsRole.CCM_TFTP];

/**
 * The certificate a TVS of the held ITL names as the TFTP signer of a configuration file (QUERY by the .sgn
 * header's signer name, issuer and serial, as the 8861 of doc 213407 did), or null with whom the phone asked.
 */
export async function queryTftpSigner(
  ctx: PhoneTvsContext,
  signer: { signerName?: string; issuerName?: string; serialNumber?: Buffer },
): Promise<{ certificate: CertificateInfo | null; attempts: TvsAttempt[] }> {
  const r = await eachMember(
    ctx,
    (o) =>
      tvsQuery({
        ...o,
        ...(signer.signerName !== undefined ? { subject: signer.signerName } : {}),
        ...(signer.issuerName !== undefined ? { issuer: signer.issuerName } : {}),
        ...(signer.serialNumber !== undefined ? { serial: signer.serialNumber } : {}),
      }),
    (a) => a.found && a.certDer !== undefined && a.roles.some((x) => TFTP_ROLES.includes(x)),
  );
  if (!r.answer?.certDer) return { certificate: null, attempts: r.attempts };
  try {
    return { certificate: parseCertificate(r.answer.certDer), attempts: r.attempts };
  } catch {
    return { certificate: null, attempts: r.attempts };
  }
}
