// Issue 17 acceptance, the half with migration steps (the half without them is migration-no-steps.test.ts):
// phones enrolled on cluster A (A's ITL, an LSC from A) move to cluster B without any ITL being erased —
//   1. after B's signer is imported into A's TVS trust (what `migrate export-trust` + `tvs trust import` do), and
//   2. with A in rollback mode instead;
// and a 200-phone fleet moves A → B in one run: B's ITL File Status goes from 0 to 200 "current" and every phone's
// LSC verifies against B's CAPF. All on 127.0.0.1, real TFTP/HTTP/TVS/CAPF sockets, two real OpenCAPF instances.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { fleetDeviceNames } from '../../src/emulator/index.ts';
import { migrationCheckPorts } from '../../src/app/migration.ts';
import { runMigrationCheck } from '../../src/migration/index.ts';
import { newDeviceName } from '../helpers/capf-lab.ts';
import { startTwoClusters, type TwoClusters } from './two-clusters.ts';

const actor = { name: 'e2e', source: 'test' };

/** What `opencapf migrate export-trust` on B + `opencapf tvs trust import` on A amount to. */
async function importBSignerIntoA(t: TwoClusters): Promise<void> {
  const files = t.B.lab.ctx.migration
    .exportList()
    .map((c) => ({ name: c.fileName, bytes: Buffer.from(c.pem, 'utf8') }));
  await t.A.lab.ctx.foreignTrust.import(files.slice(0, 1), { roles: ['SAST', 'CCM', 'TFTP'] }, actor);
  await t.A.lab.ctx.foreignTrust.import(files.slice(1), { roles: ['SAST'] }, actor);
}

/** B's `migrate check` against A's real TFTP and TVS. */
async function checkOnB(t: TwoClusters) {
  const b = t.B.lab.ctx;
  return runMigrationCheck(
    migrationCheckPorts(),
    {
      itl: b.provisioning.trust.itl().bytes,
      tftp: b.identities.get('tftp').certificate,
      itlrecovery: b.identities.get('itlrecovery').certificate,
    },
    {
      oldItl: { kind: 'server', server: { host: '127.0.0.1', port: t.A.lab.server.ports.tftp! } },
      oldTvs: [{ host: '127.0.0.1', port: t.A.lab.server.ports.tvs! }],
    },
    new Date(),
  );
}

async function assertMovedToB(t: TwoClusters, d: string, via: 'vouched' | 'after-rollback'): Promise<void> {
  const capfB = new X509Certificate(t.B.lab.capfPem());
  await t.schedule('B', d, { operation: 'install', authMode: 'null-string' });
  const r = await t.bootOn('B', d);
  const itl = r.trustLists.find((u) => u.kind === 'ITL')!;
  assert.equal(itl.outcome, 'installed', `${d}: ${JSON.stringify(r.trustLists)}`);
  assert.equal(itl.reason, via);
  assert.ok(Buffer.from(r.state.trust.itl!, 'base64').equals(await t.servedItl('B', d)), `${d} holds B's ITL`);
  assert.equal(r.configRejected ?? null, null, JSON.stringify(r.configRejected));
  assert.ok(
    r.messages.some((m) => m.text === `${d}.cnf.xml.sgn(HTTP)`),
    "B's signed config fetched",
  );
  assert.equal(r.outcome, 'installed', r.detail);
  assert.ok(new X509Certificate(r.state.lsc!.certPem).verify(capfB.publicKey), `${d}: LSC from B`);
  assert.equal(await t.status('B', d), 'Upgrade Success');
  // The next boot on B: nothing new to accept, the config verifies with the ITL now held.
  const again = await t.bootOn('B', d);
  assert.equal(again.trustLists.find((u) => u.kind === 'ITL')?.outcome, 'unchanged');
  assert.equal(again.outcome, 'no-operation', again.detail);
}

