// EAP-TLS end to end with the real FreeRADIUS and eapol_test from Debian (.ci/apt/radius.txt): FreeRADIUS on
// 127.0.0.1 trusts only our CAPF CA and checks our CRL, with the configuration of examples/freeradius/.
// An emulated phone's LSC gets Access-Accept; its MIC is rejected; after the LSC is deleted over CAPF and
// the CRL refreshed, the old LSC is rejected.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { startCapfLab, newDeviceName, type CapfLab } from '../helpers/capf-lab.ts';
import { serveExtensions, type ExtensionHttp } from '../helpers/revocation-http.ts';
import { runCapfClient } from '../../src/capf/index.ts';
import { derToPem, privateKeyPem } from '../../src/pki/index.ts';

const EXAMPLES = new URL('../../examples/freeradius/', import.meta.url).pathname;
const SYSTEM_CONF = '/etc/freeradius/3.0';
const SECRET = 'opencapf-e2e-secret';
const RADIUSD = ['/usr/sbin/freeradius', '/usr/sbin/radiusd'].find((p) => existsSync(p));
const EAPOL_TEST = ['/usr/bin/eapol_test', '/usr/sbin/eapol_test'].find((p) => existsSync(p));
const missing = [
  !RADIUSD && 'freeradius',
  !EAPOL_TEST && 'eapol_test (package eapoltest)',
  !existsSync(SYSTEM_CONF) && SYSTEM_CONF,
].filter(Boolean);
if (missing.length && process.env.CI)
  throw new Error(`EAP-TLS e2e: missing ${missing.join(', ')} (installed by .ci/run from .ci/apt/radius.txt)`);
const skip = missing.length
  ? `missing ${missing.join(', ')}: apt-get install freeradius eapoltest (see .ci/apt/radius.txt)`
  : false;

let lab: CapfLab;
let web: ExtensionHttp;
let work: string;
let conf: string;
let port: number;
let radiusd: ChildProcess | null = null;
/** radiusd -X output of the current run (shown when an assertion fails). */
let radiusLog = '';
const actor = { name: 'e2e', source: 'test' };

async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  const p = s.address().port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return p;
}

/**
 * Builds a FreeRADIUS config directory: the system one, with the stock sites and eap replaced by
 * examples/freeradius.
 */
function buildConfig(): void {
  conf = join(work, 'raddb');
  cpSync(SYSTEM_CONF, conf, { recursive: true, verbatimSymlinks: true });
  for (const f of ['sites-enabled/default', 'sites-enabled/inner-tunnel', 'mods-enabled/eap'])
    rmSync(join(conf, f), { force: true });
  const radiusdConf = readFileSync(join(conf, 'radiusd.conf'), 'utf8')
    .replace(/^\s*(user|group)\s*=.*$/gm, '') // runs as whoever runs the test; the files are in a private temp dir
    .replace(/^run_dir\s*=.*$/m, `run_dir = ${join(work, 'run')}`)
    .replace(/^logdir\s*=.*$/m, `logdir = ${join(work, 'log')}`);
  writeFileSync(join(conf, 'radiusd.conf'), radiusdConf);
  mkdirSync(join(work, 'run'), { recursive: true });
  mkdirSync(join(work, 'log'), { recursive: true });
  writeFileSync(join(conf, 'mods-enabled/eap'), readFileSync(join(EXAMPLES, 'mods-available/eap-opencapf')));
  const site = readFileSync(join(EXAMPLES, 'sites-available/opencapf-8021x'), 'utf8');
  assert.match(site, /port = 1812/);
  writeFileSync(join(conf, 'sites-enabled/opencapf-8021x'), site.replace('port = 1812', `port = ${port}`));
  const clients = readFileSync(join(EXAMPLES, 'clients.conf'), 'utf8');
  assert.match(clients, /secret = change-me-opencapf/);
  writeFileSync(join(conf, 'clients.conf'), clients.replace('change-me-opencapf', SECRET));
}

