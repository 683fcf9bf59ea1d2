// Issue 17 item 3, safe rotation of our own signers, through the CLI and the REST API on real data dirs:
// - `cert regenerate` refuses tftp with itlrecovery, itlrecovery while it signs, tftp shortly after an
//   itlrecovery change (ERR_SIGNER_STRANDS_PHONES naming the consequence), and a refused act changes nothing;
//   --force / force:true goes ahead and the audit row records forced: true;
// - `itl rotate start|status|finish|abort`: the next TFTP identity (key 0600) listed in the ITL with role TFTP
//   (still two SAST records, signed by the current key), vouched for by TVS as SAST+TFTP; finish refused while
//   phones remain on older ITLs or the count is unknown; promotion keeps the old certificate as previous and
//   ITLRecovery signs; abort discards; a damaged record is refused and aborted cleanly. Each act is audited.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startApiLab, type ApiLab } from '../helpers/api-lab.ts';
import { cli } from '../helpers/cli.ts';
import { parseTrustList } from '../../src/trust/index.ts';
import { pemBundleToDers, parseCertificate } from '../../src/pki/index.ts';
import { TvsRole } from '../../src/tvs/index.ts';
import type { ItlFetchedCounts } from '../../src/provisioning/signer-rotation.ts';

const CISCO_225746 = new RegExp(
  'two SAST certificates would both be gone: they would reject the new ITL and every signed config ' +
    'until each ITL is erased by hand \\(Cisco doc 225746\\)',
);
const json = (r: { body: string }) => JSON.parse(r.body);
const LAB = { host: '127.0.0.1', 'cluster.publicHost': '127.0.0.1' } as const;

/** What is on disk under pki/ and provisioning/ (names, modes, contents): a refused act must not change it. */
function disk(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const sub of ['pki', 'provisioning']) {
    const d = join(dir, sub);
    if (!existsSync(d)) continue;
    for (const f of readdirSync(d).sort()) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) continue;
      out[`${sub}/${f}`] = `${(statSync(p).mode & 0o777).toString(8)}:${createHash('sha1')
        .update(readFileSync(p))
        .digest('hex')}`;
    }
  }
  return out;
}

function diskCert(dir: string, file: string) {
  return parseCertificate(pemBundleToDers(readFileSync(join(dir, 'pki', file), 'utf8'))[0]!);
}

async function rows(lab: ApiLab, action: string) {
  return (await lab.ctx.admin.audit.list({ action, limit: 20 })).items;
}

async function refusedEverywhere(
  lab: ApiLab,
  cliArgs: string[],
  api: [string, unknown],
  why: RegExp,
  code = 'ERR_SIGNER_STRANDS_PHONES',
) {
  const before = disk(lab.dir);
  const regenRows = (await rows(lab, 'certificate.regenerate')).length;
  const run = await cli([...cliArgs, '--data-dir', lab.dir]);
  assert.notEqual(run.code, 0, run.stdout);
  assert.match(run.stderr, why);
  assert.match(run.stderr, new RegExp(`\\[${code}\\]`));
  const r = await lab.call('POST', api[0], api[1]);
  assert.equal(r.statusCode, 409, r.body);
  assert.equal(json(r).error.code, code);
  assert.match(json(r).error.message, why);
  assert.deepEqual(disk(lab.dir), before, 'a refused regeneration changes no file');
  assert.equal((await rows(lab, 'certificate.regenerate')).length, regenRows, 'and writes no audit row');
}

