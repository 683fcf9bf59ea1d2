// The administration REST API through Fastify inject: auth and roles, phones, CSV import, profiles and the
// seed's profile-mismatch rule, bulk jobs with unique strings and their export, find, reports, audit, docs, metrics.

import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startApiLab, ADMIN_PASSWORD, type ApiLab } from '../helpers/api-lab.ts';
import { ERROR_TABLE } from '../../src/shared/errors.ts';
import { parseCsv } from '../../src/bulk/csv-import-codec.ts';
import { LOCAL_VIEWER } from '../../src/phones/filter-access.ts';

let lab: ApiLab;
before(async () => {
  lab = await startApiLab();
});
after(async () => {
  await lab.close();
});

const json = (r: { body: string }) => JSON.parse(r.body);
const future = (h = 48) => new Date(Date.now() + h * 3600_000).toISOString();

async function waitJob(id: number): Promise<Record<string, unknown>> {
  for (let i = 0; i < 400; i++) {
    const j = json(await lab.call('GET', `/api/v1/bulk/jobs/${id}`));
    if (['done', 'cancelled', 'failed'].includes(j.state)) return j;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`job ${id} did not finish`);
}

describe('authentication and access', () => {
  test('no credentials: 401 with a stable code, no stack; public routes stay public', async () => {
    const r = await lab.app.inject({ method: 'GET', url: '/api/v1/phones' });
    assert.equal(r.statusCode, 401);
    assert.deepEqual(Object.keys(json(r).error).sort(), ['code', 'message']);
    assert.equal(json(r).error.code, 'ERR_UNAUTHENTICATED');
    assert.equal((await lab.app.inject({ method: 'GET', url: '/api/docs' })).statusCode, 200);
    assert.equal(
      (await lab.app.inject({ method: 'GET', url: '/metrics' })).statusCode,
      401,
      'metrics.public defaults to false',
    );
    const bad = await lab.app.inject({
      method: 'GET',
      url: '/api/v1/phones',
      headers: { authorization: 'Bearer ocapf_0000000000000000_xxx' },
    });
    assert.equal(json(bad).error.code, 'ERR_UNAUTHENTICATED');
  });

  test(
    'cookie login: HttpOnly SameSite=Strict session; ' + 'changes need X-Requested-With (CSRF); logout ends it',
    async () => {
      const login = await lab.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: 'admin', password: ADMIN_PASSWORD },
      });
      assert.equal(login.statusCode, 200, login.body);
      const setCookie = String(login.headers['set-cookie']);
      assert.match(setCookie, /opencapf_session=[^;]+; Path=\/; HttpOnly; SameSite=Strict/);
      const cookie = setCookie.split(';')[0]!;
      const me = await lab.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie } });
      assert.equal(json(me).username, 'admin');
      assert.equal(json(me).via, 'session');
      const noHeader = await lab.app.inject({
        method: 'POST',
        url: '/api/v1/phones',
        headers: { cookie },
        payload: { phones: [] },
      });
      assert.equal(noHeader.statusCode, 403);
      assert.equal(json(noHeader).error.code, 'ERR_CSRF');
      const ok = await lab.app.inject({
        method: 'POST',
        url: '/api/v1/phones',
        headers: { cookie, 'x-requested-with': 'fetch' },
        payload: { phones: [] },
      });
      assert.equal(ok.statusCode, 200);
      await lab.app.inject({
        method: 'POST',
        url: '/api/v1/auth/logout',
        headers: { cookie, 'x-requested-with': 'fetch' },
      });
      assert.equal(
        (await lab.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie } })).statusCode,
        401,
      );
    },
  );

  test('login throttling by user name; wrong password and unknown user look the same', async () => {
    await lab.ctx.admin.users.create('victim', 'read-only', 'victim password 1', { name: 't', source: 't' });
    const attempt = (password: string, ip = '10.0.0.9') =>
      lab.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: 'victim', password },
        remoteAddress: ip,
      });
    for (let i = 0; i < 5; i++) assert.equal(json(await attempt('wrong')).error.code, 'ERR_UNAUTHENTICATED');
    const locked = await attempt('victim password 1', '10.0.0.10');
    assert.equal(locked.statusCode, 429);
    assert.equal(json(locked).error.code, 'ERR_THROTTLED');
    const unknown = await lab.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'nobody', password: 'x' },
      remoteAddress: '10.0.0.11',
    });
    assert.equal(json(unknown).error.message, 'wrong user name or password');
  });

  test('one-time password must be changed first; roles: read-only cannot change, sees no auth strings', async () => {
    const created = json(await lab.call('POST', '/api/v1/users', { username: 'newbie', role: 'operator' }));
    assert.match(created.password, /^[A-Za-z0-9_-]{20}$/);
    const login = await lab.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'newbie', password: created.password },
    });
    assert.equal(json(login).mustChangePassword, true);
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    const h = { cookie, 'x-requested-with': 'x' };
    assert.equal(
      json(await lab.app.inject({ method: 'GET', url: '/api/v1/phones', headers: h })).error.code,
      'ERR_PASSWORD_CHANGE_REQUIRED',
    );
    const ch = await lab.app.inject({
      method: 'POST',
      url: '/api/v1/auth/password',
      headers: h,
      payload: { currentPassword: created.password, newPassword: 'a brand new password' },
    });
    assert.equal(ch.statusCode, 204, ch.body);
    assert.equal((await lab.app.inject({ method: 'GET', url: '/api/v1/phones', headers: h })).statusCode, 200);

    const ro = lab.as(await lab.tokenFor('reader', 'read-only'));
    assert.equal(json(await ro('POST', '/api/v1/phones', { phones: [] })).error.code, 'ERR_FORBIDDEN');
    assert.equal(json(await ro('GET', '/api/v1/users')).error.code, 'ERR_FORBIDDEN');
    await lab.call('POST', '/api/v1/phones', { phones: [{ deviceName: 'SEP0000000000A1', model: 'Cisco 7841' }] });
    await lab.call('PUT', '/api/v1/phones/SEP0000000000A1/capf', {
      operation: 'install',
      authMode: 'auth-string',
      authString: '123456',
    });
    const seen = json(await ro('GET', '/api/v1/phones/SEP0000000000A1'));
    assert.equal(seen.phone.capf.authString, null);
    assert.equal(seen.phone.capfInformation.authenticationString, null);
    assert.equal(json(await lab.call('GET', '/api/v1/phones/SEP0000000000A1')).phone.capf.authString, '123456');
  });

  test('API tokens: a metrics-only token reads /metrics and nothing else; revoked tokens stop working', async () => {
    const t = json(await lab.call('POST', '/api/v1/tokens', { name: 'prometheus', scopes: ['metrics'] }));
    assert.match(t.token, /^ocapf_[0-9a-f]{16}_/);
    const m = lab.as(t.token);
    const metrics = await m('GET', '/metrics');
    assert.equal(metrics.statusCode, 200);
    assert.match(metrics.body, /opencapf_capf_ca_days_to_expiry \d+/);
    assert.match(metrics.body, /opencapf_lscs\{days_to_expiry="le30"\}/);
    assert.equal(json(await m('GET', '/api/v1/phones')).error.code, 'ERR_FORBIDDEN');
    assert.equal((await lab.call('DELETE', `/api/v1/tokens/${t.record.id}`)).statusCode, 204);
    assert.equal((await m('GET', '/metrics')).statusCode, 401);
    const list = json(await lab.call('GET', '/api/v1/tokens'));
    assert.ok(list.items.every((x: Record<string, unknown>) => !('secretHash' in x)));
  });
});

