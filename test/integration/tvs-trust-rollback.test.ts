// Being the old cluster, on a real OpenCAPF (CAPF, TFTP, HTTP, TVS and the REST API on 127.0.0.1): a foreign
// SAST imported with the CLI (its own process context, as another process would) is vouched for by the running
// TVS over TLS (VERIFY and QUERY) and no longer once removed through the API; bad input through the API and the CLI
// changes nothing; rollback mode turned on by the CLI is picked up by the running serve — the served ITL parses as a
// rollback ITL (isRollbackTrustList), is signed by our signer, configurations keep being served — and is shown by
// `itl show`, `itl rollback status`, /status and /trust/itl; every change is audited.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { startCapfLab, newDeviceName, type CapfLab } from '../helpers/capf-lab.ts';
import { cli as runCliCapture } from '../helpers/cli.ts';
import { tftpGet } from '../../src/provisioning/tftp/index.ts';
import {
  isRollbackTrustList,
  parseItl,
  serialBytes,
  trustListName,
  verifySgn,
  verifyTrustList,
} from '../../src/trust/index.ts';
import { tvsQuery, tvsVerify, TvsRole } from '../../src/tvs/index.ts';
import {
  createSelfSignedIdentity,
  derToPem,
  generateKeyPair,
  privateKeyPem,
  subjectAttributes,
  type CertificateInfo,
} from '../../src/pki/index.ts';
import { createApiApp } from '../../src/api/app.ts';
import { apiDepsFrom } from '../../src/app/listeners/api.ts';

const HOST = '127.0.0.1';
const actor = { name: 'test', source: 'test' };
let lab: CapfLab;
let api: FastifyInstance;
let apiBase: string;
let adminToken: string;
let readerToken: string;
let operatorToken: string;
let clusterB: CertificateInfo;
let clusterBRecovery: CertificateInfo;

const cli = (args: string[]) => runCliCapture(['--data-dir', lab.dir, ...args]);
const tftp = (name: string) =>
  tftpGet({ host: HOST, port: lab.server.ports.tftp!, filename: name, blksize: 1428, timeoutMs: 2000 });
const tvsOpts = () => ({
  host: HOST,
  port: lab.server.ports.tvs!,
  timeoutMs: 10_000,
  checkServerCertificate: (der: Uint8Array) => Buffer.from(der).equals(lab.ctx.identities.get('tvs').certificate.der),
});

async function call(token: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${apiBase}/api/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, any>) : null };
}

/** Polls the served ITL (the running serve notices a change another process made on its own) until `done`. */
async function servedItlUntil(done: (b: Buffer) => boolean): Promise<Buffer> {
  let served = await tftp('ITLFile.tlv');
  for (let i = 0; i < 200 && !done(served); i++) {
    await new Promise((r) => setTimeout(r, 50));
    served = await tftp('ITLFile.tlv');
  }
  return served;
}

async function otherClusterCertificate(cn: string): Promise<CertificateInfo> {
  const keys = await generateKeyPair({ type: 'rsa', bits: 2048 });
  return createSelfSignedIdentity({
    role: 'tftp',
    subject: subjectAttributes(cn, { organization: 'Cluster B', organizationalUnit: 'Voice' }),
    keys,
    validityDays: 825,
    now: new Date(Date.now() - 3600_000),
  });
}

before(async () => {
  lab = await startCapfLab();
  api = await createApiApp({
    ...apiDepsFrom(lab.ctx, { tls: false, running: lab.server.registry }),
    webDistDir: false,
  });
  await api.listen({ host: HOST, port: 0 });
  const addr = api.server.address();
  apiBase = `http://${HOST}:${typeof addr === 'object' && addr ? addr.port : 0}`;
  await lab.ctx.admin.users.bootstrap('correct horse battery staple');
  adminToken = (await lab.ctx.admin.users.createToken('admin', 't', ['api'], null, actor)).token;
  for (const [user, role] of [
    ['reader', 'read-only'],
    ['operator', 'operator'],
  ] as const) {
    await lab.ctx.admin.users.create(user, role, 'a long enough password', actor);
    const t = (await lab.ctx.admin.users.createToken(user, 't', ['api'], null, actor)).token;
    if (role === 'read-only') readerToken = t;
    else operatorToken = t;
  }
  clusterB = await otherClusterCertificate('cucm-b-pub');
  clusterBRecovery = await otherClusterCertificate('ITLRecovery_cucm-b-pub');
});

