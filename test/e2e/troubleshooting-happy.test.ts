// The happy path of one phone through the CLI (`opencapf emulate phone`, `opencapf doctor`) against the real
// listeners: LSC installed, kept across boots, screens printed, the doctor finds nothing wrong.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newDeviceName } from '../helpers/capf-lab.ts';
import { startTroubleshootingLab, PUBLIC_HOST } from './troubleshooting-lab.ts';
import { cli } from '../helpers/cli.ts';

test('opencapf emulate phone + doctor: a phone installs its LSC by authentication string and keeps it', async () => {
  const t = await startTroubleshootingLab();
  const dir = mkdtempSync(join(tmpdir(), 'opencapf-emu-'));
  try {
    const dev = newDeviceName();
    await t.schedule(dev, { operation: 'install', authMode: 'auth-string', authString: '123456' });
    const hosts = join(dir, 'hosts');
    writeFileSync(hosts, `127.0.0.1 ${PUBLIC_HOST}\n`);
    const common = [
      '--tftp',
      `127.0.0.1:${t.lab.server.ports.tftp}`,
      '--http-port',
      String(t.lab.server.ports.http),
      '--hosts',
      hosts,
      '--no-system-dns',
      '--state-dir',
      join(dir, 'state'),
    ];
    const first = await cli(['emulate', 'phone', dev, ...common, '--auth-string', '123456']);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    assert.match(first.stdout, /LSC\s+Installed/);
    assert.match(first.stdout, /\] LSC: Installed/);
    assert.match(first.stdout, new RegExp(`CAPF Server\\s+${PUBLIC_HOST.replace(/\./g, '\\.')}:`));
    assert.equal(await t.status(dev), 'Upgrade Success');
    // The state survives: a second boot still has the LSC (and CAPF has nothing to do).
    const second = await cli(['emulate', 'phone', dev, ...common, '--json']);
    const j = JSON.parse(second.stdout) as { outcome: string; lscState: string; lscPem: string | null };
    assert.equal(j.outcome, 'no-operation');
    assert.equal(j.lscState, 'installed');
    assert.ok(j.lscPem);
    // Settings > Security > Trust List from the saved state: the ITL it holds, signed by this node.
    const stateArgs = ['--state-dir', join(dir, 'state')];
    const screen = await cli(['emulate', 'show', dev, ...stateArgs, '--screens', 'trust-list']);
    assert.equal(screen.code, 0, screen.stderr);
    assert.match(screen.stdout, /^Trust List {2}\(Cisco IP Phone CP-8845, SEP/);
    assert.match(screen.stdout, /ITL File {5}Installed\n/);
    assert.match(screen.stdout, / CAPF {7}CN=/);
    assert.match(screen.stdout, / SAST {7}CN=.*\(signer\)/);
    assert.doesNotMatch(screen.stdout, /Status Messages/);
    const shown = JSON.parse((await cli(['emulate', 'show', dev, ...stateArgs, '--json'])).stdout) as {
      trustList: { itl: { rollback: boolean; entries: unknown[] } };
    };
    assert.equal(shown.trustList.itl.rollback, false);
    assert.ok(shown.trustList.itl.entries.length >= 4);
    const bad = await cli(['emulate', 'show', dev, ...stateArgs, '--screens', 'settings']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /unknown screen "settings"; choose from security, trust-list, status/);
    // Erasing the trust list (the walk to the phone): the next boot takes the ITL on first use again.
    const erased = await cli(['emulate', 'erase-trust-list', dev, ...stateArgs]);
    assert.match(erased.stdout, /ITL erased\./);
    const third = await cli(['emulate', 'phone', dev, ...common, '--json', '--no-capf']);
    const k = JSON.parse(third.stdout) as { trustLists: { kind: string; reason: string }[] };
    assert.equal(k.trustLists.find((u) => u.kind === 'ITL')?.reason, 'first-use');
    // The CLI reads the node's configuration file, as an administrator's shell would.
    const c = t.lab.ctx.config;
    const configFile = join(dir, 'opencapf.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        host: c.host,
        'capf.port': c['capf.port'],
        'tvs.port': c['tvs.port'],
        'tftp.port': t.lab.server.ports.tftp,
        'cluster.publicHost': PUBLIC_HOST,
      }),
    );
    const doc = await cli([
      '--data-dir',
      t.lab.dir,
      '--config',
      configFile,
      'doctor',
      dev,
      '--hosts',
      hosts,
      '--no-system-dns',
      '--json',
    ]);
    const report = JSON.parse(doc.stdout) as { ok: boolean; findings: { id: string; severity: string }[] };
    assert.equal(report.ok, true, doc.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await t.close();
  }
});
