// Attack (issue #15 item 3): a read-only user recovered authentication strings through the authString
// filter of /phones, /reports/capf and /bulk/query (values hidden, but the filter answered yes/no).
// Now: the filter is allowed only to roles that may read strings (403 otherwise, the same for every guess),
// only in a request body (400 in a URL, saying where to send it), and the domain refuses it for any caller.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startApiLab, type ApiLab } from '../helpers/api-lab.ts';
import type { AppError } from '../../src/shared/errors.ts';

const SECRET = '4821';
const DEVICE = 'SEP00AB00CD4821';
const json = (r: { body: string }) => JSON.parse(r.body);

let lab: ApiLab;
let ro: ApiLab['call'];
before(async () => {
  lab = await startApiLab();
  ro = lab.as(await lab.tokenFor('auditor', 'read-only'));
  const add = await lab.call('POST', '/api/v1/phones', {
    phones: [
      { deviceName: DEVICE, model: 'Cisco 8845' },
      { deviceName: 'SEP00AB00CD0001', model: 'Cisco 8845' },
    ],
  });
  assert.equal(json(add).succeeded, 2, add.body);
  const set = await lab.call('PUT', `/api/v1/phones/${DEVICE}/capf`, {
    operation: 'install',
    authMode: 'auth-string',
    authString: SECRET,
  });
  assert.equal(set.statusCode, 200, set.body);
});
after(async () => {
  await lab.close();
});

/** The three ways to filter phones, each with the filter in a request body. */
const bodyProbes = (authString: string) =>
  [
    ['POST', '/api/v1/phones/search', { filter: { authString } }],
    ['POST', '/api/v1/reports/capf', { filter: { authString } }],
    ['POST', '/api/v1/bulk/query', { filter: { authString } }],
  ] as const;

test('read-only: the authString filter is refused (403) on all three endpoints', async () => {
  for (const [method, url, body] of bodyProbes(SECRET)) {
    const r = await ro(method, url, body);
    assert.equal(r.statusCode, 403, `${url}: ${r.body}`);
    assert.equal(json(r).error.code, 'ERR_FORBIDDEN');
    assert.match(json(r).error.message, /authentication string.*you are read-only/);
    assert.ok(!r.body.includes(DEVICE), 'nothing about the phones leaks in the refusal');
  }
  // The same filter without the secret still works for read-only.
  const plain = await ro('POST', '/api/v1/phones/search', { filter: { model: '8845' } });
  assert.equal(plain.statusCode, 200, plain.body);
  assert.equal(json(plain).total, 2);
  assert.equal(json(plain).items.find((p: { deviceName: string }) => p.deviceName === DEVICE).capf.authString, null);
});

test('enumeration: 200 guesses per endpoint (the right one among them) all get the same refusal', async () => {
  for (const [, url] of bodyProbes(SECRET)) {
    const answers = new Set<string>();
    for (let g = 4700; g < 4900; g++) {
      const [[method, , body]] = bodyProbes(String(g)).filter(([, u]) => u === url) as [
        readonly [string, string, unknown],
      ];
      const r = await ro(method, url, body);
      answers.add(`${r.statusCode} ${r.body}`);
    }
    assert.equal(
      answers.size,
      1,
      `${url}: the answers differ between guesses, an oracle: ${[...answers].join(' | ').slice(0, 500)}`,
    );
    assert.match([...answers][0]!, /^403 /);
  }
});

test('admin: the filter in the body works on all three endpoints', async () => {
  const found = json(await lab.call('POST', '/api/v1/phones/search', { filter: { authString: SECRET }, limit: 10 }));
  assert.deepEqual(
    found.items.map((p: { deviceName: string }) => p.deviceName),
    [DEVICE],
  );
  assert.equal(found.items[0].capf.authString, SECRET);
  assert.equal(json(await lab.call('POST', '/api/v1/phones/search', { filter: { authString: '9999' } })).total, 0);

  const csv = await lab.call('POST', '/api/v1/reports/capf', { filter: { authString: SECRET } });
  assert.equal(csv.statusCode, 200, csv.body);
  assert.match(String(csv.headers['content-type']), /^text\/csv/);
  const lines = csv.body.trim().split(/\r?\n/);
  assert.equal(lines.length, 2, csv.body);
  assert.ok(lines[1]!.startsWith(`${DEVICE},`) && lines[1]!.includes(SECRET));

  const q = json(await lab.call('POST', '/api/v1/bulk/query', { filter: { authString: SECRET } }));
  assert.equal(q.matched, 1);
});

test('in a query string: 400 for every role, saying where to send it; secret-free URL filters still work', async () => {
  for (const call of [ro, lab.call]) {
    for (const [url, sendTo] of [
      ['/api/v1/phones', 'POST /api/v1/phones/search'],
      ['/api/v1/reports/capf', 'POST /api/v1/reports/capf'],
    ] as const) {
      const r = await call('GET', `${url}?model=8845&authString=${SECRET}`);
      assert.equal(r.statusCode, 400, `${url}: ${r.body}`);
      const e = json(r).error;
      assert.equal(e.code, 'ERR_SECRET_IN_URL');
      assert.ok(e.message.includes(sendTo), `the message names ${sendTo}: ${e.message}`);
      assert.ok(!r.body.includes(SECRET), 'the refusal does not echo the secret');
    }
  }
  // Spelling variants are secrets too.
  assert.equal(json(await lab.call('GET', `/api/v1/phones?auth%53tring=${SECRET}`)).error.code, 'ERR_SECRET_IN_URL');
  const ok = await ro('GET', '/api/v1/phones?model=8845');
  assert.equal(ok.statusCode, 200, ok.body);
  assert.equal(json(ok).total, 2);
  assert.equal((await ro('GET', '/api/v1/reports/capf?model=8845')).statusCode, 200);
});

test('the domain refuses the filter for a read-only viewer whoever calls it (one check, not per route)', async () => {
  const a = lab.ctx.admin;
  const readOnly = { role: 'read-only' as const };
  const forbidden = (e: unknown) => (e as AppError).code === 'ERR_FORBIDDEN';
  await assert.rejects(a.phoneAdmin.find({ authString: SECRET }, readOnly), forbidden);
  await assert.rejects(a.bulk.preview({ authString: SECRET }, readOnly), forbidden);
  await assert.rejects(
    a.bulk.createJob({ authString: SECRET }, { operation: 'none' }, { name: 'x', source: 'test' }, readOnly),
    forbidden,
  );
  await assert.rejects(async () => {
    for await (const _ of a.reports.capfReportCsv({ authString: SECRET }, readOnly)) void _;
  }, forbidden);
  assert.equal((await a.phoneAdmin.find({ authString: SECRET }, { role: 'operator' })).total, 1);
});

test('read-only never sees a common string through a bulk job (its update or its filter)', async () => {
  const job = await lab.call('POST', '/api/v1/bulk/jobs', {
    filter: { authString: SECRET },
    update: { operation: 'install', authMode: 'auth-string', authString: '775533' },
  });
  assert.equal(job.statusCode, 202, job.body);
  const id = json(job).id as number;
  for (const r of [await ro('GET', '/api/v1/bulk/jobs'), await ro('GET', `/api/v1/bulk/jobs/${id}`)]) {
    assert.equal(r.statusCode, 200, r.body);
    assert.ok(!r.body.includes('775533') && !r.body.includes(SECRET), r.body);
  }
  assert.ok((await lab.call('GET', `/api/v1/bulk/jobs/${id}`)).body.includes('775533'), 'the operator still sees it');
});
