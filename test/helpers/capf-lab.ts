// A real OpenCAPF in a temporary data dir on 127.0.0.1 for integration tests: store, CA, listeners,
// a test manufacturing CA that issues MICs, and pre-generated phone keys.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { KeyObject } from 'node:crypto';
import { loadConfig, type ConfigKey } from '../../src/config/index.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { openContext, type AppServices, type OpenContextOptions } from '../../src/app/context.ts';
import { startServices, type RunningServer } from '../../src/app/serve.ts';
import { adjustableClock } from '../../src/shared/clock.ts';
import {
  createIssuer,
  createSelfSignedIdentity,
  derToPem,
  generateKeyPair,
  issueLsc,
  spkiDer,
  subjectAttributes,
  type KeyPair,
  type KeySpec,
} from '../../src/pki/index.ts';

export interface CapfLab {
  dir: string;
  ctx: AppServices;
  server: RunningServer;
  port: number;
  clock: ReturnType<typeof adjustableClock>;
  logLines: string[];
  /** A MIC for the device from the lab's manufacturing CA (trusted by the CAPF). */
  makeMic(deviceName: string, spec?: KeySpec): Promise<{ der: Buffer; privateKey: KeyObject }>;
  /** A MIC from a manufacturing CA the CAPF does NOT trust. */
  makeUntrustedMic(deviceName: string): Promise<{ der: Buffer; privateKey: KeyObject }>;
  key(spec: KeySpec): Promise<KeyPair>;
  capfPem(): string;
  close(): Promise<void>;
}

const keyCache = new Map<string, KeyPair[]>();

export async function startCapfLab(
  overrides: Partial<Record<ConfigKey, unknown>> = {},
  contextOptions: OpenContextOptions = {},
): Promise<CapfLab> {
  const dir = mkdtempSync(join(tmpdir(), 'opencapf-lab-'));
  const now = new Date();
  const mfgKeys = await generateKeyPair({ type: 'ec', curve: 'P-256' });
  const mfg = await createSelfSignedIdentity({
    role: 'capf',
    subject: subjectAttributes('Test Manufacturing CA', { organization: 'Cisco Systems (test)' }),
    keys: mfgKeys,
    validityDays: 3650,
    now,
  });
  const mfgIssuer = await createIssuer(mfg, mfgKeys.privateKey);
  const otherKeys = await generateKeyPair({ type: 'ec', curve: 'P-256' });
  const other = await createSelfSignedIdentity({
    role: 'capf',
    subject: subjectAttributes('Rogue Manufacturing CA', {}),
    keys: otherKeys,
    validityDays: 3650,
    now,
  });
  const otherIssuer = await createIssuer(other, otherKeys.privateKey);
  writeFileSync(join(dir, 'mfg-ca.pem'), derToPem(mfg.der));

  const config = loadConfig({
    env: {},
    overrides: {
      dataDir: dir,
      host: '127.0.0.1',
      // Phones are told to reach us on loopback: tests never send traffic to any other address.
      'cluster.publicHost': '127.0.0.1',
      'capf.port': 0,
      // The CAPF tests do not need the REST API (and some stop only the CAPF listener).
      'api.enabled': false,
      'api.port': 0,
      // Provisioning listeners on free ports too (69/6970/6971/2445 need privilege or may be taken).
      'tftp.port': 0,
      'http.port': 0,
      'https.port': 0,
      'tvs.port': 0,
      'capf.manufacturingCaFile': join(dir, 'mfg-ca.pem'),
      'log.level': 'info',
      ...overrides,
    },
  });
  const logLines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logLines.push(String(chunk));
      cb();
    },
  });
  const liveClock = adjustableClock();
  const ctx = await openContext(config, createLogger('info', sink), liveClock, contextOptions);
  const server = await startServices(ctx);
  const mic = async (issuer: typeof mfgIssuer, deviceName: string, spec: KeySpec = { type: 'ec', curve: 'P-256' }) => {
    const keys = await generateKeyPair(spec);
    const cert = await issueLsc(issuer, {
      deviceName: `CP-8845-${deviceName}`,
      publicKeySpki: spkiDer(keys.publicKey),
      validityDays: 1825,
      now: liveClock.now(),
    });
    return { der: cert.der, privateKey: keys.privateKey };
  };
  return {
    dir,
    ctx,
    server,
    port: server.ports.capf!,
    clock: liveClock,
    logLines,
    makeMic: (d, spec) => mic(mfgIssuer, d, spec),
    makeUntrustedMic: (d) => mic(otherIssuer, d),
    async key(spec) {
      const k = JSON.stringify(spec);
      const pool = keyCache.get(k) ?? [];
      keyCache.set(k, pool);
      if (pool.length < 4) {
        const kp = await generateKeyPair(spec);
        pool.push(kp);
        return kp;
      }
      return pool[Math.floor(Math.random() * pool.length)]!;
    },
    capfPem: () => ctx.identities.get('capf').certPem,
    async close() {
      await server.stop();
      await ctx.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let counter = 0;
/** A fresh random-looking device name per call. */
export function newDeviceName(): string {
  counter++;
  const n = 0x00aa00000000 + counter * 7919 + Math.floor(Math.random() * 1000) * 1_000_000;
  return `SEP${n.toString(16).toUpperCase().padStart(12, '0').slice(-12)}`;
}
