// The phone side of tlv-files.md §9.6 on real sockets: cluster A serves its phones an empty (rollback) ITL — still
// signed by A's TFTP certificate, TVS and TFTP records blank — built here with buildItl(emptyRoles) and pinned as
// ITLSEP<MAC>.tlv (the `itl rollback` command itself is not this test's subject). The phones accept it by rule 2,
// take A's configuration unsigned, then, pointed at cluster B, accept B's ITL on first sight with no erase, verify
// B's signed configuration and enrol for an LSC from B's CAPF.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { buildItl, parseTrustList, ROLLBACK_BLANK_ROLES } from '../../src/trust/index.ts';
import { renderTrustList, trustListScreen } from '../../src/emulator/index.ts';
import { newDeviceName } from '../helpers/capf-lab.ts';
import { CLUSTER_HOSTS, startTwoClusters } from './two-clusters.ts';

const texts = (r: { messages: { text: string }[] }) => r.messages.map((m) => m.text);

test('a phone holding A’s empty (rollback) ITL moves to B with no erase and enrols there', async () => {
  const t = await startTwoClusters();
  try {
    const devices = [newDeviceName(), newDeviceName()];
    await t.enrolOn('A', devices);
    const ids = t.A.lab.ctx.identities;
    const tftpA = ids.get('tftp');
    const rollback = buildItl({
      members: [
        { certificate: ids.get('capf').certificate, roles: ['CAPF'] },
        { certificate: ids.get('itlrecovery').certificate, roles: ['SAST'] },
        { certificate: tftpA.certificate, roles: ['SAST'] },
      ],
      signer: { certificate: tftpA.certificate, privateKey: tftpA.privateKey },
      now: new Date(),
      emptyRoles: ROLLBACK_BLANK_ROLES,
    });
    for (const d of devices) t.A.lab.ctx.provisioning.pin(`ITL${d}.tlv`, rollback);

    for (const d of devices) {
      // Still on A: the empty ITL is accepted (A's own signer) and the configuration is then taken unsigned.
      const onA = await t.bootOn('A', d);
      assert.equal(onA.trustLists.find((u) => u.kind === 'ITL')?.reason, 'trusted-signer', JSON.stringify(onA));
      assert.ok(texts(onA).includes(`${d}.cnf.xml(HTTP)`), texts(onA).join(' | '));
      assert.equal(onA.configRejected, null);
      assert.equal(trustListScreen(t.phone(d)!).itl?.rollback, true);
      assert.match(renderTrustList(t.phone(d)!), /empty ITL: blank TVS\/TFTP entries/);
    }

    for (const d of devices) await t.schedule('B', d, { operation: 'install', authMode: 'null-string' });
    const capfB = new X509Certificate(t.B.lab.capfPem());
    for (const d of devices) {
      const r = await t.bootOn('B', d);
      const itl = r.trustLists.find((u) => u.kind === 'ITL')!;
      assert.equal(itl.outcome, 'installed', JSON.stringify(r.trustLists));
      assert.equal(itl.reason, 'after-rollback');
      assert.ok(texts(r).includes('Trust List Updated'), texts(r).join(' | '));
      assert.ok(Buffer.from(r.state.trust.itl!, 'base64').equals(await t.servedItl('B', d)), "B's ITL installed");
      assert.ok(texts(r).includes(`${d}.cnf.xml.sgn(HTTP)`), 'B has TFTP certificates in its ITL: signed config');
      assert.equal(r.configRejected, null);
      assert.equal(r.capfServer?.split(':')[0], CLUSTER_HOSTS.B);
      assert.equal(r.outcome, 'installed', r.detail);
      assert.ok(new X509Certificate(r.state.lsc!.certPem).verify(capfB.publicKey), `${d}: LSC from B`);
      assert.equal(await t.status('B', d), 'Upgrade Success');
      assert.equal(trustListScreen(r.state).itl?.rollback, false);
      const signerB = parseTrustList(await t.servedItl('B', d)).header.signerName!;
      assert.ok(renderTrustList(r.state).includes(`Signed by  ${signerB}`));
    }
  } finally {
    await t.close();
  }
});
