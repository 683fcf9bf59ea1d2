// Owns the port through which the TFTP server finds file contents, plus in-memory and layered sources.

import type { TftpPeer } from './transfer.ts';

/** The file was refused (unsafe name, not a regular file, too large); the server answers ERROR 2. */
export interface TftpDenied {
  denied: string;
}

/** A Buffer to serve, null for "File not found" (ERROR 1), or a refusal (ERROR 2). */
export type TftpOpenResult = Buffer | null | TftpDenied;

export interface TftpFileSource {
  /** `filename` is exactly what the phone asked for; `peer` lets a source answer per phone. */
  open(filename: string, peer: TftpPeer): Promise<TftpOpenResult>;
}

export function isDenied(r: TftpOpenResult): r is TftpDenied {
  return r !== null && !Buffer.isBuffer(r);
}

/**
 * Strips one leading "/" so that "/ITLFile.tlv" and "ITLFile.tlv" name the same file. Cisco phones
 * ask for root-relative names such as "/mk-sip.jar" (in.tftpd log, waynemerricks/Cisco7942FreePBX),
 * and tftpd-hpa --secure treats them as relative to its root in the same way.
 */
export function stripRootSlash(filename: string): string {
  return filename.startsWith('/') ? filename.slice(1) : filename;
}

/** Serves a fixed set of named files (the generated trust lists and configs, or tests). */
export function createMemorySource(files: ReadonlyMap<string, Buffer> | Record<string, Buffer>): TftpFileSource {
  const map = files instanceof Map ? new Map(files) : new Map(Object.entries(files));
  return {
    async open(filename) {
      return map.get(stripRootSlash(filename)) ?? null;
    },
  };
}

/**
 * First source that has the file wins, so a generated layer placed above the static directory
 * overrides it. A refusal from any layer ends the lookup: a name unsafe for one layer is not
 * retried against the next.
 */
export function createLayeredSource(sources: readonly TftpFileSource[]): TftpFileSource {
  const layers = [...sources];
  return {
    async open(filename, peer) {
      for (const layer of layers) {
        const r = await layer.open(filename, peer);
        if (r !== null) return r;
      }
      return null;
    },
  };
}
