// Owns reading what a phone needs from SEP<MAC>.cnf.xml (phone-config.md §1–§2): CAPF servers and
// authentication mode, TVS members, encrypted-config pointer. A tolerant element reader, not a full XML parser.

import { AppError } from '../shared/errors.ts';

export interface PhoneConfigView {
  /** capfAuthMode 1..4 (phone-config.md §2); null when absent. */
  capfAuthMode: number | null;
  capfServers: { host: string; port: number }[];
  tvsMembers: { address: string; port: number }[];
  encrConfig: boolean;
  certHash: string | null;
  fullConfig: boolean;
}

const unescapeXml = (s: string) =>
  s.replace(/&(lt|gt|amp|quot|apos);/g, (_m, e: string) => ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" })[e]!);

function first(xml: string, tag: string): string | null {
  const m = new RegExp(`<${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</${tag}>`).exec(xml);
  return m ? unescapeXml(m[1]!.trim()) : null;
}

function all(xml: string, tag: string): string[] {
  return [...xml.matchAll(new RegExp(`<${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => m[1]!);
}

export function readPhoneConfig(xml: string): PhoneConfigView {
  if (!/<device[\s>]/.test(xml))
    throw new AppError('ERR_BAD_REQUEST', 'not a phone configuration: no <device> element');
  const mode = first(xml, 'capfAuthMode');
  const capfList = first(xml, 'capfList') ?? '';
  const capfServers = all(capfList, 'capf').flatMap((c) => {
    const host = first(c, 'processNodeName');
    const port = Number(first(c, 'phonePort') ?? 3804);
    return host ? [{ host, port: Number.isInteger(port) && port > 0 ? port : 3804 }] : [];
  });
  // <TVS> is matched case-sensitively: the SIP <callManager> members are a different list.
  const tvs = first(xml, 'TVS') ?? '';
  const tvsMembers = all(tvs, 'member').flatMap((m) => {
    const address = first(m, 'address');
    const port = Number(first(m, 'port') ?? 2445);
    return address ? [{ address, port: Number.isInteger(port) && port > 0 ? port : 2445 }] : [];
  });
  const certHash = first(xml, 'certHash');
  return {
    capfAuthMode: mode !== null && /^\d+$/.test(mode) ? Number(mode) : null,
    capfServers,
    tvsMembers,
    encrConfig: first(xml, 'encrConfig') === 'true',
    certHash: certHash ? certHash : null,
    fullConfig: first(xml, 'fullConfig') !== 'false',
  };
}
