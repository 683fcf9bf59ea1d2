// Seed "No Valid CAPF Server" and "LSC: Connection Failed" (its three causes), each created for real
// against the real listeners: the emulated phone shows the seed's message, the admin view the seed's
// status, and the doctor names the cause.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newDeviceName } from '../helpers/capf-lab.ts';
import { buildItl } from '../../src/trust/index.ts';
import { OperationStatus } from '../../src/phones/index.ts';
import { startTroubleshootingLab, PUBLIC_HOST } from './troubleshooting-lab.ts';

const texts = (r: { messages: { text: string }[] }) => r.messages.map((m) => m.text);
const ids = (r: { findings: { id: string }[] }) => r.findings.map((f) => f.id);

test('No valid CAPF server: a per-phone ITL rebuilt without the CAPF entry', async () => {
  const t = await startTroubleshootingLab();
  try {
    const dev = newDeviceName();
    await t.schedule(dev, { operation: 'install', authMode: 'null-string' });
    const ids_ = t.lab.ctx.identities;
    const tftp = ids_.get('tftp');
    const itl = buildItl({
      members: [
        { certificate: ids_.get('itlrecovery').certificate, roles: ['SAST'] },
        { certificate: tftp.certificate, roles: ['SAST', 'TFTP'] },
        { certificate: ids_.get('tvs').certificate, roles: ['TVS'] },
      ],
      signer: { certificate: tftp.certificate, privateKey: tftp.privateKey },
      now: new Date(),
    });
    t.lab.ctx.provisioning.pin(`ITL${dev}.tlv`, itl);
    const r = await t.boot(dev);
    assert.equal(r.outcome, 'no-valid-capf-server');
    assert.ok(texts(r).includes('No valid CAPF server'), texts(r).join(' | '));
    assert.equal(r.state.lscState, 'pending');
    assert.equal(await t.status(dev), OperationStatus.Pending);
    const d = await t.doctor(dev);
    assert.ok(ids(d).includes('itl-no-capf'), ids(d).join(','));
    assert.ok(ids(d).includes('itl-per-mac-override'), ids(d).join(','));
    assert.equal(
      d.findings.find((f) => f.id === 'itl-no-capf')!.docsAnchor,
      'docs/troubleshooting.md#no-valid-capf-server',
    );
    // Remedy: remove the bad ITL, reset the phone (it trusts the TFTP signer of the new one), retry.
    t.lab.ctx.provisioning.unpin(`ITL${dev}.tlv`);
    assert.equal((await t.boot(dev)).outcome, 'installed');
  } finally {
    await t.close();
  }
});

test('LSC: Connection failed (1): the ITL holds a CAPF certificate other than the one in service', async () => {
  const t = await startTroubleshootingLab();
  try {
    const dev = newDeviceName();
    await t.schedule(dev, { operation: 'none' });
    assert.equal((await t.boot(dev)).outcome, 'no-operation');
    // A per-phone ITL pinned before the CAPF certificate was regenerated: it still lists the old CAPF.
    const stale = t.lab.ctx.provisioning.trust.itl().bytes;
    t.lab.ctx.provisioning.pin(`ITL${dev}.tlv`, stale);
    await t.lab.ctx.identities.regenerate('capf');
    await t.schedule(dev, { operation: 'install', authMode: 'null-string' });
    const r = await t.boot(dev);
    assert.equal(r.outcome, 'capf-certificate-mismatch', r.detail);
    assert.ok(texts(r).includes('LSC: Connection failed'), texts(r).join(' | '));
    assert.equal(await t.status(dev), OperationStatus.Pending);
    const d = await t.doctor(dev);
    assert.ok(ids(d).includes('itl-capf-mismatch'), ids(d).join(','));
    t.lab.ctx.provisioning.unpin(`ITL${dev}.tlv`);
    assert.equal((await t.boot(dev)).outcome, 'installed');
  } finally {
    await t.close();
  }
});

test('LSC: Connection failed (2): the CAPF service is stopped', async () => {
  const t = await startTroubleshootingLab();
  try {
    const dev = newDeviceName();
    await t.schedule(dev, { operation: 'install', authMode: 'null-string' });
    const capf = t.lab.server.listeners.find((l) => l.name === 'capf')!;
    await capf.stop();
    const r = await t.boot(dev);
    assert.equal(r.outcome, 'connection-failed', r.detail);
    assert.ok(texts(r).includes('LSC: Connection failed'));
    assert.equal(r.state.lscState, 'pending');
    assert.equal(await t.status(dev), OperationStatus.Pending);
    const d = await t.doctor(dev);
    assert.ok(ids(d).includes('capf-not-running'), ids(d).join(','));
    assert.ok(ids(d).includes('not-contacted'), ids(d).join(','));
  } finally {
    await t.close();
  }
});

test('LSC: Connection failed (3): the phone cannot reach CAPF over the network', async () => {
  const t = await startTroubleshootingLab();
  try {
    const dev = newDeviceName();
    await t.schedule(dev, { operation: 'install', authMode: 'null-string' });
    // The CAPF host name now leads to a loopback address nothing listens on (CAPF is bound to 127.0.0.1 only):
    // the phone's path is broken while the service itself runs. Tests never send traffic off this machine.
    t.hosts.set(PUBLIC_HOST, '127.255.0.1');
    const r = await t.boot(dev, {}, { capfTimeoutMs: 1500 });
    assert.equal(r.outcome, 'connection-failed', r.detail);
    assert.ok(texts(r).includes('LSC: Connection failed'));
    assert.equal(await t.status(dev), OperationStatus.Pending);
    const d = await t.doctor(dev);
    assert.ok(ids(d).includes('capf-unreachable-from-phones'), ids(d).join(','));
    assert.ok(!ids(d).includes('capf-not-running'));
  } finally {
    await t.close();
  }
});