function sh(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(cmd, args, { encoding: 'utf8', timeout: 60_000 }, (e, out, err) =>
      e ? reject(new Error(`${cmd} ${args.join(' ')}: ${err || e.message}`)) : resolve(out),
    ),
  );
}

/** What examples/freeradius/refresh-opencapf-crl.sh does: bundle + CRL over HTTP 6970 into certs/opencapf, rehashed. */
async function refreshTrust(): Promise<void> {
  await sh('sh', [
    '-c',
    `OPENCAPF=${web.baseUrl} DEST=${join(conf, 'certs/opencapf')} ${join(EXAMPLES, 'refresh-opencapf-crl.sh')}`,
  ]);
}

async function startRadius(): Promise<void> {
  const child = spawn(RADIUSD!, ['-X', '-f', '-d', conf, '-l', 'stdout'], { stdio: ['ignore', 'pipe', 'pipe'] });
  radiusd = child;
  radiusLog = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (b: Buffer) => {
      radiusLog += b.toString();
      if (radiusLog.includes('Ready to process requests')) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) =>
      reject(new Error(`radiusd exited (${code}) before it was ready:\n${radiusLog.slice(-4000)}`)),
    );
  });
}

async function stopRadius(): Promise<void> {
  const child = radiusd;
  radiusd = null;
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.on('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

interface Held {
  der: Buffer;
  privateKey: KeyObject;
}

/** eapol_test with this certificate as the phone's; true for Access-Accept (SUCCESS). */
async function eapTls(identity: string, cert: Held): Promise<{ accepted: boolean; out: string }> {
  const id = `${identity}-${Math.random().toString(16).slice(2, 8)}`;
  const certFile = join(work, `${id}.pem`);
  const keyFile = join(work, `${id}.key`);
  writeFileSync(certFile, derToPem(cert.der));
  writeFileSync(keyFile, privateKeyPem(cert.privateKey), { mode: 0o600 });
  const cfg = join(work, `${id}.conf`);
  const network = [
    'network={',
    '\tkey_mgmt=IEEE8021X',
    '\teap=TLS',
    `\tidentity="${identity}"`,
    `\tca_cert="${join(work, 'server-ca.pem')}"`,
    `\tclient_cert="${certFile}"`,
    `\tprivate_key="${keyFile}"`,
    '\teapol_flags=0',
    '}',
    '',
  ];
  writeFileSync(cfg, network.join('\n'));
  return new Promise((resolve) => {
    execFile(
      EAPOL_TEST!,
      ['-c', cfg, '-a', '127.0.0.1', '-p', String(port), '-s', SECRET, '-t', '20'],
      { encoding: 'utf8', timeout: 60_000, maxBuffer: 16 << 20 },
      (e, out) => {
        const last = out.trim().split('\n').pop() ?? '';
        resolve({ accepted: !e && last === 'SUCCESS', out });
      },
    );
  });
}

before(async () => {
  if (skip) return;
  lab = await startCapfLab();
  web = await serveExtensions(lab);
  work = mkdtempSync(join(tmpdir(), 'opencapf-eaptls-'));
  port = await freeUdpPort();
  buildConfig();
  // A throwaway CA and server certificate for the RADIUS server (the phone's 802.1X CA setting).
  const certs = join(conf, 'certs/opencapf');
  mkdirSync(certs, { recursive: true });
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      join(work, 'server-ca.key'),
      '-out',
      join(work, 'server-ca.pem'),
      '-days',
      '30',
      '-subj',
      '/CN=RADIUS test CA',
    ],
    { stdio: 'ignore' },
  );
  execFileSync(
    'openssl',
    [
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      join(certs, 'server.key'),
      '-out',
      join(work, 'server.csr'),
      '-subj',
      '/CN=radius.test',
    ],
    { stdio: 'ignore' },
  );
  writeFileSync(join(work, 'server.ext'), 'extendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n');
  execFileSync(
    'openssl',
    [
      'x509',
      '-req',
      '-in',
      join(work, 'server.csr'),
      '-CA',
      join(work, 'server-ca.pem'),
      '-CAkey',
      join(work, 'server-ca.key'),
      '-CAcreateserial',
      '-days',
      '30',
      '-extfile',
      join(work, 'server.ext'),
      '-out',
      join(certs, 'server.pem'),
    ],
    { stdio: 'ignore' },
  );
  await refreshTrust();
  await startRadius();
});

