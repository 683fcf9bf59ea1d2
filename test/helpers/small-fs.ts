// A size-limited file system for disk-full tests: a tmpfs of a few MiB mounted by the test (needs root,
// as CI runs), which the test fills to ENOSPC and frees again, then unmounts.

import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SmallFs {
  /** The mount point: put the data directory (or any file) below it. */
  dir: string;
  /** Writes a filler file until the file system refuses with ENOSPC; returns the bytes written. */
  fill(): number;
  /** Removes the filler file. */
  free(): void;
  /** Unmounts and removes the mount point. */
  close(): void;
}

/** Mounts still up when the test process ends (a test that crashed before its finally): unmounted on exit. */
const mounted = new Set<string>();
process.once('exit', () => {
  for (const dir of mounted) {
    try {
      execFileSync('umount', ['-l', dir]);
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // exiting anyway: nothing left to tell
    }
  }
});

export function mountSmallFs(sizeBytes: number): SmallFs {
  if (process.getuid?.() !== 0) throw new Error('mountSmallFs needs root (mount -t tmpfs); CI runs as root');
  const dir = mkdtempSync(join(tmpdir(), 'opencapf-smallfs-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes},mode=0755`, 'tmpfs', dir]);
  const filler = join(dir, '.filler');
  mounted.add(dir);
  return {
    dir,
    fill() {
      const fd = openSync(filler, 'a');
      const chunk = Buffer.alloc(64 * 1024);
      let written = 0;
      try {
        for (let size = chunk.length; size >= 512; ) {
          try {
            written += writeSync(fd, chunk, 0, size);
          } catch (e) {
            if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
            size >>= 1; // the last blocks: smaller writes until nothing fits
          }
        }
      } finally {
        closeSync(fd);
      }
      return written;
    },
    free() {
      try {
        unlinkSync(filler);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
    },
    close() {
      if (!mounted.delete(dir)) return;
      execFileSync('umount', ['-l', dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
