// Owns wiring provisioning (trust lists, phone configs, file catalogue, TVS authority) to the identity
// service, the store and files under <dataDir>/provisioning, and noticing changes other processes make.
//
// Files: <dataDir>/provisioning/itl-signer   "localkey" after `opencapf itl reset localkey`
//        <dataDir>/provisioning/pinned/<ITLSEP|CTLSEP><MAC>.tlv   per-phone overrides (`opencapf itl pin`)
// The previous certificate's replacement time is the mtime of <dataDir>/pki/<name>.previous.crt.pem
// (written by the key store when it archives the old identity).

import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, watch, writeFileSync, renameSync, type FSWatcher } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../config/index.ts';
import type { Clock } from '../shared/clock.ts';
import { AppError } from '../shared/errors.ts';
import { parseCertificate, pemBundleToDers, type CertificateInfo, type IdentityService } from '../pki/index.ts';
import type { PhoneStore } from '../phones/ports.ts';
import { DEFAULT_PROFILE_NAME } from '../phones/model.ts';
import { parseTrustList } from '../trust/index.ts';
import { createTrustFiles, type ClusterIdentityName, type SigningMode, type TrustFiles } from '../provisioning/trust-files.ts';
import { createFileCatalogue, type FileCatalogue, type ProvisionedPhone } from '../provisioning/catalogue.ts';
import { parseCallManagers, type PhoneConfigCluster } from '../provisioning/phone-config.ts';
import { createClusterTvsAuthority } from '../provisioning/tvs-authority.ts';
import { createDirectorySource } from '../provisioning/tftp/index.ts';
import type { TvsAuthority } from '../tvs/ports.ts';
import type { Logger } from './logger.ts';

export const PINNABLE_NAME = /^(ITL|CTL)SEP[0-9A-F]{12}\.tlv$/;

export interface Provisioning {
  trust: TrustFiles;
  catalogue: FileCatalogue;
  tvsAuthority: TvsAuthority;
  /** The host written into SEP<MAC>.cnf.xml for CAPF and TVS. */
  publicHost: string;
  /** The port a listener actually bound (differs from the configuration only with port 0, in tests). */
  advertise(service: 'capf' | 'tvs', port: number): void;
  signingMode(): SigningMode;
  setSigningMode(mode: SigningMode): void;
  pin(fileName: string, bytes: Buffer): void;
  unpin(fileName: string): boolean;
  pinned(): string[];
  /** Re-reads identities and provisioning files from disk; fires identity listeners for what changed. */
  refreshFromDisk(): { identities: string[] };
  /**
   * Watches <dataDir>/pki and <dataDir>/provisioning (debounced) plus a slow mtime poll; returns a stopper.
   * Every provisioning listener calls it; one watcher runs while any of them holds it.
   */
  watch(): () => void;
}

export interface ProvisioningDeps {
  config: Config;
  logger: Logger;
  clock: Clock;
  identities: IdentityService;
  phoneStore: PhoneStore;
}

