// Owns the provisioning service: trust lists, phone configurations, the file catalogue of TFTP/HTTP and the
// TVS authority, over narrow ports (identities, the phone records it reads, the state kept in files), with
// every time read from the injected Clock.

import { createHash } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import type { Clock } from '../shared/clock.ts';
import { AppError } from '../shared/errors.ts';
import type { CertificateInfo, IdentityService } from '../pki/index.ts';
import type { PhoneStore } from '../phones/ports.ts';
import { DEFAULT_PROFILE_NAME } from '../phones/model.ts';
import { parseTrustList } from '../trust/index.ts';
import type { TvsAuthority } from '../tvs/ports.ts';
import { createTrustFiles, type ClusterIdentityName, type SigningMode, type TrustFiles } from './trust-files.ts';
import { createFileCatalogue, type FileCatalogue, type ProvisionedPhone } from './catalogue.ts';
import { parseCallManagers, type PhoneConfigCluster } from './phone-config.ts';
import { createClusterTvsAuthority, type ForeignTrustSource } from './tvs-authority.ts';
import { createDirectorySource } from './tftp/index.ts';
import { PINNABLE_NAME, type ProvisioningState } from './file-state.ts';

export { PINNABLE_NAME };

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
  /** The rollback ("empty") ITL is served (tlv-files.md §9.6). */
  rollback(): boolean;
  setRollback(on: boolean): void;
  pin(fileName: string, bytes: Buffer): void;
  unpin(fileName: string): boolean;
  pinned(): string[];
  /** Re-reads identities and provisioning files from disk; fires identity listeners for what changed. */
  refreshFromDisk(): { identities: string[] };
  /**
   * Watches the provisioning state for changes other processes make; returns a stopper. Every
   * provisioning listener calls it; one watcher runs while any of them holds it.
   */
  watch(): () => void;
}

export interface ProvisioningLogger {
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
}

export interface ProvisioningSettings {
  nodeName: string;
  mixedMode: boolean;
  transitionHours: number;
  publicHost: string;
  /** provisioning.callManagers as configured ('' or null: this node on 5060/5061). */
  callManagers: string | null;
  loadInformation: string | null;
  staticDir: string | null;
  capfPort: number;
  tvsPort: number;
  tvsEnabled: boolean;
  tvsTtlSeconds: number;
}

export interface ProvisioningDeps {
  settings: ProvisioningSettings;
  logger: ProvisioningLogger;
  clock: Clock;
  identities: Pick<IdentityService, 'get' | 'refresh' | 'onChange'>;
  phones: Pick<PhoneStore, 'getPhone' | 'getProfile' | 'getCertificate'>;
  state: ProvisioningState;
  /** Told of every file request answered (ITL File Status: itl-status-recorder.ts). */
  onServed?: (f: import('./catalogue.ts').ServedFile) => void;
  /** Certificates of other clusters TVS vouches for as well (`opencapf tvs trust import`). */
  foreignTrust?: ForeignTrustSource;
}

/**
 * cluster.publicHost, else the bind address unless a wildcard, else the first non-internal IPv4 address, else
 * 127.0.0.1.
 */
