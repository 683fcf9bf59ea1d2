// Tests that the directory source cannot be talked out of its root, and layered-source precedence.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkTftpPath, createDirectorySource } from './directory-source.ts';
import { createLayeredSource, createMemorySource, isDenied, type TftpFileSource } from './source.ts';

const PEER = { address: '127.0.0.1', port: 1 };
let base: string;
let root: string;
let src: TftpFileSource;

before(async () => {
  base = await mkdtemp(join(tmpdir(), 'tftp-dirsrc-'));
  root = join(base, 'root');
  await mkdir(join(root, 'firmware'), { recursive: true });
  await writeFile(join(root, 'ringlist.xml'), 'rings');
  await writeFile(join(root, 'firmware', 'load.bin'), 'load');
  await writeFile(join(base, 'secret.txt'), 'secret');
  await symlink(join(base, 'secret.txt'), join(root, 'escape.txt'));
  await symlink(base, join(root, 'escape-dir'));
  await symlink(join(root, 'ringlist.xml'), join(root, 'alias.xml'));
  await symlink('firmware', join(root, 'fw'));
  await writeFile(join(root, 'big.bin'), Buffer.alloc(2048));
  execFileSync('mkfifo', [join(root, 'pipe')]);
  src = createDirectorySource(root, { maxFileBytes: 1024 });
});

after(async () => {
  await rm(base, { recursive: true, force: true });
});

const open = (name: string) => src.open(name, PEER);
async function assertDenied(name: string): Promise<void> {
  const r = await open(name);
  assert.ok(r !== null && isDenied(r), `${JSON.stringify(name)} should be denied, got ${String(r)}`);
}

test('serves regular files, also in subdirectories and with a leading slash', async () => {
  assert.equal(String(await open('ringlist.xml')), 'rings');
  assert.equal(String(await open('firmware/load.bin')), 'load');
  assert.equal(String(await open('/ringlist.xml')), 'rings');
});

test('missing files are not found (null), not denied', async () => {
  assert.equal(await open('nope.cnf.xml'), null);
  assert.equal(await open('firmware/nope'), null);
  assert.equal(await open('ringlist.xml/x'), null);
});

test('parent-directory traversal is refused', async () => {
  for (const name of ['../secret.txt', 'a/../../secret.txt', 'firmware/../ringlist.xml', '..', 'firmware/..'])
    await assertDenied(name);
});

test('absolute paths stay inside the root', async () => {
  // One leading "/" means the TFTP root (what phones send), so /etc/passwd is looked up as <root>/etc/passwd.
  assert.equal(await open('/etc/passwd'), null);
  await assertDenied('//etc/passwd');
  await assertDenied(`/${base}/secret.txt`);
});

test('NUL bytes, backslashes, control and non-ASCII characters, empty segments are refused', async () => {
  for (const name of [
    'ringlist.xml\0.png',
    '..\\secret.txt',
    'C:\\x',
    'a\nb',
    'caf\u00e9',
    'firmware//load.bin',
    './ringlist.xml',
    'firmware/',
  ]) {
    await assertDenied(name);
  }
});

test('symlinks pointing outside the root are refused; symlinks inside are followed', async () => {
  await assertDenied('escape.txt');
  await assertDenied('escape-dir/secret.txt');
  assert.equal(String(await open('alias.xml')), 'rings');
  assert.equal(String(await open('fw/load.bin')), 'load');
});

test('only regular files within the size cap are served', async () => {
  await assertDenied('firmware');
  await assertDenied('pipe');
  await assertDenied('big.bin');
});

test('a changed file is re-read, not served stale from the cache', async () => {
  await writeFile(join(root, 'changing.txt'), 'one');
  assert.equal(String(await open('changing.txt')), 'one');
  await writeFile(join(root, 'changing.txt'), 'second');
  assert.equal(String(await open('changing.txt')), 'second');
});

test('checkTftpPath returns segments for safe names', () => {
  assert.deepEqual(checkTftpPath('/a/b.c'), ['a', 'b.c']);
  assert.deepEqual(checkTftpPath('SEP001122334455.cnf.xml'), ['SEP001122334455.cnf.xml']);
});

test('layered source: the first layer that has a file wins, then the next is asked', async () => {
  const generated = createMemorySource({
    'ringlist.xml': Buffer.from('generated'),
    'ITLSEP001122334455.tlv': Buffer.from('itl'),
  });
  const layered = createLayeredSource([generated, src]);
  assert.equal(String(await layered.open('ringlist.xml', PEER)), 'generated');
  assert.equal(String(await layered.open('/ITLSEP001122334455.tlv', PEER)), 'itl');
  assert.equal(String(await layered.open('firmware/load.bin', PEER)), 'load');
  assert.equal(await layered.open('missing', PEER), null);
  const r = await layered.open('../secret.txt', PEER);
  assert.ok(r !== null && isDenied(r));
});

test('layered source: a per-phone layer above the defaults overrides for that phone only', async () => {
  const perMac: TftpFileSource = {
    async open(name, peer) {
      return peer.address === '10.0.0.5' && name === 'ITLFile.tlv' ? Buffer.from('per-mac') : null;
    },
  };
  const layered = createLayeredSource([perMac, createMemorySource({ 'ITLFile.tlv': Buffer.from('default') })]);
  assert.equal(String(await layered.open('ITLFile.tlv', { address: '10.0.0.5', port: 9 })), 'per-mac');
  assert.equal(String(await layered.open('ITLFile.tlv', { address: '10.0.0.6', port: 9 })), 'default');
});
