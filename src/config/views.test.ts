import { test } from 'node:test';
import assert from 'node:assert/strict';
import { capfAdmissionLimits, HELD_SESSION_BYTES } from './views.ts';
import { loadConfig } from './load.ts';

const GiB = 1024 ** 3;

test('CAPF admission defaults: held sessions from memory (1/8 of RAM at 40 KiB), 32 handshakes per core', () => {
  const c = loadConfig({ env: {} });
  assert.deepEqual(capfAdmissionLimits(c, { totalMemoryBytes: 24 * GiB, cores: 2 }), {
    maxSessions: Math.floor((24 * GiB) / 8 / HELD_SESSION_BYTES),
    maxHandshakes: 64,
    maxQueued: 20_000,
  });
  assert.equal(capfAdmissionLimits(c, { totalMemoryBytes: 24 * GiB, cores: 2 }).maxSessions, 78_643);
  assert.equal(capfAdmissionLimits(c, { totalMemoryBytes: 0.1 * GiB, cores: 1 }).maxSessions, 1024, 'floor');
  assert.equal(capfAdmissionLimits(c, { totalMemoryBytes: 1024 * GiB, cores: 64 }).maxSessions, 100_000, 'ceiling');
  const pinned = loadConfig({ env: {}, overrides: { 'capf.maxSessions': 300, 'capf.maxHandshakes': 7 } });
  assert.deepEqual(capfAdmissionLimits(pinned, { totalMemoryBytes: 24 * GiB, cores: 2 }), {
    maxSessions: 300,
    maxHandshakes: 7,
    maxQueued: 20_000,
  });
});
