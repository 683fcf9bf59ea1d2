// `opencapf serve` as a real child process on 127.0.0.1 with every listener on a free port: what it
// printed, the ports it reported, and whether (and how) it exited.

import { spawn, type ChildProcess } from 'node:child_process';

export interface ServeProcess {
  proc: ChildProcess;
  /** Everything the process printed so far (stdout and stderr interleaved). */
  output(): string;
  /** Port of each listener from the "OpenCAPF serving. capf 127.0.0.1:N, …" line (after ready()). */
  ports: Record<string, number>;
  /** Resolves once serve printed its "OpenCAPF serving." line; rejects if it exits first. */
  ready(): Promise<void>;
  /** Resolves when the output matches (checked on every chunk); rejects if the process exits first. */
  waitFor(pattern: RegExp): Promise<RegExpExecArray>;
  /** Exit code (null when killed by a signal) and signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** True until the process has exited. */
  running(): boolean;
  /** SIGKILL if still running (for test cleanup). */
  kill(): Promise<void>;
}

export interface ServeProcessOptions {
  dataDir: string;
  /** Extra arguments after `serve` (e.g. ['--store', 'postgres', '--postgres-url', url]). */
  args?: string[];
  env?: NodeJS.ProcessEnv;
  logLevel?: string;
}

export function spawnServe(o: ServeProcessOptions): ServeProcess {
  const ports = ['--capf-port', '--api-port', '--tftp-port', '--http-port', '--https-port', '--tvs-port'].flatMap(
    (f) => [f, '0'],
  );
  const proc = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/main.ts',
      'serve',
      '--data-dir',
      o.dataDir,
      '--host',
      '127.0.0.1',
      ...ports,
      '--log-level',
      o.logLevel ?? 'warn',
      ...(o.args ?? []),
    ],
    {
      env: { ...process.env, OPENCAPF_ADMIN_PASSWORD: 'correct horse battery staple 1', ...o.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let alive = true;
  const waiters = new Set<{ pattern: RegExp; resolve: (m: RegExpExecArray) => void; reject: (e: Error) => void }>();
  const check = () => {
    for (const w of waiters) {
      const m = w.pattern.exec(out);
      if (m) {
        waiters.delete(w);
        w.resolve(m);
      }
    }
  };
  const onData = (d: Buffer) => {
    out += String(d);
    check();
  };
  proc.stdout!.on('data', onData);
  proc.stderr!.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.on('exit', (code, signal) => {
      alive = false;
      // Output may still be buffered in the pipes: settle waiters once both streams have ended.
      let open = 2;
      const done = () => {
        if (--open > 0) return;
        check();
        for (const w of waiters)
          w.reject(new Error(`serve exited (code ${code}, signal ${signal}) before printing ${w.pattern}:\n${out}`));
        waiters.clear();
        resolve({ code, signal });
      };
      if (proc.stdout!.readableEnded) done();
      else proc.stdout!.once('end', done);
      if (proc.stderr!.readableEnded) done();
      else proc.stderr!.once('end', done);
    });
  });
  const self: ServeProcess = {
    proc,
    output: () => out,
    ports: {},
    exited,
    running: () => alive,
    waitFor(pattern) {
      const m = pattern.exec(out);
      if (m) return Promise.resolve(m);
      if (!alive) return Promise.reject(new Error(`serve is not running; never printed ${pattern}:\n${out}`));
      return new Promise((resolve, reject) => waiters.add({ pattern, resolve, reject }));
    },
    async ready() {
      const m = await self.waitFor(/OpenCAPF serving\. ([^\n]*)/);
      for (const [, name, port] of m[1]!.matchAll(/(\w+) 127\.0\.0\.1:(\d+)/g)) self.ports[name!] = Number(port);
    },
    async kill() {
      if (alive) proc.kill('SIGKILL');
      await exited;
    },
  };
  return self;
}
