// Owns an emulated phone's persistent state (what survives a power cycle): MIC and LSC with their keys,
// installed trust lists, last configuration, Status Messages. One JSON file per phone, mode 0600 (keys).
//
// Layout under the state root (default ./emulator-state):
//   manufacturing-ca/ca.pem, ca-key.pem   the test manufacturing CA that issues MICs (see manufacturing-ca.ts)
//   SEP<MAC>/phone.json                   this file's PhoneState

import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PhoneTrustStoreState } from '../trust/index.ts';
import type { LscScreenState } from './messages.ts';

export interface HeldCertificatePem {
  certPem: string;
  keyPem: string;
}

export interface StatusMessage {
  at: string;
  text: string;
}

export interface PhoneState {
  version: 1;
  deviceName: string;
  model: string;
  mic: HeldCertificatePem;
  lsc: HeldCertificatePem | null;
  trust: PhoneTrustStoreState;
  /** From the last configuration file the phone accepted. */
  lastConfig: {
    capfAuthMode: number | null;
    capfServers: { host: string; port: number }[];
    tvsMembers: { address: string; port: number }[];
  } | null;
  lscState: LscScreenState;
  messages: StatusMessage[];
}

/** Real phones keep a bounded log; so do we. */
export const MAX_STATUS_MESSAGES = 200;

export interface PhoneStateStore {
  load(deviceName: string): PhoneState | null;
  save(state: PhoneState): void;
}

export function phoneStateDir(root: string, deviceName: string): string {
  return join(root, deviceName);
}

export function createFileStateStore(root: string): PhoneStateStore {
  return {
    load(deviceName) {
      const file = join(phoneStateDir(root, deviceName), 'phone.json');
      if (!existsSync(file)) return null;
      const s = JSON.parse(readFileSync(file, 'utf8')) as PhoneState;
      if (s.version !== 1 || s.deviceName !== deviceName) throw new Error(`${file} is not the state of ${deviceName}`);
      return s;
    },
    save(state) {
      const dir = phoneStateDir(root, state.deviceName);
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const file = join(dir, 'phone.json');
      const tmp = `${file}.tmp`;
      writeFileSync(tmp, JSON.stringify(state, null, 2), { mode: 0o600 });
      chmodSync(tmp, 0o600);
      renameSync(tmp, file);
    },
  };
}

export function createMemoryStateStore(): PhoneStateStore & { all(): PhoneState[] } {
  const m = new Map<string, string>();
  return {
    load: (n) => {
      const s = m.get(n);
      return s ? (JSON.parse(s) as PhoneState) : null;
    },
    save: (s) => void m.set(s.deviceName, JSON.stringify(s)),
    all: () => [...m.values()].map((s) => JSON.parse(s) as PhoneState),
  };
}