describe('phones', () => {
  test('add: per-item results; the CAPF Information section exactly as CUCM labels it; LSC/MIC fields', async () => {
    const r = json(
      await lab.call('POST', '/api/v1/phones', {
        phones: [
          { deviceName: 'sep00aa00bb0001', model: 'Cisco 8845', description: 'Lobby' },
          { deviceName: 'SEP00AA00BB0001' },
          { deviceName: 'SEPZZ' },
        ],
      }),
    );
    assert.equal(r.succeeded, 1);
    assert.deepEqual(
      r.results.slice(1).map((x: { code: string }) => x.code),
      ['ERR_PHONE_EXISTS', 'ERR_PHONE_BAD_NAME'],
    );
    const d = json(await lab.call('GET', '/api/v1/phones/SEP00AA00BB0001'));
    assert.deepEqual(Object.keys(d.phone.capfInformation), [
      'certificateOperation',
      'authenticationMode',
      'authenticationString',
      'keyOrder',
      'rsaKeySize',
      'ecKeySize',
      'operationCompletesBy',
      'certificateOperationStatus',
    ]);
    assert.equal(d.phone.capfInformation.certificateOperation, 'No Pending Operation');
    assert.equal(d.phone.capfInformation.keyOrder, 'RSA Only');
    assert.equal(d.phone.lscStatus, 'None');
    assert.equal(d.phone.micSeen, false);
    assert.deepEqual(d.sessions, []);
    const gen = json(await lab.call('POST', '/api/v1/phones/generate-string'));
    assert.match(gen.authString, /^\d{8}$/);
  });

  test(
    'bad input: unknown fields, unknown enums, past deadlines, ' +
      'bad strings, malformed names — precise codes, nothing applied',
    async () => {
      await lab.call('POST', '/api/v1/phones', { phones: [{ deviceName: 'SEP00AA00BB0002', model: 'Cisco 8845' }] });
      const cases: [unknown, string, RegExp][] = [
        [{ operation: 'install', foo: 1 }, 'ERR_BAD_REQUEST', /additional properties: "foo"/],
        [{ operation: 'explode' }, 'ERR_BAD_REQUEST', /operation must be equal to one of the allowed values/],
        [{ operation: 'install', authMode: 'by-magic' }, 'ERR_BAD_REQUEST', /authMode/],
        [{ operation: 'install', completesBy: '2001-01-01T00:00:00Z' }, 'ERR_DEADLINE_PAST', /in the past/],
        [{ operation: 'install', completesBy: 'tomorrow' }, 'ERR_BAD_REQUEST', /not a date/],
        [{ operation: 'install', authMode: 'auth-string', authString: '12a4' }, 'ERR_BAD_REQUEST', /authString/],
        [{ operation: 'install', authMode: 'auth-string', authString: '12345678901' }, 'ERR_BAD_REQUEST', /authString/],
        [{ operation: 'install', rsaKeySize: 1000 }, 'ERR_BAD_REQUEST', /rsaKeySize/],
      ];
      for (const [body, code, msg] of cases) {
        const r = await lab.call('PUT', '/api/v1/phones/SEP00AA00BB0002/capf', body);
        assert.equal(json(r).error.code, code, `${JSON.stringify(body)} -> ${r.body}`);
        assert.match(json(r).error.message, msg);
        assert.equal(r.statusCode, ERROR_TABLE[code as keyof typeof ERROR_TABLE].http);
        assert.doesNotMatch(r.body, /at .*\.ts:\d+/);
      }
      assert.equal(json(await lab.call('GET', '/api/v1/phones/SEP00AA00BB0002')).phone.status, 'None');
      assert.equal(
        json(await lab.call('GET', "/api/v1/phones/SEP'%3B%20DROP%20TABLE%20phones")).error.code,
        'ERR_PHONE_BAD_NAME',
      );
      assert.equal(
        json(await lab.call('POST', '/api/v1/phones', '{"phones": [', { 'content-type': 'application/json' })).error
          .code,
        'ERR_BAD_REQUEST',
      );
      const html = json(
        await lab.call('POST', '/api/v1/phones', {
          phones: [
            {
              deviceName: 'SEP00AA00BB0003',
              model: '<script>alert(1)</script>',
              description: "x'); DROP TABLE phones;--",
            },
          ],
        }),
      );
      assert.equal(html.succeeded, 1);
      const back = json(await lab.call('GET', '/api/v1/phones?description=DROP%20TABLE'));
      assert.equal(back.items[0].model, '<script>alert(1)</script>');
      assert.equal(json(await lab.call('GET', '/api/v1/phones?model=%25')).total, 0, 'LIKE wildcards are literal');
      assert.equal(json(await lab.call('GET', '/api/v1/phones?limit=501')).error.code, 'ERR_BAD_REQUEST');
      assert.equal(json(await lab.call('GET', '/api/v1/nope')).error.code, 'ERR_NOT_FOUND');
    },
  );

  test(
    'CSV import: header, quoting, a bad row never stops the good ones; ' +
      'broken quoting and over-long lines reported by line',
    async () => {
      const long = 'x'.repeat(70_000);
      const csv = [
        'Device Name,Model,Description,Security Profile',
        'SEP00CC00000001,Cisco 8845,"Desk, 2nd floor",',
        'SEP00CC00000002,Cisco 7841,"He said ""hi""",',
        'SEP00CC0000000Z,Cisco 7841,bad name,',
        `SEP00CC00000003,Cisco 7841,${long},`,
        'SEP00CC00000004,Cisco 7841,,No Such Profile',
        'SEP00CC00000005,Cisco 7841,ok after errors,',
        'SEP00CC00000006,Cisco 7841,"unterminated',
      ].join('\r\n');
      const r = await lab.call('POST', '/api/v1/phones/import', csv, { 'content-type': 'text/csv' });
      assert.equal(r.statusCode, 200, r.body);
      const rep = json(r);
      assert.equal(rep.added, 3);
      assert.deepEqual(
        rep.errors.map((e: { line: number; code: string }) => [e.line, e.code]),
        [
          [4, 'ERR_PHONE_BAD_NAME'],
          [5, 'ERR_CSV_LIMIT'],
          [6, 'ERR_PROFILE_NOT_FOUND'],
          [8, 'ERR_CSV_SYNTAX'],
        ],
      );
      assert.equal(json(await lab.call('GET', '/api/v1/phones/SEP00CC00000002')).phone.description, 'He said "hi"');
      const noType = await lab.call('POST', '/api/v1/phones/import', csv, { 'content-type': 'application/json' });
      assert.equal(noType.statusCode, 400);
      const badHeader = json(
        await lab.call('POST', '/api/v1/phones/import', 'Device Name,Colour\nSEP00CC00000009,red\n', {
          'content-type': 'text/csv',
        }),
      );
      assert.equal(badHeader.error.code, 'ERR_CSV_SYNTAX');
    },
  );

  test('edit: profile change sets CAPF defaults; remove', async () => {
    await lab.call('POST', '/api/v1/profiles', {
      name: 'EC Profile',
      authMode: 'existing-lsc',
      keyOrder: 'ec',
      ecKeySize: 384,
    });
    const e = json(
      await lab.call('PATCH', '/api/v1/phones/SEP00CC00000001', { description: 'moved', profileName: 'EC Profile' }),
    );
    assert.equal(e.capfInformation.authenticationMode, 'By Existing Certificate (precedence to LSC)');
    assert.equal(e.capfInformation.keyOrder, 'EC Only');
    assert.equal(e.capf.ecKeySize, 384);
    assert.equal((await lab.call('DELETE', '/api/v1/phones/SEP00CC00000005')).statusCode, 204);
    assert.equal(json(await lab.call('GET', '/api/v1/phones/SEP00CC00000005')).error.code, 'ERR_PHONE_NOT_FOUND');
  });
});