describe('cert regenerate: refusals that would strand phones', () => {
  it('tftp with itlrecovery is refused (CLI and API) naming Cisco doc 225746; --force regenerates both', async () => {
    const lab = await startApiLab(LAB);
    try {
      await refusedEverywhere(
        lab,
        ['cert', 'regenerate', 'tftp', 'itlrecovery'],
        ['/api/v1/identities/regenerate', { names: ['itlrecovery', 'tftp'] }],
        CISCO_225746,
      );
      const tftp = diskCert(lab.dir, 'tftp.crt.pem').serialHex;
      const rec = diskCert(lab.dir, 'itlrecovery.crt.pem').serialHex;
      const r = await lab.call('POST', '/api/v1/identities/regenerate', {
        names: ['tftp', 'itlrecovery'],
        force: true,
      });
      assert.equal(r.statusCode, 200, r.body);
      assert.deepEqual(
        json(r).items.map((i: { name: string }) => i.name),
        ['tftp', 'itlrecovery'],
      );
      assert.notEqual(diskCert(lab.dir, 'tftp.crt.pem').serialHex, tftp);
      assert.notEqual(diskCert(lab.dir, 'itlrecovery.crt.pem').serialHex, rec);
      const got = await rows(lab, 'certificate.regenerate');
      assert.equal(got.length, 2);
      for (const row of got) {
        assert.equal(row.details.forced, true);
        assert.deepEqual(row.details.overrode, ['tftp-with-itlrecovery']);
        assert.deepEqual(row.details.together, ['tftp', 'itlrecovery']);
      }
      // Other identities together are no concern, and an unforced row has no forced field.
      const ok = await cli(['cert', 'regenerate', 'capf', 'tvs', '--data-dir', lab.dir]);
      assert.equal(ok.code, 0, ok.stderr);
      assert.match(ok.stdout, /capf: regenerated[\s\S]*tvs: regenerated/);
      const tvsRow = (await rows(lab, 'certificate.regenerate')).find((x) => x.target === 'tvs')!;
      assert.deepEqual(Object.keys(tvsRow.details).sort(), ['notAfter', 'serial']);
    } finally {
      await lab.close();
    }
  });

  it('itlrecovery is refused while it signs (reset localkey); --force goes ahead, audited forced', async () => {
    const lab = await startApiLab(LAB);
    try {
      assert.equal((await lab.call('POST', '/api/v1/trust/itl/signing', { mode: 'localkey' })).statusCode, 200);
      await refusedEverywhere(
        lab,
        ['cert', 'regenerate', 'itlrecovery'],
        ['/api/v1/identities/itlrecovery/regenerate', {}],
        /itl reset localkey is in effect[\s\S]*they would reject it and every signed config/,
      );
      const run = await cli(['cert', 'regenerate', 'itlrecovery', '--force', '--data-dir', lab.dir]);
      assert.equal(run.code, 0, run.stderr);
      const [row] = await rows(lab, 'certificate.regenerate');
      assert.equal(row!.target, 'itlrecovery');
      assert.match(row!.actor, /^cli:/);
      assert.equal(row!.details.forced, true);
      assert.deepEqual(row!.details.overrode, ['itlrecovery-while-signing']);
    } finally {
      await lab.close();
    }
  });

  it('after a tftp change itlrecovery is refused; after an itlrecovery change tftp is refused', async () => {
    const a = await startApiLab(LAB);
    const b = await startApiLab(LAB);
    try {
      assert.equal((await a.call('POST', '/api/v1/identities/tftp/regenerate')).statusCode, 200);
      await refusedEverywhere(
        a,
        ['cert', 'regenerate', 'itlrecovery'],
        ['/api/v1/identities/itlrecovery/regenerate', undefined],
        /ITLRecovery signs the ITL because the TFTP certificate changed at/,
      );
      assert.equal((await b.call('POST', '/api/v1/identities/itlrecovery/regenerate')).statusCode, 200);
      await refusedEverywhere(
        b,
        ['cert', 'regenerate', 'tftp'],
        ['/api/v1/identities/tftp/regenerate', { force: false }],
        /the ITLRecovery certificate changed at[\s\S]*know neither the new ITLRecovery key nor the new TFTP/,
      );
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('itl rotate: staged rotation of the TFTP signer', () => {
  let lab: ApiLab;
  let counts: ItlFetchedCounts = { current: 0, older: 3, never: 1, total: 4 };
  const asked: string[][] = [];
  before(async () => {
    lab = await startApiLab(LAB, {
      itlFetchedCounts: async (sha1s) => {
        asked.push(sha1s);
        return counts;
      },
    });
  });
  after(async () => {
    await lab.close();
  });

  it('status "none" at first; start lists the next certificate as TFTP, signed by the current key', async () => {
    const s0 = json(await lab.call('GET', '/api/v1/trust/itl/rotation'));
    assert.equal(s0.phase, 'none');
    assert.equal(s0.next, null);
    const from = lab.ctx.identities.get('tftp').certificate;
    const r = await lab.call('POST', '/api/v1/trust/itl/rotation/start');
    assert.equal(r.statusCode, 200, r.body);
    const s = json(r);
    assert.equal(s.phase, 'staged');
    assert.equal(s.current.sha1, from.sha1, 'the current key is unchanged');
    assert.notEqual(s.next.sha1, from.sha1);
    assert.equal(s.itl.listsNext, true);
    assert.equal(s.itl.signedBy, 'tftp');
    assert.deepEqual(s.rotationItls, [s.itl.sha1]);
    assert.deepEqual(s.phones, counts);
    assert.match(s.blockers.join(' '), /3 of 4 phones last fetched an ITL that does not list the next TFTP/);

    // Files: the next key 0600 beside the current one, the record 0600.
    assert.equal(statSync(join(lab.dir, 'pki', 'tftp.next.key.pem')).mode & 0o777, 0o600);
    assert.equal(statSync(join(lab.dir, 'provisioning', 'itl-rotation.json')).mode & 0o777, 0o600);
    assert.equal(diskCert(lab.dir, 'tftp.next.crt.pem').sha1, s.next.sha1);

    // The ITL: two SAST records (ITLRecovery and the current TFTP, which signs), the next one as TFTP only.
    const bytes = lab.ctx.provisioning.trust.itl().bytes;
    assert.equal(createHash('sha1').update(bytes).digest('hex'), s.itl.sha1);
    const list = parseTrustList(bytes);
    const sast = list.records.filter((x) => x.roleName === 'SAST');
    assert.equal(sast.length, 2);
    assert.equal(list.records[list.signerRecordIndex!]!.certificateSha1, from.sha1);
    const nextRecords = list.records.filter((x) => x.certificateSha1 === s.next.sha1);
    assert.deepEqual(
      nextRecords.map((x) => x.roleName),
      ['TFTP'],
    );

    // TVS vouches for the next certificate as SAST and TFTP.
    const next = diskCert(lab.dir, 'tftp.next.crt.pem');
    const v = await lab.ctx.provisioning.tvsAuthority.verify(next.der);
    assert.equal(v.trusted, true);
    assert.deepEqual(v.roles, [TvsRole.SAST, TvsRole.TFTP]);
    const [row] = await rows(lab, 'itl.rotate-start');
    assert.equal(row!.target, 'tftp');
    assert.equal(row!.details.nextSha1, s.next.sha1);
  });

  it('while staged: a second start, changing either signer (even forced) and import are refused', async () => {
    const before = disk(lab.dir);
    const again = await lab.call('POST', '/api/v1/trust/itl/rotation/start');
    assert.equal(again.statusCode, 409);
    assert.match(json(again).error.message, /already staged/);
    for (const name of ['tftp', 'itlrecovery']) {
      const r = await lab.call('POST', `/api/v1/identities/${name}/regenerate`, { force: true });
      assert.equal(r.statusCode, 409, r.body);
      assert.equal(json(r).error.code, 'ERR_CONFLICT');
      assert.match(json(r).error.message, /opencapf itl rotate finish[\s\S]*opencapf itl rotate abort/);
    }
    const pem = lab.ctx.identities.get('tftp').certPem;
    const imp = await lab.call('POST', '/api/v1/identities/tftp/certificate', { pem });
    assert.equal(json(imp).error.code, 'ERR_CONFLICT');
    assert.deepEqual(disk(lab.dir), before);
  });

  it('the CLI (another process view) sees the staged rotation; with no phone known finish is refused', async () => {
    const st = await cli(['itl', 'rotate', 'status', '--data-dir', lab.dir]);
    assert.equal(st.code, 1, 'exit 1 while finish would be refused');
    assert.match(st.stdout, /Rotation of the TFTP signer: staged/);
    // The CLI reads this node's ITL File Status (no override): no phone is known, which is not "ready".
    assert.match(st.stdout, /Phones: +0 of 0 fetched a rotation ITL/);
    assert.match(st.stdout, /no phone is known to this node/);
    const before = disk(lab.dir);
    const fin = await cli(['itl', 'rotate', 'finish', '--data-dir', lab.dir]);
    assert.notEqual(fin.code, 0);
    assert.match(fin.stderr, /is unknown on this node[\s\S]*\[ERR_SIGNER_STRANDS_PHONES\]/);
    assert.deepEqual(disk(lab.dir), before);
  });

  it('finish is refused while phones are on older ITLs; then promotes next, old kept as previous', async () => {
    const before = disk(lab.dir);
    const refused = await lab.call('POST', '/api/v1/trust/itl/rotation/finish');
    assert.equal(refused.statusCode, 409);
    assert.equal(json(refused).error.code, 'ERR_SIGNER_STRANDS_PHONES');
    assert.match(json(refused).error.message, /3 of 4 phones[\s\S]*unless TVS vouches for it/);
    assert.deepEqual(disk(lab.dir), before);
    const status = json(await lab.call('GET', '/api/v1/trust/itl/rotation'));
    assert.deepEqual(asked.at(-1), status.rotationItls, 'the count is asked for the rotation ITLs');

    counts = { current: 4, older: 0, never: 0, total: 4 };
    const from = lab.ctx.identities.get('tftp').certificate;
    const r = await lab.call('POST', '/api/v1/trust/itl/rotation/finish');
    assert.equal(r.statusCode, 200, r.body);
    const s = json(r);
    assert.equal(s.phase, 'finished');
    assert.equal(s.current.sha1, status.next.sha1, 'the next certificate is now the TFTP certificate');
    assert.equal(lab.ctx.identities.previous('tftp')?.sha1, from.sha1, 'the old one is tftp.previous');
    assert.equal(s.itl.signedBy, 'itlrecovery');
    assert.equal(s.itl.signerReason, 'tftp-transition');
    assert.ok(s.transitionEndsAt);
    assert.equal(existsSync(join(lab.dir, 'pki', 'tftp.next.key.pem')), false);
    const [row] = await rows(lab, 'itl.rotate-finish');
    assert.deepEqual(row!.details.phones, counts);
    assert.equal(row!.details.forced, undefined);
    const abort = await lab.call('POST', '/api/v1/trust/itl/rotation/abort');
    assert.equal(abort.statusCode, 409, 'nothing staged to abort');
  });

  it('abort discards the next certificate and its key; the ITL lists the current signers only', async () => {
    const started = json(await lab.call('POST', '/api/v1/trust/itl/rotation/start'));
    assert.equal(started.phase, 'staged');
    const r = await lab.call('POST', '/api/v1/trust/itl/rotation/abort');
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(json(r).phase, 'aborted');
    assert.equal(json(r).itl.listsNext, false);
    assert.equal(existsSync(join(lab.dir, 'pki', 'tftp.next.key.pem')), false);
    const list = parseTrustList(lab.ctx.provisioning.trust.itl().bytes);
    assert.equal(
      list.records.some((x) => x.certificateSha1 === started.next.sha1),
      false,
    );
    const [row] = await rows(lab, 'itl.rotate-abort');
    assert.equal(row!.details.nextSha1, started.next.sha1);
  });

  it('a damaged record is refused, lists nothing, and abort removes it', async () => {
    assert.equal((await lab.call('POST', '/api/v1/trust/itl/rotation/start')).statusCode, 200);
    writeFileSync(join(lab.dir, 'provisioning', 'itl-rotation.json'), '{"version": 1, "phase": "sta');
    lab.ctx.provisioning.refreshFromDisk();
    const s = await lab.call('GET', '/api/v1/trust/itl/rotation');
    assert.equal(s.statusCode, 409);
    assert.match(json(s).error.message, /itl-rotation\.json is damaged \(not JSON/);
    const list = parseTrustList(lab.ctx.provisioning.trust.itl().bytes);
    assert.equal(list.records.filter((x) => x.roleName === 'TFTP').length, 1, 'only the current TFTP is listed');
    const a = await cli(['itl', 'rotate', 'abort', '--data-dir', lab.dir]);
    assert.equal(a.code, 0, a.stderr);
    assert.match(a.stdout, /Rotation of the TFTP signer: none/);
    assert.equal(existsSync(join(lab.dir, 'provisioning', 'itl-rotation.json')), false);
    assert.equal(existsSync(join(lab.dir, 'pki', 'tftp.next.key.pem')), false);
    const [row] = await rows(lab, 'itl.rotate-abort');
    assert.match(String(row!.details.damaged), /not JSON/);
  });

  it('CLI finish --force switches with no phone known and records forced', async () => {
    const st = await cli(['itl', 'rotate', 'start', '--json', '--data-dir', lab.dir]);
    assert.equal(st.code, 0, st.stderr);
    const next = JSON.parse(st.stdout).next.sha1 as string;
    const fin = await cli(['itl', 'rotate', 'finish', '--force', '--data-dir', lab.dir]);
    assert.equal(fin.code, 0, fin.stderr);
    assert.match(fin.stdout, /Rotation of the TFTP signer: finished/);
    assert.match(fin.stderr, /WARNING: finished with --force/);
    assert.equal(diskCert(lab.dir, 'tftp.crt.pem').sha1, next);
    const [row] = await rows(lab, 'itl.rotate-finish');
    assert.equal(row!.details.forced, true);
    assert.equal((row!.details.phones as { total: number }).total, 0);
    assert.match(String(row!.details.overrode), /unknown on this node/);
  });
});
