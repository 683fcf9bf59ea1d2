// Owns the durable record of a staged TFTP signer rotation (<dataDir>/provisioning/itl-rotation.json): its
// fields, and reading it back as hostile input (a damaged or hand-edited file is refused with a clear error,
// never half-used). The next certificate's private key is not in it: it lives in the key store (0600).

import { AppError } from '../shared/errors.ts';
import { derToPem, parseCertificate, pemBundleToDers, type CertificateInfo } from '../pki/index.ts';

/** staged: the next certificate is listed in the ITL; finished: it signs; aborted: it was discarded. */
export const ROTATION_PHASES = ['staged', 'finished', 'aborted'] as const;
export type RotationPhase = (typeof ROTATION_PHASES)[number];

export interface RotationRecord {
  version: 1;
  /** Only the TFTP (CallManager) signer rotates in stages; ITLRecovery is the recovery key that covers it. */
  identity: 'tftp';
  phase: RotationPhase;
  startedAt: Date;
  startedBy: string;
  /** SHA-1 of the TFTP certificate that signed when the rotation started. */
  fromSha1: string;
  /** The next TFTP certificate (listed with role TFTP while staged). */
  next: CertificateInfo;
  endedAt: Date | null;
  endedBy: string | null;
  /** finish --force: switched while phones had not fetched an ITL that lists the next certificate. */
  forced: boolean;
}

/** A record file larger than this is not ours (one certificate PEM and a few fields). */
export const MAX_ROTATION_RECORD_BYTES = 64 * 1024;

export function serializeRotationRecord(r: RotationRecord): string {
  return `${JSON.stringify(
    {
      version: r.version,
      identity: r.identity,
      phase: r.phase,
      startedAt: r.startedAt.toISOString(),
      startedBy: r.startedBy,
      fromSha1: r.fromSha1,
      nextCertificatePem: derToPem(r.next.der),
      nextSha1: r.next.sha1,
      endedAt: r.endedAt?.toISOString() ?? null,
      endedBy: r.endedBy,
      forced: r.forced,
    },
    null,
    2,
  )}\n`;
}

const SHA1_HEX = /^[0-9a-f]{40}$/;

/** The error for a record file that cannot be used; `where` names the file. */
export function damagedRotationRecord(where: string, why: string): AppError {
  return new AppError(
    'ERR_CONFLICT',
    `${where} is damaged (${why}); nothing is rotated while it is: ` +
      'inspect it, or discard the rotation with `opencapf itl rotate abort`',
  );
}

/** Parses the record file; `where` names it in errors. Throws ERR_CONFLICT naming what is wrong. */
export function parseRotationRecord(text: string, where: string): RotationRecord {
  const bad = (why: string): never => {
    throw damagedRotationRecord(where, why);
  };
  if (Buffer.byteLength(text) > MAX_ROTATION_RECORD_BYTES) bad(`larger than ${MAX_ROTATION_RECORD_BYTES} bytes`);
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch (e) {
    return bad(`not JSON: ${(e as Error).message}`);
  }
  if (typeof j !== 'object' || j === null || Array.isArray(j)) return bad('not a JSON object');
  const o = j as Record<string, unknown>;
  if (o.version !== 1) bad(`unsupported version ${JSON.stringify(o.version)}`);
  if (o.identity !== 'tftp') bad(`identity ${JSON.stringify(o.identity)} is not "tftp"`);
  if (typeof o.phase !== 'string' || !(ROTATION_PHASES as readonly string[]).includes(o.phase))
    bad(`phase ${JSON.stringify(o.phase)} is not one of ${ROTATION_PHASES.join(', ')}`);
  const date = (k: string, nullable: boolean): Date | null => {
    const v = o[k];
    if (v === null && nullable) return null;
    const d = typeof v === 'string' ? new Date(v) : null;
    if (!d || Number.isNaN(d.getTime())) return bad(`${k} is not a date`);
    return d;
  };
  const text64 = (k: string, nullable: boolean): string | null => {
    const v = o[k];
    if (v === null && nullable) return null;
    if (typeof v !== 'string' || v.length === 0 || v.length > 256) return bad(`${k} is not a short string`);
    return v;
  };
  if (typeof o.fromSha1 !== 'string' || !SHA1_HEX.test(o.fromSha1)) bad('fromSha1 is not a SHA-1 in hex');
  if (typeof o.nextCertificatePem !== 'string') bad('nextCertificatePem is missing');
  const ders = pemBundleToDers(o.nextCertificatePem as string);
  if (ders.length !== 1) bad(`nextCertificatePem holds ${ders.length} certificates, not 1`);
  let next: CertificateInfo;
  try {
    next = parseCertificate(ders[0]!);
  } catch (e) {
    return bad(`nextCertificatePem does not parse: ${(e as Error).message}`);
  }
  if (o.nextSha1 !== next.sha1) bad('nextSha1 is not the SHA-1 of nextCertificatePem');
  if (typeof o.forced !== 'boolean') bad('forced is not true or false');
  return {
    version: 1,
    identity: 'tftp',
    phase: o.phase as RotationPhase,
    startedAt: date('startedAt', false)!,
    startedBy: text64('startedBy', false)!,
    fromSha1: o.fromSha1 as string,
    next,
    endedAt: date('endedAt', true),
    endedBy: text64('endedBy', true),
    forced: o.forced as boolean,
  };
}
