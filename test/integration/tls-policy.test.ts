// Every TLS listener (CAPF, TVS, HTTPS 6971, the REST API) of a real `opencapf serve` under each named TLS
// profile, probed with Debian's `openssl s_client`: the versions and suites each profile promises are
// negotiated, and what it excludes is refused. Also overrides, the deprecated capf.legacyTls and bad input.

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnServe, type ServeProcess } from '../helpers/serve-process.ts';

const LISTENERS = ['capf', 'tvs', 'https', 'api'] as const;
const dirs: string[] = [];
const procs: ServeProcess[] = [];
after(async () => {
  for (const p of procs) await p.kill();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function serve(env: NodeJS.ProcessEnv): Promise<ServeProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'opencapf-tls-'));
  dirs.push(dataDir);
  const p = spawnServe({ dataDir, env: { OPENCAPF_API_TLS: 'on', ...env } });
  procs.push(p);
  await p.ready();
  return p;
}

interface Probe {
  ok: boolean;
  protocol: string | null;
  cipher: string | null;
  output: string;
}

/** One handshake with openssl s_client (stdin closed: it disconnects right after). */
function probe(port: number, args: string[]): Promise<Probe> {
  return new Promise((resolve) => {
    const child = execFile(
      'openssl',
      ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-brief', ...args],
      { timeout: 15_000 },
      (_err, stdout, stderr) => {
        const output = `${stdout}${stderr}`;
        const protocol = /Protocol version: (\S+)/.exec(output)?.[1] ?? null;
        const cipher = /Ciphersuite: (\S+)/.exec(output)?.[1] ?? null;
        resolve({ ok: /CONNECTION ESTABLISHED/.test(output) && protocol !== null, protocol, cipher, output });
      },
    );
    child.stdin?.end();
  });
}

// Suites for either identity key type (RSA or EC), so the probes hold whatever pki settings say.
const CBC_TLS12 = ['-tls1_2', '-cipher', 'ECDHE-RSA-AES128-SHA:ECDHE-ECDSA-AES128-SHA'];
const AEAD_TLS12 = ['-tls1_2', '-cipher', 'ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-GCM-SHA256'];
const TLS10 = ['-tls1', '-cipher', 'DEFAULT:@SECLEVEL=0'];

const EXPECT = {
  modern: { tls13: true, aead12: true, cbc12: false, tls10: false },
  compatible: { tls13: true, aead12: true, cbc12: true, tls10: false },
  'legacy-7900': { tls13: true, aead12: true, cbc12: true, tls10: true },
} as const;

for (const [profile, expect] of Object.entries(EXPECT)) {
  describe(`TLS profile ${profile} on every TLS listener`, () => {
    let p: ServeProcess;
    it('serve starts with the profile on all four listeners', async () => {
      const env: NodeJS.ProcessEnv = {};
      for (const l of LISTENERS) env[`OPENCAPF_TLS_${l.toUpperCase()}_PROFILE`] = profile;
      p = await serve(env);
      for (const l of LISTENERS) assert.ok(p.ports[l], `${l} listens`);
    });
    for (const l of LISTENERS)
      it(`${l}: negotiates what ${profile} promises and refuses what it excludes`, async () => {
        const port = p.ports[l]!;
        const t13 = await probe(port, ['-tls1_3']);
        assert.equal(t13.ok, expect.tls13, t13.output);
        assert.equal(t13.protocol, 'TLSv1.3');
        assert.match(t13.cipher!, /^TLS_(AES_\d+_GCM_SHA\d+|CHACHA20_POLY1305_SHA256)$/);
        const aead = await probe(port, AEAD_TLS12);
        assert.equal(aead.ok, expect.aead12, aead.output);
        assert.equal(aead.protocol, 'TLSv1.2');
        assert.match(aead.cipher!, /^ECDHE-(RSA|ECDSA)-AES128-GCM-SHA256$/);
        const cbc = await probe(port, CBC_TLS12);
        assert.equal(cbc.ok, expect.cbc12, `TLS 1.2 CBC: ${cbc.output}`);
        if (cbc.ok) assert.match(cbc.cipher!, /AES128-SHA$/);
        const t10 = await probe(port, TLS10);
        assert.equal(t10.ok, expect.tls10, `TLS 1.0: ${t10.output}`);
        if (t10.ok) assert.equal(t10.protocol, 'TLSv1');
      });
  });
}

