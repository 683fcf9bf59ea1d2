import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createAdmission, type AdmissionLimits, type Admitted } from './admission.ts';

const LIMITS: AdmissionLimits = {
  maxSessions: 4,
  maxHandshakes: 2,
  maxQueued: 10,
  maxPerClient: 8,
  queueTimeoutMs: 1000,
};

function harness(limits: AdmissionLimits = LIMITS) {
  let t = 0;
  const a = createAdmission(limits, () => t);
  const started: { id: number; address: string; waited: number }[] = [];
  const dropped: { id: number; reason: string }[] = [];
  let next = 0;
  const offer = (address: string) => {
    const id = next++;
    const r = a.offer(address, {
      start: (waited) => started.push({ id, address, waited }),
      drop: (reason) => dropped.push({ id, reason }),
    });
    return { id, r };
  };
  return { a, started, dropped, offer, advance: (ms: number) => (t += ms) };
}

const handle = (r: ReturnType<ReturnType<typeof harness>['offer']>['r']): Admitted => {
  assert.equal(typeof r, 'object', `admitted, not ${String(r)}`);
  return r as Admitted;
};

test('held sessions and handshakes are limited separately; the rest waits and is started in order', () => {
  const h = harness();
  const x = Array.from({ length: 8 }, () => h.offer('10.0.0.1'));
  assert.deepEqual(
    h.started.map((s) => s.id),
    [0],
    'one address gets half of the 2 handshake slots',
  );
  const y = h.offer('10.0.0.2');
  assert.deepEqual(
    h.started.map((s) => s.id),
    [0, y.id],
    'another address takes the second slot at once',
  );
  h.advance(5);
  handle(x[0]!.r).handshakeDone(true); // held: 1
  assert.deepEqual(h.started.at(-1), { id: 1, address: '10.0.0.1', waited: 5 });
  handle(y.r).handshakeDone(true); // held: 2
  handle(x[1]!.r).handshakeDone(true); // held: 3
  assert.equal(h.a.stats().handshaking, 1);
  handle(x[2]!.r).handshakeDone(true); // held: 4 = maxSessions: nothing more starts
  assert.deepEqual(h.a.stats(), { queued: 5, handshaking: 0, held: 4, queueTimeouts: 0, queuedTotal: 7 });
  handle(x[0]!.r).closed();
  assert.equal(h.started.at(-1)!.id, x[3]!.id, 'a closed session frees a slot for the next in line');
  assert.equal(h.dropped.length, 0);
});

test('per-client cap, queue full, queue timeout and drain', () => {
  const h = harness({ ...LIMITS, maxQueued: 3, maxPerClient: 3 });
  const a = [h.offer('a'), h.offer('a'), h.offer('a')];
  assert.equal(h.offer('a').r, 'per-client-cap');
  h.offer('b'); // handshaking
  h.offer('c');
  h.offer('d');
  assert.equal(h.a.stats().queued, 3, 'a2, a3 (a at its handshake share), c? no: c and d queue behind');
  assert.equal(h.offer('e').r, 'global-cap', 'the queue is full');
  h.advance(1001);
  assert.equal(h.a.expire(), 3);
  assert.deepEqual(
    h.dropped.map((d) => d.reason),
    ['queue-timeout', 'queue-timeout', 'queue-timeout'],
  );
  assert.equal(h.a.stats().queueTimeouts, 3);
  assert.notEqual(h.offer('a').r, 'per-client-cap', 'timed-out connections no longer count against the address');
  h.offer('f');
  h.a.drain();
  assert.equal(h.a.stats().queued, 0);
  assert.ok(h.dropped.some((d) => d.reason === 'shutdown'));
  void a;
});

test('a queued connection that closes leaves the queue and frees its address', () => {
  const h = harness({ ...LIMITS, maxHandshakes: 1 });
  h.offer('a');
  const q = h.offer('b');
  assert.equal(h.a.stats().queued, 1);
  handle(q.r).closed();
  assert.equal(h.a.stats().queued, 0);
  handle(q.r).closed(); // idempotent
  handle(q.r).handshakeDone(true); // ignored: it never started
  assert.deepEqual(h.a.stats(), { queued: 0, handshaking: 1, held: 0, queueTimeouts: 0, queuedTotal: 1 });
});

