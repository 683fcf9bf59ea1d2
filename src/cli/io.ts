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

/**
 * Process streams of the CLI. A reader that goes away (`opencapf phone list | head -1`) makes later writes
 * fail with EPIPE as an 'error' event, which Node turns into a crash when nobody listens. That is not a
 * failure of the command: its output is no longer wanted, so the rest is discarded and the command runs
 * to its end with its own exit code (stopping it halfway could leave a bulk job or import half done).
 * Any other write error (EIO, ENOSPC when stdout is a file on a full disk) is reported once on stderr and
 * `onFailure` is called (the entry point makes the exit code non-zero); it may come after the command ended,
 * as writes complete asynchronously.
 */
export function guardProcessOutput(stdout: Writable, stderr: Writable, onFailure: () => void): void {
  let reported = false;
  stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') return;
    onFailure();
    if (reported) return;
    reported = true;
    stderr.write(`error: cannot write standard output: ${e.message}${e.code ? ` [${e.code}]` : ''}\n`);
  });
  stderr.on('error', (e: NodeJS.ErrnoException) => {
    // Nowhere left to report it; only the exit code can still say that something was lost.
    if (e.code !== 'EPIPE') onFailure();
  });
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