describe('TLS policy overrides, the deprecated capf.legacyTls and bad settings', () => {
  it('per-listener overrides: maxVersion, ciphers and groups change only that listener', async () => {
    const p = await serve({
      OPENCAPF_TLS_API_MAX_VERSION: 'TLSv1.2',
      OPENCAPF_TLS_HTTPS_PROFILE: 'modern',
      OPENCAPF_TLS_HTTPS_GROUPS: 'P-384',
      OPENCAPF_TLS_TVS_CIPHERS: 'TLS_AES_256_GCM_SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES256-GCM-SHA384',
    });
    const api13 = await probe(p.ports.api!, ['-tls1_3']);
    assert.equal(api13.ok, false, 'the API stops at TLS 1.2');
    assert.equal((await probe(p.ports.api!, AEAD_TLS12)).protocol, 'TLSv1.2');
    assert.equal((await probe(p.ports.capf!, ['-tls1_3'])).protocol, 'TLSv1.3', 'CAPF keeps its profile');
    assert.equal((await probe(p.ports.https!, ['-tls1_3', '-groups', 'P-256'])).ok, false, 'P-256 is not offered');
    assert.equal((await probe(p.ports.https!, ['-tls1_3', '-groups', 'P-384'])).ok, true);
    const tvs = await probe(p.ports.tvs!, ['-tls1_3']);
    assert.equal(tvs.cipher, 'TLS_AES_256_GCM_SHA384');
    assert.equal((await probe(p.ports.tvs!, AEAD_TLS12)).ok, false, 'AES128-GCM is not in the TVS list');
  });

  it('capf.legacyTls=true still means legacy-7900 on CAPF and TVS (not HTTPS or the API)', async () => {
    const p = await serve({ OPENCAPF_CAPF_LEGACY_TLS: 'true' });
    assert.equal((await probe(p.ports.capf!, TLS10)).protocol, 'TLSv1');
    assert.equal((await probe(p.ports.tvs!, TLS10)).protocol, 'TLSv1');
    assert.equal((await probe(p.ports.https!, TLS10)).ok, false);
    assert.equal((await probe(p.ports.api!, TLS10)).ok, false);
    assert.match(p.output(), /weak TLS policy on capf/);
  });

  for (const [env, message] of [
    [
      { OPENCAPF_CAPF_LEGACY_TLS: 'true', OPENCAPF_TLS_CAPF_PROFILE: 'modern' },
      /capf\.legacyTls is true.*tls\.capf\.profile is modern/,
    ],
    [{ OPENCAPF_TLS_TVS_PROFILE: 'strong' }, /tls\.tvs\.profile must be one of modern, compatible, legacy-7900/],
    [{ OPENCAPF_TLS_API_CIPHERS: 'NOPE' }, /tls\.api\.ciphers: OpenSSL selects no cipher from "NOPE"/],
    [
      { OPENCAPF_TLS_CAPF_MIN_VERSION: 'TLSv1.3', OPENCAPF_TLS_CAPF_MAX_VERSION: 'TLSv1.2' },
      /tls\.capf\.minVersion: TLSv1\.3 is above/,
    ],
  ] as const)
    it(`refuses to start: ${Object.entries(env)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}`, async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'opencapf-tls-'));
      dirs.push(dataDir);
      const p = spawnServe({ dataDir, env });
      procs.push(p);
      const { code } = await p.exited;
      assert.notEqual(code, 0);
      assert.match(p.output(), message);
    });
});
