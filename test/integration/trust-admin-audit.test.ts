// Trust administration is audited the same from the CLI as from the API (issue 16): `itl reset localkey`,
// `itl reset normal` and `cert regenerate` write the row the API writes (action, target, details), with the
// CLI's actor (cli:<OS account>).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startApiLab, type ApiLab } from '../helpers/api-lab.ts';
import { cli } from '../helpers/cli.ts';

let lab: ApiLab;
before(async () => {
  lab = await startApiLab({ host: '127.0.0.1', 'cluster.publicHost': '127.0.0.1' });
});
after(async () => {
  await lab.close();
});

async function rows(action: string) {
  const r = await lab.ctx.admin.audit.list({ action, limit: 10 });
  // Newest first; compare what the row says, not when or by whom.
  return r.items.map((e) => ({
    actor: e.actor,
    source: e.source,
    action: e.action,
    target: e.target,
    details: e.details,
  }));
}

test('CLI itl reset localkey / normal write the same audit rows as the API', async () => {
  for (const mode of ['localkey', 'normal'] as const) {
    const api = await lab.call('POST', '/api/v1/trust/itl/signing', { mode });
    assert.equal(api.statusCode, 200, api.body);
    const run = await cli(['itl', 'reset', mode, '--data-dir', lab.dir], '', {});
    assert.equal(run.code, 0, run.stderr);
    const got = await rows(`itl.reset-${mode}`);
    assert.equal(
      got.length,
      2,
      `one row from the API and one from the CLI for itl.reset-${mode}: ${JSON.stringify(got)}`,
    );
    const [fromCli, fromApi] = got as [(typeof got)[0], (typeof got)[0]];
    assert.match(fromCli.actor, /^cli:/);
    assert.equal(fromCli.source, 'cli');
    assert.equal(fromApi.actor, 'admin');
    assert.deepEqual({ ...fromCli, actor: 'x', source: 'x' }, { ...fromApi, actor: 'x', source: 'x' });
  }
});

test('CLI cert regenerate writes the audit row the API writes', async () => {
  const run = await cli(['cert', 'regenerate', 'tvs', '--data-dir', lab.dir], '', {});
  assert.equal(run.code, 0, run.stderr);
  const got = await rows('certificate.regenerate');
  assert.equal(got.length, 1, JSON.stringify(got));
  assert.equal(got[0]!.target, 'tvs');
  assert.match(got[0]!.actor, /^cli:/);
  assert.deepEqual(Object.keys(got[0]!.details).sort(), ['notAfter', 'serial']);
});
