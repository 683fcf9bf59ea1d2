// Issue 18 item 4 on 127.0.0.1: emulated phones boot over TFTP and enrol By Existing Certificate (precedence to MIC)
// with MICs made here by the emulator's manufacturing CA helper, one of them 6 years old (its 5-year MIC expired a
// year ago). The manufacturing CA is trusted as a managed entry (not capf.manufacturingCaFile). An expired MIC is
// refused by default and accepted once the phone's security profile accepts expired MICs; with the policy on it is
// still refused when it does not chain to a trusted manufacturing CA or names another device, and once its CA is
// removed. The MIC report lists it with issuer, serial, not-after and SHA-1; every step is in the audit log.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { startTroubleshootingLab, type TroubleshootingLab } from './troubleshooting-lab.ts';
import { newDeviceName } from '../helpers/capf-lab.ts';
import { createManufacturingCa, type ManufacturingCa } from '../../src/emulator/index.ts';
import { parseCertificate, pemToDer } from '../../src/pki/index.ts';
import { LOCAL_VIEWER } from '../../src/phones/filter-access.ts';

const YEAR_MS = 365 * 86_400_000;
const admin = { name: 'mic-admin', source: 'test' };
let t: TroubleshootingLab;
let mfg: ManufacturingCa;
let mfgSha1: string;

/** The emulator's CA, but every MIC it issues is dated `yearsAgo` back (and, with `as`, names another device). */
function agedMics(ca: ManufacturingCa, yearsAgo: number, as?: string): ManufacturingCa {
  return {
    ...ca,
    issueMic: (deviceName, model, keys, now) =>
      ca.issueMic(as ?? deviceName, model, keys, new Date(now.getTime() - yearsAgo * YEAR_MS)),
  };
}

before(async () => {
  // No capf.manufacturingCaFile: the only manufacturing CA is the managed one imported below.
  t = await startTroubleshootingLab({ overrides: { 'capf.manufacturingCaFile': null } });
  // Made 12 years ago and valid 20: the CA itself is current, the MICs it issued 6 years ago are not.
  mfg = await createManufacturingCa(new Date(Date.now() - 12 * YEAR_MS));
  const [imported] = await t.lab.ctx.manufacturingTrust.import(
    [{ name: 'emulator-mfg-ca.pem', bytes: Buffer.from(mfg.certPem) }],
    { comment: 'old 79xx fleet' },
    admin,
  );
  mfgSha1 = imported!.sha1;
  await t.lab.ctx.admin.profiles.create({ name: 'Legacy MIC phones', authMode: 'existing-mic' }, admin);
});
after(async () => {
  await t.close();
});

async function enrolWithMic(ca: ManufacturingCa, profileName: string | null) {
  const dev = newDeviceName();
  await t.schedule(dev, { operation: 'install', authMode: 'existing-mic' }, profileName ?? undefined);
  const r = await t.boot(dev, {}, { manufacturingCa: ca });
  const sessions = await t.lab.ctx.store.phones.listSessions(dev, 1);
  // The session's log and its reason (the authority's note: why the certificate was refused).
  const log = [...(sessions[0]?.log.map((l) => l.text) ?? []), sessions[0]?.reason ?? ''];
  return { dev, r, phone: await t.lab.ctx.phones.getPhone(dev), log };
}

async function setPolicy(on: boolean) {
  await t.lab.ctx.admin.profiles.update('Legacy MIC phones', { acceptExpiredMic: on }, admin);
}

test('a current MIC from the managed manufacturing CA enrols (the control)', async () => {
  const e = await enrolWithMic(mfg, 'Legacy MIC phones');
  assert.equal(e.r.outcome, 'installed', e.r.detail);
  assert.equal(e.phone.status, 'Upgrade Success');
});

