// Provisioning end to end on a real OpenCAPF (all listeners on 127.0.0.1, port 0): the ITL and phone
// configs over TFTP (our client, tftp-hpa, atftp, curl), HTTP 6970 (ETag/304, traversal), HTTPS 6971,
// `itl export`/`itl show`, ITL rebuilt on certificate changes (also from another process), TVS.

import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { PassThrough, Readable } from 'node:stream';
import { startCapfLab, newDeviceName, type CapfLab } from '../helpers/capf-lab.ts';
import { runCli } from '../../src/cli/index.ts';
import { tftpGet, TftpClientError } from '../../src/provisioning/tftp/index.ts';
import {
  decryptConfig,
  parseItl,
  verifyTrustList,
  verifySgn,
  unwrapSgn,
  serialBytes,
  trustListName,
} from '../../src/trust/index.ts';
import type { CertificateInfo } from '../../src/pki/index.ts';
import { runCapfClient } from '../../src/capf/index.ts';
import { tvsQuery, tvsVerify, TvsRole } from '../../src/tvs/index.ts';
import { startHttpListener } from '../../src/app/listeners/http.ts';
import type { HttpExtension } from '../../src/provisioning/http-extension.ts';
import { isAppError } from '../../src/shared/errors.ts';

const actor = { name: 'test', source: 'test' };
const serialBytesOf = (c: CertificateInfo) => Buffer.from(serialBytes(c.serialHex));
const HOST = '127.0.0.1';
let lab: CapfLab;
let staticDir: string;

const port = (name: string) => lab.server.ports[name]!;

async function cli(args: string[]): Promise<{ code: number; out: string }> {
  const sink = new PassThrough();
  let out = '';
  sink.on('data', (d) => (out += String(d)));
  const code = await runCli(['--data-dir', lab.dir, ...args], {
    stdout: sink,
    stderr: sink,
    stdin: Readable.from(['']),
    env: {},
  });
  return { code, out };
}

function get(
  path: string,
  o: { port?: number; headers?: Record<string, string>; method?: string; tls?: boolean } = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const mod = o.tls ? https : http;
    const req = mod.request(
      {
        host: HOST,
        port: o.port ?? port(o.tls ? 'https' : 'http'),
        path,
        method: o.method ?? 'GET',
        headers: o.headers,
        rejectUnauthorized: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function run(cmd: string, args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 20_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, out: stdout + stderr }),
    );
  });
}
function needs(bin: string, pkg: string): { skip?: string } {
  if (existsSync(bin)) return {};
  if (process.env.CI) throw new Error(`${pkg} is not installed; .ci/run installs it from .ci/apt/tftp.txt`);
  return { skip: `${pkg} not installed; skipped locally, fails under CI` };
}

async function tftp(name: string): Promise<Buffer> {
  return tftpGet({ host: HOST, port: port('tftp'), filename: name, blksize: 1428, timeoutMs: 2000 });
}

const tvsOpts = () => ({
  host: HOST,
  port: port('tvs'),
  timeoutMs: 10_000,
  checkServerCertificate: (der: Uint8Array) => Buffer.from(der).equals(lab.ctx.identities.get('tvs').certificate.der),
});

before(async () => {
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  staticDir = mkdtempSync(join(tmpdir(), 'opencapf-static-'));
  mkdirSync(join(staticDir, 'firmware'));
  writeFileSync(join(staticDir, 'firmware', 'sip88xx.loads'), Buffer.alloc(100_000, 7));
  writeFileSync(join(staticDir, 'ITLFile.tlv'), 'a static ITL must never shadow the generated one');
  writeFileSync(join(staticDir, '..', 'opencapf-secret.txt'), 'never served');
  lab = await startCapfLab({ 'provisioning.staticDir': staticDir, 'itl.transitionHours': 24, 'capf.port': 0 });
});
after(async () => {
  await lab.close();
});

