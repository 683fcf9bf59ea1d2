// GET/POST /api/v1/doctor through Fastify inject, against a node whose CAPF is not listening.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startApiLab, type ApiLab } from '../helpers/api-lab.ts';

let lab: ApiLab;
before(async () => {
  // Loopback only: the doctor probes the CAPF/TVS/TFTP addresses it finds in the configuration.
  lab = await startApiLab({
    host: '127.0.0.1',
    'cluster.publicHost': '127.0.0.1',
    'capf.port': 9,
    'tvs.port': 9,
    'tftp.port': 9,
  });
});
after(async () => {
  await lab.close();
});

test('doctor: requires authentication, allows read-only, names the cluster and phone findings', async () => {
  assert.equal((await lab.app.inject({ method: 'GET', url: '/api/v1/doctor' })).statusCode, 401);
  const ro = lab.as(await lab.tokenFor('viewer', 'read-only'));
  const r = await ro('GET', '/api/v1/doctor');
  assert.equal(r.statusCode, 200, r.body);
  const body = r.json() as { findings: { id: string; cause: string; remedy: string }[] };
  const ids = body.findings.map((f) => f.id);
  assert.ok(ids.includes('capf-not-running'), ids.join(','));
  assert.ok(body.findings.every((f) => f.cause && f.remedy));
  const p = await ro('GET', '/api/v1/doctor?device=SEP0000DEADBEEF');
  assert.equal(p.statusCode, 200, p.body);
  assert.ok((p.json() as typeof body).findings.some((f) => f.id === 'phone-unknown'));
  const bad = await ro('GET', '/api/v1/doctor?device=not-a-phone');
  assert.equal(bad.statusCode, 400);
  assert.doesNotMatch(bad.body, /at .*\.ts:\d+/, 'no stack traces to clients');
});
