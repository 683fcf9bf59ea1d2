// Owns admitting TCP connections by count for every listener: a global cap and a per-client-address cap,
// so one host holding or re-opening connections cannot take every slot from the others.

import type { Socket } from 'node:net';

/** Why a connection was refused (the `reason` label of opencapf_connections_refused_total). */
export type RefusalReason = 'global-cap' | 'per-client-cap';

export interface ConnectionGateLimits {
  /** Concurrent connections across all clients. */
  max: number;
  /** Concurrent connections from one client address (capped at `max`). */
  maxPerClient: number;
}

export interface ConnectionGate {
  /**
   * Counts the socket in and returns null, releasing its slot when it closes; or returns why it is refused
   * (the caller destroys it). The global cap is checked first, so a full server reports global-cap.
   */
  admit(socket: Socket): RefusalReason | null;
  /** Connections admitted and not yet closed. */
  active(): number;
  /** Connections admitted and not yet closed from one address. */
  fromClient(address: string): number;
}

/** "::ffff:10.0.0.1" and "10.0.0.1" are the same client (a dual-stack listener reports the former). */
export function clientAddress(socket: { remoteAddress?: string | undefined }): string {
  const a = socket.remoteAddress ?? '?';
  return a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a;
}

export function createConnectionGate(limits: ConnectionGateLimits): ConnectionGate {
  const perClientMax = Math.min(limits.maxPerClient, limits.max);
  let total = 0;
  const perClient = new Map<string, number>();
  return {
    admit(socket) {
      const address = clientAddress(socket);
      const n = perClient.get(address) ?? 0;
      if (total >= limits.max) return 'global-cap';
      if (n >= perClientMax) return 'per-client-cap';
      total++;
      perClient.set(address, n + 1);
      socket.once('close', () => {
        total--;
        const left = (perClient.get(address) ?? 1) - 1;
        if (left <= 0) perClient.delete(address);
        else perClient.set(address, left);
      });
      return null;
    },
    active: () => total,
    fromClient: (address) => perClient.get(address) ?? 0,
  };
}
