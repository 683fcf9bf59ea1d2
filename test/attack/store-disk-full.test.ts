// Attack: the disk under a SQLite store fills up (a small tmpfs this test mounts), in the store and in the
// middle of a CAPF storm against `serve`. A phone is told "installed" (END_SESSION reason 1) only when the
// store holds its success; the failure a caller sees is SQLITE_FULL (not Kysely's "cannot rollback"),
// for every caller sharing a group commit; the log carries it at error level; after free() the remaining
// phones enrol without restarting serve.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '../../src/store/index.ts';
import { createPhoneService } from '../../src/phones/index.ts';
import { systemClock } from '../../src/shared/clock.ts';
import { runCapfClient, CapfClientError } from '../../src/capf/index.ts';
import { parseCertificate } from '../../src/pki/index.ts';
import { createKeyPool, fleetDeviceNames } from '../../src/emulator/index.ts';
import { mountSmallFs } from '../helpers/small-fs.ts';
import { spawnServe } from '../helpers/serve-process.ts';

const actor = { name: 'attack-test', source: 'test' };

test(
  'disk full in the store: ' + 'transactions and every caller of a group commit see SQLITE_FULL, not "cannot rollback"',
  async () => {
    const fs = mountSmallFs(4 * 1024 * 1024);
    const dataDir = join(fs.dir, 'data');
    const store = await openStore({ driver: 'sqlite', dataDir, commitDelayMs: 20 });
    try {
      const phones = createPhoneService(store.phones, systemClock);
      await phones.addPhones(
        fleetDeviceNames(20).map((deviceName) => ({ deviceName, model: 'Cisco 8845' })),
        actor,
      );
      fs.fill();
      const big = 'x'.repeat(200_000);
      // A plain transaction large enough to need new pages.
      const tx = store.phones.transaction(async (t) => {
        for (let i = 0; i < 40; i++)
          await t.appendAudit({
            at: new Date().toISOString(),
            actor: 'test',
            source: 'test',
            action: 'fill',
            target: String(i),
            details: { big },
          });
      });
      await assert.rejects(tx, (e: Error & { code?: string }) => {
        assert.doesNotMatch(e.message, /cannot rollback/);
        assert.equal(e.code, 'ERR_STORE_UNAVAILABLE');
        assert.match(e.message, /SQLITE_FULL/);
        return true;
      });
      // Concurrent callers sharing one group commit: each one sees the failure, none sees success.
      const results = await Promise.allSettled(
        Array.from({ length: 6 }, (_, i) =>
          store.phones.groupTransaction(
            async (t) => {
              await t.appendAudit({
                at: new Date().toISOString(),
                actor: 'test',
                source: 'test',
                action: 'fill',
                target: `g${i}`,
                details: { big },
              });
            },
            { siblings: 5 },
          ),
        ),
      );
      for (const r of results) {
        assert.equal(r.status, 'rejected', 'a caller of a failed group commit was told it committed');
        const e = (r as PromiseRejectedResult).reason as Error & { code?: string };
        assert.doesNotMatch(e.message, /cannot rollback/);
        assert.match(e.message, /SQLITE_FULL/);
      }
      assert.equal(store.health().available, false);
      assert.equal(store.health().lastError?.code, 'SQLITE_FULL');
      fs.free();
      await store.phones.groupTransaction(async (t) =>
        t.appendAudit({
          at: new Date().toISOString(),
          actor: 'test',
          source: 'test',
          action: 'after',
          target: 'x',
          details: {},
        }),
      );
      assert.equal(store.health().available, true, 'a commit after free() shows the store works again');
    } finally {
      await store.close();
      fs.close();
    }
  },
);

