// Attack (issue #15, item 5): a full disk under the CLI and under the API's CSV import, on a real tmpfs.
// The CLI printed "cannot rollback - no transaction is active" instead of the real SQLITE_FULL; the
// import answered 500 after committing its first 1,000-row batch, without saying what was kept.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { mountSmallFs } from '../helpers/small-fs.ts';
import { cli } from '../helpers/cli.ts';
import { startApiLab } from '../helpers/api-lab.ts';

const names = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => `SEP${prefix}${i.toString(16).padStart(8, '0').toUpperCase()}`);

/** Fills the file system but leaves `bytes` free: enough to open the database, not to write thousands of rows. */
function fillLeaving(fs: ReturnType<typeof mountSmallFs>, bytes: number): void {
  const room = join(fs.dir, '.room');
  writeFileSync(room, Buffer.alloc(bytes));
  fs.fill();
  unlinkSync(room);
}

test(
  'CLI phone add on a full disk prints the real reason (SQLITE_FULL, ' + 'ERR_STORE_FULL), not the rollback error',
  async () => {
    const fs = mountSmallFs(8 * 1024 * 1024);
    try {
      const D = ['--data-dir', join(fs.dir, 'data')];
      assert.equal((await cli([...D, 'phone', 'add', 'SEP00DD00000001'])).code, 0);
      fillLeaving(fs, 256 * 1024);
      const add = await cli([...D, 'phone', 'add', '-'], names('00DE', 20_000).join('\n'));
      assert.doesNotMatch(add.stderr, /cannot rollback/);
      assert.match(
        add.stderr,
        /^error: the database disk is full \(SQLITE_FULL\); the change was not saved\. .*\[ERR_STORE_FULL\]$/m,
      );
      assert.equal(add.code, 2);
      fs.free();
      // The store is as it was: the failed add was one transaction.
      const list = await cli([...D, 'phone', 'list', '--json', '--limit', '100']);
      assert.equal(list.code, 0, list.stderr);
      const listed = JSON.parse(list.stdout) as { total: number };
      assert.equal(listed.total, 1);
    } finally {
      fs.close();
    }
  },
);

test(
  'CSV import on a disk that fills after the first batch: ' +
    '507 ERR_STORE_FULL saying exactly what was committed; re-run is safe',
  async () => {
    const fs = mountSmallFs(8 * 1024 * 1024);
    const dataDir = join(fs.dir, 'data');
    const lab = await startApiLab({ dataDir });
    try {
      const first = names('00DF', 1000);
      const rest = names('00E0', 5000);
      const csv = ['Device Name,Model', ...first.map((n) => `${n},Cisco 8845`), ...rest.map((n) => `${n},Cisco 7841`)];
      // The body arrives in two parts; the disk fills between them, once the first 1,000-row batch is committed.
      // (Readers may ask for the second part early — Node 24 reads further ahead than Node 20 — so the second
      // part waits until the store holds the first batch.)
      let pulled = 0;
      const committed = async () => (await lab.ctx.store.phones.listPhones({ limit: 1 })).total;
      const body = new Readable({
        read() {
          const part = pulled++;
          if (part === 0) this.push(`${csv.slice(0, 1001).join('\n')}\n`);
          else if (part === 1) {
            void (async () => {
              while ((await committed()) < 1000) await new Promise((r) => setTimeout(r, 5));
              fillLeaving(fs, 0);
              this.push(`${csv.slice(1001).join('\n')}\n`);
            })();
          } else this.push(null);
        },
      });
      const r = await lab.call('POST', '/api/v1/phones/import', body, { 'content-type': 'text/csv' });
      assert.ok(pulled >= 2, 'the second part was read (after the first batch)');
      assert.equal(r.statusCode, 507, r.body);
      const e = JSON.parse(r.body).error;
      assert.equal(e.code, 'ERR_STORE_FULL');
      assert.match(e.message, /^the database (disk is full \(SQLITE_FULL\)|could not be written \(SQLITE_IOERR)/);
      assert.match(e.message, /1000 phones were added from lines 1 to 1001 and stay; later lines were not imported/);
      assert.deepEqual(e.details.import, { added: 1000, committedThroughLine: 1001 });
      fs.free();
      // Exactly what the answer said is in the store.
      const { items, total } = await lab.ctx.store.phones.listPhones({ limit: 2000 });
      assert.equal(total, 1000);
      assert.deepEqual(items.map((p) => p.deviceName).sort(), [...first].sort());
      // Re-running the same CSV adds the rest and leaves the first 1,000 alone.
      const again = await lab.call('POST', '/api/v1/phones/import', `${csv.join('\n')}\n`, {
        'content-type': 'text/csv',
      });
      assert.equal(again.statusCode, 200, again.body);
      const rep = JSON.parse(again.body);
      assert.equal(rep.added, 5000);
      assert.equal(rep.failed, 1000);
      assert.ok(rep.errors.every((x: { code: string }) => x.code === 'ERR_PHONE_EXISTS'));
      assert.equal((await lab.ctx.store.phones.listPhones({ limit: 1 })).total, 6000);
    } finally {
      await lab.close();
      fs.close();
    }
  },
);