describe("profiles and the seed's profile-mismatch rule", () => {
  test('profile CRUD; changing a profile says how many phones it touches; deleting a used one is refused', async () => {
    const p = await lab.call('POST', '/api/v1/profiles', {
      name: 'LSC Only 8845',
      authMode: 'existing-lsc',
      deviceSecurityMode: 'encrypted',
    });
    assert.equal(p.statusCode, 201, p.body);
    assert.equal(
      json(await lab.call('POST', '/api/v1/profiles', { name: 'LSC Only 8845' })).error.code,
      'ERR_CONFLICT',
    );
    assert.equal(
      json(await lab.call('POST', '/api/v1/profiles', { name: 'x', authMode: 'nope' })).error.code,
      'ERR_BAD_REQUEST',
    );
    const names = ['SEP00DD00000001', 'SEP00DD00000002', 'SEP00DD00000003'];
    await lab.call('POST', '/api/v1/phones', {
      phones: names.map((deviceName) => ({ deviceName, model: 'Cisco 8845', profileName: 'LSC Only 8845' })),
    });
    const ch = json(await lab.call('PATCH', '/api/v1/profiles/LSC%20Only%208845', { keyOrder: 'ec-rsa' }));
    assert.equal(ch.phonesUsingProfile, 3);
    assert.equal(ch.phonesUpdated, 3);
    assert.equal(json(await lab.call('GET', '/api/v1/phones/SEP00DD00000001')).phone.capf.keyOrder, 'ec-rsa');
    const del = json(await lab.call('DELETE', '/api/v1/profiles/LSC%20Only%208845'));
    assert.equal(del.error.code, 'ERR_PROFILE_IN_USE');
    assert.match(del.error.message, /used by 3 phones/);
    const list = json(await lab.call('GET', '/api/v1/profiles'));
    assert.equal(list.items.find((x: { name: string }) => x.name === 'LSC Only 8845').phones, 3);
  });

  test(
    'By Null String against a By Existing Certificate profile is refused with the explanation, ' +
      "or applied with the profile's mode on request",
    async () => {
      const refused = await lab.call('PUT', '/api/v1/phones/SEP00DD00000001/capf', {
        operation: 'install',
        authMode: 'null-string',
        completesBy: future(),
      });
      assert.equal(refused.statusCode, 409);
      assert.equal(json(refused).error.code, 'ERR_PROFILE_MISMATCH');
      const mismatch =
        '"By Null String" contradicts the phone security profile "LSC Only 8845" ' +
        '("By Existing Certificate (precedence to LSC)")';
      assert.ok(json(refused).error.message.includes(mismatch), json(refused).error.message);
      assert.equal(json(await lab.call('GET', '/api/v1/phones/SEP00DD00000001')).phone.status, 'None');
      const applied = json(
        await lab.call('PUT', '/api/v1/phones/SEP00DD00000001/capf', {
          operation: 'install',
          authMode: 'null-string',
          onProfileMismatch: 'use-profile',
        }),
      );
      assert.equal(applied.capfInformation.authenticationMode, 'By Existing Certificate (precedence to LSC)');
      assert.equal(applied.status, 'Operation Pending');
      // Bulk: the whole job is refused up front, naming the profile and the count; nothing is applied.
      const bulk = await lab.call('POST', '/api/v1/bulk/jobs', {
        filter: { namePattern: 'SEP00DD*' },
        update: { operation: 'install', authMode: 'null-string' },
      });
      assert.equal(json(bulk).error.code, 'ERR_PROFILE_MISMATCH');
      assert.match(json(bulk).error.message, /3 selected phones: "LSC Only 8845"/);
      assert.equal(json(await lab.call('GET', '/api/v1/phones/SEP00DD00000002')).phone.status, 'None');
      const preview = json(
        await lab.call('POST', '/api/v1/bulk/query', {
          filter: { namePattern: 'SEP00DD*' },
          update: { operation: 'install', authMode: 'null-string' },
        }),
      );
      assert.deepEqual(preview.mismatches, [{ profileName: 'LSC Only 8845', profileMode: 'existing-lsc', phones: 3 }]);
    },
  );
});

