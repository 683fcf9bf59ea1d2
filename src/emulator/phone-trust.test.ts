// The phone side of tlv-files.md §9 through bootPhone with an in-memory file server (no CAPF): an installed ITL
// kept across boots, a foreign ITL refused with its reason on the Status Messages, a signed config from the foreign
// cluster refused, the rollback ITL letting the next cluster in and unsigned configuration through, and the
// Trust List screen as the phone shows it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildItl, cucmItlMembers, ROLLBACK_BLANK_ROLES, signSgn } from '../trust/index.ts';
import { FIXTURE_NOW, trustFixtures, type TrustFixtures } from '../trust/test-fixtures.ts';
import type { Signer } from '../trust/signed-file.ts';
import { bootPhone, type PhoneDeps } from './phone.ts';
import { createManufacturingCa } from './manufacturing-ca.ts';
import { createResolver } from './resolver.ts';
import { createMemoryStateStore } from './state.ts';
import { renderSecurityConfiguration, renderStatusMessages, renderTrustList, trustListScreen } from './screens.ts';
import type { FileFetcher } from './transport.ts';

const DEV = 'SEP0011223344AA';
const at = (s: number) => new Date(FIXTURE_NOW.getTime() + s * 1000);

interface Cluster {
  name: string;
  files: Map<string, Buffer>;
}

/** A cluster's files: its ITL (normal or empty) and SEP<MAC>.cnf.xml signed by its TFTP certificate. */
function cluster(
  name: string,
  f: TrustFixtures,
  signer: Signer,
  o: { rollback?: boolean; plainConfig?: boolean; signedConfig?: boolean; tvsHost?: string } = {},
): Cluster {
  const members = o.rollback
    ? [
        { certificate: f.capf.certificate, roles: ['CAPF'] as const },
        { certificate: f.itlRecovery.certificate, roles: ['SAST'] as const },
        { certificate: signer.certificate, roles: ['SAST'] as const },
      ]
    : cucmItlMembers({
        itlRecovery: f.itlRecovery.certificate,
        signer: signer.certificate,
        capf: f.capf.certificate,
        tvs: [f.tvsPub],
      });
  const itl = buildItl({
    members,
    signer,
    now: at(o.rollback ? 60 : 0),
    ...(o.rollback ? { emptyRoles: ROLLBACK_BLANK_ROLES } : {}),
  });
  const xml = Buffer.from(
    `<device><capfAuthMode>2</capfAuthMode><capfList><capf><processNodeName>capf.${name}.test</processNodeName>` +
      `<phonePort>3804</phonePort></capf></capfList><TVS><members><member priority="0"><port>2445</port>` +
      `<address>tvs.${name}.test</address></member></members></TVS></device>`,
  );
  const files = new Map<string, Buffer>([['ITLFile.tlv', itl]]);
  if (o.signedConfig !== false)
    files.set(`${DEV}.cnf.xml.sgn`, signSgn({ payload: xml, fileName: `${DEV}.cnf.xml.sgn`, signer, now: at(1) }));
  if (o.plainConfig) files.set(`${DEV}.cnf.xml`, xml);
  return { name, files };
}

async function phoneDeps(): Promise<{ deps: (c: Cluster) => PhoneDeps; fetched: string[] }> {
  const f = await trustFixtures();
  const mfg = await createManufacturingCa(FIXTURE_NOW);
  const stateStore = createMemoryStateStore();
  const fetched: string[] = [];
  const deps = (c: Cluster): PhoneDeps => {
    const fetchFile: FileFetcher = async (name) => {
      fetched.push(`${c.name}:${name}`);
      const data = c.files.get(name);
      return data ? { data, via: 'HTTP' } : null;
    };
    return {
      fetchFile,
      // The TVS names resolve nowhere: TVS is "unreachable" (the real-socket case is in test/e2e).
      resolve: createResolver({ systemDns: false }),
      stateStore,
      manufacturingCa: mfg,
      micKey: async () => f.keys.other,
      now: () => FIXTURE_NOW,
    };
  };
  return { deps, fetched };
}

const texts = (r: { messages: { text: string }[] }) => r.messages.map((m) => m.text);