test('an expired MIC is refused by default, and recorded with issuer, serial, not-after and SHA-1', async () => {
  const e = await enrolWithMic(agedMics(mfg, 6), 'Legacy MIC phones');
  assert.notEqual(e.r.outcome, 'installed');
  assert.equal(e.phone.status, 'Operation Pending');
  assert.ok(
    e.log.some((l) => /expired on .*does not accept expired MICs/.test(l)),
    e.log.join('\n'),
  );
  const held = parseCertificate(pemToDer(t.states.load(e.dev)!.mic.certPem));
  assert.ok(held.notAfter < new Date(), 'the test MIC is expired');
  assert.deepEqual(e.phone.mic && { ...e.phone.mic, seenAt: '' }, {
    serialHex: held.serialHex,
    subjectDn: held.subjectDn,
    issuerDn: held.issuerDn,
    notAfter: held.notAfter.toISOString(),
    sha1: createHash('sha1').update(held.der).digest('hex'),
    seenAt: '',
  });

  // The MIC report (and the filter it runs on) lists it as expired.
  const report = await t.lab.ctx.admin.reports.micReport({ micExpiresBefore: new Date().toISOString() }, LOCAL_VIEWER);
  const item = report.items.find((i) => i.deviceName === e.dev);
  assert.ok(item, JSON.stringify(report));
  assert.equal(item.state, 'expired');
  assert.equal(item.issuer, held.issuerDn);
  assert.equal(item.serialHex, held.serialHex);
  assert.equal(item.notAfter, held.notAfter.toISOString());
  assert.ok(report.byIssuer.find((b) => b.issuer === held.issuerDn)!.expired >= 1);
  const current = await t.lab.ctx.admin.reports.micReport({ micExpiresAfter: new Date().toISOString() }, LOCAL_VIEWER);
  assert.equal(
    current.items.some((i) => i.deviceName === e.dev),
    false,
  );
});

test('with the profile policy on, an expired MIC enrols, and the acceptance is audited', async () => {
  await setPolicy(true);
  try {
    const e = await enrolWithMic(agedMics(mfg, 6), 'Legacy MIC phones');
    assert.equal(e.r.outcome, 'installed', `${e.r.detail}\n${e.log.join('\n')}`);
    assert.equal(e.phone.status, 'Upgrade Success');
    const audit = await t.lab.ctx.admin.audit.list({ action: 'capf.expired-mic-accepted', target: e.dev });
    assert.equal(audit.items.length, 1);
    assert.match(String(audit.items[0]!.details.note), /accepted by security profile "Legacy MIC phones"/);
    // A phone of another profile (the default one, policy off) is still refused.
    const other = await enrolWithMic(agedMics(mfg, 6), null);
    assert.notEqual(other.r.outcome, 'installed');
  } finally {
    await setPolicy(false);
  }
});

test('with the policy on: an expired MIC of an untrusted manufacturing CA is refused', async () => {
  await setPolicy(true);
  try {
    const rogue = await createManufacturingCa(new Date(Date.now() - 12 * YEAR_MS));
    const e = await enrolWithMic(agedMics(rogue, 6), 'Legacy MIC phones');
    assert.notEqual(e.r.outcome, 'installed');
    assert.equal(e.phone.status, 'Operation Pending');
    assert.ok(
      e.log.some((l) =>
        /chains neither to the CAPF CA nor to a configured manufacturing CA|outside its validity/.test(l),
      ),
      e.log.join('\n'),
    );
    assert.equal(e.phone.mic, null, 'a MIC that does not chain is not recorded');
  } finally {
    await setPolicy(false);
  }
});

test('with the policy on: an expired MIC naming another device is refused, and not recorded', async () => {
  await setPolicy(true);
  try {
    const e = await enrolWithMic(agedMics(mfg, 6, newDeviceName()), 'Legacy MIC phones');
    assert.notEqual(e.r.outcome, 'installed');
    assert.ok(
      e.log.some((l) => /does not name/.test(l)),
      e.log.join('\n'),
    );
    assert.equal(e.phone.mic, null);
  } finally {
    await setPolicy(false);
  }
});

test('with the policy on: once the manufacturing CA is removed, its expired MICs are refused', async () => {
  await setPolicy(true);
  try {
    await t.lab.ctx.manufacturingTrust.remove(mfgSha1, admin);
    const e = await enrolWithMic(agedMics(mfg, 6), 'Legacy MIC phones');
    assert.notEqual(e.r.outcome, 'installed');
    const actions = (await t.lab.ctx.admin.audit.list({ target: mfgSha1 })).items.map((i) => i.action).sort();
    assert.deepEqual(actions, ['capf.manufacturing-ca-import', 'capf.manufacturing-ca-remove']);
  } finally {
    await t.lab.ctx.manufacturingTrust.import(
      [{ name: 'emulator-mfg-ca.pem', bytes: Buffer.from(mfg.certPem) }],
      {},
      admin,
    );
    await setPolicy(false);
  }
});
