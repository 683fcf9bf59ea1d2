// Owns the phone side of CAPF (what capfc and a real phone do): connect over TLS, check the server
// certificate, authenticate in any mode, generate the requested key, store/delete/fetch the LSC.

import tls from 'node:tls';
import { createPublicKey, type KeyObject } from 'node:crypto';
import { generateKeyPair as genKeyPairCb } from 'node:crypto';
import { promisify } from 'node:util';
import type { KeyRequest } from './ports.ts';
import {
  authResponse, createCapfDecoder, deleteCertificateResponse, encodeMessage, fetchCertificateResponse, keyGenerateResponse,
  requestInProgress, storeCertificateResponse, type CapfMessage,
} from './codec.ts';
import { CAPF_CURVE_OPENSSL, CAPF_CURVE_NAMES, CapfCommand, CapfKeyType, CapfReason, capfCommandName } from './constants.ts';
import { signCertificateAuth, signSudiData } from './signed-data.ts';

const genKeyPair = promisify(genKeyPairCb);

/** SPKI DER per key object, computed once (benches reuse pre-generated keys). */
const spkiCache = new WeakMap<KeyObject, Buffer>();
function spkiOf(key: KeyObject): Buffer {
  let der = spkiCache.get(key);
  if (!der) {
    der = (key.type === 'public' ? key : createPublicKey(key)).export({ format: 'der', type: 'spki' });
    spkiCache.set(key, der);
  }
  return der;
}

export interface HeldCertificate {
  der: Buffer;
  privateKey: KeyObject;
}

export type ClientAuthMode = 'null-string' | 'auth-string' | 'existing-lsc' | 'existing-mic';

export interface CapfClientOptions {
  host: string;
  port: number;
  deviceName: string;
  authMode: ClientAuthMode;
  authString?: string;
  lsc?: HeldCertificate | null;
  mic?: HeldCertificate | null;
  sudi?: HeldCertificate | null;
  /** Supplies the key pair the server asks for (benches pass pre-generated keys). Default: generate. */
  generateKey?: (req: KeyRequest) => Promise<{ privateKey: KeyObject; publicKey: KeyObject }>;
  /** The phone's check of the CAPF certificate against its ITL; returning false aborts (fail closed). */
  checkServerCertificate?: (der: Buffer) => boolean;
  timeoutMs?: number;
  /** VERSION to send in AUTH_RESPONSE; default: copy the server's. */
  version?: number;
  sendRequestInProgress?: boolean;
  /** Emulates a phone that cannot make these key types (answers KEY_GENERATE_REQUEST without a key). */
  unsupportedKeyTypes?: ('rsa' | 'ec')[];
  /** Emulates a phone that fails to store the LSC. */
  failStore?: boolean;
  /** Adds the Jabber element order (VERSION, DEVICE_NAME, REASON) and omits PASSWORD. */
  jabberStyle?: boolean;
  tlsOptions?: tls.ConnectionOptions;
}

export interface CapfClientResult {
  outcome: 'installed' | 'deleted' | 'fetched' | 'no-operation' | 'rejected' | 'unknown-device' | 'failed' | 'store-failed';
  endReason: number | null;
  sessionId: number | null;
  lsc?: HeldCertificate;
  keyRequest?: KeyRequest;
  /** The CAPF certificate seen in the handshake (captured when checkServerCertificate is given). */
  serverCertificateDer?: Buffer;
  log: string[];
}

export class CapfClientError extends Error {
  constructor(
    message: string,
    readonly kind: 'connect' | 'server-certificate' | 'timeout' | 'protocol' | 'closed',
    readonly log: string[],
  ) {
    super(message);
    this.name = 'CapfClientError';
  }
}

function keyRequestOf(msg: CapfMessage): KeyRequest {
  const e = msg.elements;
  if (e.keyType === CapfKeyType.EC) {
    const name = CAPF_CURVE_NAMES.get(e.curve ?? 0);
    return { type: 'ec', curve: name ?? 'P-256' };
  }
  return { type: 'rsa', bits: e.keySize ?? 2048 }; // KEY_TYPE absent: CUCM's RSA form (§8)
}

async function defaultGenerate(req: KeyRequest) {
  return req.type === 'rsa'
    ? genKeyPair('rsa', { modulusLength: req.bits, publicExponent: 0x10001 })
    : genKeyPair('ec', { namedCurve: CAPF_CURVE_OPENSSL[req.curve] });
}

