// Owns admitting CAPF connections: a limit on held sessions (TLS done, the phone working through the protocol,
// e.g. generating its key for a minute), a limit on TLS handshakes in progress (what the CPU can do at once),
// and a bounded, fair queue for the connections in between, so a wave of phones waits its turn instead of
// being reset. Fair: one queue per client address, served round-robin, and no address gets more than half
// of the handshake slots, so one host's stalled handshakes cannot starve everyone else. No sockets here: the
// server hands in start/drop callbacks and reports when a handshake ends and when a session closes.

import type { RefusalReason } from '../shared/connection-gate.ts';

export interface AdmissionLimits {
  /** Sessions past the TLS handshake at once. */
  maxSessions: number;
  /** TLS handshakes in progress at once (what the CPU can serve now). */
  maxHandshakes: number;
  /** Connections waiting for a handshake slot; beyond it a connection is refused (the phone retries). */
  maxQueued: number;
  /** Connections (queued, handshaking or held) from one client address. */
  maxPerClient: number;
  /** A connection that waited this long in the queue is closed (the phone retries later). */
  queueTimeoutMs: number;
}

/** One admitted connection, from queue to close. */
export interface Admitted {
  readonly address: string;
  /** Call when the TLS handshake ended: secured (a held session now) or failed (the connection is closed). */
  handshakeDone(secured: boolean): void;
  /** Call when the connection closed, whatever its state (idempotent). */
  closed(): void;
}

export interface AdmissionCallbacks {
  /**
   * A handshake slot is granted: start TLS now; waitedMs is the time spent queued (0 when not queued). May be
   * called from within offer() itself, so it gets the connection's handle as an argument.
   */
  start(waitedMs: number, admitted: Admitted): void;
  /** Closed from the queue (queue timeout, or shutdown): close the socket without a byte. */
  drop(reason: 'queue-timeout' | 'shutdown'): void;
}

export interface AdmissionStats {
  queued: number;
  handshaking: number;
  held: number;
  /** Connections closed from the queue after capf.queueTimeoutMs. */
  queueTimeouts: number;
  /** Connections that waited in the queue before their handshake. */
  queuedTotal: number;
}

export interface Admission {
  /** Admit a new connection: refused (the caller closes it), or admitted (started at once or queued). */
  offer(address: string, cb: AdmissionCallbacks): RefusalReason | Admitted;
  /** Close connections queued longer than queueTimeoutMs; returns how many. */
  expire(): number;
  /** Close every queued connection (shutdown: they have not started; the phones retry elsewhere or later). */
  drain(): void;
  stats(): AdmissionStats;
  readonly limits: Readonly<AdmissionLimits>;
  /** Handshake slots one address may use at once: half of maxHandshakes (at least 1), within maxPerClient. */
  readonly maxHandshakesPerClient: number;
}

type State = 'queued' | 'handshaking' | 'held' | 'closed';

interface Entry extends Admitted {
  state: State;
  queuedAt: number;
  cb: AdmissionCallbacks;
}

interface ClientState {
  /** Connections of this address not closed. */
  open: number;
  handshaking: number;
  /** FIFO of this address's queued entries (closed ones are skipped lazily). */
  waiting: Entry[];
  /** Whether the address is in the round-robin ring. */
  inRing: boolean;
}

