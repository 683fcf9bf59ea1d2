// Owns the provisioning state kept in files under <dataDir>: the ITL signing mode, the rollback mode, pinned
// per-phone trust lists, the archived predecessors of the cluster certificates, and noticing when another process
// changes them (fs.watch, debounced, backed by a slow mtime poll). The service sees it only through ProvisioningState.
//
// Files: <dataDir>/provisioning/itl-signer   "localkey" after `opencapf itl reset localkey`
//        <dataDir>/provisioning/itl-rollback "on" after `opencapf itl rollback on` (absent: off)
//        <dataDir>/provisioning/pinned/<ITLSEP|CTLSEP><MAC>.tlv   per-phone overrides (`opencapf itl pin`)
//        <dataDir>/provisioning/itl-rotation.json   the staged TFTP signer rotation (`opencapf itl rotate`), 0600
//        <dataDir>/provisioning/itl-rotation.itls   "<next SHA-1> <ITL SHA-1>" per ITL that listed the next
//            certificate: appended (never renamed into place, so the directory's mtime, part of the ITL's
//            TIMESTAMP, does not move), created empty when a rotation starts
// The previous certificate's replacement time is the mtime of <dataDir>/pki/<name>.previous.crt.pem
// (written by the key store when it archives the old identity).

import {
  appendFileSync,
  chmodSync,
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  watch,
  writeFileSync,
  renameSync,
  type FSWatcher,
} from 'node:fs';
import { join } from 'node:path';
import { parseCertificate, pemBundleToDers, type CertificateInfo } from '../pki/index.ts';
import type { ClusterIdentityName, SigningMode } from './trust-files.ts';
import {
  damagedRotationRecord,
  MAX_ROTATION_RECORD_BYTES,
  parseRotationRecord,
  serializeRotationRecord,
  type RotationRecord,
} from './rotation-record.ts';

interface AppErrorLike {
  error: Error;
}

export const PINNABLE_NAME = /^(ITL|CTL)SEP[0-9A-F]{12}\.tlv$/;

export interface ProvisioningStateLogger {
  warn(obj: Record<string, unknown>, msg: string): void;
}

/** The port the provisioning service keeps its durable state behind (files today). */
export interface ProvisioningState {
  previous(name: ClusterIdentityName): { certificate: CertificateInfo; replacedAt: Date } | null;
  signingMode(): SigningMode;
  setSigningMode(mode: SigningMode): void;
  /** The rollback ("empty") ITL of tlv-files.md §9.6 is served (`opencapf itl rollback on`). */
  rollback(): boolean;
  setRollback(on: boolean): void;
  /** Pinned per-phone trust lists by file name (ITLSEP<MAC>.tlv, CTLSEP<MAC>.tlv). */
  pins(): ReadonlyMap<string, Buffer>;
  pin(fileName: string, bytes: Buffer): void;
  unpin(fileName: string): boolean;
  /** The staged (or last finished/aborted) signer rotation; throws ERR_CONFLICT when its file is damaged. */
  rotation(): RotationRecord | null;
  /** Writes (atomically, 0600) or, with null, deletes the rotation record. */
  setRotation(record: RotationRecord | null): void;
  /** Empties the list of ITLs that listed a next certificate (a rotation starts). */
  resetRotationItls(): void;
  /** SHA-1s of the ITLs built while the rotation whose next certificate has this SHA-1 was staged. */
  rotationItls(nextSha1: string): string[];
  noteRotationItl(nextSha1: string, itlSha1: string): void;
  /** Newest change among the certificates, their archived predecessors, the signing and the rollback mode. */
  changedAt(): Date;
  /** Forgets what was read (all of it, or one identity's predecessor): the next read goes to disk. */
  forget(name?: ClusterIdentityName): void;
  /** Calls onChange (debounced) when another process changes the state; returns a stopper. */
  watch(onChange: () => void): () => void;
}

const WATCH_DEBOUNCE_MS = 200;
const POLL_INTERVAL_MS = 5_000;

