// `opencapf serve` as a real process: first start, CLI beside it, SIGTERM drains an in-flight session.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { runCli } from '../../src/cli/index.ts';
import { runCapfClient } from '../../src/capf/index.ts';
import { generateKeyPair } from '../../src/pki/index.ts';
import { spawnServe } from '../helpers/serve-process.ts';

async function cli(args: string[]): Promise<number> {
  const sink = new PassThrough();
  sink.resume();
  return runCli(args, { stdout: sink, stderr: sink, stdin: Readable.from(['']), env: {} });
}

test('serve starts, the CLI works beside it, and SIGTERM lets an in-flight enrollment finish', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'opencapf-serve-'));
  const serve = spawnServe({ dataDir: dir });
  await serve.ready();
  const port = serve.ports.capf!;
  assert.ok(port > 0, `serve did not report its CAPF port:\n${serve.output()}`);
  assert.equal(await cli(['--data-dir', dir, 'phone', 'add', 'SEP00AB00CD00EF']), 0);
  assert.equal(await cli(['--data-dir', dir, 'capf', 'schedule', 'install', 'SEP00AB00CD00EF']), 0);
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let requested!: () => void;
  const keyRequested = new Promise<void>((r) => (requested = r));
  const run = runCapfClient({
    host: '127.0.0.1',
    port,
    deviceName: 'SEP00AB00CD00EF',
    authMode: 'null-string',
    generateKey: async () => {
      requested();
      await gate;
      return generateKeyPair({ type: 'rsa', bits: 2048 });
    },
  });
  await keyRequested;
  serve.proc.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 200)); // the server is draining now, not accepting
  release();
  const result = await run;
  assert.equal(result.outcome, 'installed', result.log.join('\n'));
  assert.equal((await serve.exited).code, 0, serve.output());
  assert.match(serve.output(), /OpenCAPF stopped/);
});
