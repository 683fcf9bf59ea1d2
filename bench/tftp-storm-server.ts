// Child process of bench/tftp-storm.ts: runs our TFTP server in its own process, as in.tftpd runs in its own.
// Reports { port } over IPC once listening and { stats } when asked; exits when the parent says "stop".
// With --catalogue it runs a full OpenCAPF (temp data dir, one phone) and its real TFTP listener over the
// provisioning file catalogue, and also reports the generated files so tftpd-hpa can serve the same bytes.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDirectorySource, createTftpServer, type TftpServerStats } from '../src/provisioning/tftp/index.ts';

const dir = process.argv[2];
if (!dir || !process.send) throw new Error('usage: spawned by bench/tftp-storm.ts with an IPC channel and a directory');

let stats: () => TftpServerStats | Record<string, number>;
let stop: () => Promise<void>;
if (process.argv.includes('--catalogue')) {
  const { loadConfig } = await import('../src/config/index.ts');
  const { createLogger } = await import('../src/shared/logger.ts');
  const { openContext } = await import('../src/app/context.ts');
  const { startTftpListener } = await import('../src/app/listeners/tftp.ts');
  const dataDir = mkdtempSync(join(tmpdir(), 'tftp-storm-data-'));
  const config = loadConfig({
    env: {},
    overrides: {
      dataDir,
      host: '127.0.0.1',
      'tftp.port': 0,
      'tftp.maxTransfers': 65535,
      'tftp.maxPerClient': 1024,
      'log.level': 'silent',
    },
  });
  const ctx = await openContext(config, createLogger('silent'));
  await ctx.phones.addPhones([{ deviceName: 'SEP001122334455', model: 'Cisco 8845' }], {
    name: 'bench',
    source: 'bench',
  });
  const listener = (await startTftpListener(ctx))!;
  const files: Record<string, string> = {};
  for (const name of ['ITLSEP001122334455.tlv', 'SEP001122334455.cnf.xml']) {
    const f = await ctx.provisioning.catalogue.open(name);
    if (!f || 'denied' in f) throw new Error(`catalogue has no ${name}`);
    files[name] = f.body.toString('base64');
  }
  const count = () => {
    const m = ctx.metrics.tftpTransfers as unknown as {
      hashMap: Record<string, { value: number; labels: { result: string } }>;
    };
    const out: Record<string, number> = { completed: 0, timedOut: 0, activeTransfers: 0, requests: 0 };
    for (const v of Object.values(m.hashMap)) {
      out.requests! += v.value;
      if (v.labels.result === 'ok') out.completed! += v.value;
    }
    return out;
  };
  stats = count;
  stop = async () => {
    await listener.stop();
    await ctx.close();
    rmSync(dataDir, { recursive: true, force: true });
  };
  process.send({ port: listener.port, files });
} else {
  const server = createTftpServer({
    host: '127.0.0.1',
    port: 0,
    source: createDirectorySource(dir),
    limits: { maxTransfers: 100_000, maxPerClient: 100_000 },
  });
  const { port } = await server.start();
  stats = () => server.stats();
  stop = () => server.stop();
  process.send({ port });
}
process.on('message', async (m: unknown) => {
  if (m === 'stats') process.send!({ stats: stats() });
  if (m === 'stop') {
    await stop();
    process.disconnect();
  }
});
