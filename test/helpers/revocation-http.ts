// Serves a lab's ctx.httpExtensions over real HTTP on 127.0.0.1: the HTTP 6970 provisioning listener when
// `serve` started one (lab.server.ports.http), otherwise a minimal stand-in that calls the same handlers.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CapfLab } from './capf-lab.ts';

export interface ExtensionHttp {
  baseUrl: string;
  /** 'provisioning' when the real 6970 listener serves, 'stand-in' otherwise. */
  via: 'provisioning' | 'stand-in';
  close(): Promise<void>;
}

export async function serveExtensions(lab: CapfLab): Promise<ExtensionHttp> {
  const port = lab.server.ports.http;
  if (port) return { baseUrl: `http://127.0.0.1:${port}`, via: 'provisioning', close: async () => {} };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= 65536) chunks.push(c);
    });
    req.on('end', () => {
      void (async () => {
        if (size > 65536) return void res.writeHead(413).end();
        const [path, query = ''] = (req.url ?? '/').split('?', 2) as [string, string?];
        const request = { method: req.method ?? 'GET', path, query, headers: req.headers, body: Buffer.concat(chunks) };
        for (const ext of lab.ctx.httpExtensions) {
          const r = await ext(request);
          if (r) {
            res.writeHead(r.status, { ...r.headers, 'content-length': String(r.body.length) });
            return void res.end(req.method === 'HEAD' ? undefined : r.body);
          }
        }
        res.writeHead(404).end();
      })().catch(() => res.writeHead(500).end());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: p } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${p}`,
    via: 'stand-in',
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
