// Owns the two-cluster harness of the migration tests (issue 17): cluster A (the old one, cucm-a.opencapf.test) and
// cluster B (the new one, capf-b.opencapf.test), two complete OpenCAPF instances on 127.0.0.1 with their own data
// dirs, identities and ports, and one set of emulated phones — one manufacturing CA, one phone state store and one
// hosts map (both public names → 127.0.0.1) — so the same physical phone can be pointed at A or at B, as DHCP
// option 150 would.

import type { ConfigKey } from '../../src/config/index.ts';
import type { DoctorReport } from '../../src/doctor/index.ts';
import type { ScheduleRequest } from '../../src/phones/index.ts';
import {
  createFileFetcher,
  createKeyPool,
  createManufacturingCa,
  createMemoryStateStore,
  runFleet,
  type BootOptions,
  type FleetPhone,
  type FleetSummary,
  type BootResult,
  type ManufacturingCa,
  type PhoneDeps,
  type PhoneState,
} from '../../src/emulator/index.ts';
import { startTroubleshootingLab, type TroubleshootingLab } from './troubleshooting-lab.ts';

export type ClusterName = 'A' | 'B';

/** The names each cluster writes into SEP<MAC>.cnf.xml (CAPF and TVS host). */
export const CLUSTER_HOSTS: Readonly<Record<ClusterName, string>> = {
  A: 'cucm-a.opencapf.test',
  B: 'capf-b.opencapf.test',
};

/** cluster.nodeName of each: the CN of its TFTP/TVS certificates, so the two sets of identities read apart. */
export const CLUSTER_NODES: Readonly<Record<ClusterName, string>> = { A: 'cucm-a', B: 'capf-b' };

export interface TwoClusters {
  A: TroubleshootingLab;
  B: TroubleshootingLab;
  lab(c: ClusterName): TroubleshootingLab;
  /** The phones' shared manufacturing CA (both CAPFs trust it when trustEmulatorMics is set). */
  mfg: ManufacturingCa;
  /** The shared hosts map the phones (and both doctors) resolve through. */
  hosts: Map<string, string>;
  /** The phones' shared state: what a phone holds does not depend on which cluster it booted from. */
  states: ReturnType<typeof createMemoryStateStore>;
  /** Boots the phone with its TFTP server (DHCP option 150) pointed at cluster `c`. */
  bootOn(c: ClusterName, device: string, extra?: Partial<BootOptions>, deps?: Partial<PhoneDeps>): Promise<BootResult>;
  /** Adds the phone to cluster `c` (when absent) and schedules an operation there, as its administrator would. */
  schedule(c: ClusterName, device: string, req: ScheduleRequest, profileName?: string): Promise<void>;
  /** `opencapf doctor [device]` on cluster `c`. */
  doctor(c: ClusterName, device?: string): Promise<DoctorReport>;
  /** The phone's CAPF status as cluster `c` reports it. */
  status(c: ClusterName, device: string): Promise<string>;
  /** What the phone holds now (trust lists, LSC, last configuration, messages); null before its first boot. */
  phone(device: string): PhoneState | null;
  /** The ITL cluster `c` serves this phone (ITLSEP<MAC>.tlv, else ITLFile.tlv), fetched as a phone would. */
  servedItl(c: ClusterName, device: string): Promise<Buffer>;
  /** Adds and schedules Install By Null String on `c`, boots each phone there; throws unless all installed. */
  enrolOn(c: ClusterName, devices: readonly string[]): Promise<BootResult[]>;
  /** Boots a fleet against cluster `c` (bounded concurrency, pooled keys), retrying as `runFleet` does. */
  fleetOn(c: ClusterName, phones: readonly FleetPhone[], o?: { concurrency?: number }): Promise<FleetSummary>;
  close(): Promise<void>;
}

export interface TwoClustersOptions {
  /** Extra configuration per cluster. */
  overrides?: Partial<Record<ClusterName, Partial<Record<ConfigKey, unknown>>>>;
  /** Both CAPFs accept the emulated phones' MICs (capf.manufacturingCaFile); default true. */
  trustEmulatorMics?: boolean;
}

export async function startTwoClusters(o: TwoClustersOptions = {}): Promise<TwoClusters> {
  const mfg = await createManufacturingCa();
  const states = createMemoryStateStore();
  const hosts = new Map<string, string>();
  const start = (c: ClusterName) =>
    startTroubleshootingLab({
      publicHost: CLUSTER_HOSTS[c],
      trustEmulatorMics: o.trustEmulatorMics !== false,
      overrides: { 'cluster.nodeName': CLUSTER_NODES[c], ...o.overrides?.[c] },
      mfg,
      states,
      hosts,
    });
  const A = await start('A');
  let B: TroubleshootingLab;
  try {
    B = await start('B');
  } catch (e) {
    await A.close();
    throw e;
  }
  const labs: Record<ClusterName, TroubleshootingLab> = { A, B };
  const lab = (c: ClusterName) => labs[c];
  const pool = createKeyPool(8);
  const pooled = {
    micKey: () => pool.take({ type: 'ec', curve: 'P-256' }),
    generateKey: (req: Parameters<NonNullable<PhoneDeps['generateKey']>>[0]) =>
      pool.take(req.type === 'rsa' ? { type: 'rsa', bits: req.bits } : { type: 'ec', curve: req.curve }),
  };
  const schedule = (c: ClusterName, device: string, req: ScheduleRequest, profileName?: string) =>
    lab(c).schedule(device, req, profileName);
  return {
    A,
    B,
    lab,
    mfg,
    hosts,
    states,
    bootOn: (c, device, extra, deps) => lab(c).boot(device, extra, deps),
    schedule,
    doctor: (c, device) => lab(c).doctor(device),
    status: (c, device) => lab(c).status(device),
    phone: (device) => states.load(device),
    async servedItl(c, device) {
      const ports = lab(c).lab.server.ports;
      const fetch = createFileFetcher({ host: '127.0.0.1', tftpPort: ports.tftp!, httpPort: ports.http ?? null });
      const f = (await fetch(`ITL${device}.tlv`)) ?? (await fetch('ITLFile.tlv'));
      if (!f) throw new Error(`cluster ${c} serves no ITL`);
      return f.data;
    },
    async enrolOn(c, devices) {
      const out: BootResult[] = [];
      for (const d of devices) {
        await schedule(c, d, { operation: 'install', authMode: 'null-string' });
        const r = await lab(c).boot(d, {}, pooled);
        if (r.outcome !== 'installed') throw new Error(`${d} on ${c}: ${r.outcome} (${r.detail})`);
        out.push(r);
      }
      return out;
    },
    fleetOn: (c, phones, fo = {}) =>
      runFleet({
        phones: [...phones],
        concurrency: fo.concurrency ?? 25,
        retryIntervalMs: 1000,
        deps: (p) => lab(c).deps({ ...pooled, authString: async () => p.authString }),
      }),
    async close() {
      await Promise.allSettled([A.close(), B.close()]);
    },
  };
}
