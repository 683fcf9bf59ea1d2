// Owns how an emulated phone downloads provisioning files: HTTP 6970 first, TFTP as the fallback
// (phone-config.md §4 "tried first"), and which of the two delivered the file.

import http from 'node:http';
import { tftpGet, TftpClientError } from '../provisioning/tftp/index.ts';

export interface FetchedFile {
  data: Buffer;
  via: 'HTTP' | 'TFTP';
}

/** null: the server said the file does not exist (TFTP error 1 / HTTP 404). Throws when no server answered. */
export type FileFetcher = (fileName: string) => Promise<FetchedFile | null>;

export interface ProvisioningServer {
  host: string;
  tftpPort: number;
  /** HTTP provisioning port (6970); null: TFTP only. */
  httpPort: number | null;
  timeoutMs?: number;
}

export class ProvisioningUnreachableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ProvisioningUnreachableError';
  }
}

function httpGet(
  host: string,
  port: number,
  path: string,
  timeoutMs: number,
): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      {
        host,
        port,
        path: `/${path}`,
        timeout: timeoutMs,
        agent: false,
        headers: { 'user-agent': 'OpenCAPF phone emulator' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > 16 * 1024 * 1024) req.destroy(new Error('file larger than 16 MiB'));
          else chunks.push(c);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`HTTP ${host}:${port} did not answer within ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

export function createFileFetcher(s: ProvisioningServer): FileFetcher {
  const timeoutMs = s.timeoutMs ?? 3000;
  let httpWorks = s.httpPort !== null;
  return async (fileName) => {
    if (httpWorks && s.httpPort !== null) {
      try {
        const r = await httpGet(s.host, s.httpPort, fileName, timeoutMs);
        if (r.status === 200) return { data: r.body, via: 'HTTP' };
        if (r.status === 404) return null;
      } catch {
        // Phones fall back to TFTP when HTTP fails (phone-config.md §4); remember it for the rest of the boot.
        httpWorks = false;
      }
    }
    try {
      return {
        data: await tftpGet({
          host: s.host,
          port: s.tftpPort,
          filename: fileName,
          timeoutMs: Math.min(1000, timeoutMs),
          retries: 3,
          blksize: 1428,
        }),
        via: 'TFTP',
      };
    } catch (e) {
      if (e instanceof TftpClientError && e.kind === 'remote' && e.tftpCode === 1) return null;
      throw new ProvisioningUnreachableError(`cannot download ${fileName} from ${s.host}: ${(e as Error).message}`, {
        cause: e,
      });
    }
  };
}