describe('bulk administration', () => {
  test(
    'query by model, schedule with a unique string per device in the background, ' + 'export (device, string) CSV',
    async () => {
      const names = Array.from({ length: 30 }, (_, i) => `SEP00EE${String(i).padStart(8, '0')}`);
      await lab.call('POST', '/api/v1/phones', {
        phones: names.map((deviceName, i) => ({ deviceName, model: i % 2 ? 'Cisco 7841' : 'Cisco 8865' })),
      });
      const q = json(
        await lab.call('POST', '/api/v1/bulk/query', { filter: { model: '8865', namePattern: 'SEP00EE*' } }),
      );
      assert.equal(q.matched, 15);
      const worker = lab.ctx.admin.bulk.startWorker({ pollMs: 20 });
      try {
        const job = await lab.call('POST', '/api/v1/bulk/jobs', {
          filter: { model: '8865', namePattern: 'SEP00EE*' },
          update: { operation: 'install', authMode: 'auth-string', authString: 'generate', completesBy: future() },
        });
        assert.equal(job.statusCode, 202, job.body);
        const done = await waitJob(json(job).id);
        assert.equal(done.state, 'done');
        assert.equal(done.succeeded, 15);
        const exp = await lab.call('GET', `/api/v1/bulk/jobs/${json(job).id}/export`);
        assert.match(String(exp.headers['content-type']), /text\/csv/);
        const rows = parseCsv(exp.body).map((r) => ('fields' in r ? r.fields : []));
        assert.deepEqual(rows[0], ['Device Name', 'Authentication String', 'Result', 'Error']);
        assert.equal(rows.length, 16);
        const strings = rows.slice(1).map((r) => r[1]!);
        assert.ok(strings.every((s) => /^\d{8}$/.test(s)));
        assert.equal(new Set(strings).size, 15, 'unique string per device');
        const phone = json(await lab.call('GET', `/api/v1/phones/${rows[1]![0]}`)).phone;
        assert.equal(phone.capf.authString, rows[1]![1]);
        assert.equal(phone.status, 'Operation Pending');
        const ro = lab.as(await lab.tokenFor('reader2', 'read-only'));
        assert.equal(json(await ro('GET', `/api/v1/bulk/jobs/${json(job).id}/export`)).error.code, 'ERR_FORBIDDEN');
        // find by authentication string (a secret: in the body, never in the URL)
        const byString = json(await lab.call('POST', '/api/v1/phones/search', { filter: { authString: rows[1]![1] } }));
        assert.deepEqual(
          byString.items.map((p: { deviceName: string }) => p.deviceName),
          [rows[1]![0]],
        );
      } finally {
        await worker.stop();
      }
    },
  );

  test('a job is resumable after a crash (cursor in the database) and cancellable', async () => {
    const names = Array.from({ length: 2500 }, (_, i) => ({
      deviceName: `SEP00FF${String(i).padStart(8, '0')}`,
      model: 'Cisco 9971',
    }));
    await lab.ctx.phones.addPhones(names, { name: 't', source: 't' });
    const bulk = lab.ctx.admin.bulk;
    const job = await bulk.createJob(
      { modelContains: '9971' },
      { operation: 'install', authMode: 'null-string' },
      { name: 'admin', source: '127.0.0.1' },
      LOCAL_VIEWER,
    );
    const partial = await bulk.runJob(job.id, { maxBatches: 1 });
    assert.equal(partial.processed, 1000);
    assert.equal(partial.state, 'running');
    const resumed = await bulk.runJob(job.id);
    assert.equal(resumed.state, 'done');
    assert.equal(resumed.processed, 2500);
    assert.equal(resumed.succeeded, 2500);
    const again = await bulk.createJob(
      { modelContains: '9971' },
      { operation: 'delete' },
      { name: 'admin', source: '127.0.0.1' },
      LOCAL_VIEWER,
    );
    const c = json(await lab.call('POST', `/api/v1/bulk/jobs/${again.id}/cancel`));
    assert.equal(c.state, 'cancelled');
    assert.equal(json(await lab.call('POST', `/api/v1/bulk/jobs/${again.id}/cancel`)).error.code, 'ERR_BULK_JOB_STATE');
    assert.equal((await bulk.runJob(again.id)).processed, 0);
    const list = json(await lab.call('GET', '/api/v1/bulk/jobs'));
    assert.ok(list.items.length >= 3);
  });
});

