// The emulated phone's TVS questions on a real socket (tlv-files.md §9.3, tvs-protocol.md §5–§6): it asks the TVS
// of the configuration it last accepted, talks to it only when its certificate is the TVS record of the ITL it holds,
// accepts a new ITL whose signer TVS vouches for as SAST, and a configuration file whose TFTP signer TVS returns on
// QUERY — and says why when TVS refuses or cannot be trusted.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { derToPem, formatDnCucm, privateKeyPem, type CertificateInfo } from '../../src/pki/index.ts';
import { buildItl, cucmItlMembers, signSgn } from '../../src/trust/index.ts';
import type { Signer } from '../../src/trust/signed-file.ts';
import { FIXTURE_NOW, trustFixtures, type TrustFixtures } from '../../src/trust/test-fixtures.ts';
import { createTvsServer, issuerSerialKey, TvsRole, type TvsAuthority, type TvsServer } from '../../src/tvs/index.ts';
import {
  bootPhone,
  createManufacturingCa,
  createMemoryStateStore,
  createResolver,
  type FileFetcher,
  type PhoneDeps,
} from '../../src/emulator/index.ts';

const DEV = 'SEP0011223344BB';
let f: TrustFixtures;
let stranger: Signer;
let server: TvsServer | null = null;
let port = 0;
/** What the TVS knows: certificate → roles. Tests change it. */
let known: { cert: CertificateInfo; roles: number[] }[] = [];

function authority(): TvsAuthority {
  return {
    async verify(der) {
      const h = createHash('sha256').update(der).digest('hex');
      const e = known.find((k) => k.cert.sha256 === h);
      return e ? { trusted: true, roles: e.roles, ttlSeconds: 3600 } : { trusted: false, roles: [], ttlSeconds: 0 };
    },
    async query(q) {
      if (q.issuer === undefined || q.serial === undefined) return null;
      const key = issuerSerialKey(q.issuer, q.serial);
      const e = known.find((k) => issuerSerialKey(formatDnCucm(k.cert.issuer), k.cert.serialHex) === key);
      return e ? { certDer: e.cert.der, roles: e.roles, ttlSeconds: 3600 } : null;
    },
  };
}

async function startTvs(cert: CertificateInfo): Promise<void> {
  server = createTvsServer({
    host: '127.0.0.1',
    port: 0,
    tls: { certPem: derToPem(cert.der), keyPem: privateKeyPem(f.keys.other.privateKey) },
    authority: authority(),
    logger: { info() {}, warn() {} },
    limits: { maxConnections: 10, idleTimeoutMs: 2000, handshakeTimeoutMs: 2000, maxRequestsPerConnection: 2 },
  });
  port = (await server.start()).port;
}

before(async () => {
  f = await trustFixtures();
  stranger = { certificate: f.phone.certificate, privateKey: f.phone.privateKey };
  await startTvs(f.tvsPub); // the TVS record of cluster A's ITL
});
after(async () => {
  await server?.stop();
});

function files(name: string, signer: Signer, withTvs: boolean, at: number): Map<string, Buffer> {
  const members = withTvs
    ? cucmItlMembers({
        itlRecovery: f.itlRecovery.certificate,
        signer: signer.certificate,
        capf: f.capf.certificate,
        tvs: [f.tvsPub],
      })
    : [
        { certificate: f.capf.certificate, roles: ['CAPF'] as const },
        { certificate: signer.certificate, roles: ['SAST', 'TFTP'] as const },
      ];
  const now = new Date(FIXTURE_NOW.getTime() + at * 1000);
  const xml = Buffer.from(
    `<device><capfList><capf><processNodeName>capf.${name}.test</processNodeName></capf></capfList>` +
      `<TVS><members><member priority="0"><port>${port}</port><address>tvs.${name}.test</address></member>` +
      '</members></TVS></device>',
  );
  return new Map([
    ['ITLFile.tlv', buildItl({ members, signer, now })],
    [`${DEV}.cnf.xml.sgn`, signSgn({ payload: xml, fileName: `${DEV}.cnf.xml.sgn`, signer, now })],
  ]);
}

