// Owns serving static files (firmware, ringtones) from one directory with no way out of it.
//
// Defence in depth, each layer sufficient on its own for the case it names:
// 1. The name is checked as text: no NUL, no backslash, no control or non-ASCII bytes, no empty,
//    "." or ".." segment. One leading "/" means "the root" (what phones send, see stripRootSlash).
// 2. The joined path is resolved with realpath and must stay under the resolved root: this catches
//    symlinks (anywhere on the path) that point outside.
// 3. The file is opened with O_NOFOLLOW and, on Linux, the path of the *open descriptor*
//    (/proc/self/fd/N) is checked again, closing the gap between step 2 and the open.
// 4. Only regular files up to a size cap are served (no FIFOs, devices or directories).

import { constants as fsc } from 'node:fs';
import { type FileHandle, open, readlink, realpath } from 'node:fs/promises';
import { join, sep } from 'node:path';
import type { TftpDenied, TftpFileSource, TftpOpenResult } from './source.ts';

export interface DirectorySourceOptions {
  /** Largest file served; bigger ones are refused (ERROR 2). Default 256 MiB. */
  maxFileBytes?: number;
  /** Bytes of file contents kept in memory between requests (phones fetch the same files). Default 64 MiB. */
  cacheBytes?: number;
}

/** Checks a requested name as text; returns its path segments or the reason it is refused. */
export function checkTftpPath(filename: string): string[] | TftpDenied {
  if (filename.includes('\0')) return { denied: 'NUL byte in file name' };
  if (filename.includes('\\')) return { denied: 'backslash in file name' };
  if (/[^\x20-\x7e]/.test(filename)) return { denied: 'control or non-ASCII character in file name' };
  const rel = filename.startsWith('/') ? filename.slice(1) : filename;
  if (rel.startsWith('/')) return { denied: 'absolute path' };
  const segments = rel.split('/');
  for (const s of segments) {
    if (s === '..') return { denied: 'parent directory segment' };
    if (s === '' || s === '.') return { denied: 'empty or "." path segment' };
  }
  return segments;
}

function isInside(rootReal: string, p: string): boolean {
  return p.startsWith(rootReal.endsWith(sep) ? rootReal : rootReal + sep);
}

interface CacheEntry {
  mtimeMs: number;
  ino: number;
  data: Buffer;
}

export function createDirectorySource(root: string, options: DirectorySourceOptions = {}): TftpFileSource {
  const maxFileBytes = options.maxFileBytes ?? 256 * 1024 * 1024;
  const cacheBytes = options.cacheBytes ?? 64 * 1024 * 1024;
  const cache = new Map<string, CacheEntry>();
  let cachedTotal = 0;
  let rootRealP: Promise<string> | null = null;
  const checkFd = process.platform === 'linux';

  function remember(path: string, entry: CacheEntry): void {
    const old = cache.get(path);
    if (old) {
      cachedTotal -= old.data.length;
      cache.delete(path);
    }
    if (entry.data.length > cacheBytes) return;
    // Map iteration order is insertion order, so the first key is the oldest entry.
    for (const [k, v] of cache) {
      if (cachedTotal + entry.data.length <= cacheBytes) break;
      cache.delete(k);
      cachedTotal -= v.data.length;
    }
    cache.set(path, entry);
    cachedTotal += entry.data.length;
  }

  async function openChecked(filename: string): Promise<TftpOpenResult> {
    const segments = checkTftpPath(filename);
    if (!Array.isArray(segments)) return segments;
    rootRealP ??= realpath(root);
    const rootReal = await rootRealP;
    let real: string;
    try {
      real = await realpath(join(rootReal, ...segments));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return null;
      if (code === 'ELOOP' || code === 'EACCES') return { denied: `cannot resolve (${code})` };
      throw e;
    }
    if (!isInside(rootReal, real)) return { denied: 'resolves outside the root' };
    let fh: FileHandle;
    try {
      // O_NONBLOCK: opening a FIFO must not hang the server; it is refused below as not a regular file.
      fh = await open(real, fsc.O_RDONLY | fsc.O_NOFOLLOW | fsc.O_NONBLOCK);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return null;
      if (code === 'ELOOP' || code === 'EACCES' || code === 'EISDIR') return { denied: `cannot open (${code})` };
      throw e;
    }
    try {
      if (checkFd && !isInside(rootReal, await readlink(`/proc/self/fd/${fh.fd}`)))
        return { denied: 'resolves outside the root' };
      const st = await fh.stat();
      if (!st.isFile()) return { denied: 'not a regular file' };
      if (st.size > maxFileBytes) return { denied: `larger than ${maxFileBytes} bytes` };
      const hit = cache.get(real);
      if (hit && hit.mtimeMs === st.mtimeMs && hit.ino === st.ino && hit.data.length === st.size) return hit.data;
      const data = await fh.readFile();
      if (data.length > maxFileBytes) return { denied: `larger than ${maxFileBytes} bytes` };
      remember(real, { mtimeMs: st.mtimeMs, ino: st.ino, data });
      return data;
    } finally {
      await fh.close();
    }
  }

  return { open: (filename) => openChecked(filename) };
}