describe('find, reports, audit, renewal, docs', () => {
  test('find by LSC status and expiry with paging and sorting; CAPF report CSV; expiry summary by model', async () => {
    const now = Date.now();
    const day = 86_400_000;
    const lscs: [string, number][] = [
      ['SEP00EE00000000', -2],
      ['SEP00EE00000001', 10],
      ['SEP00EE00000002', 60],
      ['SEP00EE00000003', 400],
    ];
    for (const [n, days] of lscs) {
      await lab.ctx.store.phones.updatePhone(
        n,
        {
          lsc: {
            serialHex: `AB${n.slice(-4)}`,
            issuerDn: 'CN=CAPF-test',
            notBefore: new Date(now - day).toISOString(),
            notAfter: new Date(now + days * day).toISOString(),
          },
        },
        new Date().toISOString(),
      );
    }
    const page1 = json(await lab.call('GET', '/api/v1/phones?lscStatus=installed&sort=lscNotAfter&order=desc&limit=3'));
    assert.equal(page1.total, 4);
    assert.deepEqual(
      page1.items.map((p: { deviceName: string }) => p.deviceName),
      ['SEP00EE00000003', 'SEP00EE00000002', 'SEP00EE00000001'],
    );
    const page2 = json(
      await lab.call('GET', '/api/v1/phones?lscStatus=installed&sort=lscNotAfter&order=desc&limit=3&offset=3'),
    );
    assert.deepEqual(
      page2.items.map((p: { deviceName: string }) => p.deviceName),
      ['SEP00EE00000000'],
    );
    const before = new Date(now + 30 * day).toISOString();
    const after = new Date(now).toISOString();
    const soon = json(await lab.call('GET', `/api/v1/phones?lscExpiresBefore=${before}&lscExpiresAfter=${after}`));
    assert.deepEqual(
      soon.items.map((p: { deviceName: string }) => p.deviceName),
      ['SEP00EE00000001'],
    );
    assert.equal(json(await lab.call('GET', '/api/v1/phones?lscStatus=none&namePattern=SEP00EE*')).total, 26);

    const csv = await lab.call('GET', '/api/v1/reports/capf?namePattern=SEP00EE0000000*');
    const rows = parseCsv(csv.body).map((r) => ('fields' in r ? r.fields : []));
    assert.deepEqual(rows[0], [
      'Device Name',
      'Model',
      'Description',
      'Authentication Mode',
      'Authentication String',
      'Certificate Operation',
      'Certificate Operation Status',
      'LSC Status',
      'LSC Serial Number',
      'LSC Issuer',
      'LSC Not Before',
      'LSC Expires',
      'Days Left',
    ]);
    const r1 = rows.find((r) => r[0] === 'SEP00EE00000001')!;
    assert.equal(r1[7], 'Installed');
    assert.equal(r1[9], 'CN=CAPF-test');
    assert.ok(['9', '10'].includes(r1[12]!));

    const s = json(await lab.call('GET', '/api/v1/reports/expiry'));
    const m = s.byModel.find((x: { model: string }) => x.model === 'Cisco 8865');
    assert.deepEqual([m.expired, m.within30, m.within90, m.valid], [1, 0, 1, 0]);
    assert.equal(s.totals.expired + s.totals.within30 + s.totals.within90 + s.totals.valid, 4);
    assert.ok(s.capfCa.daysLeft > 1000);
    assert.equal(s.capfCa.expired, false);
  });

  test('audit: every change with who, when, what, from where; append-only (no write routes)', async () => {
    const a = json(await lab.call('GET', '/api/v1/audit?target=SEP00DD00000001'));
    const actions = a.items.map((e: { action: string }) => e.action);
    assert.ok(actions.includes('capf.schedule') && actions.includes('phone.add'));
    const sched = a.items.find((e: { action: string }) => e.action === 'capf.schedule');
    assert.equal(sched.actor, 'admin');
    assert.equal(sched.source, '127.0.0.1');
    assert.equal(sched.actionText, 'CAPF operation scheduled', "each row carries its action's display text");
    assert.ok(!JSON.stringify(a).includes('"authString":"1'), 'strings are not in the audit log');
    const logins = json(await lab.call('GET', '/api/v1/audit?action=auth.login-failed'));
    assert.ok(logins.total >= 5);
    for (const m of ['DELETE', 'PUT', 'PATCH', 'POST'])
      assert.equal((await lab.call(m, '/api/v1/audit', {})).statusCode, 404);
  });

  test('renewal: due LSCs are scheduled through a bulk job with the profile-safe mode', async () => {
    const st = json(await lab.call('GET', '/api/v1/renewal'));
    assert.equal(st.enabled, false);
    assert.equal(
      st.due,
      1,
      'SEP00EE00000000 (expired) already has a pending operation; only SEP00EE00000001 (10 days) is due',
    );
    const r = json(await lab.call('POST', '/api/v1/renewal/run'));
    assert.equal(r.job.kind, 'renewal');
    const job = await lab.ctx.admin.bulk.runJob(r.job.id);
    assert.equal(job.succeeded, 1);
    const p = json(await lab.call('GET', '/api/v1/phones/SEP00EE00000001')).phone;
    assert.equal(p.capfInformation.certificateOperation, 'Install/Upgrade');
    assert.equal(p.capfInformation.authenticationMode, 'By Existing Certificate (precedence to LSC)');
  });

  test('OpenAPI document lists every route with its schemas and the error codes', async () => {
    const doc = json(await lab.app.inject({ method: 'GET', url: '/api/docs' }));
    assert.equal(doc.openapi, '3.1.0');
    for (const p of [
      '/api/v1/phones',
      '/api/v1/phones/{deviceName}',
      '/api/v1/phones/import',
      '/api/v1/profiles',
      '/api/v1/bulk/jobs',
      '/api/v1/bulk/jobs/{id}/export',
      '/api/v1/reports/capf',
      '/api/v1/reports/expiry',
      '/api/v1/audit',
      '/api/v1/users',
      '/api/v1/tokens',
      '/api/v1/auth/login',
      '/metrics',
    ]) {
      assert.ok(doc.paths[p], `missing ${p}`);
    }
    assert.equal(
      doc.paths['/api/v1/phones/{deviceName}/capf'].put.requestBody.content['application/json'].schema
        .additionalProperties,
      false,
    );
    assert.deepEqual(doc.paths['/api/v1/auth/login'].post.security, []);
    assert.deepEqual(Object.keys(doc['x-error-codes']).sort(), Object.keys(ERROR_TABLE).sort());
  });
});

test('nullable fields keep JSON null (not coerced to ""): a phone added with profileName null', async () => {
  const { startApiLab } = await import('../helpers/api-lab.ts');
  const l = await startApiLab();
  try {
    const r = await l.call('POST', '/api/v1/phones', {
      phones: [{ deviceName: 'SEP00CC00DD00EE', profileName: null }],
    });
    assert.ok(r.statusCode < 300, r.body);
    const p = await l.call('GET', '/api/v1/phones/SEP00CC00DD00EE');
    assert.equal(p.statusCode, 200, p.body);
    assert.equal((p.json() as { phone: { profileName: string | null } }).phone.profileName, null);
  } finally {
    await l.close();
  }
});