describe('ITL', () => {
  test(
    'the ITL over TFTP and HTTP equals `itl export`, ' + 'verifies, and holds SAST, ITLRecovery, TFTP, TVS and CAPF',
    async () => {
      const file = join(lab.dir, 'exported.tlv');
      const r = await cli(['itl', 'export', file]);
      assert.equal(r.code, 0, r.out);
      assert.match(r.out, /signed by the TFTP \(CallManager\) certificate/);
      const exported = readFileSync(file);
      assert.ok((await tftp('ITLFile.tlv')).equals(exported));
      assert.ok((await tftp('/ITLFile.tlv')).equals(exported));
      const h = await get('/ITLFile.tlv');
      assert.equal(h.status, 200);
      assert.equal(h.headers['content-type'], 'application/octet-stream');
      assert.ok(h.body.equals(exported));
      const list = parseItl(exported);
      assert.equal(verifyTrustList(list).ok, true);
      const roles = list.records.map((x) => `${x.roleName}:${x.serialNumber?.toString('hex')}`);
      const ids = lab.ctx.identities;
      const serial = (n: 'capf' | 'tftp' | 'tvs' | 'itlrecovery') =>
        serialBytesOf(ids.get(n).certificate).toString('hex');
      assert.deepEqual(
        new Set(roles),
        new Set([
          `CAPF:${serial('capf')}`,
          `TVS:${serial('tvs')}`,
          `SAST:${serial('itlrecovery')}`,
          `SAST:${serial('tftp')}`,
          `TFTP:${serial('tftp')}`,
        ]),
      );
      // The signer is the TFTP certificate; ITLRecovery is the second SAST.
      assert.equal(list.header.serialNumber?.toString('hex'), serial('tftp'));
      // Per-phone name serves the same list (FILENAME ITLFile.tlv, tlv-files.md §8).
      assert.ok((await tftp('ITLSEP00AABBCCDDEE.tlv')).equals(exported));
      const shown = await cli(['itl', 'show', file]);
      assert.equal(shown.code, 0);
      assert.match(shown.out, /This etoken was used to sign the ITL file\./);
      assert.match(shown.out, /This etoken was not used to sign the ITL file\./);
      assert.match(shown.out, /The ITL file was verified successfully\.\s*$/);
      const json = JSON.parse((await cli(['itl', 'show', file, '--json'])).out);
      assert.equal(json.verification.ok, true);
      // A damaged file: a precise reason, exit code 1.
      const bad = Buffer.from(exported);
      bad[bad.length - 10]! ^= 0xff;
      writeFileSync(join(lab.dir, 'bad.tlv'), bad);
      const b = await cli(['itl', 'show', join(lab.dir, 'bad.tlv')]);
      assert.equal(b.code, 1);
      assert.doesNotMatch(b.out, /verified successfully/);
    },
  );

  test('CTLFile.tlv is not served outside mixed mode; `itl export --ctl` says why', async () => {
    await assert.rejects(
      tftp('CTLFile.tlv'),
      (e: unknown) => e instanceof TftpClientError && /not found/i.test(e.message),
    );
    assert.equal((await get('/CTLSEP00AABBCCDDEE.tlv')).status, 404);
    const r = await cli(['itl', 'export', join(lab.dir, 'ctl.tlv'), '--ctl']);
    assert.notEqual(r.code, 0);
    assert.match(r.out, /mixed mode/);
  });

  test('a pinned ITLSEP<MAC>.tlv wins for that phone only; unpin restores the default', async () => {
    const other = join(lab.dir, 'other.tlv');
    // A list signed by ITLRecovery is a different file with the same members.
    assert.equal((await cli(['itl', 'reset', 'localkey'])).code, 0);
    await cli(['itl', 'export', other]);
    assert.equal((await cli(['itl', 'reset', 'normal'])).code, 0);
    lab.ctx.provisioning.refreshFromDisk();
    // The default as it is now: going back to normal signing is itself a change, so its TIMESTAMP (and bytes)
    // may differ from an export made before the reset when the steps straddle a second.
    const file = join(lab.dir, 'pin.tlv');
    await cli(['itl', 'export', file]);
    assert.equal((await cli(['itl', 'pin', 'SEP001122334455', other])).code, 0);
    lab.ctx.provisioning.refreshFromDisk();
    assert.ok((await tftp('ITLSEP001122334455.tlv')).equals(readFileSync(other)));
    assert.ok((await tftp('ITLSEP001122334466.tlv')).equals(readFileSync(file)));
    assert.equal(
      (await cli(['itl', 'pin', 'SEP001122334455', join(staticDir, 'ITLFile.tlv')])).code,
      2,
      'not a trust list',
    );
    assert.equal((await cli(['itl', 'unpin', 'SEP001122334455'])).code, 0);
    lab.ctx.provisioning.refreshFromDisk();
    assert.ok((await tftp('ITLSEP001122334455.tlv')).equals(readFileSync(file)));
  });

  test('`itl reset localkey` re-signs with ITLRecovery, and a running serve notices it on its own', async () => {
    const before = await tftp('ITLFile.tlv');
    assert.equal((await cli(['itl', 'reset', 'localkey'])).code, 0);
    const recovery = serialBytesOf(lab.ctx.identities.get('itlrecovery').certificate).toString('hex');
    let served = before;
    for (let i = 0; i < 200 && served.equals(before); i++) {
      await new Promise((r) => setTimeout(r, 50));
      served = await tftp('ITLFile.tlv');
    }
    const list = parseItl(served);
    assert.equal(list.header.serialNumber?.toString('hex'), recovery);
    assert.equal(verifyTrustList(list).ok, true);
    assert.equal((await cli(['itl', 'reset', 'normal'])).code, 0);
    lab.ctx.provisioning.refreshFromDisk();
  });
});

