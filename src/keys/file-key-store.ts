// Owns private keys and certificates on disk: <dataDir>/pki/<name>.key.pem (0600) and .crt.pem.

import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
  openSync,
  closeSync,
  fsyncSync,
} from 'node:fs';
import { join } from 'node:path';
import type { KeyStore, StoredIdentity } from '../pki/ports.ts';

const NAME_RE = /^[a-z0-9][a-z0-9._-]{0,63}$/;

function writeAtomic(path: string, data: string, mode: number): void {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w', mode);
  try {
    writeFileSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(tmp, mode);
  renameSync(tmp, path);
}

export function createFileKeyStore(dataDir: string): KeyStore & { dir: string } {
  const dir = join(dataDir, 'pki');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const paths = (name: string) => {
    if (!NAME_RE.test(name)) throw new Error(`invalid identity name ${JSON.stringify(name)}`);
    return { key: join(dir, `${name}.key.pem`), cert: join(dir, `${name}.crt.pem`) };
  };
  const load = (name: string): StoredIdentity | null => {
    const p = paths(name);
    if (!existsSync(p.key) || !existsSync(p.cert)) return null;
    return { keyPem: readFileSync(p.key, 'utf8'), certPem: readFileSync(p.cert, 'utf8') };
  };
  return {
    dir,
    load,
    save(name, identity) {
      const p = paths(name);
      writeAtomic(p.key, identity.keyPem, 0o600);
      writeAtomic(p.cert, identity.certPem, 0o644);
    },
    archive(name) {
      const cur = load(name);
      if (!cur) return;
      const p = paths(`${name}.previous`);
      writeAtomic(p.key, cur.keyPem, 0o600);
      writeAtomic(p.cert, cur.certPem, 0o644);
    },
    loadPrevious(name) {
      return load(`${name}.previous`);
    },
    remove(name) {
      const p = paths(name);
      // The certificate first: a pair missing its certificate reads as absent (load needs both).
      rmSync(p.cert, { force: true });
      rmSync(p.key, { force: true });
    },
  };
}
