// Owns the emulated Jabber (CSF/BOT/TCT/TAB softphone) CAPF client: what Cisco Jabber does on the wire
// (../shared/spec/capf-protocol.md §8, from the Jabber4Linux capture): VERSION 2 in AUTH_RESPONSE, the element
// order VERSION, DEVICE_NAME, REASON, no PASSWORD element unless an authentication string is typed, no
// REQUEST_IN_PROGRESS while it generates its key. Softphones fetch no SEP<MAC>.cnf.xml or ITL from us: this
// client only talks CAPF, to the host and port it is given.

import { runCapfClient, capfReasonName, type CapfClientResult } from '../capf/index.ts';
import { derToPem, generateKeyPair, parseCertificate, privateKeyPem } from '../pki/index.ts';
import { parseDeviceName } from '../phones/device-name.ts';
import { AppError } from '../shared/errors.ts';

export interface JabberOptions {
  host: string;
  port: number;
  deviceName: string;
  /** Typed by the user when the profile asks for one (By Authentication String). */
  authString?: string;
  timeoutMs?: number;
}

export interface JabberResult {
  deviceName: string;
  outcome: CapfClientResult['outcome'];
  endReason: string | null;
  /** The LSC and its key when one was installed (PEM; the caller decides where the key may go). */
  lsc: { certPem: string; keyPem: string; serialHex: string; notAfter: string } | null;
  log: string[];
}

export async function runJabber(o: JabberOptions): Promise<JabberResult> {
  const p = parseDeviceName(o.deviceName);
  if (!p.ok) throw new AppError('ERR_PHONE_BAD_NAME', p.reason);
  if (p.kind !== 'softphone')
    throw new AppError(
      'ERR_PHONE_BAD_NAME',
      `${p.name} is a ${p.kind} name: Jabber uses CSF/BOT/TCT/TAB names (emulate a desk phone with emulate phone)`,
    );
  const r = await runCapfClient({
    host: o.host,
    port: o.port,
    deviceName: p.name,
    authMode: o.authString ? 'auth-string' : 'null-string',
    ...(o.authString ? { authString: o.authString } : {}),
    jabberStyle: !o.authString, // with a typed string Jabber sends PASSWORD too
    version: 2,
    sendRequestInProgress: false,
    generateKey: async (req) =>
      generateKeyPair(req.type === 'ec' ? { type: 'ec', curve: req.curve } : { type: 'rsa', bits: req.bits }),
    timeoutMs: o.timeoutMs ?? 30_000,
  });
  const cert = r.lsc ? parseCertificate(r.lsc.der) : null;
  return {
    deviceName: p.name,
    outcome: r.outcome,
    endReason: r.endReason === null ? null : capfReasonName(r.endReason),
    lsc:
      r.lsc && cert
        ? {
            certPem: derToPem(r.lsc.der),
            keyPem: privateKeyPem(r.lsc.privateKey),
            serialHex: cert.serialHex,
            notAfter: cert.notAfter.toISOString(),
          }
        : null,
    log: r.log,
  };
}
