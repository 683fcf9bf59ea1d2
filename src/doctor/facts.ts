// Owns the facts the doctor's rules reason over: plain data gathered by the collector (collector.ts),
// so the rules stay pure and testable without sockets.

import type { AuthMode, Phone } from '../phones/model.ts';
import type { CapfSessionRecord } from '../capf/ports.ts';

export interface ItlFacts {
  /** Where it came from: `tftp://host:port/ITLFile.tlv`, or `built` (the ITL service). */
  source: string;
  fileName: string;
  /** null: the node answered "file not found". */
  found: boolean;
  /** Parse or signature error of a file that was found. */
  error: string | null;
  sha1: string | null;
  /** SHA-1 of each CAPF-role certificate (or CERTHASH) listed. */
  capfSha1s: string[];
  signer: string | null;
}

export interface ReachabilityFacts {
  host: string;
  port: number;
  reachable: boolean;
  error: string | null;
}

export interface PhoneFacts {
  deviceName: string;
  phone: Phone | null;
  profileName: string | null;
  profileAuthMode: AuthMode | null;
  sessions: CapfSessionRecord[];
  /** The ITL this phone is served: ITLSEP<MAC>.tlv as the node answers it. */
  perMacItl: ItlFacts | null;
  /** ITLSEP<MAC>.tlv is pinned (an administrator's override), not the generated default. */
  perMacPinned: boolean;
  /** ITL File Status: the ITL our servers last served this phone; null when never (or not recorded). */
  itlServed: {
    status: 'current' | 'older';
    sha1: string;
    servedAt: string;
    servedCount: number;
    lastCapfSessionAt: string | null;
  } | null;
}

export interface DoctorFacts {
  checkedAt: string;
  capfCertificate: { subjectDn: string; serialHex: string; sha1: string; notAfter: string; daysLeft: number };
  expiryWarningDays: number;
  capfEnabled: boolean;
  /** The CAPF port on this host. */
  capfLocal: ReachabilityFacts;
  /** The CAPF port at the address phones are told (cluster.publicHost), when it resolves. */
  capfPublic: ReachabilityFacts | null;
  tvs: ReachabilityFacts | null;
  /** The CAPF host name written into SEP<MAC>.cnf.xml and how it resolves (as phones see it). */
  capfHost: { name: string; address: string | null; error: string | null };
  /** ITLFile.tlv on each TFTP node. */
  itls: ItlFacts[];
  authFailureLimit: number;
  manufacturingCaConfigured: boolean;
  /** The TLS policy each TLS listener uses (shared/tls-policy.ts). */
  tls: TlsPolicyFacts[];
  /** Identity certificates lacking what phones require (pki/identity-requirements.ts), by identity. */
  identityProblems: { name: string; problems: string[] }[];
  phone: PhoneFacts | null;
}

export interface TlsPolicyFacts {
  listener: string;
  profile: string;
  minVersion: string;
  maxVersion: string;
  ciphers: string;
  groups: string;
  overridden: string[];
  weaknesses: string[];
}