after(async () => {
  if (skip) return;
  await stopRadius();
  await web?.close();
  await lab?.close();
  rmSync(work, { recursive: true, force: true });
});

test('LSC accepted, MIC rejected, deleted LSC rejected after the CRL refresh', { skip, timeout: 240_000 }, async () => {
  const name = newDeviceName();
  await lab.ctx.phones.addPhones([{ deviceName: name, model: 'Cisco 8845' }], actor);
  await lab.ctx.phones.schedule(
    [name],
    { operation: 'install', authMode: 'null-string', keyOrder: 'rsa', rsaKeySize: 2048 },
    actor,
  );
  const r = await runCapfClient({
    host: '127.0.0.1',
    port: lab.port,
    deviceName: name,
    authMode: 'null-string',
    timeoutMs: 30_000,
  });
  assert.equal(r.outcome, 'installed', r.log.join('\n'));
  const lsc = r.lsc!;

  const accepted = await eapTls(name, lsc);
  assert.ok(accepted.accepted, `LSC must get Access-Accept:\n${radiusLog.slice(-6000)}`);
  assert.match(accepted.out, /RADIUS message: code=2 \(Access-Accept\)/);

  const mic = await lab.makeMic(name, { type: 'rsa', bits: 2048 });
  const micResult = await eapTls(`CP-8845-${name}`, mic);
  assert.equal(micResult.accepted, false, 'a MIC must be rejected');
  assert.match(micResult.out, /Access-Reject|FAILURE/);
  assert.match(
    radiusLog,
    /unable to get local issuer certificate/i,
    'rejected because the manufacturing CA is not trusted',
  );

  // Delete the LSC over CAPF (the phone connects, deletes it; the CAPF revokes it), then refresh the CRL.
  await lab.ctx.phones.schedule([name], { operation: 'delete' }, actor);
  const del = await runCapfClient({
    host: '127.0.0.1',
    port: lab.port,
    deviceName: name,
    authMode: 'null-string',
    lsc,
    timeoutMs: 30_000,
  });
  assert.equal(del.outcome, 'deleted', del.log.join('\n'));
  assert.ok((await eapTls(name, lsc)).accepted, 'until the CRL is refreshed, RADIUS still has the old CRL');
  await refreshTrust();
  const crlText = execFileSync(
    'openssl',
    ['crl', '-in', join(conf, 'certs/opencapf/capath/capf.crl.pem'), '-noout', '-text'],
    { encoding: 'utf8' },
  );
  assert.match(crlText, /Cessation Of Operation/);
  await stopRadius();
  await startRadius();
  const revoked = await eapTls(name, lsc);
  assert.equal(revoked.accepted, false, `the deleted LSC must be rejected:\n${revoked.out.slice(-2000)}`);
  assert.match(radiusLog, /certificate revoked/i, 'rejected because of our CRL');

  // A fresh LSC for the same phone works again.
  await lab.ctx.phones.schedule(
    [name],
    { operation: 'install', authMode: 'null-string', keyOrder: 'rsa', rsaKeySize: 2048 },
    actor,
  );
  const again = await runCapfClient({
    host: '127.0.0.1',
    port: lab.port,
    deviceName: name,
    authMode: 'null-string',
    timeoutMs: 30_000,
  });
  assert.equal(again.outcome, 'installed');
  assert.ok((await eapTls(name, again.lsc!)).accepted, 'a new LSC is accepted');
});
