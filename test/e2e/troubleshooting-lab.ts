// Owns the shared setup of the troubleshooting and fleet end-to-end tests: a capf-lab with every listener,
// fixed CAPF/TVS ports (they are written into SEP<MAC>.cnf.xml, so port 0 will not do), a public host name
// phones resolve through a hosts map, and emulated phones booting against it.

import { freePort } from '../helpers/free-port.ts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConfigKey } from '../../src/config/index.ts';
import type { OpenContextOptions } from '../../src/app/context.ts';
import { startCapfLab, type CapfLab } from '../helpers/capf-lab.ts';
import { runDoctor, type DoctorReport } from '../../src/doctor/index.ts';
import { doctorSourcesFromContext } from '../../src/app/doctor-sources.ts';
import {
  bootPhone,
  createFileFetcher,
  createManufacturingCa,
  createMemoryStateStore,
  createResolver,
  type BootOptions,
  type BootResult,
  type ManufacturingCa,
  type PhoneDeps,
} from '../../src/emulator/index.ts';

export const PUBLIC_HOST = 'pub11.opencapf.test';

export interface TroubleshootingLab {
  lab: CapfLab;
  mfg: ManufacturingCa;
  hosts: Map<string, string>;
  states: ReturnType<typeof createMemoryStateStore>;
  deps(extra?: Partial<PhoneDeps>): PhoneDeps;
  boot(deviceName: string, extra?: Partial<BootOptions>, deps?: Partial<PhoneDeps>): Promise<BootResult>;
  /** `opencapf doctor [device]` against the lab, resolving names as the phones do. */
  doctor(device?: string): Promise<DoctorReport>;
  /** Adds the phone and schedules an operation as an administrator would. */
  schedule(
    device: string,
    req: import('../../src/phones/index.ts').ScheduleRequest,
    profileName?: string,
  ): Promise<void>;
  status(device: string): Promise<string>;
  close(): Promise<void>;
}

export interface TroubleshootingLabOptions {
  publicHost?: string;
  overrides?: Partial<Record<ConfigKey, unknown>>;
  trustEmulatorMics?: boolean;
  /** false: leave the public host out of the hosts map (a DNS failure lab); default true. */
  resolvePublicHost?: boolean;
  /** Share these with another lab (the same physical phones, two clusters): test/e2e/two-clusters.ts. */
  mfg?: ManufacturingCa;
  states?: ReturnType<typeof createMemoryStateStore>;
  hosts?: Map<string, string>;
  contextOptions?: OpenContextOptions;
}

export async function startTroubleshootingLab(o: TroubleshootingLabOptions = {}): Promise<TroubleshootingLab> {
  const mfg = o.mfg ?? (await createManufacturingCa());
  const caDir = mkdtempSync(join(tmpdir(), 'opencapf-emu-ca-'));
  const caFile = join(caDir, 'emulator-mfg-ca.pem');
  writeFileSync(caFile, mfg.certPem);
  const overrides: Partial<Record<ConfigKey, unknown>> = {
    'capf.port': await freePort(),
    'tvs.port': await freePort(),
    'cluster.publicHost': o.publicHost ?? PUBLIC_HOST,
    ...(o.trustEmulatorMics ? { 'capf.manufacturingCaFile': caFile } : {}),
    ...o.overrides,
  };
  const lab = await startCapfLab(overrides, o.contextOptions);
  // The name this lab writes into SEP<MAC>.cnf.xml (its own publicHost, overridden or not) resolves to loopback.
  const hosts = o.hosts ?? new Map<string, string>();
  const publicHost = String(lab.ctx.config['cluster.publicHost'] ?? PUBLIC_HOST);
  if (o.resolvePublicHost !== false && !hosts.has(publicHost.toLowerCase()))
    hosts.set(publicHost.toLowerCase(), '127.0.0.1');
  const states = o.states ?? createMemoryStateStore();
  const deps = (extra: Partial<PhoneDeps> = {}): PhoneDeps => ({
    fetchFile: createFileFetcher({
      host: '127.0.0.1',
      tftpPort: lab.server.ports.tftp!,
      httpPort: lab.server.ports.http ?? null,
    }),
    resolve: createResolver({ hosts, systemDns: false }),
    stateStore: states,
    manufacturingCa: mfg,
    micKey: () => lab.key({ type: 'ec', curve: 'P-256' }),
    generateKey: (req) =>
      lab.key(req.type === 'rsa' ? { type: 'rsa', bits: req.bits } : { type: 'ec', curve: req.curve }),
    capfTimeoutMs: 10_000,
    tvsTimeoutMs: 3_000,
    ...extra,
  });
  return {
    lab,
    mfg,
    hosts,
    states,
    deps,
    boot: (deviceName, extra = {}, d = {}) => bootPhone({ deviceName, model: '8845', ...extra }, deps(d)),
    doctor: (device) =>
      runDoctor(
        doctorSourcesFromContext(
          { ...lab.ctx, listeners: lab.server.listeners },
          { resolve: createResolver({ hosts, systemDns: false }), timeoutMs: 1000 },
        ),
        device ?? null,
      ),
    async schedule(device, req, profileName) {
      const actor = { name: 'e2e', source: 'test' };
      if (!(await lab.ctx.store.phones.getPhone(device))) {
        const [r] = await lab.ctx.phones.addPhones(
          [{ deviceName: device, model: 'Cisco 8845', profileName: profileName ?? null }],
          actor,
        );
        if (!r?.ok) throw new Error(`add ${device}: ${JSON.stringify(r)}`);
      }
      const [r] = await lab.ctx.phones.schedule([device], req, actor);
      if (!r?.ok) throw new Error(`schedule ${device}: ${JSON.stringify(r)}`);
    },
    status: async (device) => (await lab.ctx.phones.getPhone(device)).status,
    async close() {
      await lab.close();
      rmSync(caDir, { recursive: true, force: true });
    },
  };
}