export function defaultPublicHost(o: { publicHost: string | null; host: string }): string {
  if (o.publicHost) return o.publicHost;
  if (o.host !== '0.0.0.0' && o.host !== '::') return o.host;
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

/** Profiles change rarely and every phone's file reads one: a short cache spares the store during a boot storm. */
const PROFILE_CACHE_MS = 2_000;

export function createProvisioning(d: ProvisioningDeps): Provisioning {
  const { settings: s, identities, state, clock } = d;
  const log = d.logger;
  const publicHost = s.publicHost;

  // A damaged rotation record lists no next certificate (phones keep trusting the current signer); it is
  // logged once per distinct fault, not on every file served.
  let lastRotationFault = '';
  const nextTftp = (): CertificateInfo | null => {
    try {
      const r = state.rotation();
      lastRotationFault = '';
      return r?.phase === 'staged' ? r.next : null;
    } catch (e) {
      const msg = (e as Error).message;
      if (msg !== lastRotationFault) log.warn({ err: msg }, 'signer rotation record unreadable: no next TFTP listed');
      lastRotationFault = msg;
      return null;
    }
  };

  const trust = createTrustFiles(
    {
      current: (name) => identities.get(name),
      next: () => nextTftp(),
      previous: (name) => state.previous(name),
      signingMode: () => state.signingMode(),
      rollback: () => state.rollback(),
      changedAt: () => state.changedAt(),
    },
    {
      nodeName: s.nodeName,
      mixedMode: s.mixedMode,
      transitionHours: s.transitionHours,
      now: () => clock.now(),
      onWarnings: (kind, warnings) => {
        for (const w of warnings) log.warn({ kind, code: w.code }, `${kind}: ${w.message}`);
      },
      // Which ITLs listed the next certificate: `itl rotate status/finish` count the phones that fetched one.
      onBuilt: (kind, built) => {
        if (kind !== 'ITL' || !built.nextTftp) return;
        const itlSha1 = createHash('sha1').update(built.bytes).digest('hex');
        try {
          state.noteRotationItl(built.nextTftp.sha1, itlSha1);
        } catch (e) {
          // Serving goes on; the rotation only counts this ITL's phones as not yet on it (finish stays safe).
          log.warn({ err: (e as Error).message, itlSha1 }, 'cannot record the rotation ITL');
        }
      },
    },
  );

  const callManagers = s.callManagers
    ? (() => {
        try {
          return parseCallManagers(s.callManagers);
        } catch (e) {
          throw new AppError('ERR_CONFIG_INVALID', `provisioning.callManagers: ${(e as Error).message}`);
        }
      })()
    : [{ processNodeName: publicHost, sipPort: 5060, securedSipPort: 5061 }];
  const ports = { capf: s.capfPort, tvs: s.tvsPort };
  const cluster = (): PhoneConfigCluster => ({
    capfServers: [{ host: publicHost, port: ports.capf }],
    tvsMembers: s.tvsEnabled ? [{ address: publicHost, port: ports.tvs }] : [],
    callManagers,
    loadInformation: s.loadInformation,
  });

  const profileCache = new Map<string, { at: number; p: Awaited<ReturnType<PhoneStore['getProfile']>> }>();
  async function profile(name: string) {
    const now = clock.now().getTime();
    const hit = profileCache.get(name);
    if (hit && now - hit.at < PROFILE_CACHE_MS && now >= hit.at) return hit.p;
    const p = await d.phones.getProfile(name);
    profileCache.set(name, { at: now, p });
    return p;
  }

  const catalogue = createFileCatalogue({
    ...(d.onServed ? { onServed: d.onServed } : {}),
    trust,
    phones: {
      async lookup(deviceName): Promise<ProvisionedPhone | null> {
        const phone = await d.phones.getPhone(deviceName);
        if (!phone) return null;
        const prof = await profile(phone.profileName ?? DEFAULT_PROFILE_NAME);
        let der: Buffer | null = null;
        if (prof?.encryptedConfig && phone.lsc) der = (await d.phones.getCertificate(phone.lsc.serialHex))?.der ?? null;
        return {
          deviceName: phone.deviceName,
          description: phone.description,
          configVersion: phone.configVersion,
          authMode: phone.capf.authMode,
          deviceSecurityMode: prof?.deviceSecurityMode ?? 'non-secure',
          encryptedConfig: prof?.encryptedConfig ?? false,
          deviceCertificateDer: der,
          stamp: [
            phone.configVersion,
            phone.updatedAt,
            phone.lsc?.serialHex ?? '-',
            prof?.name ?? '-',
            prof?.updatedAt ?? '-',
          ].join('|'),
        };
      },
    },
    overrides: { get: (name) => state.pins().get(name) ?? null },
    staticFiles: s.staticDir ? createDirectorySource(s.staticDir) : null,
    cluster,
    tftpSigner: () => {
      const id = identities.get('tftp');
      return { certificate: id.certificate, privateKey: id.privateKey };
    },
    now: () => clock.now(),
    onWarning: (deviceName, message) => log.warn({ deviceName }, message),
  });

  identities.onChange((name) => {
    state.forget(name as ClusterIdentityName);
    if (name === 'tftp') catalogue.invalidate();
    log.info({ identity: name }, `${name} certificate changed: trust lists and signed configurations are rebuilt`);
  });

  const tvsAuthority = createClusterTvsAuthority(trust, s.tvsTtlSeconds, d.foreignTrust);

  function refreshFromDisk() {
    state.forget();
    const changed = identities.refresh();
    return { identities: changed };
  }

  let holders = 0;
  let stopWatching: (() => void) | null = null;
  const onDiskChange = () => {
    try {
      const r = refreshFromDisk();
      if (r.identities.length > 0)
        log.info({ identities: r.identities }, 'identities changed on disk (another process): reloaded');
    } catch (e) {
      // A half-written pair (key written, certificate not yet): the next event or poll retries.
      log.warn({ err: (e as Error).message }, 'reading changed identities failed; retrying on the next change');
    }
  };

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
    signingMode: () => state.signingMode(),
    setSigningMode: (m) => state.setSigningMode(m),
    rollback: () => state.rollback(),
    setRollback: (on) => state.setRollback(on),
    pin(fileName, bytes) {
      if (!PINNABLE_NAME.test(fileName))
        throw new AppError(
          'ERR_BAD_REQUEST',
          'only ITLSEP<MAC>.tlv and CTLSEP<MAC>.tlv can be pinned (MAC ' +
            `= 12 upper-case hex digits), not ${JSON.stringify(fileName)}`,
        );
      try {
        parseTrustList(bytes);
      } catch (e) {
        throw new AppError('ERR_BAD_REQUEST', `not a trust list (.tlv): ${(e as Error).message}`);
      }
      state.pin(fileName, bytes);
    },
    unpin: (fileName) => state.unpin(fileName),
    pinned: () => [...state.pins().keys()].sort(),
    refreshFromDisk,
    watch() {
      holders++;
      if (!stopWatching) stopWatching = state.watch(onDiskChange);
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
}