describe('certificate changes', () => {
  test(
    '`cert regenerate capf` in another process: ' + 'the served ITL holds old and new CAPF, CAPF TLS and TVS follow',
    async () => {
      const oldCapf = lab.ctx.identities.get('capf').certificate;
      const before = await tftp('ITLFile.tlv');
      const r = await cli(['cert', 'regenerate', 'capf']);
      assert.equal(r.code, 0, r.out);
      // The CLI archives the old certificate, generates a key, then writes the new one: wait for the end state.
      const capfCount = (b: Buffer) => parseItl(b).records.filter((x) => x.roleName === 'CAPF').length;
      let served = before;
      for (let i = 0; i < 300 && capfCount(served) < 2; i++) {
        await new Promise((res) => setTimeout(res, 50));
        served = (await get('/ITLFile.tlv')).body;
      }
      const newCapf = lab.ctx.identities.get('capf').certificate;
      assert.notEqual(newCapf.sha1, oldCapf.sha1, 'serve reloaded the identity from disk');
      const list = parseItl(served);
      const capfSerials = list.records.filter((x) => x.roleName === 'CAPF').map((x) => x.serialNumber?.toString('hex'));
      assert.deepEqual(
        new Set(capfSerials),
        new Set([serialBytesOf(newCapf).toString('hex'), serialBytesOf(oldCapf).toString('hex')]),
      );
      assert.equal(verifyTrustList(list).ok, true);
      // The CAPF listener now presents the new certificate.
      let seen: Buffer | undefined;
      await runCapfClient({
        host: HOST,
        port: lab.port,
        deviceName: newDeviceName(),
        authMode: 'null-string',
        timeoutMs: 10_000,
        generateKey: () => lab.key({ type: 'rsa', bits: 2048 }),
        checkServerCertificate: (der: Buffer) => {
          seen = der;
          return true;
        },
      }).catch(() => undefined);
      assert.ok(seen?.equals(newCapf.der), 'CAPF TLS serves the new certificate');
      // TVS vouches for the new CAPF certificate (not in the phones' ITL yet) and, during the transition, the old one.
      const v = await tvsVerify({ ...tvsOpts(), certDer: newCapf.der });
      assert.equal(v.trusted, true);
      assert.deepEqual(v.roles, [TvsRole.CAPF]);
      assert.equal((await tvsVerify({ ...tvsOpts(), certDer: oldCapf.der })).trusted, true);
    },
  );

  test(
    'in-process regenerate of tftp: ' +
      'the ITL is signed by ITLRecovery during the transition; .sgn follows the new key',
    async () => {
      const next = await lab.ctx.identities.regenerate('tftp');
      const list = parseItl(await tftp('ITLFile.tlv'));
      assert.equal(
        list.header.serialNumber?.toString('hex'),
        serialBytesOf(lab.ctx.identities.get('itlrecovery').certificate).toString('hex'),
      );
      assert.ok(
        list.records.some(
          (x) =>
            x.roleName === 'TFTP' &&
            x.serialNumber?.toString('hex') === serialBytesOf(next.certificate).toString('hex'),
        ),
      );
      const name = newDeviceName();
      await lab.ctx.phones.addPhones([{ deviceName: name, model: 'Cisco 8845' }], actor);
      const sgn = await tftp(`${name}.cnf.xml.sgn`);
      verifySgn(sgn, [next.certificate]);
      // HTTPS 6971 presents the new certificate.
      const cert = await new Promise<Buffer>((resolve, reject) => {
        const s = https.request(
          { host: HOST, port: port('https'), path: '/ITLFile.tlv', rejectUnauthorized: false },
          (res) => {
            resolve((res.socket as import('node:tls').TLSSocket).getPeerX509Certificate()!.raw);
            res.resume();
          },
        );
        s.on('error', reject);
        s.end();
      });
      assert.ok(cert.equals(next.certificate.der));
    },
  );
});

