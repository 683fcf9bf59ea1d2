// Issue 17, acceptance point 1, the half without migration steps: phones enrolled on cluster A (A's ITL installed,
// an LSC from A's CAPF) are pointed at cluster B. Following tlv-files.md §9 they keep A's ITL (B's signer is not a
// SAST they know and A's TVS, the TVS of the ITL they hold, does not vouch for it), refuse B's signed
// configuration, keep running on A's, and B changes nothing: no CAPF session, no LSC, the same phone record.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { parseTrustList } from '../../src/trust/index.ts';
import { renderTrustList } from '../../src/emulator/index.ts';
import { newDeviceName } from '../helpers/capf-lab.ts';
import { CLUSTER_HOSTS, startTwoClusters } from './two-clusters.ts';

const texts = (r: { messages: { text: string }[] }) => r.messages.map((m) => m.text);
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test('without migration steps a phone of A pointed at B keeps A, refuses B, and B changes nothing', async () => {
  const t = await startTwoClusters();
  try {
    const devices = [newDeviceName(), newDeviceName(), newDeviceName()];
    const itlA = parseTrustList(await t.servedItl('A', devices[0]!));
    const itlB = parseTrustList(await t.servedItl('B', devices[0]!));
    assert.notEqual(itlA.header.signerName, itlB.header.signerName, 'the two clusters have distinct signers');
    const capfA = new X509Certificate(t.A.lab.capfPem());
    const capfB = new X509Certificate(t.B.lab.capfPem());
    assert.notEqual(capfA.fingerprint256, capfB.fingerprint256);

    // Enrolled on A: A's ITL held, an LSC from A.
    await t.enrolOn('A', devices);
    for (const d of devices) {
      const p = t.phone(d)!;
      assert.ok(Buffer.from(p.trust.itl!, 'base64').equals((await t.servedItl('A', d)) as Buffer), `${d}: A's ITL`);
      assert.ok(new X509Certificate(p.lsc!.certPem).verify(capfA.publicKey), `${d}: LSC from A`);
      assert.equal(await t.status('A', d), 'Upgrade Success');
    }

    // B's administrator adds the phones and schedules Install; then DHCP option 150 points them at B.
    for (const d of devices) await t.schedule('B', d, { operation: 'install', authMode: 'null-string' });
    const before = await Promise.all(devices.map((d) => t.B.lab.ctx.phones.getPhone(d)));
    const auditBefore = await t.B.lab.ctx.store.audit.countAudit({});
    const tvsA = `${CLUSTER_HOSTS.A}:${t.A.lab.ctx.config['tvs.port']}`;

    for (const d of devices) {
      const heldBefore = t.phone(d)!;
      for (let boot = 0; boot < 2; boot++) {
        const r = await t.bootOn('B', d);
        const m = texts(r);
        const itl = r.trustLists.find((u) => u.kind === 'ITL')!;
        // The ITL: refused, because A's TVS (reachable, and the TVS of the ITL the phone holds) does not vouch.
        assert.equal(itl.outcome, 'refused', JSON.stringify(r.trustLists));
        assert.equal(itl.refusal, 'tvs-not-vouched', itl.detail);
        assert.deepEqual(
          itl.tvs.map((a) => [a.server, a.result]),
          [[tvsA, 'not-vouched']],
        );
        assert.ok(m.includes('Trust List Update Failed'), m.join(' | '));
        assert.ok(
          m.some((x) =>
            new RegExp(`^ITL(${d}|File)\\.tlv: TVS did not vouch for the signer \\(${esc(tvsA)}\\)$`).test(x),
          ),
          m.join(' | '),
        );
        assert.equal(r.state.trust.itl, heldBefore.trust.itl, "A's ITL kept, byte for byte");
        // B's signed configuration: refused (its TFTP signer is neither in A's ITL nor known to A's TVS).
        assert.ok(m.includes(`${d}.cnf.xml.sgn(HTTP)`), m.join(' | '));
        assert.ok(m.includes('Config file verification failed'), m.join(' | '));
        assert.equal(r.configRejected?.file, `${d}.cnf.xml.sgn`);
        assert.equal(r.configRejected?.reason, 'tvs-not-vouched', r.configRejected?.detail);
        assert.equal(r.config, null);
        // Still running on A's configuration: its CAPF is A's, which has nothing to do.
        assert.deepEqual(r.state.lastConfig, heldBefore.lastConfig);
        assert.equal(r.capfServer?.split(':')[0], CLUSTER_HOSTS.A);
        assert.equal(r.outcome, 'no-operation', r.detail);
        assert.equal(r.state.lsc?.certPem, heldBefore.lsc?.certPem, "A's LSC kept");
      }
      // What the phone's Trust List screen shows: A's list, signed by A.
      const screen = renderTrustList(t.phone(d)!);
      assert.match(screen, new RegExp(`Signed by  ${esc(itlA.header.signerName!)}`));
      assert.doesNotMatch(screen, new RegExp(esc(itlB.header.signerName!)));
    }

    // Nothing on B changed: same phone records (still waiting for the install), no LSC issued, no audit entry.
    const after = await Promise.all(devices.map((d) => t.B.lab.ctx.phones.getPhone(d)));
    for (const [i, d] of devices.entries()) {
      const [b, a] = [before[i]!, after[i]!];
      assert.deepEqual(a.operationStatus, b.operationStatus, d);
      assert.equal(a.status, b.status, d);
      assert.deepEqual(a.lsc, b.lsc, d);
      assert.equal(a.lsc, null, d);
      assert.equal(a.lastSessionAt, b.lastSessionAt, d);
      assert.equal(a.authFailures, b.authFailures, d);
      assert.equal(a.configVersion, b.configVersion, d);
      assert.deepEqual(await t.B.lab.ctx.store.phones.listCertificates(d), [], `${d}: B issued nothing`);
    }
    assert.equal(await t.B.lab.ctx.store.audit.countAudit({}), auditBefore, 'no audit entry on B');
    // The doctor on B explains why, from what B's servers saw: our ITL and config fetched at every boot, never a
    // CAPF session, the install pending — the phone trusts another cluster — and names the three cures.
    for (const d of devices) {
      const report = await t.doctor('B', d);
      const f = report.findings.find((x) => x.id === 'itl-foreign-suspected');
      assert.ok(f, `${d}: ${report.findings.map((x) => x.id).join(', ')}`);
      assert.match(f.remedy, /migrate export-trust/);
      assert.match(f.remedy, /rollback/);
      assert.match(f.remedy, /erase the ITL on the phone/);
      assert.ok(
        f.evidence.some((e) => /served our current ITL \d+ times/.test(e)),
        f.evidence.join(' | '),
      );
    }
    // And on A the phones are as they were.
    for (const d of devices) assert.equal(await t.status('A', d), 'Upgrade Success');
  } finally {
    await t.close();
  }
});
