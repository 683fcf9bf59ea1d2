// A real SMTP server on 127.0.0.1 for the certificate monitor tests: Debian's python3-aiosmtpd run by
// test/helpers/smtp-server.py with STARTTLS required (a certificate made here with openssl) and AUTH required,
// each received message read back as written to its directory.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.ts';

export const PYTHON = '/usr/bin/python3';

export interface ReceivedMail {
  from: string;
  to: string[];
  tls: boolean;
  authenticated: boolean;
  /** The message as received (headers and body). */
  data: string;
}

export interface SmtpServer {
  port: number;
  /** PEM of the server's self-signed certificate (the channel's CA bundle). */
  caPem: string;
  user: string;
  password: string;
  messages(): ReceivedMail[];
  stop(): Promise<void>;
}

/** Why the SMTP tests cannot run here, or null. */
export function smtpSkipReason(): string | null {
  if (!existsSync(PYTHON)) return `${PYTHON} is missing`;
  const r = spawnSync(PYTHON, ['-c', 'import aiosmtpd'], { encoding: 'utf8' });
  return r.status === 0 ? null : 'python3-aiosmtpd is not installed (apt-get install python3-aiosmtpd)';
}

export async function startSmtpServer(o: { user?: string; password?: string } = {}): Promise<SmtpServer> {
  const dir = mkdtempSync(join(tmpdir(), 'opencapf-smtp-'));
  const out = join(dir, 'mail');
  mkdirSync(out);
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  const gen = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { encoding: 'utf8' },
  );
  if (gen.status !== 0) throw new Error(`openssl req failed: ${gen.stderr}`);
  const user = o.user ?? 'monitor';
  const password = o.password ?? 'smtp-pass-7f3a9c';
  const port = await freePort();
  const script = fileURLToPath(new URL('./smtp-server.py', import.meta.url));
  const proc: ChildProcess = spawn(PYTHON, [script, String(port), out, cert, key, user, password], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer) => {
      log += String(d);
      if (log.includes('READY')) resolve();
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', (d: Buffer) => {
      log += String(d);
    });
    proc.once('exit', (code) => reject(new Error(`SMTP server exited (${code}): ${log}`)));
  });
  return {
    port,
    caPem: readFileSync(cert, 'utf8'),
    user,
    password,
    messages: () =>
      readdirSync(out)
        .filter((f) => f.endsWith('.json'))
        .sort()
        .map((f) => JSON.parse(readFileSync(join(out, f), 'utf8')) as ReceivedMail),
    async stop() {
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A mail body with quoted-printable soft line breaks joined and =XX decoded (nodemailer's text encoding), its
 * CRLF line ends as LF.
 */
export function mailText(data: string): string {
  const m = /\r?\n\r?\n/.exec(data);
  const body = (m ? data.slice(m.index + m[0].length) : data).replace(/\r\n/g, '\n');
  if (!/content-transfer-encoding:\s*quoted-printable/i.test(data)) return body;
  const bytes = body
    .replace(/=\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}
