// The web UI's server side: /api/v1/status, /api/v1/identities (Certificate List/Details, downloads,
// regenerate, CSR, upload) and serving web/dist (SPA fallback, cache headers, CSP, missing build).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { startApiLab, type ApiLab } from '../helpers/api-lab.ts';
import { apiDepsFrom } from '../../src/app/listeners/api.ts';
import { createApiApp } from '../../src/api/app.ts';

const json = (r: { body: string }) => JSON.parse(r.body);

describe('API for the web UI: status and certificates', () => {
  let lab: ApiLab;
  before(async () => {
    lab = await startApiLab();
  });
  after(async () => lab.close());

  it('status lists every known listener (none running outside serve) and the CAPF CA validity', async () => {
    const r = await lab.call('GET', '/api/v1/status');
    assert.equal(r.statusCode, 200);
    const s = json(r);
    assert.deepEqual(
      s.listeners.map((l: { name: string }) => l.name),
      ['capf', 'tftp', 'http', 'tvs', 'https', 'api'],
    );
    assert.ok(s.listeners.every((l: { running: boolean; port: unknown }) => !l.running && l.port === null));
    assert.equal(s.capfCa.level, 'ok');
    assert.ok(s.capfCa.daysLeft > 300);
    // ITL freshness: the ITL this node would serve, with the current CAPF certificate in it.
    assert.equal(s.itl.includesCapf, true);
    assert.equal(s.itl.signer, 'tftp');
    assert.ok(s.itl.records >= 4);
  });

  it('status reports the listeners serve has started', async () => {
    lab.running.add({ name: 'capf', host: '127.0.0.1', port: 3804, stopAccepting() {}, async stop() {} });
    try {
      const s = json(await lab.call('GET', '/api/v1/status'));
      assert.deepEqual(s.listeners[0], {
        name: 'capf',
        description: s.listeners[0].description,
        running: true,
        host: '127.0.0.1',
        port: 3804,
      });
    } finally {
      lab.running.remove('capf');
    }
  });

  it('Certificate List and Certificate Details as CUCM shows them', async () => {
    const list = json(await lab.call('GET', '/api/v1/identities')).items;
    assert.deepEqual(list.map((i: { purpose: string }) => i.purpose).sort(), [
      'CAPF',
      'CallManager',
      'ITLRecovery',
      'TVS',
    ]);
    const capf = list.find((i: { name: string }) => i.name === 'capf');
    assert.equal(capf.type, 'Self-signed');
    const d = json(await lab.call('GET', '/api/v1/identities/capf'));
    assert.equal(d.certificate.serialHex, capf.serialHex);
    assert.match(d.certificate.signatureAlgorithm, /SHA/i);
    assert.match(d.certificate.publicKeyHex, /^30[0-9a-f]+$/);
    assert.match(d.pem, /BEGIN CERTIFICATE/);
    assert.equal(d.expiry.level, 'ok');
  });

  it('downloads .PEM and .DER', async () => {
    const pem = await lab.call('GET', '/api/v1/identities/capf/pem');
    assert.equal(pem.statusCode, 200);
    assert.match(pem.headers['content-disposition'] as string, /CAPF\.pem/);
    assert.match(pem.body, /BEGIN CERTIFICATE/);
    const der = await lab.call('GET', '/api/v1/identities/capf/der');
    assert.equal(der.rawPayload[0], 0x30);
  });

  it('regenerate, CSR and upload are admin-only; errors use the API codes', async () => {
    const ro = lab.as(await lab.tokenFor('viewer', 'read-only'));
    assert.equal(json(await ro('POST', '/api/v1/identities/capf/regenerate')).error.code, 'ERR_FORBIDDEN');
    assert.equal(json(await lab.call('GET', '/api/v1/identities/nope')).error.code, 'ERR_BAD_REQUEST');
    const before = json(await lab.call('GET', '/api/v1/identities/tvs')).serialHex;
    const r = await lab.call('POST', '/api/v1/identities/tvs/regenerate');
    assert.equal(r.statusCode, 200);
    assert.notEqual(json(r).serialHex, before);
    assert.equal(json(await lab.call('GET', '/api/v1/identities/tvs')).previous.serialHex, before);
    assert.match(json(await lab.call('POST', '/api/v1/identities/tvs/csr')).csr, /BEGIN CERTIFICATE REQUEST/);
    const bad = await lab.call('POST', '/api/v1/identities/tvs/certificate', { pem: 'not a certificate' });
    assert.equal(bad.statusCode, 400);
    assert.equal(json(bad).error.code, 'ERR_PKI_BAD_CERT');
    const capfPem = json(await lab.call('GET', '/api/v1/identities/capf')).pem;
    assert.equal(
      json(await lab.call('POST', '/api/v1/identities/tvs/certificate', { pem: capfPem })).error.code,
      'ERR_PKI_KEY_MISMATCH',
    );
  });
});

