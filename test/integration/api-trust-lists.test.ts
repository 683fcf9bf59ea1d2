// /api/v1/trust/itl through Fastify inject: show itl view, verify badge, reset localkey and back, rebuild,
// and the audit entries for trust-list and certificate actions.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_PASSWORD, startApiLab, type ApiLab } from '../helpers/api-lab.ts';

let lab: ApiLab;
before(async () => {
  lab = await startApiLab({ host: '127.0.0.1', 'cluster.publicHost': '127.0.0.1' });
});
after(async () => {
  await lab.close();
});

interface View {
  signingMode: string;
  items: { kind: string; verified: boolean; showItl: string; signedBy: string; warnings: string[] }[];
}

test('GET /trust/itl shows the ITL like show itl, verified, signed by the TFTP certificate', async () => {
  assert.equal((await lab.app.inject({ method: 'GET', url: '/api/v1/trust/itl' })).statusCode, 401);
  const ro = lab.as(await lab.tokenFor('itl-viewer', 'read-only'));
  const r = await ro('GET', '/api/v1/trust/itl');
  assert.equal(r.statusCode, 200, r.body);
  const v = r.json() as View;
  assert.equal(v.signingMode, 'normal');
  const itl = v.items.find((i) => i.kind === 'ITL')!;
  assert.equal(itl.verified, true);
  assert.equal(itl.signedBy, 'tftp');
  assert.match(itl.showItl, /ITL Record #:1/);
  assert.match(itl.showItl, /FUNCTION\s+2\s+CAPF/);
  assert.match(itl.showItl, /The ITL file was verified successfully\./);
  assert.equal(
    (await ro('POST', '/api/v1/trust/itl/signing', { mode: 'localkey' }, { 'x-requested-with': 'x' })).statusCode,
    403,
    'read-only may not reset',
  );
});

test(
  'reset localkey signs with ITLRecovery, normal restores; ' + 'rebuild and certificate actions are audited',
  async () => {
    const reset = await lab.call('POST', '/api/v1/trust/itl/signing', { mode: 'localkey' });
    assert.equal(reset.statusCode, 200, reset.body);
    assert.equal((reset.json() as View).items[0]!.signedBy, 'itlrecovery');
    const normal = await lab.call('POST', '/api/v1/trust/itl/signing', { mode: 'normal' });
    assert.equal((normal.json() as View).items[0]!.signedBy, 'tftp');
    assert.equal((await lab.call('POST', '/api/v1/trust/itl/signing', { mode: 'sideways' })).statusCode, 400);
    assert.equal((await lab.call('POST', '/api/v1/trust/itl/rebuild')).statusCode, 200);
    assert.equal((await lab.call('POST', '/api/v1/identities/tvs/regenerate')).statusCode, 200);
    assert.equal((await lab.call('POST', '/api/v1/identities/tvs/csr')).statusCode, 200);
    const audit = await lab.call('GET', '/api/v1/audit?limit=50');
    assert.equal(audit.statusCode, 200, audit.body);
    const actions = JSON.stringify(audit.json());
    for (const a of [
      'itl.reset-localkey',
      'itl.reset-normal',
      'itl.rebuild',
      'certificate.regenerate',
      'certificate.csr',
    ])
      assert.ok(actions.includes(a), `audit lacks ${a}`);
  },
);

test('cluster-wide trust changes from a browser session need the password again, checked by the server', async () => {
  const login = await lab.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username: 'admin', password: ADMIN_PASSWORD },
    headers: { 'x-requested-with': 'opencapf-web' },
  });
  assert.equal(login.statusCode, 200, login.body);
  const cookie = String(login.headers['set-cookie']).split(';')[0]!;
  const browser = (url: string, payload: Record<string, unknown>) =>
    lab.app.inject({ method: 'POST', url, payload, headers: { cookie, 'x-requested-with': 'opencapf-web' } });
  const mode = async () => ((await lab.call('GET', '/api/v1/trust/itl')).json() as View).signingMode;
  const changes: [string, Record<string, unknown>][] = [
    ['/api/v1/trust/itl/signing', { mode: 'localkey' }],
    ['/api/v1/trust/itl/rollback', { on: true }],
    ['/api/v1/identities/tvs/regenerate', {}],
    ['/api/v1/identities/regenerate', { names: ['tvs'] }],
    ['/api/v1/trust/itl/rotation/start', {}],
    ['/api/v1/trust/itl/rotation/finish', {}],
    ['/api/v1/trust/itl/rotation/abort', {}],
  ];
  for (const [url, body] of changes) {
    const none = await browser(url, body);
    assert.equal(none.statusCode, 428, `${url}: ${none.body}`);
    assert.equal(none.json().error.code, 'ERR_CONFIRMATION_REQUIRED');
  }
  for (const [url, body] of changes.slice(0, 4)) {
    const wrong = await browser(url, { ...body, confirmPassword: 'not the password' });
    assert.equal(wrong.statusCode, 403, `${url}: ${wrong.body}`);
    assert.equal(wrong.json().error.code, 'ERR_CONFIRMATION_FAILED');
  }
  assert.equal(await mode(), 'normal', 'refused: nothing changed');
  const ok = await browser('/api/v1/trust/itl/signing', { mode: 'localkey', confirmPassword: ADMIN_PASSWORD });
  assert.equal(ok.statusCode, 200, ok.body);
  assert.equal(await mode(), 'localkey');
  // Wrong passwords count like failed logins: a stolen session cannot guess the password.
  for (let i = 0; i < 5; i++) await browser('/api/v1/trust/itl/rollback', { on: true, confirmPassword: `guess ${i}` });
  const locked = await browser('/api/v1/trust/itl/rollback', { on: true, confirmPassword: ADMIN_PASSWORD });
  assert.equal(locked.json().error.code, 'ERR_THROTTLED');
  const audit = JSON.stringify((await lab.call('GET', '/api/v1/audit?limit=100&action=auth.confirm-failed')).json());
  assert.match(audit, /auth\.confirm-failed/);
  assert.doesNotMatch(audit, /not the password/, 'the wrong password is not recorded');
  // An API token (a script) is not asked; the field is accepted and ignored.
  assert.equal((await lab.call('POST', '/api/v1/trust/itl/signing', { mode: 'normal' })).statusCode, 200);
  assert.equal(await mode(), 'normal');
});