describe('phone configuration', () => {
  test(
    'SEP<MAC>.cnf.xml: capfAuthMode follows the scheduled mode, ' +
      'CAPF port, TVS member; version bumps after `capf schedule`',
    async () => {
      const name = newDeviceName();
      await lab.ctx.phones.addPhones([{ deviceName: name, model: 'Cisco 8845' }], actor);
      const first = (await get(`/${name}.cnf.xml`)).body.toString();
      assert.match(first, new RegExp(`<phonePort>${lab.port}</phonePort>`));
      assert.match(
        first,
        new RegExp(
          `<TVS>\\s*<members>\\s*<member ` +
            `priority="0">\\s*<port>${port('tvs')}</port>\\s*<address>127\\.0\\.0\\.1</address>`,
        ),
      );
      assert.match(first, /<deviceSecurityMode>1<\/deviceSecurityMode>/);
      for (const [mode, value] of [
        ['auth-string', 1],
        ['null-string', 2],
        ['existing-lsc', 3],
        ['existing-mic', 4],
      ] as const) {
        const r = await cli([
          'capf',
          'schedule',
          'install',
          name,
          '--auth-mode',
          mode,
          ...(mode === 'auth-string' ? ['--auth-string', '12345'] : []),
        ]);
        assert.equal(r.code, 0, r.out);
        const xml = (await get(`/${name}.cnf.xml`)).body.toString();
        assert.match(xml, new RegExp(`<capfAuthMode>${value}</capfAuthMode>`), mode);
      }
      const h1 = await get(`/${name}.cnf.xml`);
      const again = await get(`/${name}.cnf.xml`, { headers: { 'if-none-match': h1.headers.etag! } });
      assert.equal(again.status, 304);
      assert.equal(again.body.length, 0);
      await cli(['capf', 'schedule', 'install', name, '--auth-mode', 'null-string']);
      const h2 = await get(`/${name}.cnf.xml`, { headers: { 'if-none-match': h1.headers.etag! } });
      assert.equal(h2.status, 200);
      assert.notEqual(h2.headers.etag, h1.headers.etag);
      assert.notEqual(
        /<versionStamp>(.*)<\/versionStamp>/.exec(h2.body.toString())![1],
        /<versionStamp>(.*)<\/versionStamp>/.exec(h1.body.toString())![1],
      );
      // .sgn verifies with the TFTP certificate and wraps the same XML; HTTPS answers the .sgn name with plain XML.
      const sgn = await tftp(`${name}.cnf.xml.sgn`);
      verifySgn(sgn, [lab.ctx.identities.get('tftp').certificate]);
      assert.ok(unwrapSgn(sgn).equals(h2.body));
      const viaHttps = await get(`/${name}.cnf.xml.sgn`, { tls: true });
      assert.ok(viaHttps.body.equals(h2.body));
      const shown = await cli(['config', 'show', name]);
      // The CLI runs without the listeners' test ports (port 0), so compare what does not depend on them.
      assert.match(shown.out, /<capfAuthMode>2<\/capfAuthMode>/);
      assert.equal(
        /<versionStamp>(.*)<\/versionStamp>/.exec(shown.out)![1],
        /<versionStamp>(.*)<\/versionStamp>/.exec(h2.body.toString())![1],
      );
      // Unknown phones: not found, never silence.
      assert.equal((await get('/SEP0000DEADBEEF.cnf.xml')).status, 404);
      await assert.rejects(tftp('SEP0000DEADBEEF.cnf.xml.sgn'), TftpClientError);
    },
  );

  test(
    "encrypted profile: .enc.sgn decrypts with the phone's LSC key; " + 'the .sgn is the stub; no plain config leaks',
    async () => {
      await lab.ctx.admin.profiles.create(
        { name: 'Encrypted 8845', deviceSecurityMode: 'encrypted', authMode: 'null-string', encryptedConfig: true },
        actor,
      );
      const name = newDeviceName();
      await lab.ctx.phones.addPhones([{ deviceName: name, model: 'Cisco 8845', profileName: 'Encrypted 8845' }], actor);
      await lab.ctx.phones.schedule([name], { operation: 'install', authMode: 'null-string' }, actor);
      // Before the phone has an LSC the config is only signed.
      assert.equal((await get(`/${name}.cnf.xml.enc.sgn`)).status, 404);
      const key = await lab.key({ type: 'rsa', bits: 2048 });
      const enrol = await runCapfClient({
        host: HOST,
        port: lab.port,
        deviceName: name,
        authMode: 'null-string',
        timeoutMs: 20_000,
        generateKey: async () => key,
      });
      assert.equal(enrol.outcome, 'installed', enrol.log.join('\n'));
      const enc = await tftp(`${name}.cnf.xml.enc.sgn`);
      const xml = decryptConfig(enc, {
        privateKey: key.privateKey,
        trustedSigners: [lab.ctx.identities.get('tftp').certificate],
      }).xml.toString();
      assert.match(xml, /<deviceSecurityMode>3<\/deviceSecurityMode>/);
      const stub = unwrapSgn(await tftp(`${name}.cnf.xml.sgn`)).toString();
      assert.match(stub, /<encrConfig>true<\/encrConfig>/);
      assert.match(stub, /<fullConfig>false<\/fullConfig>/);
      assert.doesNotMatch((await get(`/${name}.cnf.xml`)).body.toString(), /<deviceSecurityMode>/);
    },
  );
});