async function phone(): Promise<(served: Map<string, Buffer>) => ReturnType<typeof bootPhone>> {
  const mfg = await createManufacturingCa(FIXTURE_NOW);
  const stateStore = createMemoryStateStore();
  return (served) => {
    const fetchFile: FileFetcher = async (n) => {
      const data = served.get(n);
      return data ? { data, via: 'HTTP' } : null;
    };
    const deps: PhoneDeps = {
      fetchFile,
      resolve: createResolver({ hosts: new Map([['tvs.a.test', '127.0.0.1']]), systemDns: false }),
      stateStore,
      manufacturingCa: mfg,
      micKey: async () => f.keys.other,
      tvsTimeoutMs: 3000,
    };
    return bootPhone({ deviceName: DEV, model: '8845', runCapf: false }, deps);
  };
}

const tvsA = () => `tvs.a.test:${port}`;

test("TVS vouches for B's signer as SAST: B's ITL is accepted (vouched) and B's config verifies", async () => {
  known = [{ cert: f.phone.certificate, roles: [TvsRole.SAST, TvsRole.TFTP] }];
  const boot = await phone();
  await boot(files('a', f.callManager, true, 0));
  const r = await boot(files('b', stranger, false, 10));
  const itl = r.trustLists.find((u) => u.kind === 'ITL')!;
  assert.equal(itl.reason, 'vouched', itl.detail);
  assert.deepEqual(
    itl.tvs.map((a) => [a.server, a.result]),
    [[tvsA(), 'vouched']],
  );
  assert.equal(r.configRejected, null);
  assert.equal(r.state.lastConfig?.capfServers[0]?.host, 'capf.b.test');
});

test('TVS knows the signer only as TFTP: ITL refused, the configuration still verifies through QUERY', async () => {
  known = [{ cert: f.phone.certificate, roles: [TvsRole.TFTP] }];
  const boot = await phone();
  await boot(files('a', f.callManager, true, 0));
  const r = await boot(files('b', stranger, false, 10));
  const itl = r.trustLists.find((u) => u.kind === 'ITL')!;
  assert.equal(itl.refusal, 'tvs-not-vouched');
  assert.ok(r.messages.some((m) => m.text === `ITLFile.tlv: TVS did not vouch for the signer (${tvsA()})`));
  assert.equal(r.configRejected, null, 'Cisco: a file signed by a certificate in the TVS store is accepted');
  assert.equal(r.state.lastConfig?.capfServers[0]?.host, 'capf.b.test');
});

test('TVS knows nothing: the ITL and the configuration are both refused as not vouched', async () => {
  known = [];
  const boot = await phone();
  await boot(files('a', f.callManager, true, 0));
  const r = await boot(files('b', stranger, false, 10));
  assert.equal(r.trustLists.find((u) => u.kind === 'ITL')?.refusal, 'tvs-not-vouched');
  assert.equal(r.configRejected?.reason, 'tvs-not-vouched');
  assert.equal(r.state.lastConfig?.capfServers[0]?.host, 'capf.a.test');
});

test("a TVS whose certificate is not the ITL's TVS record is not asked: TVS unreachable", async () => {
  known = [{ cert: f.phone.certificate, roles: [TvsRole.SAST, TvsRole.TFTP] }];
  await server?.stop();
  await startTvs(f.tvsSub); // same key, another certificate: not the TVS record of A's ITL
  try {
    const boot = await phone();
    await boot(files('a', f.callManager, true, 0));
    const r = await boot(files('b', stranger, false, 10));
    const itl = r.trustLists.find((u) => u.kind === 'ITL')!;
    assert.equal(itl.refusal, 'tvs-unreachable');
    assert.deepEqual(
      itl.tvs.map((a) => a.result),
      ['untrusted-server'],
    );
    assert.equal(r.configRejected?.reason, 'tvs-unreachable');
  } finally {
    await server?.stop();
    await startTvs(f.tvsPub);
  }
});
