// Issue 17 item 3 with emulated phones on 127.0.0.1: a staged rotation of the TFTP signer keeps every phone
// accepting our signed configuration before, during and after it, across a `serve` restart in the middle
// (the lab is reopened on the same data dir), and without TVS (disabled here, so every ITL is accepted by
// the phone's own SAST rules, tlv-files.md §9.1-9.2, never vouched for).
//
// 1. before: five phones boot, trust our ITL on first use and accept the signed config; a sixth (the laggard)
//    does too, and is then left off for the whole rotation.
// 2. `opencapf itl rotate start` from the CLI: the running serve notices (its file watch) and serves an ITL,
//    still signed by the current key, that lists the next certificate; the phones boot and take it.
// 3. serve restarts on the same data dir: the rotation is still staged, the ITL served is byte for byte the
//    same; the phones boot on.
// 4. finish (the phone count is taken from the phones themselves) is refused while the laggard is on the old
//    ITL, then forced: configs are signed by the new key; a phone
//    whose ITL download fails still accepts them (it holds the rotation ITL), the laggard does not;
//    the phones accept the ITLRecovery-signed ITL.
// 5. after the transition window the new key signs the ITL too; the phones accept it.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../helpers/free-port.ts';
import { newDeviceName } from '../helpers/capf-lab.ts';
import { cli } from '../helpers/cli.ts';
import { startTroubleshootingLab, type TroubleshootingLab } from './troubleshooting-lab.ts';
import { createMemoryStateStore, type BootResult, type PhoneDeps } from '../../src/emulator/index.ts';
import { parseTrustList } from '../../src/trust/index.ts';
import type { FetchedCounts } from '../../src/provisioning/signer-rotation.ts';

const PHONES = 100;
const actor = { name: 'e2e', source: 'test' };
const sha1 = (b: Uint8Array) => createHash('sha1').update(b).digest('hex');