test("after B's signer is imported into A's TVS trust, A's phones move to B with no erase and enrol", async () => {
  const t = await startTwoClusters();
  try {
    const devices = [newDeviceName(), newDeviceName(), newDeviceName()];
    await t.enrolOn('A', devices);
    assert.equal((await checkOnB(t)).verdict, 'refused', 'before the import the check says no');
    await importBSignerIntoA(t);
    const check = await checkOnB(t);
    assert.equal(check.ok, true, JSON.stringify(check.lines));
    assert.equal(check.verdict, 'tvs');
    assert.ok(check.lines.some((l) => l.id === 'old-tvs-vouches-recovery' && l.ok));
    for (const d of devices) await assertMovedToB(t, d, 'vouched');
    // Removing the trust again: A's TVS no longer vouches (a phone still on A would now be refused).
    const [cm] = await t.A.lab.ctx.foreignTrust.list();
    await t.A.lab.ctx.foreignTrust.remove(cm!.sha1, actor);
    assert.notEqual((await checkOnB(t)).verdict, 'tvs');
  } finally {
    await t.close();
  }
});

test("with A in rollback mode, A's phones take the empty ITL, then move to B with no erase and enrol", async () => {
  const t = await startTwoClusters();
  try {
    const devices = [newDeviceName(), newDeviceName()];
    await t.enrolOn('A', devices);
    await t.A.lab.ctx.trustAdmin.setRollback(true, actor);
    for (const d of devices) {
      const r = await t.bootOn('A', d); // the phones reboot on A once and download the rollback ITL
      assert.equal(r.trustLists.find((u) => u.kind === 'ITL')?.reason, 'trusted-signer', JSON.stringify(r.trustLists));
    }
    const check = await checkOnB(t);
    assert.equal(check.verdict, 'rollback', JSON.stringify(check.lines));
    assert.equal(check.ok, true);
    for (const d of devices) await assertMovedToB(t, d, 'after-rollback');
  } finally {
    await t.close();
  }
});

test('a fleet of 200 phones moves A → B in one run: ITL File Status on B 0 → 200 current, LSCs from B', async () => {
  const t = await startTwoClusters();
  try {
    const names = fleetDeviceNames(200);
    const fleet = names.map((deviceName) => ({ deviceName, model: '8845', authString: null }));
    const add = async (c: 'A' | 'B') => {
      const ctx = t.lab(c).lab.ctx;
      const added = await ctx.phones.addPhones(
        names.map((deviceName) => ({ deviceName, model: 'Cisco 8845', profileName: null })),
        actor,
      );
      assert.ok(added.every((r) => r.ok));
      const s = await ctx.phones.schedule(names, { operation: 'install', authMode: 'null-string' }, actor);
      assert.ok(s.every((r) => r.ok));
    };
    await add('A');
    const onA = await t.fleetOn('A', fleet);
    assert.equal(onA.byOutcome.installed, 200, JSON.stringify(onA.failuresByReason));

    await add('B');
    await importBSignerIntoA(t);
    const before = await t.B.lab.ctx.itlStatus.counts();
    assert.deepEqual(before, { current: 0, older: 0, never: 200, total: 200, unlisted: 0 });
    const onB = await t.fleetOn('B', fleet);
    assert.equal(onB.byOutcome.installed, 200, JSON.stringify(onB.failuresByReason));
    const after = await t.B.lab.ctx.itlStatus.counts();
    assert.deepEqual(after, { current: 200, older: 0, never: 0, total: 200, unlisted: 0 });

    const capfB = new X509Certificate(t.B.lab.capfPem());
    const capfA = new X509Certificate(t.A.lab.capfPem());
    for (const d of names) {
      const lsc = new X509Certificate(t.phone(d)!.lsc!.certPem);
      assert.ok(lsc.verify(capfB.publicKey), `${d}: LSC verifies against B's CAPF`);
      assert.ok(!lsc.verify(capfA.publicKey), `${d}: not A's`);
      assert.equal(await t.status('B', d), 'Upgrade Success');
    }
    // The plan on B ticks the phones: all served our ITL, all hold an LSC from us.
    const plan = await t.B.lab.ctx.migration.plan('cucm');
    const step = (id: string) => plan.steps.find((s) => s.id === id)!;
    assert.equal(step('point-phones').state, 'done', step('point-phones').evidence ?? '');
    assert.equal(step('lsc').state, 'done', step('lsc').evidence ?? '');
  } finally {
    await t.close();
  }
});
