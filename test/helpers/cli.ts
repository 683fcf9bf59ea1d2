// Runs the opencapf CLI in-process and captures what it prints (the CLI's I/O is injected, see src/cli/io.ts).

import { PassThrough, Readable } from 'node:stream';
import { runCli } from '../../src/cli/index.ts';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function cli(args: string[], stdin = '', env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const o: Buffer[] = [];
  const e: Buffer[] = [];
  stdout.on('data', (d: Buffer) => o.push(d));
  stderr.on('data', (d: Buffer) => e.push(d));
  const code = await runCli(args, { stdout, stderr, stdin: Readable.from([stdin]), env });
  return { code, stdout: Buffer.concat(o).toString(), stderr: Buffer.concat(e).toString() };
}
