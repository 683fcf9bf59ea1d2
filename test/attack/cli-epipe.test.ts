// Attack (issue #15, item 13): the CLI's output piped into a reader that goes away (`| head -1`) must not
// crash it with an unhandled EPIPE; a real write error (stdout on a full device) is reported, not thrown.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'opencapf-epipe-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

// 3,000 phones as JSON is about 2 MB: far more than a pipe holds, so the CLI is still writing when the reader leaves.
test.before(async () => {
  const names = Array.from({ length: 3000 }, (_, i) => `SEP00EE${i.toString(16).padStart(8, '0').toUpperCase()}`);
  const add = await cli(['--data-dir', dir, 'phone', 'add', '-'], names.join('\n'));
  assert.equal(add.code, 0, add.stderr);
});

const LIST = ['--import', 'tsx', 'src/main.ts', '--data-dir', dir, 'phone', 'list', '--limit', '3000', '--json'];

function exited(child: ReturnType<typeof spawn>): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

test('phone list | a reader that closes after the first line: no EPIPE stack, normal exit', async () => {
  const child = spawn(process.execPath, LIST, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = exited(child);
  let first = '';
  await new Promise<void>((resolve) => {
    child.stdout!.on('data', (d: Buffer) => {
      first += d.toString();
      if (first.includes('\n')) {
        child.stdout!.destroy(); // like `head -1`: the read end is gone, the CLI's next write gets EPIPE
        resolve();
      }
    });
  });
  assert.equal(first.split('\n')[0], '{');
  const { code, signal } = await done;
  assert.doesNotMatch(stderr, /EPIPE|Unhandled|node:events/, stderr);
  assert.equal(signal, null);
  assert.equal(code, 0, stderr);
});

test('the same through sh -c "… | head -1": head prints one line, the CLI exits 0 quietly', async () => {
  const errFile = join(dir, 'stderr.txt');
  const statusFile = join(dir, 'status.txt');
  // POSIX sh has no PIPESTATUS: the CLI's own status is written to a file from inside the pipeline.
  const cliCmd = [process.execPath, ...LIST].map((a) => `'${a}'`).join(' ');
  const script = `{ ${cliCmd} 2>"$1"; echo $? >"$2"; } | head -1`;
  const child = spawn('sh', ['-c', script, 'sh', errFile, statusFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const { code } = await exited(child);
  assert.equal(code, 0);
  assert.equal(out, '{\n');
  const stderr = readFileSync(errFile, 'utf8');
  assert.doesNotMatch(stderr, /EPIPE|Unhandled|node:events/, stderr);
  assert.equal(readFileSync(statusFile, 'utf8').trim(), '0');
});

test('stdout on a full device (/dev/full): the write error is reported on stderr and the exit code is 1', async () => {
  const fd = openSync('/dev/full', 'w');
  try {
    const child = spawn(process.execPath, LIST, { stdio: ['ignore', fd, 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const { code } = await exited(child);
    assert.match(stderr, /^error: cannot write standard output: .*\[ENOSPC\]$/m, stderr);
    assert.doesNotMatch(stderr, /Unhandled|node:events/, stderr);
    assert.equal(code, 1);
  } finally {
    closeSync(fd);
  }
});