/** cluster.publicHost, else the first non-internal IPv4 address, else 127.0.0.1. */
export function defaultPublicHost(config: Config): string {
  if (config['cluster.publicHost']) return config['cluster.publicHost'];
  if (config.host !== '0.0.0.0' && config.host !== '::') return config.host;
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

const WATCH_DEBOUNCE_MS = 200;
const POLL_INTERVAL_MS = 5_000;

export function createProvisioning(d: ProvisioningDeps): Provisioning {
  const { config, identities } = d;
  const log = d.logger.child({ component: 'provisioning' });
  const pkiDir = join(config.dataDir, 'pki');
  const provDir = join(config.dataDir, 'provisioning');
  const pinDir = join(provDir, 'pinned');
  const signerFile = join(provDir, 'itl-signer');
  const publicHost = defaultPublicHost(config);

  // Disk state read once and kept until a change is noticed (watch/poll) or made in-process.
  const previousCache = new Map<ClusterIdentityName, { certificate: CertificateInfo; replacedAt: Date } | null>();
  let mode: SigningMode | null = null;
  let pins: Map<string, Buffer> | null = null;

  function readPrevious(name: ClusterIdentityName) {
    if (!previousCache.has(name)) {
      const path = join(pkiDir, `${name}.previous.crt.pem`);
      let v: { certificate: CertificateInfo; replacedAt: Date } | null = null;
      if (existsSync(path)) {
        const der = pemBundleToDers(readFileSync(path, 'utf8'))[0];
        if (der) v = { certificate: parseCertificate(der), replacedAt: statSync(path).mtime };
      }
      previousCache.set(name, v);
    }
    return previousCache.get(name)!;
  }
  function readMode(): SigningMode {
    if (mode === null) mode = existsSync(signerFile) && readFileSync(signerFile, 'utf8').trim() === 'localkey' ? 'localkey' : 'normal';
    return mode;
  }
  function readPins(): Map<string, Buffer> {
    if (!pins) {
      pins = new Map();
      if (existsSync(pinDir)) for (const f of readdirSync(pinDir)) if (PINNABLE_NAME.test(f)) pins.set(f, readFileSync(join(pinDir, f)));
    }
    return pins;
  }
  let changedAtCache: Date | null = null;
  /** Newest mtime among the certificates, their archived predecessors and the signing-mode state. */
  function readChangedAt(): Date {
    if (!changedAtCache) {
      let ms = 0;
      const names = ['capf', 'itlrecovery', 'tftp', 'tvs'].flatMap((n) => [`${n}.crt.pem`, `${n}.previous.crt.pem`]).map((f) => join(pkiDir, f));
      for (const path of [...names, signerFile, provDir]) {
        if (existsSync(path)) ms = Math.max(ms, statSync(path).mtimeMs);
      }
      changedAtCache = new Date(ms);
    }
    return changedAtCache;
  }
  function forgetDiskState(): void {
    previousCache.clear();
    mode = null;
    pins = null;
    changedAtCache = null;
  }

  const trust = createTrustFiles(
    {
      current: (name) => identities.get(name),
      previous: readPrevious,
      signingMode: readMode,
      changedAt: readChangedAt,
    },
    {
      nodeName: config['cluster.nodeName'],
      mixedMode: config['cluster.mixedMode'],
      transitionHours: config['itl.transitionHours'],
      now: () => d.clock.now(),
      onWarnings: (kind, warnings) => {
        for (const w of warnings) log.warn({ kind, code: w.code }, `${kind}: ${w.message}`);
      },
    },
  );

  const callManagers = config['provisioning.callManagers']
    ? (() => {
        try {
          return parseCallManagers(config['provisioning.callManagers']);
        } catch (e) {
          throw new AppError('ERR_CONFIG_INVALID', `provisioning.callManagers: ${(e as Error).message}`);
        }
      })()
    : [{ processNodeName: publicHost, sipPort: 5060, securedSipPort: 5061 }];
  const ports = { capf: config['capf.port'], tvs: config['tvs.port'] };
  const cluster = (): PhoneConfigCluster => ({
    capfServers: [{ host: publicHost, port: ports.capf }],
    tvsMembers: config['tvs.enabled'] ? [{ address: publicHost, port: ports.tvs }] : [],
    callManagers,
    loadInformation: config['provisioning.loadInformation'],
  });

  const profileCache = new Map<string, { at: number; p: Awaited<ReturnType<PhoneStore['getProfile']>> }>();
  const PROFILE_CACHE_MS = 2_000;
  async function profile(name: string) {
    const hit = profileCache.get(name);
    if (hit && Date.now() - hit.at < PROFILE_CACHE_MS) return hit.p;
    const p = await d.phoneStore.getProfile(name);
    profileCache.set(name, { at: Date.now(), p });
    return p;
  }

  const catalogue = createFileCatalogue({
    trust,
    phones: {
      async lookup(deviceName): Promise<ProvisionedPhone | null> {
        const phone = await d.phoneStore.getPhone(deviceName);
        if (!phone) return null;
        const prof = await profile(phone.profileName ?? DEFAULT_PROFILE_NAME);
        let der: Buffer | null = null;
        if (prof?.encryptedConfig && phone.lsc) der = (await d.phoneStore.getCertificate(phone.lsc.serialHex))?.der ?? null;
        return {
          deviceName: phone.deviceName,
          description: phone.description,
          configVersion: phone.configVersion,
          authMode: phone.capf.authMode,
          deviceSecurityMode: prof?.deviceSecurityMode ?? 'non-secure',
          encryptedConfig: prof?.encryptedConfig ?? false,
          deviceCertificateDer: der,
          stamp: `${phone.configVersion}|${phone.updatedAt}|${phone.lsc?.serialHex ?? '-'}|${prof?.name ?? '-'}|${prof?.updatedAt ?? '-'}`,
        };
      },
    },
    overrides: { get: (name) => readPins().get(name) ?? null },
    staticFiles: config['provisioning.staticDir'] ? createDirectorySource(config['provisioning.staticDir']) : null,
    cluster,
    tftpSigner: () => {
      const id = identities.get('tftp');
      return { certificate: id.certificate, privateKey: id.privateKey };
    },
    now: () => d.clock.now(),
    onWarning: (deviceName, message) => log.warn({ deviceName }, message),
  });

  identities.onChange((name) => {
    previousCache.delete(name as ClusterIdentityName);
    changedAtCache = null;
    if (name === 'tftp') catalogue.invalidate();
    log.info({ identity: name }, `${name} certificate changed: trust lists and signed configurations are rebuilt`);
  });

  const tvsAuthority = createClusterTvsAuthority(trust, config['tvs.ttlSeconds']);

  function refreshFromDisk() {
    forgetDiskState();
    const changed = identities.refresh();
    return { identities: changed };
  }

  function writeAtomic(path: string, data: Buffer | string): void {
    mkdirSync(provDir, { recursive: true });
    const tmp = `${path}.tmp-${process.pid}`;
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  }

  let holders = 0;
  let stopWatching: (() => void) | null = null;

  return {
    trust,
    catalogue,
    tvsAuthority,
    publicHost,
    advertise(service, port) {
      if (ports[service] === port) return;
      ports[service] = port;
      catalogue.invalidate();
    },
    signingMode: readMode,
    setSigningMode(m) {
      if (m === 'localkey') writeAtomic(signerFile, 'localkey\n');
      else rmSync(signerFile, { force: true });
      mode = m;
      changedAtCache = null;
    },
    pin(fileName, bytes) {
      if (!PINNABLE_NAME.test(fileName)) throw new AppError('ERR_BAD_REQUEST', `only ITLSEP<MAC>.tlv and CTLSEP<MAC>.tlv can be pinned (MAC = 12 upper-case hex digits), not ${JSON.stringify(fileName)}`);
      try {
        parseTrustList(bytes);
      } catch (e) {
        throw new AppError('ERR_BAD_REQUEST', `not a trust list (.tlv): ${(e as Error).message}`);
      }
      mkdirSync(pinDir, { recursive: true });
      writeAtomic(join(pinDir, fileName), bytes);
      pins = null;
    },
    unpin(fileName) {
      const path = join(pinDir, fileName);
      if (!PINNABLE_NAME.test(fileName) || !existsSync(path)) return false;
      rmSync(path);
      pins = null;
      return true;
    },
    pinned: () => [...readPins().keys()].sort(),
    refreshFromDisk,
    watch() {
      holders++;
      if (!stopWatching) stopWatching = startWatching();
      let released = false;
      return () => {
        if (released) return;
        released = true;
        if (--holders === 0 && stopWatching) {
          stopWatching();
          stopWatching = null;
        }
      };
    },
  };

  function startWatching(): () => void {
    mkdirSync(provDir, { recursive: true });
    let timer: NodeJS.Timeout | null = null;
    const fire = () => {
      timer = null;
      try {
        const r = refreshFromDisk();
        if (r.identities.length > 0) log.info({ identities: r.identities }, 'identities changed on disk (another process): reloaded');
      } catch (e) {
        // A half-written pair (key written, certificate not yet): the next event or poll retries.
        log.warn({ err: (e as Error).message }, 'reading changed identities failed; retrying on the next change');
      }
    };
    const schedule = () => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(fire, WATCH_DEBOUNCE_MS);
      timer.unref();
    };
    const watchers: FSWatcher[] = [];
    for (const dir of [pkiDir, provDir, pinDir]) {
      try {
        mkdirSync(dir, { recursive: true });
        const w = watch(dir, { persistent: false }, schedule);
        w.on('error', (e) => log.warn({ dir, err: e.message }, 'file watch failed; relying on polling'));
        watchers.push(w);
      } catch (e) {
        log.warn({ dir, err: (e as Error).message }, 'cannot watch directory; relying on polling');
      }
    }
    // fs.watch misses events on some file systems (NFS, some containers): a cheap mtime poll backs it up.
    const snapshot = () => [pkiDir, provDir, pinDir].map((dir) => {
      try {
        return readdirSync(dir).map((f) => `${f}:${statSync(join(dir, f)).mtimeMs}`).join(',');
      } catch {
        return '';
      }
    }).join('|');
    let last = snapshot();
    const poll = setInterval(() => {
      const now = snapshot();
      if (now !== last) {
        last = now;
        schedule();
      }
    }, POLL_INTERVAL_MS);
    poll.unref();
    return () => {
      clearInterval(poll);
      if (timer) clearTimeout(timer);
      for (const w of watchers) w.close();
    };
  }
}