describe('HTTP 6970 and TFTP with Debian clients', () => {
  test(
    'static files byte identical over curl http, curl tftp, ' +
      'tftp-hpa and atftp; generated files shadow static ones',
    async (t) => {
      const fw = readFileSync(join(staticDir, 'firmware', 'sip88xx.loads'));
      const itl = await tftp('ITLFile.tlv');
      const out = join(lab.dir, 'dl');
      mkdirSync(out, { recursive: true });
      const c = await run('/usr/bin/curl', [
        '-sS',
        `http://${HOST}:${port('http')}/firmware/sip88xx.loads`,
        '-o',
        join(out, 'http.loads'),
      ]);
      assert.equal(c.code, 0, c.out);
      assert.ok(readFileSync(join(out, 'http.loads')).equals(fw));
      const h = await get('/ITLFile.tlv', { method: 'HEAD' });
      assert.equal(h.status, 200);
      assert.equal(Number(h.headers['content-length']), itl.length);
      await t.test('curl tftp', needs('/usr/bin/curl', 'curl'), async () => {
        const r = await run('/usr/bin/curl', [
          '-sS',
          '--tftp-blksize',
          '1024',
          `tftp://${HOST}:${port('tftp')}/ITLFile.tlv`,
          '-o',
          join(out, 'curl.tlv'),
        ]);
        assert.equal(r.code, 0, r.out);
        assert.ok(readFileSync(join(out, 'curl.tlv')).equals(itl));
        const trav = await run('/usr/bin/curl', [
          '-sS',
          '--path-as-is',
          `tftp://${HOST}:${port('tftp')}/../opencapf-secret.txt`,
          '-o',
          join(out, 'x'),
        ]);
        assert.equal(trav.code, 69);
      });
      await t.test('tftp-hpa', needs('/usr/bin/tftp', 'tftp-hpa'), async () => {
        const r = await run('/usr/bin/tftp', [
          HOST,
          String(port('tftp')),
          '-m',
          'binary',
          '-c',
          'get',
          'firmware/sip88xx.loads',
          join(out, 'hpa.loads'),
        ]);
        assert.equal(r.out, '');
        assert.ok(readFileSync(join(out, 'hpa.loads')).equals(fw));
        const nf = await run('/usr/bin/tftp', [
          HOST,
          String(port('tftp')),
          '-m',
          'binary',
          '-c',
          'get',
          'nope.tlv',
          join(out, 'nope'),
        ]);
        assert.match(nf.out, /Error code 1: File not found/);
      });
      await t.test('atftp', needs('/usr/bin/atftp', 'atftp'), async () => {
        const r = await run('/usr/bin/atftp', [
          '--option',
          'blksize 1024',
          '--option',
          'tsize enable',
          '--get',
          '-r',
          'ITLFile.tlv',
          '-l',
          join(out, 'atftp.tlv'),
          HOST,
          String(port('tftp')),
        ]);
        assert.equal(r.code, 0, r.out);
        assert.ok(readFileSync(join(out, 'atftp.tlv')).equals(itl));
      });
    },
  );

  test(
    'HTTP: traversal refused, unknown 404, ' + 'methods other than GET/HEAD 405, HTTPS serves the same files',
    async () => {
      for (const p of [
        '/../opencapf-secret.txt',
        '/..%2fopencapf-secret.txt',
        '/firmware/../../opencapf-secret.txt',
        '/%2e%2e/opencapf-secret.txt',
      ]) {
        const r = await get(p);
        assert.ok(r.status === 403 || r.status === 404, `${p}: ${r.status}`);
        assert.doesNotMatch(r.body.toString(), /never served/);
      }
      assert.equal((await get('/nope.tlv')).status, 404);
      assert.equal((await get('/ITLFile.tlv', { method: 'POST' })).status, 405);
      const a = await get('/ITLFile.tlv', { tls: true });
      assert.ok(a.body.equals(await tftp('ITLFile.tlv')));
    },
  );

  test('an extension on ctx.httpExtensions answers before the catalogue', async () => {
    // The services are immutable: a listener started over a copy with the probe first.
    const probe: HttpExtension = async (req) =>
      req.path === '/probe'
        ? { status: 200, headers: { 'content-type': 'text/plain' }, body: Buffer.from(`hello ${req.method}`) }
        : null;
    const l = (await startHttpListener({
      ...lab.ctx,
      httpExtensions: [probe, ...lab.ctx.httpExtensions],
      config: { ...lab.ctx.config, 'http.port': 0 },
    }))!;
    try {
      const r = await get('/probe', { port: l.port });
      assert.equal(r.body.toString(), 'hello GET');
    } finally {
      await l.stop(0);
    }
  });
});