after(async () => {
  await api?.close();
  await lab?.close();
});

describe('foreign TVS trust', () => {
  test('a foreign SAST: unknown to our TVS, vouched after `tvs trust import`, unknown again after remove', async () => {
    assert.equal((await tvsVerify({ ...tvsOpts(), certDer: clusterB.der })).trusted, false);
    const pemFile = join(lab.dir, 'cucm-b-CallManager.pem');
    const derFile = join(lab.dir, 'cucm-b-ITLRecovery.der');
    writeFileSync(pemFile, derToPem(clusterB.der));
    writeFileSync(derFile, clusterBRecovery.der);
    const dry = await cli(['tvs', 'trust', 'import', pemFile, '--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /Would add 1 certificate/);
    assert.equal((await tvsVerify({ ...tvsOpts(), certDer: clusterB.der })).trusted, false, 'dry run adds nothing');

    const r = await cli(['tvs', 'trust', 'import', pemFile, '--comment', 'cluster B (CUCM 15)']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Added 1 certificate\(s\) to the TVS trust, roles SAST CCM TFTP/);
    assert.match(r.stdout, new RegExp(clusterB.sha256));
    const r2 = await cli(['tvs', 'trust', 'import', derFile, '--role', 'SAST']);
    assert.equal(r2.code, 0, r2.stderr);

    // The running serve (another context on the same database) vouches for them at once.
    const v = await tvsVerify({ ...tvsOpts(), certDer: clusterB.der });
    assert.equal(v.trusted, true);
    assert.deepEqual(v.roles, [TvsRole.SAST, TvsRole.CCM, TvsRole.TFTP]);
    assert.deepEqual((await tvsVerify({ ...tvsOpts(), certDer: clusterBRecovery.der })).roles, [TvsRole.SAST]);
    // QUERY by issuer and serial, as the 8861 of doc 213407 asked.
    const q = await tvsQuery({
      ...tvsOpts(),
      issuer: trustListName(clusterB.issuer, 'cucm'),
      serial: serialBytes(clusterB.serialHex),
    });
    assert.equal(q.found, true);
    assert.ok(Buffer.from(q.certDer!).equals(clusterB.der));
    assert.deepEqual(q.roles, [TvsRole.SAST, TvsRole.CCM, TvsRole.TFTP]);

    const list = await cli(['tvs', 'trust', 'list']);
    assert.equal(list.code, 0);
    assert.match(list.stdout, /CN=cucm-b-pub.*SAST CCM TFTP.*vouched.*cluster B \(CUCM 15\)/);
    const json = JSON.parse((await cli(['tvs', 'trust', 'list', '--json'])).stdout) as { sha256: string }[];
    assert.deepEqual(json.map((e) => e.sha256).sort(), [clusterB.sha256, clusterBRecovery.sha256].sort());

    // Every role may read the list; the API shows the roles the form offers.
    const listed = await call(readerToken, 'GET', '/tvs/trust');
    assert.equal(listed.status, 200);
    assert.equal(listed.json!.items.length, 2);
    assert.deepEqual(listed.json!.defaultRoles, ['SAST', 'CCM', 'TFTP']);
    assert.ok(listed.json!.roles.includes('CCM+TFTP'));

    // Removed through the API (admin): unknown to TVS again; a reader or operator may not.
    assert.equal((await call(readerToken, 'DELETE', `/tvs/trust/${clusterB.sha1}`)).status, 403);
    assert.equal((await call(operatorToken, 'DELETE', `/tvs/trust/${clusterB.sha1}`)).status, 403);
    const del = await call(adminToken, 'DELETE', `/tvs/trust/${clusterB.sha256.slice(0, 12)}`);
    assert.equal(del.status, 200, JSON.stringify(del.json));
    assert.equal(del.json!.removed.sha256, clusterB.sha256);
    assert.equal((await tvsVerify({ ...tvsOpts(), certDer: clusterB.der })).trusted, false);
    const q2 = await tvsQuery({
      ...tvsOpts(),
      issuer: trustListName(clusterB.issuer, 'cucm'),
      serial: serialBytes(clusterB.serialHex),
    });
    assert.equal(q2.found, false);
    const rm = await cli(['tvs', 'trust', 'remove', clusterBRecovery.sha1]);
    assert.equal(rm.code, 0, rm.stderr);
    assert.equal((await tvsVerify({ ...tvsOpts(), certDer: clusterBRecovery.der })).trusted, false);
    assert.equal((await cli(['tvs', 'trust', 'remove', clusterBRecovery.sha1])).code, 2, 'gone already');

    const audit = await lab.ctx.store.audit.listAudit({});
    const imports = audit.filter((a) => a.action === 'tvs.trust-import');
    const removes = audit.filter((a) => a.action === 'tvs.trust-remove');
    assert.deepEqual(imports.map((a) => a.target).sort(), [clusterB.sha1, clusterBRecovery.sha1].sort());
    assert.match(imports.find((a) => a.target === clusterB.sha1)!.actor, /^cli:/);
    assert.deepEqual(removes.map((a) => a.target).sort(), [clusterB.sha1, clusterBRecovery.sha1].sort());
    assert.equal(removes.find((a) => a.target === clusterB.sha1)!.actor, 'admin');
  });

  test('API import: admin only; a key, ours, expired or not a certificate: a 4xx that changes nothing', async () => {
    const pem = derToPem(clusterB.der);
    const body = { files: [{ name: 'b.pem', pem }], roles: ['SAST', 'TFTP'], comment: 'via API' };
    assert.equal((await call(readerToken, 'POST', '/tvs/trust', body)).status, 403);
    assert.equal((await call(operatorToken, 'POST', '/tvs/trust', body)).status, 403);
    const auditBefore = await lab.ctx.store.audit.countAudit({});
    const keys = await generateKeyPair({ type: 'ec', curve: 'P-256' });
    const keyPem = privateKeyPem(keys.privateKey);
    const bad: [unknown, number, string][] = [
      [{ files: [{ name: 'key.pem', pem: keyPem }] }, 400, 'ERR_FOREIGN_PRIVATE_KEY'],
      [
        {
          files: [
            { name: 'b.pem', pem },
            { name: 'key.pem', pem: keyPem },
          ],
        },
        400,
        'ERR_FOREIGN_PRIVATE_KEY',
      ],
      [{ files: [{ name: 'ours.pem', pem: lab.ctx.identities.get('tftp').certPem }] }, 409, 'ERR_FOREIGN_OURS'],
      [{ files: [{ name: 'capf.pem', pem: lab.capfPem() }] }, 409, 'ERR_FOREIGN_OURS'],
      [
        { files: [{ name: 'x.bin', base64: Buffer.from('nonsense').toString('base64') }] },
        400,
        'ERR_FOREIGN_NOT_CERTIFICATE',
      ],
      [{ files: [{ name: 'both', pem, base64: 'AAAA' }] }, 400, 'ERR_BAD_REQUEST'],
      [{ files: [{ name: 'b.pem', pem }], roles: ['ROOT'] }, 400, 'ERR_BAD_REQUEST'],
      [{ files: [] }, 400, 'ERR_BAD_REQUEST'],
      [{ files: [{ name: 'b.pem', pem }], extra: 1 }, 400, 'ERR_BAD_REQUEST'],
    ];
    for (const [b, status, code] of bad) {
      const r = await call(adminToken, 'POST', '/tvs/trust', b);
      assert.equal(r.status, status, JSON.stringify(r.json));
      assert.equal(r.json!.error.code, code);
      assert.ok(!JSON.stringify(r.json).includes(keyPem.split('\n')[1]!.slice(0, 20)), 'the key is never echoed');
    }
    const expired = await createSelfSignedIdentity({
      role: 'tftp',
      subject: subjectAttributes('expired-b', {}),
      keys,
      validityDays: 1,
      now: new Date(Date.now() - 10 * 86_400_000),
    });
    const ex = await call(adminToken, 'POST', '/tvs/trust', {
      files: [{ name: 'old.der', base64: expired.der.toString('base64') }],
    });
    assert.equal(ex.status, 400);
    assert.equal(ex.json!.error.code, 'ERR_FOREIGN_VALIDITY');
    assert.equal((await call(adminToken, 'GET', '/tvs/trust')).json!.items.length, 0, 'nothing was added');
    assert.equal(await lab.ctx.store.audit.countAudit({}), auditBefore, 'no audit row either');

    const dry = await call(adminToken, 'POST', '/tvs/trust', { ...body, dryRun: true });
    assert.equal(dry.status, 200);
    assert.equal(dry.json!.dryRun, true);
    assert.equal((await call(adminToken, 'GET', '/tvs/trust')).json!.items.length, 0);
    const ok = await call(adminToken, 'POST', '/tvs/trust', body);
    assert.equal(ok.status, 200, JSON.stringify(ok.json));
    assert.deepEqual(ok.json!.items[0].roles, ['SAST', 'TFTP']);
    assert.deepEqual((await tvsVerify({ ...tvsOpts(), certDer: clusterB.der })).roles, [TvsRole.SAST, TvsRole.TFTP]);
    const again = await call(adminToken, 'POST', '/tvs/trust', body);
    assert.equal(again.status, 409);
    assert.equal(again.json!.error.code, 'ERR_FOREIGN_DUPLICATE');
    const row = (await lab.ctx.store.audit.listAudit({ action: 'tvs.trust-import', actor: 'admin' }))[0];
    assert.equal(row?.target, clusterB.sha1);
    assert.equal(row?.details.comment, 'via API');
    assert.equal((await call(adminToken, 'DELETE', `/tvs/trust/${clusterB.sha1}`)).status, 200);
    assert.equal((await call(adminToken, 'DELETE', `/tvs/trust/${clusterB.sha1}`)).status, 404);
  });

  test('CLI import of a private key: exit 2, the code and the cure, nothing added', async () => {
    const keys = await generateKeyPair({ type: 'ec', curve: 'P-256' });
    const keyFile = join(lab.dir, 'oops-key.pem');
    writeFileSync(keyFile, privateKeyPem(keys.privateKey), { mode: 0o600 });
    const r = await cli(['tvs', 'trust', 'import', keyFile]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /this is a private key; give the certificate.*\[ERR_FOREIGN_PRIVATE_KEY\]/s);
    assert.ok(!r.stderr.includes(privateKeyPem(keys.privateKey).split('\n')[1]!));
    const missing = await cli(['tvs', 'trust', 'import', join(lab.dir, 'no-such.pem')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read .*no-such\.pem: ENOENT/);
    assert.match((await cli(['tvs', 'trust', 'list'])).stdout, /no foreign certificate/);
  });
});

describe('rollback mode', () => {
  test('`itl rollback on` in another process: the running serve serves a rollback ITL, signed by us', async () => {
    const deviceName = newDeviceName();
    await lab.ctx.phones.addPhones([{ deviceName, model: 'Cisco 8845' }], actor);
    const normal = await tftp('ITLFile.tlv');
    assert.equal(isRollbackTrustList(parseItl(normal)), false);
    const st = await cli(['itl', 'rollback', 'status']);
    assert.match(st.stdout, /Rollback mode is off/);

    const on = await cli(['itl', 'rollback', 'on']);
    assert.equal(on.code, 0, on.stderr);
    assert.match(on.stdout, /ROLLBACK MODE ON: phones will accept any next ITL and unsigned configs; turn off when/);
    const served = await servedItlUntil((b) => isRollbackTrustList(parseItl(b)));
    const list = parseItl(served);
    assert.equal(isRollbackTrustList(list), true);
    assert.equal(verifyTrustList(list).ok, true, 'still signed, so phones holding our ITL accept it (rule 2)');
    const tftpCert = lab.ctx.identities.get('tftp').certificate;
    assert.equal(list.header.serialNumber?.toString('hex'), serialBytes(tftpCert.serialHex).toString('hex'));
    // Empty TVS and TFTP records; our signer and ITLRecovery stay SAST; no certificate of TVS or TFTP role left.
    const withCert = list.records.filter((r) => r.certificate || r.certificateHash);
    assert.ok(!withCert.some((r) => r.roleName === 'TVS' || r.roleName === 'TFTP'));
    assert.deepEqual(
      withCert.filter((r) => r.roleName === 'SAST').length,
      2,
      'the TFTP signer and ITLRecovery stay SAST',
    );
    assert.ok(list.records.some((r) => r.roleName === 'TVS' && !r.certificate));
    assert.ok(list.records.some((r) => r.roleName === 'TFTP' && !r.certificate));
    // The per-phone ITL is the same list; configurations keep being served, signed by our TFTP key.
    assert.ok((await tftp(`ITL${deviceName}.tlv`)).equals(served));
    const sgn = await tftp(`${deviceName}.cnf.xml.sgn`);
    assert.equal(verifySgn(sgn, [tftpCert]).signer.sha1, tftpCert.sha1);

    // Shown loudly: itl show (served ITL), itl rollback status, the API's /status and /trust/itl.
    const show = await cli(['itl', 'show']);
    assert.match(show.stdout, /^\*\*\* ROLLBACK MODE ON/);
    assert.match(show.stdout, /ROLLBACK MODE ON[^\n]*\*\*\*\n?$/);
    const file = join(lab.dir, 'served.tlv');
    writeFileSync(file, served);
    assert.match((await cli(['itl', 'show', file])).stdout, /This is a rollback \(empty\) ITL/);
    assert.equal(JSON.parse((await cli(['itl', 'show', file, '--json'])).stdout).rollback, true);
    assert.match((await cli(['itl', 'rollback', 'status'])).stdout, /ROLLBACK MODE ON/);
    const status = await call(readerToken, 'GET', '/status');
    assert.equal(status.json!.itl.rollback, true);
    const itl = await call(readerToken, 'GET', '/trust/itl');
    assert.equal(itl.json!.rollback, true);
    assert.equal(itl.json!.items[0].rollback, true);
    assert.match((await cli(['itl', 'rollback', 'on'])).stdout, /already on/);

    // Off through the API (admin only): the normal ITL again.
    assert.equal((await call(operatorToken, 'POST', '/trust/itl/rollback', { on: false })).status, 403);
    const off = await call(adminToken, 'POST', '/trust/itl/rollback', { on: false });
    assert.equal(off.status, 200);
    assert.equal(off.json!.rollback, false);
    const back = parseItl(await tftp('ITLFile.tlv'));
    assert.equal(isRollbackTrustList(back), false);
    assert.ok(back.records.some((r) => r.roleName === 'TVS' && (r.certificate || r.certificateHash)));
    assert.equal(verifyTrustList(back).ok, true);
    assert.equal((await call(adminToken, 'POST', '/trust/itl/rollback', { on: 'yes' })).status, 400);

    const audit = await lab.ctx.store.audit.listAudit({});
    const rows = audit.filter((a) => a.action.startsWith('itl.rollback'));
    assert.deepEqual(
      rows.map((a) => [a.action, a.actor.startsWith('cli:') ? 'cli' : a.actor]),
      [
        ['itl.rollback-off', 'admin'],
        ['itl.rollback-on', 'cli'],
      ],
      'one row per change (the repeated `on` changed nothing and wrote none)',
    );
  });
});