describe('serving the built web UI', () => {
  let lab: ApiLab;
  let dist: string;
  let app: FastifyInstance;
  let bare: FastifyInstance;
  before(async () => {
    lab = await startApiLab();
    dist = mkdtempSync(join(tmpdir(), 'opencapf-web-'));
    mkdirSync(join(dist, 'assets'));
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>ui</title><div id="root"></div>');
    writeFileSync(join(dist, 'assets', 'index-abc123.js'), 'console.log(1)');
    writeFileSync(join(dist, 'favicon.svg'), '<svg/>');
    app = await createApiApp({ ...apiDepsFrom(lab.ctx, { tls: false }), webDistDir: dist });
    bare = await createApiApp({ ...apiDepsFrom(lab.ctx, { tls: false }), webDistDir: join(dist, 'missing') });
  });
  after(async () => {
    await app.close();
    await bare.close();
    await lab.close();
    rmSync(dist, { recursive: true, force: true });
  });

  it('answers index.html on / and on client routes, revalidated, with a CSP', async () => {
    for (const url of ['/', '/phones', '/phones/SEP001122334455', '/certificates/capf?x=1']) {
      const r = await app.inject({ url });
      assert.equal(r.statusCode, 200, url);
      assert.match(r.body, /id="root"/);
      assert.equal(r.headers['cache-control'], 'no-cache');
      assert.match(r.headers['content-security-policy'] as string, /default-src 'self'/);
      assert.match(r.headers['content-type'] as string, /text\/html/);
    }
  });

  it('serves hashed assets as immutable and refuses paths outside web/dist', async () => {
    const js = await app.inject({ url: '/assets/index-abc123.js' });
    assert.equal(js.statusCode, 200);
    assert.match(js.headers['content-type'] as string, /javascript/);
    assert.match(js.headers['cache-control'] as string, /immutable/);
    assert.equal((await app.inject({ url: '/favicon.svg' })).statusCode, 200);
    assert.equal((await app.inject({ url: '/assets/missing.js' })).statusCode, 404);
    assert.equal((await app.inject({ url: '/assets/..%2f..%2fpackage.json' })).statusCode, 404);
  });

  it('serves the user docs the UI links to, and nothing else from docs/', async () => {
    const r = await app.inject({ url: '/docs/api.md' });
    assert.equal(r.statusCode, 200);
    assert.match(r.body, /OpenCAPF administration API/);
    assert.equal((await app.inject({ url: '/docs/nope.md' })).statusCode, 404);
    assert.equal(
      (await app.inject({ url: '/docs/..%2fpackage.json' })).headers['content-type'],
      'text/html; charset=utf-8',
    );
  });

  it("keeps the API's JSON errors and headers for API paths", async () => {
    const r = await app.inject({ url: '/api/v1/nope' });
    assert.equal(r.statusCode, 404);
    assert.equal(json(r).error.code, 'ERR_NOT_FOUND');
    const me = await app.inject({ url: '/api/v1/auth/me' });
    assert.equal(me.statusCode, 401);
    assert.equal(me.headers['cache-control'], 'no-store');
  });

  it('explains how to build the UI when web/dist is missing', async () => {
    const r = await bare.inject({ url: '/phones' });
    assert.equal(r.statusCode, 503);
    assert.match(r.body, /npm run build:web/);
    assert.doesNotMatch(r.body, /Error|at \//);
  });
});