export function createAdmission(limits: AdmissionLimits, now: () => number = () => performance.now()): Admission {
  const perClientHandshakes = Math.max(1, Math.min(limits.maxPerClient, Math.ceil(limits.maxHandshakes / 2)));
  const clients = new Map<string, ClientState>();
  /** Addresses with queued entries, in round-robin order (an address appears at most once). */
  const ring: string[] = [];
  let queued = 0;
  let handshaking = 0;
  let held = 0;
  let queueTimeouts = 0;
  let queuedTotal = 0;
  let pumping = false;

  const client = (address: string): ClientState => {
    let c = clients.get(address);
    if (!c) {
      c = { open: 0, handshaking: 0, waiting: [], inRing: false };
      clients.set(address, c);
    }
    return c;
  };
  const slotFree = () => handshaking < limits.maxHandshakes && held + handshaking < limits.maxSessions;

  function begin(e: Entry, c: ClientState, waitedMs: number): void {
    e.state = 'handshaking';
    handshaking++;
    c.handshaking++;
    e.cb.start(waitedMs, e);
  }

  function leave(e: Entry): void {
    const c = clients.get(e.address);
    if (!c) return;
    if (e.state === 'queued') queued--;
    else if (e.state === 'handshaking') {
      handshaking--;
      c.handshaking--;
    } else if (e.state === 'held') held--;
    e.state = 'closed';
    c.open--;
    if (c.open === 0) clients.delete(e.address);
  }

  /** Grant free slots to queued connections, round-robin over addresses. */
  function pump(): void {
    if (pumping) return; // start() may close synchronously and re-enter
    pumping = true;
    try {
      let skipped = 0;
      while (slotFree() && ring.length > 0 && skipped < ring.length) {
        const address = ring.shift()!;
        const c = clients.get(address);
        if (!c) continue;
        c.inRing = false;
        while (c.waiting.length > 0 && c.waiting[0]!.state !== 'queued') c.waiting.shift();
        if (c.waiting.length === 0) continue;
        ring.push(address); // back of the ring: its next turn comes after every other address
        c.inRing = true;
        if (c.handshaking >= perClientHandshakes) {
          skipped++; // served again once one of its handshakes ends
          continue;
        }
        skipped = 0;
        const e = c.waiting.shift()!;
        queued--;
        begin(e, c, now() - e.queuedAt);
      }
    } finally {
      pumping = false;
    }
  }

  function makeEntry(address: string, cb: AdmissionCallbacks): Entry {
    const e: Entry = {
      address,
      state: 'queued',
      queuedAt: now(),
      cb,
      handshakeDone(secured) {
        if (e.state !== 'handshaking') return;
        const c = clients.get(address)!;
        handshaking--;
        c.handshaking--;
        if (secured) {
          e.state = 'held';
          held++;
        } else {
          e.state = 'closed';
          c.open--;
          if (c.open === 0) clients.delete(address);
        }
        pump();
      },
      closed() {
        if (e.state === 'closed') return;
        leave(e);
        pump();
      },
    };
    return e;
  }

  return {
    limits,
    maxHandshakesPerClient: perClientHandshakes,
    offer(address, cb) {
      const existing = clients.get(address);
      const startsNow = slotFree() && (existing?.handshaking ?? 0) < perClientHandshakes;
      // A full server reports global-cap first (as the connection gate of the other listeners does).
      if (!startsNow && queued >= limits.maxQueued) return 'global-cap';
      if ((existing?.open ?? 0) >= limits.maxPerClient) return 'per-client-cap';
      const c = client(address);
      const e = makeEntry(address, cb);
      // After every pump, a free slot means each queued address is at its handshake share: a newcomer under its
      // share passes nobody by starting at once.
      if (startsNow) {
        c.open++;
        begin(e, c, 0);
        return e;
      }
      c.open++;
      queued++;
      queuedTotal++;
      c.waiting.push(e);
      if (!c.inRing) {
        ring.push(address);
        c.inRing = true;
      }
      pump();
      return e;
    },
    expire() {
      if (queued === 0) return 0;
      const deadline = now() - limits.queueTimeoutMs;
      const late: Entry[] = [];
      for (const c of clients.values())
        for (const e of c.waiting) {
          if (e.state !== 'queued') continue;
          if (e.queuedAt > deadline) break; // FIFO: the rest of this address queued later
          late.push(e);
        }
      for (const e of late) {
        leave(e);
        queueTimeouts++;
        e.cb.drop('queue-timeout');
      }
      pump();
      return late.length;
    },
    drain() {
      const all: Entry[] = [];
      for (const c of clients.values()) {
        for (const e of c.waiting) if (e.state === 'queued') all.push(e);
        c.inRing = false;
      }
      for (const e of all) {
        leave(e);
        e.cb.drop('shutdown');
      }
      ring.length = 0;
    },
    stats: () => ({ queued, handshaking, held, queueTimeouts, queuedTotal }),
  };
}
