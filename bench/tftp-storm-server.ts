// Child process of bench/tftp-storm.ts: runs our TFTP server in its own process, as in.tftpd runs in its own.
// Reports { port } over IPC once listening and { stats } when asked; exits when the parent says "stop".

import { createDirectorySource, createTftpServer } from '../src/provisioning/tftp/index.ts';

const dir = process.argv[2];
if (!dir || !process.send) throw new Error('usage: spawned by bench/tftp-storm.ts with an IPC channel and a directory');
const server = createTftpServer({
  host: '127.0.0.1',
  port: 0,
  source: createDirectorySource(dir),
  limits: { maxTransfers: 100_000, maxPerClient: 100_000 },
});
const { port } = await server.start();
process.send({ port });
process.on('message', async (m: unknown) => {
  if (m === 'stats') process.send!({ stats: server.stats() });
  if (m === 'stop') {
    await server.stop();
    process.disconnect();
  }
});
