// A PostgreSQL cluster of the test's own: initdb in a temp dir (as the postgres user: initdb refuses root),
// on a free TCP port of 127.0.0.1 with its socket dir in the temp dir, that the test stops (fast or
// immediate), starts again and destroys. Never the machine's main cluster on 5432.

import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';

export interface PrivatePostgres {
  /** postgres://postgres@127.0.0.1:<port>/opencapf */
  url: string;
  port: number;
  dir: string;
  /** pg_ctl stop -m <mode> -w (asynchronous: phones and serve keep running meanwhile). */
  stop(mode: 'fast' | 'immediate'): Promise<void>;
  /** pg_ctl start -w: resolves once the server accepts connections. */
  start(): Promise<void>;
  /** Stops the server (if running) and removes the cluster. */
  destroy(): void;
}

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (!versions.length)
    throw new Error('no /usr/lib/postgresql/*/bin/initdb (apt-get install postgresql; .ci/apt lists it)');
  return join(root, versions[0]!, 'bin');
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = binDir();
  const dir = mkdtempSync(join(tmpdir(), 'opencapf-pg-'));
  const data = join(dir, 'data');
  const pwent = execFileSync('getent', ['passwd', 'postgres'], { encoding: 'utf8' }).split(':');
  const uid = Number(pwent[2]);
  const gid = Number(pwent[3]);
  chownSync(dir, uid, gid);
  chmodSync(dir, 0o700);
  const argv = (cmd: string, args: string[]) => ['-u', 'postgres', '--', join(bin, cmd), ...args];
  const asPg = (cmd: string, args: string[]) =>
    execFileSync('runuser', argv(cmd, args), { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  const asPgAsync = (cmd: string, args: string[]) => promisify(execFile)('runuser', argv(cmd, args), { cwd: dir });
  asPg('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  // Loopback only, socket in the temp dir. fsync off is safe here: a `stop -m immediate` is a crash of the
  // server, not of the machine, and the kernel keeps what was written. synchronous_commit stays on: off, a
  // commit the client saw succeed can be lost in that crash (the test would blame OpenCAPF for it).
  writeFileSync(
    join(data, 'postgresql.auto.conf'),
    `${[
      `port = ${port}`,
      "listen_addresses = '127.0.0.1'",
      `unix_socket_directories = '${dir}'`,
      'fsync = off',
      'max_connections = 50',
      "log_min_messages = 'fatal'",
    ].join('\n')}\n`,
  );
  chownSync(join(data, 'postgresql.auto.conf'), uid, gid);
  let running = false;
  const startArgs = ['-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start'];
  const stopArgs = (mode: string) => ['-D', data, '-m', mode, '-w', '-t', '60', 'stop'];
  asPg('pg_ctl', startArgs);
  running = true;
  // A test process that dies before destroy() must not leave a server running on the machine.
  const onExit = () => self.destroy();
  process.once('exit', onExit);
  execFileSync('runuser', argv('createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', 'opencapf']), {
    stdio: 'pipe',
  });
  const self: PrivatePostgres = {
    url: `postgres://postgres@127.0.0.1:${port}/opencapf`,
    port,
    dir,
    async stop(mode) {
      await asPgAsync('pg_ctl', stopArgs(mode));
      running = false;
    },
    async start() {
      await asPgAsync('pg_ctl', startArgs);
      running = true;
    },
    destroy() {
      process.off('exit', onExit);
      if (running) {
        try {
          asPg('pg_ctl', stopArgs('immediate'));
        } catch {
          // already down: removing the directory is all that is left
        }
      }
      running = false;
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return self;
}
