// Owns the CLI's I/O boundary so commands can run in-process under test.

import type { Readable, Writable } from 'node:stream';

export interface CliIo {
  stdout: Writable;
  stderr: Writable;
  stdin: Readable;
  env: NodeJS.ProcessEnv;
}

export function out(io: CliIo, text: string): void {
  io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

export function err(io: CliIo, text: string): void {
  io.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
}

export async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(String(c)));
  return Buffer.concat(chunks).toString('utf8');
}

/** Device lists: arguments, or `-` to read names (whitespace, comma or newline separated) from stdin. */
export async function deviceArgs(io: CliIo, args: string[]): Promise<string[]> {
  const names: string[] = [];
  for (const a of args) {
    if (a === '-') names.push(...(await readAll(io.stdin)).split(/[\s,]+/).filter(Boolean));
    else names.push(a);
  }
  return names;
}