test('fair: an address with a long queue does not delay a newcomer by more than one turn', () => {
  const h = harness({ ...LIMITS, maxHandshakes: 2, maxSessions: 1000, maxQueued: 1000, maxPerClient: 1000 });
  const many = Array.from({ length: 100 }, () => h.offer('busy'));
  const other = h.offer('other'); // takes the second slot at once
  assert.equal(h.started.at(-1)!.id, other.id);
  handle(other.r).handshakeDone(true);
  const late = h.offer('late');
  handle(many[0]!.r).handshakeDone(true); // frees the slot: round-robin gives it to "late" or busy, then the other
  handle(h.started.at(-1)!.id === late.id ? late.r : many[1]!.r).handshakeDone(true);
  assert.ok(
    h.started.some((s) => s.id === late.id),
    'the newcomer started within two grants',
  );
});

test('property: limits hold, nobody starts twice, and no slot stays idle while a queued address may use it', () => {
  const op = fc.oneof(
    fc.record({ k: fc.constant('offer' as const), addr: fc.integer({ min: 0, max: 4 }) }),
    fc.record({ k: fc.constant('done' as const), i: fc.nat(), ok: fc.boolean() }),
    fc.record({ k: fc.constant('close' as const), i: fc.nat() }),
    fc.record({ k: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 600 }) }),
  );
  fc.assert(
    fc.property(
      fc.record({
        maxSessions: fc.integer({ min: 1, max: 6 }),
        maxHandshakes: fc.integer({ min: 1, max: 4 }),
        maxQueued: fc.integer({ min: 0, max: 6 }),
        maxPerClient: fc.integer({ min: 1, max: 5 }),
        queueTimeoutMs: fc.constant(1000),
      }),
      fc.array(op, { maxLength: 80 }),
      (limits, ops) => {
        let t = 0;
        const a = createAdmission(limits, () => t);
        type S = 'queued' | 'handshaking' | 'held' | 'closed';
        const conns: { address: string; state: S; h: Admitted | null }[] = [];
        let starts = 0;
        for (const o of ops) {
          if (o.k === 'offer') {
            const c = { address: `10.0.0.${o.addr}`, state: 'queued' as S, h: null as Admitted | null };
            const r = a.offer(c.address, {
              start: () => {
                assert.equal(c.state, 'queued', 'started twice or after close');
                c.state = 'handshaking';
                starts++;
              },
              drop: () => {
                assert.equal(c.state, 'queued', 'only queued connections are dropped');
                c.state = 'closed';
              },
            });
            if (typeof r === 'object') {
              c.h = r;
              conns.push(c);
            } else assert.equal(c.state, 'queued', 'a refused connection never starts');
          } else if (o.k === 'done' || o.k === 'close') {
            const c = conns[o.i % Math.max(1, conns.length)];
            if (!c) continue;
            if (o.k === 'done') {
              if (c.state === 'handshaking') c.state = o.ok ? 'held' : 'closed';
              c.h!.handshakeDone(o.ok);
            } else {
              c.state = 'closed';
              c.h!.closed();
            }
          } else {
            t += o.ms;
            a.expire();
          }
          const count = (st: S, addr?: string) =>
            conns.filter((c) => c.state === st && (addr === undefined || c.address === addr)).length;
          const s = a.stats();
          assert.equal(s.queued, count('queued'));
          assert.equal(s.handshaking, count('handshaking'));
          assert.equal(s.held, count('held'));
          assert.ok(s.handshaking <= limits.maxHandshakes);
          assert.ok(s.held + s.handshaking <= limits.maxSessions);
          assert.ok(s.queued <= limits.maxQueued);
          for (const addr of new Set(conns.map((c) => c.address)))
            assert.ok(conns.filter((c) => c.address === addr && c.state !== 'closed').length <= limits.maxPerClient);
          const free = s.handshaking < limits.maxHandshakes && s.held + s.handshaking < limits.maxSessions;
          if (free)
            for (const c of conns.filter((x) => x.state === 'queued'))
              assert.ok(
                count('handshaking', c.address) >= a.maxHandshakesPerClient,
                `${c.address} waits while a slot is free and it is under its share`,
              );
        }
        assert.ok(starts <= conns.length);
      },
    ),
    { numRuns: 500 },
  );
});
