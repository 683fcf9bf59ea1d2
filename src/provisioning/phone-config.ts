// Owns generating SEP<MAC>.cnf.xml from a phone's record, its security profile and the cluster's
// addresses (phone-config.md §1, §2). Pure: strings in, XML string out.
//
// Only the security-relevant skeleton is generated, in the element order of phone-config.md §1
// (whether phones require that order is UNCERTAIN, so we keep it).

import { AUTH_MODES, type AuthMode, type DeviceSecurityMode } from '../phones/index.ts';

/** `<deviceSecurityMode>` values (phone-config.md §2). */
export const DEVICE_SECURITY_MODE_VALUES: Readonly<Record<DeviceSecurityMode, number>> = {
  'non-secure': 1,
  authenticated: 2,
  encrypted: 3,
};

/**
 * `<transportLayerProtocol>`: TLS (3) whenever the mode is authenticated or encrypted (it only matters
 * with TLS, §2); TCP (1) otherwise. CUCM's "TCP+UDP" default has no documented value (UNCERTAIN).
 */
export const TRANSPORT_FOR_MODE: Readonly<Record<DeviceSecurityMode, number>> = {
  'non-secure': 1,
  authenticated: 3,
  encrypted: 3,
};

/** Phones accept at most 5 CAPF servers and 5 TVS members (phone-config.md §2). */
export const MAX_CAPF_SERVERS = 5;
export const MAX_TVS_MEMBERS = 5;

export interface CallManagerMember {
  processNodeName: string;
  sipPort: number;
  securedSipPort: number;
}

export interface PhoneConfigCluster {
  capfServers: readonly { host: string; port: number }[];
  tvsMembers: readonly { address: string; port: number }[];
  callManagers: readonly CallManagerMember[];
  loadInformation: string | null;
}

export interface PhoneConfigInput {
  deviceName: string;
  description: string;
  /** Bumped by every change of the phone record (phones/model.ts); written into <versionStamp>. */
  configVersion: number;
  /** The phone's (scheduled) CAPF authentication mode; it must match what the CAPF server expects. */
  authMode: AuthMode;
  deviceSecurityMode: DeviceSecurityMode;
  cluster: PhoneConfigCluster;
}

export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/**
 * `SEP<MAC>.cnf.xml`. `<versionStamp>` (CUCM writes one; its exact format is UNCERTAIN) carries the
 * phone's configVersion so every change of the record changes the file the phone sees.
 */
export function buildPhoneConfig(p: PhoneConfigInput): string {
  const x = escapeXml;
  const c = p.cluster;
  const lines: string[] = ['<?xml version="1.0" encoding="UTF-8"?>', '<device>'];
  const add = (indent: number, text: string) => lines.push(`${'  '.repeat(indent)}${text}`);
  add(1, '<fullConfig>true</fullConfig>');
  add(1, '<deviceProtocol>SIP</deviceProtocol>');
  add(1, `<versionStamp>${p.configVersion}-${x(p.deviceName)}</versionStamp>`);
  add(1, '<ipAddressMode>0</ipAddressMode>');
  add(1, '<devicePool>');
  add(2, '<callManagerGroup>');
  add(3, '<members>');
  c.callManagers.forEach((m, i) => {
    add(4, `<member priority="${i}">`);
    add(5, '<callManager>');
    add(6, '<ports>');
    add(7, `<sipPort>${m.sipPort}</sipPort>`);
    add(7, `<securedSipPort>${m.securedSipPort}</securedSipPort>`);
    add(6, '</ports>');
    add(6, `<processNodeName>${x(m.processNodeName)}</processNodeName>`);
    add(5, '</callManager>');
    add(4, '</member>');
  });
  add(3, '</members>');
  add(2, '</callManagerGroup>');
  add(1, '</devicePool>');
  if (c.tvsMembers.length > 0) {
    add(1, '<TVS>');
    add(2, '<members>');
    c.tvsMembers.slice(0, MAX_TVS_MEMBERS).forEach((t, i) => {
      add(3, `<member priority="${i}">`);
      add(4, `<port>${t.port}</port>`);
      add(4, `<address>${x(t.address)}</address>`);
      add(3, '</member>');
    });
    add(2, '</members>');
    add(1, '</TVS>');
  }
  add(1, `<loadInformation>${x(c.loadInformation ?? '')}</loadInformation>`);
  add(1, `<deviceSecurityMode>${DEVICE_SECURITY_MODE_VALUES[p.deviceSecurityMode]}</deviceSecurityMode>`);
  add(1, `<transportLayerProtocol>${TRANSPORT_FOR_MODE[p.deviceSecurityMode]}</transportLayerProtocol>`);
  add(1, '<TLSResumptionTimer>3600</TLSResumptionTimer>');
  add(1, `<capfAuthMode>${AUTH_MODES[p.authMode].capfAuthMode}</capfAuthMode>`);
  add(1, '<capfList>');
  for (const s of c.capfServers.slice(0, MAX_CAPF_SERVERS)) {
    add(2, '<capf>');
    add(3, `<phonePort>${s.port}</phonePort>`);
    add(3, `<processNodeName>${x(s.host)}</processNodeName>`);
    add(2, '</capf>');
  }
  add(1, '</capfList>');
  add(1, '<certHash></certHash>');
  add(1, '<encrConfig>false</encrConfig>');
  add(1, '<userId></userId>');
  add(1, '<ownerId></ownerId>');
  lines.push('</device>', '');
  return lines.join('\n');
}

/**
 * Parses `provisioning.callManagers`: "host", "host:sip" or "host:sip:securedSip", comma-separated.
 * IPv6 literals go in brackets ("[2001:db8::1]:5060").
 */
export function parseCallManagers(text: string): CallManagerMember[] {
  const out: CallManagerMember[] = [];
  for (const raw of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?(?::(\d+))?$/.exec(raw);
    if (!m)
      throw new Error(
        `bad callManager entry ${JSON.stringify(raw)} (use host, host:sipPort or host:sipPort:securedSipPort)`,
      );
    const port = (v: string | undefined, d: number) => {
      const n = v === undefined ? d : Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 65535)
        throw new Error(`bad port in callManager entry ${JSON.stringify(raw)}`);
      return n;
    };
    out.push({
      processNodeName: m[1]!.replace(/^\[|\]$/g, ''),
      sipPort: port(m[2], 5060),
      securedSipPort: port(m[3], 5061),
    });
  }
  return out;
}
