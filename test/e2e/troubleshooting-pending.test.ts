// Seed "LSC: Failed" (Upgrade Failed: User Initiated Request Late/Timedout) and "LSC: Operation Pending"
// (DNS as in the seed's lab, MIC vs precedence to LSC, TVS failure after the cluster's certificates changed),
// each created for real against the real listeners.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newDeviceName } from '../helpers/capf-lab.ts';
import { OperationStatus } from '../../src/phones/index.ts';
import { startTroubleshootingLab } from './troubleshooting-lab.ts';

const texts = (r: { messages: { text: string }[] }) => r.messages.map((m) => m.text);
const ids = (r: { findings: { id: string }[] }) => r.findings.map((f) => f.id);

test(
  'LSC: Failed: Operation Completes By has passed (Upgrade Failed: ' + 'User Initiated Request Late/Timedout)',
  async () => {
    const t = await startTroubleshootingLab();
    try {
      const dev = newDeviceName();
      await t.schedule(dev, {
        operation: 'install',
        authMode: 'null-string',
        completesBy: new Date(t.lab.clock.now().getTime() + 3600_000).toISOString(),
      });
      t.lab.clock.advanceMs(2 * 3600_000); // the phone is reset two hours later
      const r = await t.boot(dev);
      assert.equal(r.outcome, 'failed', r.detail);
      assert.ok(texts(r).includes('LSC: Failed'), texts(r).join(' | '));
      assert.equal(await t.status(dev), 'Upgrade Failed: User Initiated Request Late/Timedout');
      const d = await t.doctor(dev);
      assert.ok(ids(d).includes('deadline-past'), ids(d).join(','));
      assert.equal(d.findings.find((f) => f.id === 'deadline-past')!.docsAnchor, 'docs/troubleshooting.md#lsc-failed');
      // Remedy: a deadline at least one hour ahead, then retry.
      await t.schedule(dev, {
        operation: 'install',
        authMode: 'null-string',
        completesBy: new Date(t.lab.clock.now().getTime() + 2 * 3600_000).toISOString(),
      });
      assert.equal((await t.boot(dev)).outcome, 'installed');
    } finally {
      await t.close();
    }
  },
);

test("Operation Pending: the phone cannot resolve the CAPF host name (the seed's DNS lab)", async () => {
  const t = await startTroubleshootingLab({ publicHost: 'PUB11.brianw2.lab', resolvePublicHost: false });
  try {
    const dev = newDeviceName();
    await t.schedule(dev, { operation: 'install', authMode: 'null-string' });
    const r = await t.boot(dev);
    assert.equal(r.outcome, 'dns-failed', r.detail);
    assert.deepEqual(texts(r).slice(-2), ['DNS unknown IPv4 host PUB11.brianw2.lab', 'LSC: Connection failed']);
    assert.equal(await t.status(dev), OperationStatus.Pending);
    const d = await t.doctor(dev);
    assert.ok(ids(d).includes('capf-host-unresolvable'), ids(d).join(','));
    assert.match(d.findings.find((f) => f.id === 'capf-host-unresolvable')!.evidence.join(' '), /PUB11\.brianw2\.lab/);
    // Remedy: the DNS record.
    t.hosts.set('pub11.brianw2.lab', '127.0.0.1');
    assert.equal((await t.boot(dev)).outcome, 'installed');
  } finally {
    await t.close();
  }
});

test('Operation Pending: By Existing Certificate (precedence to LSC) on a phone that only has a MIC', async () => {
  // The CAPF trusts no manufacturing CA, so the MIC cannot stand in for the missing LSC.
  const t = await startTroubleshootingLab({ overrides: { 'capf.manufacturingCaFile': null } });
  try {
    const dev = newDeviceName();
    await t.schedule(dev, { operation: 'install', authMode: 'existing-lsc' });
    for (let i = 0; i < 2; i++) {
      const r = await t.boot(dev);
      assert.equal(r.outcome, 'connection-failed', r.detail);
      assert.ok(texts(r).includes('LSC: Connection failed'));
    }
    assert.equal(await t.status(dev), OperationStatus.Pending);
    const d = await t.doctor(dev);
    assert.ok(ids(d).includes('lsc-precedence-mic-only'), ids(d).join(','));
    assert.ok(ids(d).includes('repeated-failures'), ids(d).join(','));
  } finally {
    await t.close();
  }
});

test('Operation Pending: the phone cannot authenticate the new trust list because TVS fails', async () => {
  const t = await startTroubleshootingLab();
  try {
    const dev = newDeviceName();
    await t.schedule(dev, { operation: 'none' });
    assert.equal((await t.boot(dev)).outcome, 'no-operation');
    // The cluster's certificates are all replaced (e.g. a rebuild), and TVS is down: the phone cannot
    // verify the new ITL's signer, keeps its old ITL and config, and refuses the new CAPF certificate.
    for (const n of ['tftp', 'itlrecovery', 'capf'] as const) await t.lab.ctx.identities.regenerate(n);
    await t.lab.server.listeners.find((l) => l.name === 'tvs')!.stop();
    await t.schedule(dev, { operation: 'install', authMode: 'null-string' });
    const r = await t.boot(dev);
    assert.ok(texts(r).includes('Trust List Update Failed'), texts(r).join(' | '));
    // The next line gives the reason the phone log would: its TVS did not answer.
    const itl = r.trustLists.find((u) => u.kind === 'ITL')!;
    assert.equal(itl.outcome, 'refused');
    assert.equal(itl.refusal, 'tvs-unreachable');
    assert.ok(
      texts(r).some((m) => /^ITL(SEP[0-9A-F]{12}|File)\.tlv: TVS unreachable \(pub11\.opencapf\.test:\d+\)$/.test(m)),
      texts(r).join(' | '),
    );
    assert.equal(r.configRejected?.reason, 'tvs-unreachable', 'the new config signer cannot be checked either');
    assert.ok(texts(r).includes('LSC: Connection failed'), texts(r).join(' | '));
    assert.equal(await t.status(dev), OperationStatus.Pending);
    const d = await t.doctor(dev);
    assert.ok(ids(d).includes('tvs-not-running'), ids(d).join(','));
  } finally {
    await t.close();
  }
});
