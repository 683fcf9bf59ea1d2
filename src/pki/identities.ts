// Owns the cluster's identities (CAPF CA, ITLRecovery SAST, TFTP/CallManager, TVS): generated on first
// start, listed, regenerated (the old one kept as "previous" for transitions), CSR and import.

import { createPublicKey, randomBytes, X509Certificate as NodeX509, type KeyObject } from 'node:crypto';
import { AppError } from '../shared/errors.ts';
import type { Clock } from '../shared/clock.ts';
import type { KeyStore } from './ports.ts';
import { bufferSource, x509 } from './crypto-provider.ts';
import {
  generateKeyPair,
  parseKeySpec,
  privateKeyFromPem,
  privateKeyPem,
  signatureParams,
  toCryptoKeyPair,
  keySpecOf,
  spkiDer,
} from './keys.ts';
import { createSelfSignedIdentity, subjectAttributes, type IdentityRole, type SubjectTemplate } from './profiles.ts';
import { derToPem, parseCertificate, pemBundleToDers, isIssuedBy, type CertificateInfo } from './certificate-info.ts';
import { formatDn } from './names.ts';
import { describeIdentityProblems, identityProblems } from './identity-requirements.ts';

export const IDENTITIES = {
  capf: {
    role: 'capf',
    purpose: 'CAPF',
    description: 'CAPF certificate authority: signs LSCs, serves CAPF TLS (3804)',
  },
  itlrecovery: {
    role: 'itlrecovery',
    purpose: 'ITLRecovery',
    description: 'System Administrator Security Token: signs ITL files, recovery key',
  },
  tftp: {
    role: 'tftp',
    purpose: 'CallManager',
    description: 'TFTP/CallManager certificate: signs configuration files, HTTPS 6971',
  },
  tvs: { role: 'tvs', purpose: 'TVS', description: 'Trust Verification Service certificate (TLS 2445)' },
} as const satisfies Record<string, { role: IdentityRole; purpose: string; description: string }>;
export type IdentityName = keyof typeof IDENTITIES;

export function isIdentityName(s: string): s is IdentityName {
  return Object.hasOwn(IDENTITIES, s);
}

export interface IdentitySettings {
  nodeName: string;
  subject: SubjectTemplate;
  capfKeyType: string;
  capfValidityDays: number;
}

export interface LoadedIdentity {
  name: IdentityName;
  certificate: CertificateInfo;
  chain: CertificateInfo[];
  privateKey: KeyObject;
  certPem: string;
  keyPem: string;
}

/** Where a staged rotation keeps the next identity of `name` in the key store. */
const nextName = (name: IdentityName) => `${name}.next`;

const VALIDITY_DAYS: Record<IdentityName, number | 'capf'> = { capf: 'capf', itlrecovery: 7300, tftp: 1825, tvs: 1825 };

export type IdentityListener = (
  name: IdentityName,
  reason: 'generated' | 'regenerated' | 'imported' | 'reloaded',
) => void;

export interface IdentityService {
  /** Generates any identity that does not exist yet; returns the names it generated. */
  ensureAll(): Promise<IdentityName[]>;
  get(name: IdentityName): LoadedIdentity;
  /** The identity before the last regenerate/import, if kept. */
  previous(name: IdentityName): CertificateInfo | null;
  list(): LoadedIdentity[];
  regenerate(name: IdentityName): Promise<LoadedIdentity>;
  /**
   * Staged rotation: generates the NEXT key and certificate of an identity, kept apart as `<name>.next`
   * (key 0600) and not used for anything until promoteNext. Replaces a next identity staged before.
   */
  stageNext(name: IdentityName): Promise<LoadedIdentity>;
  /** The staged next identity, read from disk, or null. */
  staged(name: IdentityName): LoadedIdentity | null;
  /**
   * Makes the staged next identity the current one (the current one is archived as previous, as a
   * regenerate does); refuses when none is staged or it is not the certificate with this SHA-1.
   */
  promoteNext(name: IdentityName, expectedSha1: string): LoadedIdentity;
  /** Deletes the staged next identity, if any. */
  discardNext(name: IdentityName): void;
  createCsr(name: IdentityName): Promise<string>;
  /** Imports a CA-signed certificate (PEM, leaf first, optional chain) for the existing key. */
  importCertificate(name: IdentityName, pem: string): LoadedIdentity;
  /** Re-reads files (another process, e.g. the CLI, may have changed them). */
  reload(): void;
  /**
   * Re-reads every identity from disk and emits 'reloaded' for each whose certificate changed since it
   * was last read (another process ran `cert regenerate` / `cert import`); returns those names.
   */
  refresh(): IdentityName[];
  onChange(listener: IdentityListener): void;
}