export function createFileProvisioningState(dataDir: string, log: ProvisioningStateLogger): ProvisioningState {
  const pkiDir = join(dataDir, 'pki');
  const provDir = join(dataDir, 'provisioning');
  const pinDir = join(provDir, 'pinned');
  const signerFile = join(provDir, 'itl-signer');
  const rollbackFile = join(provDir, 'itl-rollback');
  const rotationFile = join(provDir, 'itl-rotation.json');
  const rotationItlsFile = join(provDir, 'itl-rotation.itls');

  // Disk state read once and kept until a change is noticed (watch/poll) or made in-process.
  const previousCache = new Map<ClusterIdentityName, { certificate: CertificateInfo; replacedAt: Date } | null>();
  let mode: SigningMode | null = null;
  let rollbackOn: boolean | null = null;
  let pins: Map<string, Buffer> | null = null;
  let changedAtCache: Date | null = null;
  // undefined: not read yet; the error of a damaged file is kept and thrown again until the file changes.
  let rotationCache: RotationRecord | null | AppErrorLike | undefined;

  function writeAtomic(path: string, data: Buffer | string, mode?: number): void {
    mkdirSync(provDir, { recursive: true });
    const tmp = `${path}.tmp-${process.pid}`;
    if (mode === undefined) writeFileSync(tmp, data);
    else {
      const fd = openSync(tmp, 'w', mode);
      try {
        writeFileSync(fd, data);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      chmodSync(tmp, mode);
    }
    renameSync(tmp, path);
  }
  function rotationItls(nextSha1: string): string[] {
    if (!existsSync(rotationItlsFile)) return [];
    const out = new Set<string>();
    // Lines that are not "<sha1> <sha1>" (a torn append, a hand edit) are skipped: they name no ITL.
    for (const line of readFileSync(rotationItlsFile, 'utf8').split('\n')) {
      const m = /^([0-9a-f]{40}) ([0-9a-f]{40})$/.exec(line);
      if (m && m[1] === nextSha1) out.add(m[2]!);
    }
    return [...out];
  }
  function readRotation(): RotationRecord | null {
    if (!existsSync(rotationFile)) return null;
    if (statSync(rotationFile).size > MAX_ROTATION_RECORD_BYTES)
      throw damagedRotationRecord(rotationFile, `larger than ${MAX_ROTATION_RECORD_BYTES} bytes`);
    return parseRotationRecord(readFileSync(rotationFile, 'utf8'), rotationFile);
  }
  function readPins(): Map<string, Buffer> {
    if (!pins) {
      pins = new Map();
      if (existsSync(pinDir))
        for (const f of readdirSync(pinDir)) if (PINNABLE_NAME.test(f)) pins.set(f, readFileSync(join(pinDir, f)));
    }
    return pins;
  }

  return {
    previous(name) {
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
    },
    signingMode() {
      if (mode === null)
        mode = existsSync(signerFile) && readFileSync(signerFile, 'utf8').trim() === 'localkey' ? 'localkey' : 'normal';
      return mode;
    },
    setSigningMode(m) {
      if (m === 'localkey') writeAtomic(signerFile, 'localkey\n');
      else rmSync(signerFile, { force: true });
      mode = m;
      changedAtCache = null;
    },
    rollback() {
      if (rollbackOn === null)
        rollbackOn = existsSync(rollbackFile) && readFileSync(rollbackFile, 'utf8').trim() === 'on';
      return rollbackOn;
    },
    setRollback(on) {
      if (on) writeAtomic(rollbackFile, 'on\n');
      else rmSync(rollbackFile, { force: true });
      rollbackOn = on;
      changedAtCache = null;
    },
    rotation() {
      if (rotationCache === undefined) {
        try {
          rotationCache = readRotation();
        } catch (e) {
          rotationCache = { error: e as Error };
        }
      }
      if (rotationCache && 'error' in rotationCache) throw rotationCache.error;
      return rotationCache;
    },
    setRotation(record) {
      if (record) writeAtomic(rotationFile, serializeRotationRecord(record), 0o600);
      else rmSync(rotationFile, { force: true });
      rotationCache = record;
      changedAtCache = null;
    },
    resetRotationItls() {
      writeAtomic(rotationItlsFile, '', 0o600);
    },
    rotationItls,
    noteRotationItl(nextSha1, itlSha1) {
      if (rotationItls(nextSha1).includes(itlSha1)) return;
      appendFileSync(rotationItlsFile, `${nextSha1} ${itlSha1}\n`, { mode: 0o600 });
    },
    pins: readPins,
    pin(fileName, bytes) {
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
    changedAt() {
      if (!changedAtCache) {
        let ms = 0;
        const names = ['capf', 'itlrecovery', 'tftp', 'tvs']
          .flatMap((n) => [`${n}.crt.pem`, `${n}.previous.crt.pem`])
          .map((f) => join(pkiDir, f));
        for (const path of [...names, signerFile, rollbackFile, provDir]) {
          if (existsSync(path)) ms = Math.max(ms, statSync(path).mtimeMs);
        }
        changedAtCache = new Date(ms);
      }
      return changedAtCache;
    },
    forget(name) {
      changedAtCache = null;
      if (name) {
        previousCache.delete(name);
        return;
      }
      previousCache.clear();
      mode = null;
      rollbackOn = null;
      pins = null;
      rotationCache = undefined;
    },
    watch(onChange) {
      mkdirSync(provDir, { recursive: true });
      let timer: NodeJS.Timeout | null = null;
      const schedule = () => {
        if (timer) clearTimeout(timer);
        timer = setTimeout(() => {
          timer = null;
          onChange();
        }, WATCH_DEBOUNCE_MS);
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
      const snapshot = () =>
        [pkiDir, provDir, pinDir]
          .map((dir) => {
            try {
              return readdirSync(dir)
                .map((f) => `${f}:${statSync(join(dir, f)).mtimeMs}`)
                .join(',');
            } catch {
              return '';
            }
          })
          .join('|');
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
    },
  };
}