describe('TVS', () => {
  test(
    'known certificates are trusted with their roles; ' + 'unknown ones are not; QUERY finds by issuer and serial',
    async () => {
      const ids = lab.ctx.identities;
      assert.deepEqual((await tvsVerify({ ...tvsOpts(), certDer: ids.get('tftp').certificate.der })).roles, [
        TvsRole.SAST,
        TvsRole.CCM,
        TvsRole.TFTP,
      ]);
      assert.deepEqual((await tvsVerify({ ...tvsOpts(), certDer: ids.get('tvs').certificate.der })).roles, [
        TvsRole.TVS,
      ]);
      const mic = await lab.makeMic(newDeviceName());
      assert.equal((await tvsVerify({ ...tvsOpts(), certDer: mic.der })).trusted, false);
      const q = await tvsQuery({
        ...tvsOpts(),
        issuer: trustListName(ids.get('capf').certificate.issuer, 'cucm'),
        serial: serialBytesOf(ids.get('capf').certificate),
      });
      assert.equal(q.found, true);
      assert.ok(Buffer.from(q.certDer!).equals(ids.get('capf').certificate.der));
      assert.deepEqual(q.roles, [TvsRole.CAPF]);
      const miss = await tvsQuery({ ...tvsOpts(), issuer: 'CN=nobody', serial: Buffer.from([1, 2, 3]) });
      assert.equal(miss.found, false);
    },
  );
});

test('a port that cannot be bound names the flag to use instead', async () => {
  const blocker = net.createServer();
  await new Promise<void>((r) => blocker.listen(0, HOST, () => r()));
  const busy = (blocker.address() as net.AddressInfo).port;
  try {
    await assert.rejects(
      startHttpListener({ ...lab.ctx, config: { ...lab.ctx.config, 'http.port': busy } }),
      (e: unknown) => {
        assert.ok(isAppError(e));
        assert.equal(e.code, 'ERR_PORT_IN_USE');
        assert.match(e.message, /--http-port/);
        assert.match(e.message, /already in use/);
        return true;
      },
    );
  } finally {
    blocker.close();
  }
});