export function createIdentityService(store: KeyStore, settings: IdentitySettings, clock: Clock): IdentityService {
  const cache = new Map<IdentityName, LoadedIdentity>();
  const listeners: IdentityListener[] = [];
  const emit: IdentityListener = (n, r) => {
    for (const l of listeners) l(n, r);
  };

  function subjectFor(name: IdentityName) {
    const node = settings.nodeName;
    const cn =
      name === 'capf'
        ? `CAPF-${randomBytes(4).toString('hex')}`
        : name === 'itlrecovery'
          ? `ITLRECOVERY_${node}`
          : node;
    return subjectAttributes(cn, settings.subject);
  }

  function loadOne(name: IdentityName, storedAs: string = name): LoadedIdentity | null {
    const stored = store.load(storedAs);
    if (!stored) return null;
    const ders = pemBundleToDers(stored.certPem);
    if (ders.length === 0) throw new AppError('ERR_PKI_BAD_CERT', `stored certificate for ${name} is empty`);
    const [leaf, ...chain] = ders.map((d) => parseCertificate(d));
    return {
      name,
      certificate: leaf!,
      chain,
      privateKey: privateKeyFromPem(stored.keyPem),
      certPem: stored.certPem,
      keyPem: stored.keyPem,
    };
  }

  /** A new key and self-signed certificate for the identity, saved under `storedAs`. */
  async function mint(name: IdentityName, storedAs: string): Promise<void> {
    const spec = name === 'capf' ? parseKeySpec(settings.capfKeyType) : { type: 'rsa' as const, bits: 2048 };
    const keys = await generateKeyPair(spec);
    const v = VALIDITY_DAYS[name];
    const cert = await createSelfSignedIdentity({
      role: IDENTITIES[name].role,
      subject: subjectFor(name),
      keys,
      validityDays: v === 'capf' ? settings.capfValidityDays : v,
      now: clock.now(),
    });
    store.save(storedAs, { keyPem: privateKeyPem(keys.privateKey), certPem: derToPem(cert.der) });
  }

  async function generate(name: IdentityName): Promise<LoadedIdentity> {
    await mint(name, name);
    const loaded = loadOne(name)!;
    cache.set(name, loaded);
    return loaded;
  }

  const svc: IdentityService = {
    async ensureAll() {
      const made: IdentityName[] = [];
      for (const name of Object.keys(IDENTITIES) as IdentityName[]) {
        const existing = loadOne(name);
        if (existing) cache.set(name, existing);
        else {
          await generate(name);
          made.push(name);
          emit(name, 'generated');
        }
      }
      return made;
    },
    get(name) {
      let id = cache.get(name);
      if (!id) {
        id = loadOne(name) ?? undefined;
        if (!id)
          throw new AppError(
            'ERR_PKI_UNKNOWN_IDENTITY',
            `identity ${name} has not been generated yet (start opencapf ` +
              `serve once, or run opencapf cert regenerate ${name})`,
          );
        cache.set(name, id);
      }
      return id;
    },
    previous(name) {
      const p = store.loadPrevious(name);
      if (!p) return null;
      const ders = pemBundleToDers(p.certPem);
      return ders[0] ? parseCertificate(ders[0]) : null;
    },
    list() {
      return (Object.keys(IDENTITIES) as IdentityName[]).map((n) => svc.get(n));
    },
    async regenerate(name) {
      store.archive(name);
      const id = await generate(name);
      emit(name, 'regenerated');
      return id;
    },
    async stageNext(name) {
      await mint(name, nextName(name));
      return loadOne(name, nextName(name))!;
    },
    staged(name) {
      return loadOne(name, nextName(name));
    },
    promoteNext(name, expectedSha1) {
      const next = store.load(nextName(name));
      const parsed = next ? loadOne(name, nextName(name)) : null;
      if (!next || !parsed)
        throw new AppError('ERR_CONFLICT', `no next ${name} identity is staged (${nextName(name)} is missing)`);
      if (parsed.certificate.sha1 !== expectedSha1)
        throw new AppError(
          'ERR_CONFLICT',
          `the staged next ${name} certificate (SHA-1 ${parsed.certificate.sha1}) is not the one ` +
            `the rotation listed (SHA-1 ${expectedSha1})`,
        );
      store.archive(name);
      store.save(name, next);
      store.remove(nextName(name));
      cache.set(name, loadOne(name)!);
      emit(name, 'regenerated');
      return svc.get(name);
    },
    discardNext(name) {
      store.remove(nextName(name));
    },
    async createCsr(name) {
      const id = svc.get(name);
      const crypto = await toCryptoKeyPair({ privateKey: id.privateKey, publicKey: createPublicKey(id.privateKey) });
      const csr = await x509.Pkcs10CertificateRequestGenerator.create({
        name: formatDn(id.certificate.subject),
        keys: crypto,
        signingAlgorithm: signatureParams(keySpecOf(id.privateKey)),
        extensions: new x509.X509Certificate(bufferSource(id.certificate.der)).extensions.filter(
          (e) => e.type !== '2.5.29.14' && e.type !== '2.5.29.35',
        ),
      });
      return csr.toString('pem');
    },
    importCertificate(name, pem) {
      const id = svc.get(name);
      const ders = pemBundleToDers(pem);
      if (ders.length === 0) throw new AppError('ERR_PKI_BAD_CERT', 'no PEM certificate in the file');
      const leaf = parseCertificate(ders[0]!);
      if (!spkiDer(new NodeX509(leaf.der).publicKey).equals(spkiDer(id.privateKey))) {
        throw new AppError(
          'ERR_PKI_KEY_MISMATCH',
          `the certificate's public key does not match ${name}'s ` +
            `private key (generate a CSR with opencapf cert csr ${name})`,
        );
      }
      // The chain must link leaf -> ... -> a self-signed root, each signature verifying.
      const chain = ders.slice(1).map((d) => parseCertificate(d));
      let cur = leaf;
      for (const next of chain) {
        if (!isIssuedBy(cur.der, next.der))
          throw new AppError(
            'ERR_PKI_CHAIN',
            `${cur.subjectDn} is not signed by the next certificate in the file (${next.subjectDn})`,
          );
        cur = next;
      }
      if (!(cur.selfSigned && isIssuedBy(cur.der, cur.der))) {
        throw new AppError(
          'ERR_PKI_CHAIN',
          `the chain ends at ${cur.subjectDn}, which is not a self-signed root: include the issuing CA certificates`,
        );
      }
      if (name === 'capf' && !leaf.isCa)
        throw new AppError(
          'ERR_PKI_CHAIN',
          'a CAPF certificate must be a CA certificate (basicConstraints CA:TRUE) to sign LSCs',
        );
      const problems = identityProblems(IDENTITIES[name].role, leaf.der);
      if (problems.length > 0)
        throw new AppError(
          'ERR_PKI_EXTENSION',
          `the ${name} certificate lacks what phones require: ${describeIdentityProblems(problems)}. ` +
            `Have it issued again with these extensions (opencapf cert csr ${name} carries them)`,
        );
      store.archive(name);
      store.save(name, { keyPem: id.keyPem, certPem: ders.map((d) => derToPem(d)).join('') });
      const loaded = loadOne(name)!;
      cache.set(name, loaded);
      emit(name, 'imported');
      return loaded;
    },
    reload() {
      cache.clear();
    },
    refresh() {
      const changed: IdentityName[] = [];
      for (const name of Object.keys(IDENTITIES) as IdentityName[]) {
        const before = cache.get(name);
        const now = loadOne(name);
        if (!now) continue;
        cache.set(name, now);
        if (before && before.certificate.sha1 !== now.certificate.sha1) changed.push(name);
      }
      for (const name of changed) emit(name, 'reloaded');
      return changed;
    },
    onChange(l) {
      listeners.push(l);
    },
  };
  return svc;
}
