// Attack: opencapf.db holds authentication strings in plain text; it and its -wal/-shm must be 0600 even
// when the data directory already exists as 0755 and the umask is 022 (and for a database an older
// version created 0644).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/store/index.ts';
import { createPhoneService } from '../../src/phones/index.ts';
import { systemClock } from '../../src/shared/clock.ts';

const modeOf = (p: string) => (statSync(p).mode & 0o777).toString(8);

for (const existing of [false, true]) {
  test(
    `opencapf.db, -wal and -shm are 0600 in a 0755 data directory, ` +
      `umask 022${existing ? ', database created 0644 before' : ''}`,
    async () => {
      const root = mkdtempSync(join(tmpdir(), 'opencapf-modes-'));
      const dataDir = join(root, 'data');
      mkdirSync(dataDir);
      chmodSync(dataDir, 0o755);
      const db = join(dataDir, 'opencapf.db');
      if (existing) writeFileSync(db, '', { mode: 0o644 });
      const umask = process.umask(0o022);
      try {
        const store = await openStore({ driver: 'sqlite', dataDir });
        try {
          // A write, so the WAL and its index exist and hold a secret.
          await createPhoneService(store.phones, systemClock).addPhones(
            [{ deviceName: 'SEP001122334455', model: 'Cisco 8845' }],
            { name: 't', source: 'test' },
          );
          await store.phones.updatePhone('SEP001122334455', { capf: { authString: '4711' } }, new Date().toISOString());
          for (const f of [db, `${db}-wal`, `${db}-shm`]) assert.equal(modeOf(f), '600', `${f} is ${modeOf(f)}`);
        } finally {
          await store.close();
        }
      } finally {
        process.umask(umask);
        rmSync(root, { recursive: true, force: true });
      }
    },
  );
}
