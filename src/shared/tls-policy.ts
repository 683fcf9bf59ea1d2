// Owns the TLS policy of the listeners that speak TLS (CAPF 3804, TVS 2445, HTTPS provisioning 6971, the REST
// API): the named profiles, how a listener's settings (profile plus overrides) resolve to node:tls options, and
// which settings are weak. Pure apart from asking OpenSSL (node:tls) whether a cipher string selects anything.

import tls from 'node:tls';
import { AppError } from './errors.ts';

export const TLS_LISTENERS = ['capf', 'tvs', 'https', 'api'] as const;
export type TlsListener = (typeof TLS_LISTENERS)[number];

export const TLS_PROFILES = ['modern', 'compatible', 'legacy-7900'] as const;
export type TlsProfileName = (typeof TLS_PROFILES)[number];

export const TLS_VERSIONS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;
export type TlsVersion = (typeof TLS_VERSIONS)[number];

/** TLS 1.3 suites (OpenSSL names); node:tls accepts them in the same `ciphers` string as the TLS 1.2 list. */
const TLS13_SUITES = ['TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_GCM_SHA256'];
/** TLS 1.2 suites with forward secrecy and an AEAD cipher only. */
const TLS12_AEAD = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
];

interface TlsProfile {
  summary: string;
  minVersion: TlsVersion;
  maxVersion: TlsVersion;
  /** OpenSSL cipher string; null: Node's default list (tls.DEFAULT_CIPHERS). */
  ciphers: string | null;
  /** Key-exchange groups (node's ecdhCurve); null: OpenSSL's default ("auto"). */
  groups: string | null;
}

/** The named profiles. `compatible` is what every listener used before TLS policies existed. */
export const PROFILES: Readonly<Record<TlsProfileName, TlsProfile>> = {
  modern: {
    summary: 'TLS 1.3, and TLS 1.2 with ECDHE + AEAD (GCM, ChaCha20-Poly1305) suites only',
    minVersion: 'TLSv1.2',
    maxVersion: 'TLSv1.3',
    ciphers: [...TLS13_SUITES, ...TLS12_AEAD].join(':'),
    groups: 'X25519:P-256:P-384',
  },
  compatible: {
    summary: "TLS 1.2 and 1.3 with Node's default suites (includes RSA key transport and CBC for older phones)",
    minVersion: 'TLSv1.2',
    maxVersion: 'TLSv1.3',
    ciphers: null,
    groups: null,
  },
  'legacy-7900': {
    summary: 'TLS 1.0 to 1.3 at OpenSSL security level 0, for 7900-series phones (was capf.legacyTls)',
    minVersion: 'TLSv1',
    maxVersion: 'TLSv1.3',
    ciphers: 'DEFAULT:@SECLEVEL=0',
    groups: null,
  },
};

/** A listener's configured settings: a profile and overrides (null: the profile's value). */
export interface TlsSettings {
  profile: TlsProfileName;
  minVersion: TlsVersion | null;
  maxVersion: TlsVersion | null;
  ciphers: string | null;
  groups: string | null;
}

/** What a listener actually uses (shown by doctor/status) and the node:tls options that give it. */
export interface EffectiveTlsPolicy {
  listener: TlsListener;
  profile: TlsProfileName;
  summary: string;
  minVersion: TlsVersion;
  maxVersion: TlsVersion;
  /** The cipher string handed to OpenSSL (Node's default list when the profile has none). */
  ciphers: string;
  groups: string;
  /** Which settings differ from the profile. */
  overridden: ('minVersion' | 'maxVersion' | 'ciphers' | 'groups')[];
  /** Plain-language weak points (empty for modern/compatible without overrides). */
  weaknesses: string[];
}

const rank = (v: TlsVersion) => TLS_VERSIONS.indexOf(v);

function invalid(where: string, message: string): AppError {
  return new AppError('ERR_CONFIG_INVALID', `${where}: ${message}`);
}

/**
 * Resolve a listener's settings. Throws ERR_CONFIG_INVALID (naming the option) when the versions are upside
 * down or OpenSSL accepts none of the ciphers or groups, so a bad policy stops start-up instead of failing
 * every handshake later.
 */
export function resolveTlsPolicy(listener: TlsListener, s: TlsSettings): EffectiveTlsPolicy {
  const p = PROFILES[s.profile];
  const key = (k: string) => `tls.${listener}.${k}`;
  const minVersion = s.minVersion ?? p.minVersion;
  const maxVersion = s.maxVersion ?? p.maxVersion;
  if (rank(minVersion) > rank(maxVersion))
    throw invalid(key('minVersion'), `${minVersion} is above ${key('maxVersion')} ${maxVersion}`);
  const ciphers = s.ciphers ?? p.ciphers ?? tls.DEFAULT_CIPHERS;
  const groups = s.groups ?? p.groups ?? 'auto';
  try {
    tls.createSecureContext({ ciphers });
  } catch (e) {
    throw invalid(key('ciphers'), `OpenSSL selects no cipher from "${ciphers}" (${(e as Error).message})`);
  }
  try {
    tls.createSecureContext({ ecdhCurve: groups });
  } catch (e) {
    throw invalid(key('groups'), `OpenSSL does not know the groups "${groups}" (${(e as Error).message})`);
  }
  const overridden = (['minVersion', 'maxVersion', 'ciphers', 'groups'] as const).filter((k) => s[k] !== null);
  return {
    listener,
    profile: s.profile,
    summary: p.summary,
    minVersion,
    maxVersion,
    ciphers,
    groups,
    overridden,
    weaknesses: weaknessesOf(minVersion, ciphers),
  };
}

function weaknessesOf(minVersion: TlsVersion, ciphers: string): string[] {
  const out: string[] = [];
  if (rank(minVersion) < rank('TLSv1.2')) out.push(`accepts ${minVersion} (TLS 1.0/1.1 are deprecated by RFC 8996)`);
  if (/@SECLEVEL=0/i.test(ciphers)) out.push('OpenSSL security level 0 (weak keys, SHA-1 and small DH allowed)');
  if (/(^|:)(ALL|COMPLEMENTOFALL|eNULL|aNULL|NULL|EXPORT|RC4|DES|MD5)(:|$)/.test(ciphers))
    out.push('the cipher string names NULL, export, RC4, DES or MD5 suites');
  return out;
}

/** The node:tls options a listener's secure context takes from its policy. */
export type TlsServerOptions = Pick<tls.SecureContextOptions, 'minVersion' | 'maxVersion' | 'ciphers' | 'ecdhCurve'> & {
  honorCipherOrder: boolean;
};

/** The node:tls server options for a resolved policy. */
export function tlsServerOptions(p: EffectiveTlsPolicy): TlsServerOptions {
  return {
    minVersion: p.minVersion,
    maxVersion: p.maxVersion,
    ciphers: p.ciphers,
    ecdhCurve: p.groups,
    honorCipherOrder: true,
  };
}