test('holding A: B refused with the reason, A kept across boots, B config refused, nothing taken from B', async () => {
  const f = await trustFixtures();
  const stranger: Signer = { certificate: f.phone.certificate, privateKey: f.phone.privateKey };
  const a = cluster('a', f, f.callManager);
  const b = cluster('b', f, stranger);
  const { deps, fetched } = await phoneDeps();
  const boot = (c: Cluster) => bootPhone({ deviceName: DEV, model: '8845', runCapf: false }, deps(c));

  const first = await boot(a);
  assert.equal(first.trustLists[0]?.reason, 'first-use');
  assert.equal(first.configRejected, null);
  assert.equal(first.state.lastConfig?.capfServers[0]?.host, 'capf.a.test');
  const heldA = first.state.trust.itl;
  assert.ok(heldA);
  assert.equal((await boot(a)).trustLists[0]?.outcome, 'unchanged', 'the ITL survives a power cycle');

  fetched.length = 0;
  const moved = await boot(b);
  assert.deepEqual(fetched, [`b:CTL${DEV}.tlv`, `b:ITL${DEV}.tlv`, 'b:ITLFile.tlv', `b:${DEV}.cnf.xml.sgn`]);
  const itl = moved.trustLists.find((u) => u.kind === 'ITL')!;
  assert.equal(itl.outcome, 'refused');
  assert.equal(itl.refusal, 'tvs-unreachable');
  assert.deepEqual(
    itl.tvs.map((t) => [t.server, t.result]),
    [['tvs.a.test:2445', 'unresolvable']],
    "asked the TVS of A's configuration",
  );
  assert.equal(moved.state.trust.itl, heldA, "A's ITL kept");
  const m = texts(moved);
  assert.ok(m.includes('Trust List Update Failed'), m.join(' | '));
  assert.ok(m.includes('ITLFile.tlv: TVS unreachable (tvs.a.test:2445)'), m.join(' | '));
  assert.ok(m.includes('DNS unknown IPv4 host tvs.a.test'), m.join(' | '));
  assert.ok(m.includes('Config file verification failed'), m.join(' | '));
  assert.equal(moved.configRejected?.file, `${DEV}.cnf.xml.sgn`);
  assert.equal(moved.configRejected?.reason, 'tvs-unreachable');
  assert.equal(moved.config, null);
  assert.equal(moved.state.lastConfig?.capfServers[0]?.host, 'capf.a.test', "still running on A's configuration");

  // B serving an unsigned file as well does not help: the phone holds TFTP certificates and takes signed files only.
  const bPlain = cluster('b', f, stranger, { signedConfig: false, plainConfig: true });
  const unsigned = await boot(bPlain);
  assert.equal(unsigned.configRejected?.reason, 'unsigned');
  assert.ok(texts(unsigned).includes(`${DEV}.cnf.xml: unsigned configuration refused`), texts(unsigned).join(' | '));

  const screen = renderTrustList(unsigned.state);
  assert.match(screen, /ITL File {5}Installed\n/);
  assert.match(screen, /CN=ao115sub.*\(signer\)/);
  assert.doesNotMatch(screen, /SEP001122334455/, "B's signer is not on the phone's Trust List");
  assert.match(renderStatusMessages(unsigned.state), /\] Trust List Update Failed/);
});

test('holding A in rollback: B is accepted on first sight and its signed config verifies', async () => {
  const f = await trustFixtures();
  const stranger: Signer = { certificate: f.phone.certificate, privateKey: f.phone.privateKey };
  const { deps } = await phoneDeps();
  const boot = (c: Cluster) => bootPhone({ deviceName: DEV, model: '8845', runCapf: false }, deps(c));
  await boot(cluster('a', f, f.callManager));
  const rb = await boot(cluster('a', f, f.callManager, { rollback: true, plainConfig: true }));
  assert.equal(rb.trustLists[0]?.reason, 'trusted-signer');
  // Holding the empty ITL, the phone no longer asks for the signed file: it takes SEP<MAC>.cnf.xml.
  assert.ok(texts(rb).includes(`${DEV}.cnf.xml(HTTP)`), texts(rb).join(' | '));
  assert.equal(rb.configRejected, null);

  const view = trustListScreen(rb.state).itl!;
  assert.equal(view.rollback, true);
  assert.deepEqual(
    view.entries.map((e) => [e.role, e.blank]),
    [
      ['CAPF', false],
      ['SAST', false],
      ['SAST', false],
      ['TVS', true],
      ['TFTP', true],
    ],
  );
  const screen = renderTrustList(rb.state);
  assert.match(screen, /ITL File {5}Installed \(empty ITL: blank TVS\/TFTP entries\)/);
  assert.match(screen, / 4 TVS\n/);
  assert.match(screen, / 5 TFTP\n/);
  assert.match(renderSecurityConfiguration(rb.state), /Trust List {3}Installed \(1 CAPF record, empty ITL/);

  const moved = await boot(cluster('b', f, stranger));
  assert.equal(moved.trustLists.find((u) => u.kind === 'ITL')?.reason, 'after-rollback');
  assert.ok(texts(moved).includes('Trust List Updated'));
  assert.equal(moved.configRejected, null);
  assert.equal(moved.state.lastConfig?.capfServers[0]?.host, 'capf.b.test');
  assert.equal(trustListScreen(moved.state).itl?.rollback, false);
  assert.match(renderTrustList(moved.state), /SAST {7}CN=SEP001122334455.*\(signer\)/);
});

test('holding an empty ITL, an unsigned configuration file is accepted; holding none, too', async () => {
  const f = await trustFixtures();
  const { deps, fetched } = await phoneDeps();
  const boot = (c: Cluster) => bootPhone({ deviceName: DEV, model: '8845', runCapf: false }, deps(c));
  const plainOnly = cluster('a', f, f.callManager, { signedConfig: false, plainConfig: true });
  plainOnly.files.delete('ITLFile.tlv');
  const none = await boot(plainOnly);
  assert.equal(none.configRejected, null);
  assert.deepEqual(none.trustLists, []);
  assert.equal(none.state.lastConfig?.capfServers[0]?.host, 'capf.a.test');
  fetched.length = 0;
  const rb = cluster('a', f, f.callManager, { rollback: true, signedConfig: false, plainConfig: true });
  const r = await boot(rb);
  assert.equal(r.trustLists[0]?.reason, 'first-use');
  assert.ok(!fetched.includes(`a:${DEV}.cnf.xml.sgn`), 'no signed file asked for');
  assert.equal(r.configRejected, null);
  assert.equal(renderTrustList(r.state).includes('configuration files are taken unsigned'), true);
});
