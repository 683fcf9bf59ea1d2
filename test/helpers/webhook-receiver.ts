// A webhook receiver on 127.0.0.1 for the certificate monitor tests: node:http, every request kept with its raw
// body and headers; answers with the statuses it is given in turn (then 200).

import http from 'node:http';

export interface ReceivedHook {
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  status: number;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedHook[];
  close(): Promise<void>;
}

export async function startWebhookReceiver(statuses: number[] = []): Promise<WebhookReceiver> {
  const received: ReceivedHook[] = [];
  const queue = [...statuses];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const status = queue.shift() ?? 200;
      received.push({ headers: req.headers, body: Buffer.concat(chunks), status });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'try again later');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${a.port}/hooks/opencapf`,
    received,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
