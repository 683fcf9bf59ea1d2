// Owns how an emulated phone turns a host name into an IPv4 address: an /etc/hosts-style override map
// first (tests and labs), then the system resolver unless disabled. Used by the emulator and the doctor.

import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

export type Resolver = (host: string) => Promise<string>;

export class HostNotFoundError extends Error {
  constructor(
    readonly host: string,
    cause?: unknown,
  ) {
    super(`DNS unknown IPv4 host ${host}`, cause === undefined ? undefined : { cause });
    this.name = 'HostNotFoundError';
  }
}

/** Parses /etc/hosts syntax: `address name [alias...]`, `#` comments. Names are case-insensitive. */
export function parseHostsFile(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const [address, ...names] = line.split(/\s+/);
    if (!address || isIP(address) === 0) continue;
    for (const n of names) if (!map.has(n.toLowerCase())) map.set(n.toLowerCase(), address);
  }
  return map;
}

export interface ResolverOptions {
  hosts?: ReadonlyMap<string, string>;
  /** Ask the system resolver for names not in `hosts` (default true). */
  systemDns?: boolean;
}

export function createResolver(o: ResolverOptions = {}): Resolver {
  const hosts = o.hosts ?? new Map<string, string>();
  return async (host) => {
    if (isIP(host)) return host;
    const hit = hosts.get(host.toLowerCase());
    if (hit) return hit;
    if (o.systemDns === false) throw new HostNotFoundError(host);
    try {
      return (await lookup(host, { family: 4 })).address;
    } catch (e) {
      throw new HostNotFoundError(host, e);
    }
  };
}
