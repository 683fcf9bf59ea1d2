// Owns gathering the doctor's facts: connects to the CAPF and TVS ports, fetches the ITL each TFTP node
// serves (as a phone would), resolves the CAPF host name as phones see it, and reads the phone's record,
// profile and recent CAPF sessions through the narrow DoctorSources port.

import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import { daysUntil, type CertificateInfo } from '../pki/index.ts';
import type { AuthMode, Phone } from '../phones/model.ts';
import type { CapfSessionRecord } from '../capf/ports.ts';
import { tftpGet, TftpClientError } from '../provisioning/tftp/index.ts';
import { parseTrustList, verifyTrustList } from '../trust/index.ts';
import type { Resolver } from '../emulator/resolver.ts';
import type { DoctorFacts, ItlFacts, PhoneFacts, ReachabilityFacts, TlsPolicyFacts } from './facts.ts';

export interface Endpoint {
  host: string;
  port: number;
}

/** What the collector needs from a running or configured OpenCAPF (built by app/doctor-sources.ts). */
export interface DoctorSources {
  now(): Date;
  capfCertificate(): CertificateInfo;
  expiryWarningDays: number;
  capfEnabled: boolean;
  /** The CAPF listener on this host. */
  capfLocal: Endpoint;
  /** The CAPF host name and port written into SEP<MAC>.cnf.xml. */
  capfPublic: { name: string; port: number };
  tvs: Endpoint | null;
  /** TFTP nodes to fetch ITLFile.tlv / ITLSEP<MAC>.tlv from. */
  tftpNodes: Endpoint[];
  resolve: Resolver;
  authFailureLimit: number;
  manufacturingCaConfigured: boolean;
  getPhone(deviceName: string): Promise<Phone | null>;
  recentSessions(deviceName: string, limit: number): Promise<CapfSessionRecord[]>;
  /** ITL File Status of one phone (absent: not recorded here). */
  itlServed?(deviceName: string): Promise<PhoneFacts['itlServed']>;
  profileAuthMode(profileName: string): Promise<AuthMode | null>;
  pinnedFiles(): string[];
  /** The effective TLS policy of every TLS listener (absent: none reported). */
  tlsPolicies?(): TlsPolicyFacts[];
  /** Identity certificates and what each lacks (absent: not checked). */
  identityProblems?(): { name: string; problems: string[] }[];
  timeoutMs?: number;
}

export function probe(e: Endpoint, timeoutMs: number): Promise<ReachabilityFacts> {
  return new Promise((resolve) => {
    const s = connect({ host: e.host, port: e.port });
    const done = (reachable: boolean, error: string | null) => {
      clearTimeout(timer);
      s.destroy();
      resolve({ host: e.host, port: e.port, reachable, error });
    };
    const timer = setTimeout(() => done(false, `no answer within ${timeoutMs} ms`), timeoutMs);
    s.once('connect', () => done(true, null));
    s.once('error', (err: NodeJS.ErrnoException) => done(false, err.code ?? err.message));
  });
}

/** Fetches a trust list as a phone would and reads its CAPF records; verification is the file's own signature. */
export async function fetchItlFacts(node: Endpoint, fileName: string, timeoutMs: number): Promise<ItlFacts> {
  const source = `tftp://${node.host}:${node.port}/${fileName}`;
  const base = { source, fileName, sha1: null, capfSha1s: [], signer: null };
  let bytes: Buffer;
  try {
    bytes = await tftpGet({
      host: node.host,
      port: node.port,
      filename: fileName,
      timeoutMs: Math.min(timeoutMs, 1000),
      retries: 2,
    });
  } catch (e) {
    if (e instanceof TftpClientError && e.kind === 'remote' && e.tftpCode === 1)
      return { ...base, found: false, error: null };
    return { ...base, found: true, error: `cannot download: ${(e as Error).message}` };
  }
  return itlFactsOf(bytes, source, fileName);
}

export function itlFactsOf(bytes: Buffer, source: string, fileName: string): ItlFacts {
  const sha1 = createHash('sha1').update(bytes).digest('hex');
  try {
    const list = parseTrustList(bytes);
    const v = verifyTrustList(list);
    if (!v.ok) return { source, fileName, found: true, error: v.reason, sha1, capfSha1s: [], signer: null };
    const capf = list.records
      .filter((r) => r.roleName === 'CAPF')
      .flatMap((r) => (r.certificateSha1 ? [r.certificateSha1] : []));
    return {
      source,
      fileName,
      found: true,
      error: null,
      sha1,
      capfSha1s: capf,
      signer: list.header.signerName ?? null,
    };
  } catch (e) {
    return { source, fileName, found: true, error: (e as Error).message, sha1, capfSha1s: [], signer: null };
  }
}

export async function collectFacts(s: DoctorSources, deviceName: string | null): Promise<DoctorFacts> {
  const timeoutMs = s.timeoutMs ?? 2000;
  const now = s.now();
  const cert = s.capfCertificate();
  let address: string | null = null;
  let resolveError: string | null = null;
  try {
    address = await s.resolve(s.capfPublic.name);
  } catch (e) {
    resolveError = (e as Error).message;
  }
  const [capfLocal, tvs, itls] = await Promise.all([
    probe(s.capfLocal, timeoutMs),
    s.tvs ? probe(s.tvs, timeoutMs) : Promise.resolve(null),
    Promise.all(s.tftpNodes.map((n) => fetchItlFacts(n, 'ITLFile.tlv', timeoutMs))),
  ]);
  const samePlace = address !== null && address === s.capfLocal.host && s.capfPublic.port === s.capfLocal.port;
  const capfPublic =
    address === null
      ? null
      : samePlace
        ? capfLocal
        : await probe({ host: address, port: s.capfPublic.port }, timeoutMs);
  let phone: PhoneFacts | null = null;
  if (deviceName) {
    const record = await s.getPhone(deviceName);
    const perMacName = `ITL${deviceName}.tlv`;
    const node = s.tftpNodes[0];
    phone = {
      deviceName,
      phone: record,
      profileName: record?.profileName ?? null,
      profileAuthMode: record?.profileName ? await s.profileAuthMode(record.profileName) : null,
      sessions: record ? await s.recentSessions(deviceName, 10) : [],
      perMacItl: node ? await fetchItlFacts(node, perMacName, timeoutMs) : null,
      perMacPinned: s.pinnedFiles().includes(perMacName),
      itlServed: s.itlServed ? await s.itlServed(deviceName) : null,
    };
  }
  return {
    checkedAt: now.toISOString(),
    capfCertificate: {
      subjectDn: cert.subjectDn,
      serialHex: cert.serialHex,
      sha1: cert.sha1,
      notAfter: cert.notAfter.toISOString(),
      daysLeft: daysUntil(cert.notAfter, now),
    },
    expiryWarningDays: s.expiryWarningDays,
    capfEnabled: s.capfEnabled,
    capfLocal,
    capfPublic,
    tvs,
    capfHost: { name: s.capfPublic.name, address, error: resolveError },
    itls,
    authFailureLimit: s.authFailureLimit,
    manufacturingCaConfigured: s.manufacturingCaConfigured,
    tls: s.tlsPolicies?.() ?? [],
    identityProblems: (s.identityProblems?.() ?? []).filter((x) => x.problems.length > 0),
    phone,
  };
}