test(
  'disk full mid-storm on serve (SQLite): ' +
    'no END_SESSION 1 without the success in the store; after free() the rest enrol',
  async () => {
    const fs = mountSmallFs(24 * 1024 * 1024);
    const dataDir = join(fs.dir, 'data');
    mkdirSync(dataDir, { recursive: true });
    const names = fleetDeviceNames(120);
    {
      const store = await openStore({ driver: 'sqlite', dataDir });
      const phones = createPhoneService(store.phones, systemClock);
      await phones.addPhones(
        names.map((deviceName) => ({ deviceName, model: 'Cisco 8845' })),
        actor,
      );
      const r = await phones.schedule(names, { operation: 'install', authMode: 'null-string' }, actor);
      assert.equal(r.filter((x) => x.ok).length, names.length);
      await store.close();
    }
    const serve = spawnServe({ dataDir });
    const keys = createKeyPool(4);
    const check = await openStore({ driver: 'sqlite', dataDir });
    try {
      await serve.ready();
      const installed = new Map<string, string>();
      const enrol = async (
        deviceName: string,
        beforeStoreResponse?: () => Promise<void>,
      ): Promise<'end1' | 'refused' | 'other'> => {
        try {
          const r = await runCapfClient({
            host: '127.0.0.1',
            port: serve.ports.capf!,
            deviceName,
            authMode: 'null-string',
            timeoutMs: 20_000,
            ...(beforeStoreResponse ? { beforeStoreResponse } : {}),
            generateKey: (req) =>
              keys.take(req.type === 'rsa' ? { type: 'rsa', bits: req.bits } : { type: 'ec', curve: req.curve }),
          });
          if (r.endReason === 1 && r.outcome === 'installed') {
            // Told "installed": the store must already hold exactly this success.
            const serial = parseCertificate(r.lsc!.der).serialHex;
            const p = await check.phones.getPhone(deviceName);
            assert.equal(
              p?.status,
              'Upgrade Success',
              `${deviceName} got END_SESSION 1 but the store says ${p?.status}`,
            );
            assert.equal(p?.lsc?.serialHex, serial, `${deviceName}: END_SESSION 1 for an LSC the store does not hold`);
            installed.set(deviceName, serial);
            return 'end1';
          }
          return 'other';
        } catch (e) {
          if (e instanceof CapfClientError && (e.kind === 'closed' || e.kind === 'connect')) return 'refused';
          throw e;
        }
      };
      const wave = async (list: string[], concurrency: number) => {
        const seen: Record<string, number> = {};
        let next = 0;
        await Promise.all(
          Array.from({ length: concurrency }, async () => {
            for (let i = next++; i < list.length; i = next++) {
              const k = await enrol(list[i]!);
              seen[k] = (seen[k] ?? 0) + 1;
            }
          }),
        );
        return seen;
      };
      const before = await wave(names.slice(0, 20), 4);
      assert.equal(before.end1, 20, JSON.stringify(before));
      // The case: the LSC is issued and recorded, the phone stores it, then the outcome's commit fails.
      const HELD = 4;
      let arrived = 0;
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let allHeld!: () => void;
      const held = new Promise<void>((r) => (allHeld = r));
      const holding = names.slice(20, 20 + HELD).map((n) =>
        enrol(n, async () => {
          if (++arrived === HELD) allHeld();
          await gate;
        }),
      );
      await held;
      fs.fill();
      release();
      const heldOutcomes = await Promise.all(holding);
      console.log(`disk full after STORE_CERTIFICATE_REQUEST: ${JSON.stringify(heldOutcomes)}`);
      assert.ok(
        heldOutcomes.every((o) => o === 'refused'),
        `the outcome could not be committed, yet: ${JSON.stringify(heldOutcomes)}`,
      );
      const during = await wave(names.slice(20 + HELD, 80), 8);
      console.log(`disk full: ${JSON.stringify(during)} (end1 = told installed, each checked against the store)`);
      assert.ok(
        (during.refused ?? 0) > 0,
        `the full disk refused no phone (${JSON.stringify(during)}): the test did not hit it`,
      );
      assert.equal(
        during.other ?? 0,
        0,
        'a phone got a failure END_SESSION (a failure stored against it) instead of a retryable refusal',
      );
      await serve.waitFor(/"level":50[^\n]*SQLITE_FULL/);
      fs.free();
      // The rest, and those refused while the disk was full, enrol on the same serve (a phone retries).
      const rest = names.filter((n) => !installed.has(n));
      const after = await wave(rest, 8);
      assert.equal(after.end1, rest.length, JSON.stringify(after));
      assert.ok(serve.running(), serve.output());
      for (const n of names) {
        const p = await check.phones.getPhone(n);
        assert.equal(p?.status, 'Upgrade Success', n);
        assert.equal(p?.lsc?.serialHex, installed.get(n), n);
      }
      assert.equal(new Set(installed.values()).size, names.length, 'no duplicate serial');
    } finally {
      await check.close();
      await serve.kill();
      fs.close();
    }
  },
);
