// The happy path at scale: 200 emulated phones (models mixed, By Null String and By Authentication String
// mixed) boot through TFTP/HTTP + CAPF against the real listeners and all reach LSC Installed; every LSC
// verifies against the CAPF certificate with node:crypto, and with `openssl verify`.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createKeyPool,
  fleetDeviceNames,
  FLEET_MODELS,
  renderFleetSummary,
  runFleet,
  type FleetPhone,
} from '../../src/emulator/index.ts';
import { generateAuthString } from '../../src/phones/index.ts';
import { startTroubleshootingLab } from './troubleshooting-lab.ts';

const COUNT = 200;

test(`fleet: ${COUNT} phones, null string and authentication string mixed, all reach LSC Installed`, async () => {
  const t = await startTroubleshootingLab();
  const dir = mkdtempSync(join(tmpdir(), 'opencapf-fleet-'));
  try {
    const names = fleetDeviceNames(COUNT);
    const phones: FleetPhone[] = names.map((deviceName, i) => ({
      deviceName,
      model: FLEET_MODELS[i % FLEET_MODELS.length]!,
      authString: i % 2 ? generateAuthString(8) : null,
    }));
    const actor = { name: 'fleet', source: 'test' };
    const added = await t.lab.ctx.phones.addPhones(
      phones.map((p) => ({ deviceName: p.deviceName, model: `Cisco ${p.model}` })),
      actor,
    );
    assert.equal(added.filter((r) => r.ok).length, COUNT);
    for (const p of phones) {
      const [r] = await t.lab.ctx.phones.schedule(
        [p.deviceName],
        {
          operation: 'install',
          authMode: p.authString ? 'auth-string' : 'null-string',
          ...(p.authString ? { authString: p.authString } : {}),
        },
        actor,
      );
      assert.ok(r?.ok);
    }
    const pool = createKeyPool(8);
    const summary = await runFleet({
      phones,
      concurrency: 25,
      deps: (p) =>
        t.deps({
          micKey: () => pool.take({ type: 'ec', curve: 'P-256' }),
          generateKey: (req) =>
            pool.take(req.type === 'rsa' ? { type: 'rsa', bits: req.bits } : { type: 'ec', curve: req.curve }),
          authString: async () => p.authString,
        }),
    });
    console.log(renderFleetSummary(summary));
    assert.equal(summary.byOutcome.installed, COUNT, JSON.stringify(summary.failuresByReason));
    for (const p of phones) assert.equal((await t.lab.ctx.phones.getPhone(p.deviceName)).status, 'Upgrade Success');
    const capf = new X509Certificate(t.lab.capfPem());
    const capfFile = join(dir, 'capf.pem');
    writeFileSync(capfFile, t.lab.capfPem());
    let opensslChecked = 0;
    summary.results.forEach((r) => {
      assert.equal(r.state.lscState, 'installed');
      const lsc = new X509Certificate(r.state.lsc!.certPem);
      assert.ok(lsc.verify(capf.publicKey), `${r.deviceName}: LSC does not verify under the CAPF certificate`);
      assert.ok(lsc.checkIssued(capf));
      {
        const f = join(dir, `${r.deviceName}.pem`);
        writeFileSync(f, r.state.lsc!.certPem);
        assert.match(execFileSync('openssl', ['verify', '-CAfile', capfFile, f], { encoding: 'utf8' }), /: OK/);
        opensslChecked++;
      }
    });
    console.log(`openssl verify: ${opensslChecked} LSCs OK; node:crypto: ${COUNT} LSCs OK`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await t.close();
  }
});
