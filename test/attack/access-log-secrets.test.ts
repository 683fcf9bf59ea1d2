// Attack (issue #15 item 11): authentication strings appeared in the API access log as query strings.
// A real `opencapf serve` (child process, info-level log) gets secrets in URLs on the API — refused with
// 400 ERR_SECRET_IN_URL, authenticated or not, on a known route or not — and on HTTP provisioning (6970);
// none of the secret values may appear anywhere in what the process printed, while the request lines do.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnServe, type ServeProcess } from '../helpers/serve-process.ts';

const PASSWORD = 'correct horse battery staple 1';
const SECRETS = ['58293746', '61839027', 'hunter2hunter2', 'tok3nVALUE99'];

let dir: string;
let serve: ServeProcess;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'opencapf-accesslog-'));
  serve = spawnServe({ dataDir: dir, logLevel: 'info', env: { OPENCAPF_ADMIN_PASSWORD: PASSWORD } });
  await serve.ready();
});
after(async () => {
  await serve?.kill();
  rmSync(dir, { recursive: true, force: true });
});

test('secret query parameters never reach the log; the request lines are there, redacted', async () => {
  const api = `http://127.0.0.1:${serve.ports.api}`;
  const login = await fetch(`${api}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: PASSWORD }),
  });
  assert.equal(login.status, 200, await login.text());
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  const [s1, s2, s3, s4] = SECRETS;

  const asAdmin = await fetch(`${api}/api/v1/phones?model=8845&authString=${s1}`, { headers: { cookie } });
  assert.equal(asAdmin.status, 400);
  const body = (await asAdmin.json()) as { error: { code: string; message: string } };
  assert.equal(body.error.code, 'ERR_SECRET_IN_URL');
  assert.match(body.error.message, /POST \/api\/v1\/phones\/search/);

  const anonymous = await fetch(`${api}/api/v1/reports/capf?authString=${s2}`);
  assert.equal(anonymous.status, 400);
  await anonymous.body?.cancel();
  const unknownRoute = await fetch(`${api}/api/v1/nowhere?password=${s3}&auth_string=${s1}`);
  assert.equal(unknownRoute.status, 400);
  await unknownRoute.body?.cancel();
  // In the body it is accepted (and the body is not logged).
  const search = await fetch(`${api}/api/v1/phones/search`, {
    method: 'POST',
    headers: { cookie, 'x-requested-with': 't', 'content-type': 'application/json' },
    body: JSON.stringify({ filter: { authString: s2 } }),
  });
  assert.equal(search.status, 200, await search.text());

  const http = `http://127.0.0.1:${serve.ports.http}`;
  const provisioning = await fetch(`${http}/SEP001122334455.cnf.xml?token=${s4}&authString=${s1}`);
  assert.ok(provisioning.status >= 200, 'the provisioning listener answered');
  await provisioning.body?.cancel();

  // Every request above produced its log lines (the process logs each request when it completes).
  const lines = await serve.waitFor(/SEP001122334455\.cnf\.xml[^"\n]*"/);
  assert.ok(lines);
  const out = serve.output();
  assert.match(
    out,
    /"url":"\/api\/v1\/phones\?model=8845&authString=\[redacted\]"/,
    'the API request line is logged, redacted',
  );
  assert.match(out, /"url":"\/api\/v1\/nowhere\?password=\[redacted\]&auth_string=\[redacted\]"/);
  assert.match(
    out,
    /"path":"\/SEP001122334455\.cnf\.xml\?token=\[redacted\]&authString=\[redacted\]"/,
    'the HTTP provisioning line too',
  );
  for (const s of SECRETS)
    assert.ok(
      !out.includes(s),
      `secret ${s} is in the log:\n${out
        .split('\n')
        .filter((l) => l.includes(s))
        .join('\n')}`,
    );
});