/** One TLS client context for every session (building a context per connection costs more than the handshake's own work). */
let sharedContext: tls.SecureContext | null = null;
function clientContext(): tls.SecureContext {
  sharedContext ??= tls.createSecureContext({});
  return sharedContext;
}

/** Runs one CAPF session as a phone and resolves with what happened. */
export function runCapfClient(o: CapfClientOptions): Promise<CapfClientResult> {
  const log: string[] = [];
  const timeoutMs = o.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    let settled = false;
    let sessionId: number | null = null;
    let keyRequest: KeyRequest | undefined;
    let newKey: KeyObject | undefined;
    let newLsc: HeldCertificate | undefined;
    let serverCertificateDer: Buffer | undefined;
    let storeFailed = false;
    let lastOp: 'install' | 'delete' | 'fetch' | null = null;
    let deleted = false;
    const decoder = createCapfDecoder({ maxBodyBytes: 0xffff });
    const socket = tls.connect({ host: o.host, port: o.port, rejectUnauthorized: false, ...(o.tlsOptions ?? { secureContext: clientContext() }) });
    const timer = setTimeout(() => fail(() => new CapfClientError(`no answer from CAPF within ${timeoutMs} ms`, 'timeout', log)), timeoutMs);
    socket.setNoDelay(true);

    function done(r: CapfClientResult) {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.end();
      resolve(r);
    }
    function fail(make: () => CapfClientError) {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      reject(make());
    }
    function send(msg: CapfMessage, text: string) {
      log.push(`P>S ${text}`);
      socket.write(o.jabberStyle && msg.command === CapfCommand.AUTH_RESPONSE ? encodeMessage(msg, { elementOrder: [7, 13, 1] }) : encodeMessage(msg));
    }

    socket.once('secureConnect', () => {
      if (!o.checkServerCertificate) return;
      const peerCert = socket.getPeerCertificate(false);
      serverCertificateDer = peerCert?.raw ? Buffer.from(peerCert.raw) : undefined;
      if (!serverCertificateDer || !o.checkServerCertificate(serverCertificateDer)) {
        fail(() => new CapfClientError('CAPF server certificate is not the CAPF certificate in the trust list', 'server-certificate', log));
      }
    });
    socket.on('error', (e) => fail(() => new CapfClientError(`CAPF connection failed: ${e.message}`, 'connect', log)));
    socket.on('close', () => fail(() => new CapfClientError('CAPF closed the connection without END_SESSION', 'closed', log)));
    socket.on('data', (chunk: Buffer) => {
      let msgs: CapfMessage[];
      try {
        msgs = decoder.push(chunk);
      } catch (e) {
        fail(() => new CapfClientError(`malformed message from CAPF: ${(e as Error).message}`, 'protocol', log));
        return;
      }
      for (const m of msgs) void handle(m).catch((e: Error) => fail(() => new CapfClientError(e.message, 'protocol', log)));
    });

    async function handle(m: CapfMessage): Promise<void> {
      if (settled) return;
      log.push(`S>P ${capfCommandName(m.command)}${m.elements.reason !== undefined ? ` reason=${m.elements.reason}` : ''}`);
      if (sessionId === null) sessionId = m.sessionId;
      else if (m.sessionId !== sessionId) throw new Error(`session id changed from ${sessionId} to ${m.sessionId}`);
      const sid = sessionId;
      switch (m.command) {
        case CapfCommand.AUTH_REQUEST: {
          const version = o.version ?? m.elements.version ?? 3;
          const fields: Parameters<typeof authResponse>[1] = { deviceName: o.deviceName, version };
          if (!o.jabberStyle) fields.password = o.authMode === 'auth-string' ? (o.authString ?? '') : '';
          if (o.authMode === 'existing-lsc' || o.authMode === 'existing-mic') {
            const held = o.authMode === 'existing-lsc' ? (o.lsc ?? o.mic) : (o.mic ?? o.lsc);
            if (held) {
              const sig = signCertificateAuth(held.privateKey, o.deviceName, held.der);
              fields.certificate = { der: held.der, typeBytes: Buffer.from([0, held === o.mic ? 2 : 1]) };
              fields.signedData = sig.signedData;
              fields.sha2Signature = sig.sha2Signature;
              if (o.sudi) fields.sudiData = signSudiData(o.sudi.privateKey, sid, o.sudi.der);
            }
          }
          send(authResponse(sid, fields), `AUTH_RESPONSE (${o.authMode})`);
          return;
        }
        case CapfCommand.KEY_GENERATE_REQUEST: {
          lastOp = 'install';
          keyRequest = keyRequestOf(m);
          if (o.unsupportedKeyTypes?.includes(keyRequest.type)) {
            send(keyGenerateResponse(sid, { reason: CapfReason.INVALID_ELEMENT }), `KEY_GENERATE_RESPONSE (cannot make ${keyRequest.type})`);
            return;
          }
          if (o.sendRequestInProgress !== false) send(requestInProgress(sid), 'REQUEST_IN_PROGRESS');
          const pair = await (o.generateKey ?? defaultGenerate)(keyRequest);
          newKey = pair.privateKey;
          const spki = spkiOf(pair.publicKey);
          send(keyGenerateResponse(sid, { publicKey: spki }), `KEY_GENERATE_RESPONSE (${keyRequest.type === 'rsa' ? `RSA ${keyRequest.bits}` : `EC ${keyRequest.curve}`})`);
          return;
        }
        case CapfCommand.STORE_CERTIFICATE_REQUEST: {
          const der = m.elements.certificate?.der;
          if (!der || !newKey || o.failStore) {
            storeFailed = true;
            send(storeCertificateResponse(sid, CapfReason.INVALID_ELEMENT), 'STORE_CERTIFICATE_RESPONSE (failed)');
            return;
          }
          // The LSC must carry our new public key (its SPKI appears verbatim inside the certificate).
          if (!Buffer.from(der.buffer, der.byteOffset, der.byteLength).includes(spkiOf(newKey))) {
            storeFailed = true;
            send(storeCertificateResponse(sid, CapfReason.INVALID_ELEMENT), 'STORE_CERTIFICATE_RESPONSE (certificate does not match key)');
            return;
          }
          newLsc = { der: Buffer.from(der), privateKey: newKey };
          send(storeCertificateResponse(sid, CapfReason.UPDATE_CERTIFICATE), 'STORE_CERTIFICATE_RESPONSE (stored)');
          return;
        }
        case CapfCommand.DELETE_CERTIFICATE_REQUEST: {
          lastOp = 'delete';
          deleted = !!o.lsc;
          send(deleteCertificateResponse(sid, o.lsc ? CapfReason.UPDATE_CERTIFICATE : CapfReason.INVALID_ELEMENT), `DELETE_CERTIFICATE_RESPONSE (${o.lsc ? 'deleted' : 'nothing to delete'})`);
          return;
        }
        case CapfCommand.FETCH_CERTIFICATE_REQUEST: {
          lastOp = 'fetch';
          if (o.lsc) send(fetchCertificateResponse(sid, { reason: CapfReason.UPDATE_CERTIFICATE, der: o.lsc.der }), 'FETCH_CERTIFICATE_RESPONSE (LSC)');
          else send(fetchCertificateResponse(sid, { reason: CapfReason.INVALID_ELEMENT }), 'FETCH_CERTIFICATE_RESPONSE (no LSC)');
          return;
        }
        case CapfCommand.END_SESSION: {
          const reason = m.elements.reason ?? null;
          const base = { endReason: reason, sessionId, log, ...(serverCertificateDer ? { serverCertificateDer } : {}), ...(keyRequest ? { keyRequest } : {}) };
          if (reason === CapfReason.UNKNOWN_DEVICE) return done({ ...base, outcome: 'unknown-device' });
          if (lastOp === 'install' && newLsc) return done({ ...base, outcome: 'installed', lsc: newLsc });
          if (lastOp === 'install' && storeFailed) return done({ ...base, outcome: 'store-failed' });
          if (lastOp === 'delete') return done({ ...base, outcome: deleted ? 'deleted' : 'failed' });
          if (lastOp === 'fetch') return done({ ...base, outcome: o.lsc ? 'fetched' : 'failed' });
          if (lastOp === null && (reason === CapfReason.NO_ACTION || reason === CapfReason.UPDATE_CERTIFICATE)) return done({ ...base, outcome: 'no-operation' });
          if (lastOp === null) return done({ ...base, outcome: 'rejected' });
          return done({ ...base, outcome: 'failed' });
        }
        default:
          throw new Error(`unexpected ${capfCommandName(m.command)} from CAPF`);
      }
    }
  });
}
