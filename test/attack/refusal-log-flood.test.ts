// Attack: floods of refused connections and failed handshakes must not write one log line each (issue 15,
// item 12). A flood of N produces a bounded number of lines, and the summary lines account for every one.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import dgram from 'node:dgram';
import tls from 'node:tls';
import { startCapfLab, type CapfLab } from '../helpers/capf-lab.ts';

const N = 200;
/** Generous: burst (5) + one summary per 10-second interval, for a flood that might span a few intervals. */
const MAX_LINES = 30;
let lab: CapfLab;
let holder: tls.TLSSocket;

before(async () => {
  lab = await startCapfLab({
    'capf.maxSessions': 1,
    'capf.maxQueued': 0,
    'http.enabled': false,
    'https.enabled': false,
  });
  holder = tls.connect({ host: '127.0.0.1', port: lab.port, rejectUnauthorized: false });
  holder.on('error', () => undefined);
  await new Promise<void>((r) => holder.once('secureConnect', () => r())); // the one CAPF slot is taken
});
after(async () => {
  holder.destroy();
  await lab.close();
});

/** N connections in parallel batches of 20, each awaited until the server has closed it. */
async function flood(connectOne: () => net.Socket): Promise<void> {
  for (let i = 0; i < N; i += 20) {
    await Promise.all(
      Array.from(
        { length: Math.min(20, N - i) },
        () =>
          new Promise<void>((resolve) => {
            const s = connectOne();
            s.on('error', () => undefined);
            s.once('close', () => resolve());
          }),
      ),
    );
  }
}

interface Line {
  msg: string;
  event?: string;
  total?: number;
  logged?: number;
  suppressed?: number;
  topClients?: Array<{ client: string; count: number }>;
}

function lines(): Line[] {
  return lab.logLines
    .flatMap((l) => l.split('\n'))
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Line);
}

/** Individual lines with this message, and summary lines of its event; checks they account for all N. */
function account(all: Line[], msg: string, event: string): { individual: number; summaries: Line[] } {
  const individual = all.filter((l) => l.msg === msg).length;
  const summaries = all.filter((l) => l.event === event);
  const suppressed = summaries.reduce((a, s) => a + (s.suppressed ?? 0), 0);
  assert.ok(
    individual + summaries.length <= MAX_LINES,
    `${individual} lines and ${summaries.length} summaries for ${N} events`,
  );
  assert.equal(individual + suppressed, N, `every event is logged or counted: ${JSON.stringify(summaries)}`);
  assert.ok(summaries.length >= 1);
  assert.equal(summaries[0]!.topClients?.[0]?.client, '127.0.0.1');
  return { individual, summaries };
}

test('a flood of connections over the CAPF cap writes a bounded log with counts', { timeout: 60_000 }, async () => {
  await flood(() => net.connect({ host: '127.0.0.1', port: lab.port }));
  await lab.server.listeners.find((l) => l.name === 'capf')!.stop(0); // flushes the summary of this interval
  account(
    lines(),
    'CAPF connection refused: sessions, handshakes and the queue are all full',
    'capf-refused-global-cap',
  );
});

test('a flood of failed TVS handshakes writes a bounded log with counts', { timeout: 60_000 }, async () => {
  await flood(() => {
    const s = net.connect({ host: '127.0.0.1', port: lab.server.ports.tvs! });
    s.once('connect', () => s.end('GET / HTTP/1.0\r\n\r\n')); // not a TLS ClientHello
    return s;
  });
  await lab.server.listeners.find((l) => l.name === 'tvs')!.stop(0);
  account(lines(), 'TVS TLS handshake failed', 'tvs-tls-failed');
});

test('a flood of refused TFTP write requests writes a bounded log with counts', { timeout: 60_000 }, async () => {
  const port = lab.server.ports.tftp!;
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const wrq = Buffer.from('\x00\x02SEPDEFAULT.cnf.xml\x00octet\x00', 'latin1');
  // Each WRQ is answered with an ERROR packet: batches of 20, each awaited, so every one was handled.
  for (let i = 0; i < N; i += 20) {
    await new Promise<void>((resolve) => {
      let answers = 0;
      const onAnswer = () => {
        if (++answers < 20) return;
        s.off('message', onAnswer);
        resolve();
      };
      s.on('message', onAnswer);
      for (let j = 0; j < 20; j++) s.send(wrq, port, '127.0.0.1');
    });
  }
  s.close();
  await lab.server.listeners.find((l) => l.name === 'tftp')!.stop(0);
  account(
    lines().filter((l) => (l as { outcome?: string }).outcome === 'write-refused' || l.event === 'tftp-write-refused'),
    'tftp request',
    'tftp-write-refused',
  );
});