describe('staged TFTP signer rotation with emulated phones, across a serve restart', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'opencapf-rotation-'));
  const states = createMemoryStateStore();
  const devices = Array.from({ length: PHONES }, () => newDeviceName());
  const laggard = newDeviceName();
  let ports: Record<string, number>;
  let t: TroubleshootingLab;

  /** The phones' own word on which ITL they hold: the count `itl rotate status/finish` asks for. */
  const fromPhones: FetchedCounts = async (sha1s) => {
    const out = { current: 0, older: 0, never: 0, total: 0 };
    for (const s of states.all()) {
      out.total++;
      const itl = s.trust.itl ? sha1(Buffer.from(s.trust.itl, 'base64')) : null;
      if (!itl) out.never++;
      else if (sha1s.includes(itl)) out.current++;
      else out.older++;
    }
    return out;
  };

  const open = () =>
    startTroubleshootingLab({
      overrides: { dataDir, 'tvs.enabled': false, ...ports },
      contextOptions: { itlFetchedCounts: fromPhones },
    });
  const boot = (dev: string, deps: Partial<PhoneDeps> = {}) =>
    t.boot(dev, { runCapf: false }, { stateStore: states, ...deps });
  const servedItl = async () => {
    const f = await t.deps().fetchFile('ITLFile.tlv');
    assert.ok(f, 'ITLFile.tlv is served');
    return f.data;
  };
  /** The phone took the configuration (its signature verified) and holds the ITL served now. */
  async function assertAccepted(r: BootResult, what: string) {
    assert.equal(r.outcome, 'capf-skipped', `${what}: ${r.deviceName} ${r.detail}`);
    assert.ok(r.config, `${what}: ${r.deviceName} accepted its signed configuration`);
    const texts = r.messages.map((m) => m.text);
    assert.ok(!texts.includes('Config file verification failed'), `${what}: ${texts.join(' | ')}`);
    assert.ok(!texts.includes('Trust List update failed'), `${what}: ${texts.join(' | ')}`);
    assert.equal(sha1(Buffer.from(r.state.trust.itl!, 'base64')), sha1(await servedItl()), `${what}: ITL held`);
  }
  const bootAll = async (what: string) => {
    for (const d of devices) await assertAccepted(await boot(d), what);
  };

  before(async () => {
    ports = { 'capf.port': await freePort(), 'tvs.port': await freePort() };
    t = await open();
    for (const d of [...devices, laggard])
      await t.lab.ctx.phones.addPhones([{ deviceName: d, model: 'Cisco 8845', profileName: null }], actor);
  });
  after(async () => {
    await t.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  let nextSha1 = '';
  let rotationItl = '';

  it('before: every phone trusts our ITL on first use and accepts the signed config', async () => {
    await bootAll('before');
    await assertAccepted(await boot(laggard), 'before (laggard)');
    assert.equal((await t.lab.ctx.signerRotation.status()).phase, 'none');
  });

  it('start from the CLI: the running serve lists the next certificate; the phones take that ITL', async () => {
    const before = sha1(await servedItl());
    const run = await cli(['itl', 'rotate', 'start', '--json', '--data-dir', dataDir]);
    assert.equal(run.code, 0, run.stderr);
    nextSha1 = JSON.parse(run.stdout).next.sha1;
    // The serve learns of the change through its file watch; wait for that event (a bounded number of polls).
    let itl = await servedItl();
    for (let i = 0; i < 200 && sha1(itl) === before; i++) {
      await new Promise((r) => setTimeout(r, 50));
      itl = await servedItl();
    }
    const list = parseTrustList(itl);
    const current = t.lab.ctx.identities.get('tftp').certificate.sha1;
    assert.equal(list.records[list.signerRecordIndex!]!.certificateSha1, current, 'still signed by the current key');
    assert.deepEqual(
      list.records.filter((r) => r.certificateSha1 === nextSha1).map((r) => r.roleName),
      ['TFTP'],
    );
    assert.equal(list.records.filter((r) => r.roleName === 'SAST').length, 2);
    rotationItl = sha1(itl);
    await bootAll('during');
    const s = await t.lab.ctx.signerRotation.status();
    assert.equal(s.phase, 'staged');
    assert.ok(s.rotationItls.includes(rotationItl));
    assert.deepEqual(s.phones, { current: PHONES, older: 1, never: 0, total: PHONES + 1 });
    assert.match(
      s.blockers.join(' '),
      new RegExp(`1 of ${PHONES + 1} phones last fetched an ITL that does not list the next`),
    );
  });

  it('serve restarts on the same data dir: still staged, the same ITL bytes, the phones boot on', async () => {
    await t.close();
    t = await open();
    const s = await t.lab.ctx.signerRotation.status();
    assert.equal(s.phase, 'staged');
    assert.equal(s.next?.sha1, nextSha1);
    assert.equal(sha1(await servedItl()), rotationItl, 'the restarted serve serves the same rotation ITL');
    await bootAll('during, after the restart');
  });

  it('finish: configs signed by the new key are accepted, also by a phone whose ITL download fails', async () => {
    const oldTftp = t.lab.ctx.identities.get('tftp').certificate.sha1;
    // The laggard is off and still on the old ITL: finish says so and changes nothing ...
    await assert.rejects(t.lab.ctx.signerRotation.finish({}, actor), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'ERR_SIGNER_STRANDS_PHONES');
      assert.match(e.message, new RegExp(`1 of ${PHONES + 1} phones[\\s\\S]*within itl.transitionHours \\(72 h\\)`));
      return true;
    });
    assert.equal(t.lab.ctx.identities.get('tftp').certificate.sha1, oldTftp);
    // ... and the administrator, who will boot it within the window, switches with force.
    const s = await t.lab.ctx.signerRotation.finish({ force: true }, actor);
    assert.equal(s.forced, true);
    assert.equal(s.phase, 'finished');
    assert.equal(t.lab.ctx.identities.get('tftp').certificate.sha1, nextSha1);
    assert.equal(s.itl.signedBy, 'itlrecovery');
    // A phone that cannot fetch the new ITL (lost TFTP packets, say) keeps the rotation ITL, which lists the
    // new key as TFTP: it accepts the config the new key signs. The laggard holds only the old ITL: it cannot.
    const noItl: Partial<PhoneDeps> = {
      fetchFile: async (name) => (name.startsWith('ITL') ? null : t.deps().fetchFile(name)),
    };
    const kept = await boot(devices[0]!, noItl);
    assert.ok(kept.config, `the rotation ITL covers the new key: ${kept.detail}`);
    assert.equal(sha1(Buffer.from(kept.state.trust.itl!, 'base64')), rotationItl);
    const stranded = await boot(laggard, noItl);
    assert.equal(stranded.config, null, 'a phone holding only the old ITL rejects a config signed by the new key');
    assert.ok(stranded.messages.some((m) => m.text === 'Config file verification failed'));
    // Booting normally, every phone (the laggard too, within the window) accepts the ITLRecovery-signed ITL.
    await bootAll('after finish');
    await assertAccepted(await boot(laggard), 'after finish (laggard, within the window)');
    assert.notEqual(oldTftp, nextSha1);
  });

  it('after the transition window the new key signs the ITL as well; the phones accept it', async () => {
    t.lab.clock.advanceMs((t.lab.ctx.config['itl.transitionHours'] + 1) * 3600_000);
    const list = parseTrustList(await servedItl());
    assert.equal(list.records[list.signerRecordIndex!]!.certificateSha1, nextSha1);
    await bootAll('after the window');
    assert.equal((await t.lab.ctx.signerRotation.status()).transitionEndsAt, null);
  });
});
