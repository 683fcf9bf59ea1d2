// Owns the phone side of CAPF (what capfc and a real phone do): connect over TLS, check the server
// certificate, authenticate in any mode, generate the requested key, store/delete/fetch the LSC.

import tls from 'node:tls';
import { createPublicKey, type KeyObject } from 'node:crypto';
import { generateKeyPair as genKeyPairCb } from 'node:crypto';
import { promisify } from 'node:util';
import type { KeyRequest } from './ports.ts';
import {
  authResponse,
  createCapfDecoder,
  deleteCertificateResponse,
  encodeMessage,
  fetchCertificateResponse,
  keyGenerateResponse,
  requestInProgress,
  storeCertificateResponse,
  type CapfMessage,
} from './codec.ts';
import {
  CAPF_CURVE_OPENSSL,
  CAPF_CURVE_NAMES,
  CapfCommand,
  CapfKeyType,
  CapfReason,
  capfCommandName,
} from './constants.ts';
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
  /**
   * Longest wait for CAPF's next message (default 30 s): restarted by every message, and not running while the
   * phone generates its key (the phone's own time, however long — it sent REQUEST_IN_PROGRESS).
   */
  timeoutMs?: number;
  /** VERSION to send in AUTH_RESPONSE; default: copy the server's. */
  version?: number;
  sendRequestInProgress?: boolean;
  /** Emulates a phone that cannot make these key types (answers KEY_GENERATE_REQUEST without a key). */
  unsupportedKeyTypes?: ('rsa' | 'ec')[];
  /** Emulates a phone that fails to store the LSC. */
  failStore?: boolean;
  /**
   * Emulates a phone whose connection dies right after STORE_CERTIFICATE_REQUEST: it keeps the LSC but
   * never acknowledges it (outcome 'dropped', with the LSC).
   */
  dropAfterStoreRequest?: boolean;
  /** Runs when the LSC has arrived, before the phone acknowledges it (tests act in that window). */
  beforeStoreResponse?: () => Promise<void>;
  /** Adds the Jabber element order (VERSION, DEVICE_NAME, REASON) and omits PASSWORD. */
  jabberStyle?: boolean;
  tlsOptions?: tls.ConnectionOptions;
  /** Source address to connect from (a fleet gives each phone its own, as phones on a site have). */
  localAddress?: string;
}

export interface CapfClientResult {
  outcome:
    | 'installed'
    | 'deleted'
    | 'fetched'
    | 'no-operation'
    | 'rejected'
    | 'unknown-device'
    | 'failed'
    | 'store-failed'
    | 'dropped';
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

/**
 * One TLS client context for every session (building a context per connection costs more than the handshake's own
 * work).
 */
let sharedContext: tls.SecureContext | null = null;
function clientContext(): tls.SecureContext {
  sharedContext ??= tls.createSecureContext({});
  return sharedContext;
}

/** Runs one CAPF session as a phone and resolves with what happened. */
export function runCapfClient(o: CapfClientOptions): Promise<CapfClientResult> {
  return new Promise((resolve, reject) => new CapfClientSession(o, resolve, reject).start());
}

/**
 * One phone-side session: what the phone has learnt so far (session id, operation, new key and LSC) and the
 * socket's handlers, in one object. Messages are handled as they arrive; only key generation (and the
 * test hook beforeStoreResponse) waits.
 */
class CapfClientSession {
  private readonly log: string[] = [];
  private settled = false;
  private sessionId: number | null = null;
  private keyRequest: KeyRequest | undefined;
  private newKey: KeyObject | undefined;
  private newLsc: HeldCertificate | undefined;
  private serverCertificateDer: Buffer | undefined;
  private storeFailed = false;
  private lastOp: 'install' | 'delete' | 'fetch' | null = null;
  private deleted = false;
  private readonly decoder = createCapfDecoder({ maxBodyBytes: 0xffff });
  private socket!: tls.TLSSocket;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly o: CapfClientOptions,
    private readonly resolve: (r: CapfClientResult) => void,
    private readonly reject: (e: CapfClientError) => void,
  ) {}

  start(): void {
    const o = this.o;
    const socket = tls.connect({
      host: o.host,
      port: o.port,
      rejectUnauthorized: false,
      ...(o.localAddress ? { localAddress: o.localAddress } : {}),
      ...(o.tlsOptions ?? { secureContext: clientContext() }),
    });
    this.socket = socket;
    this.armTimer();
    socket.setNoDelay(true);
    if (o.checkServerCertificate) socket.once('secureConnect', this.onSecureConnect);
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
    socket.on('data', this.onData);
  }

  /** (Re)starts the wait for CAPF's next message. */
  private armTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = this.settled ? null : setTimeout(this.onTimeout, this.o.timeoutMs ?? 30_000);
  }

  private readonly onTimeout = (): void =>
    this.fail(`no answer from CAPF within ${this.o.timeoutMs ?? 30_000} ms`, 'timeout');
  private readonly onError = (e: Error): void => this.fail(`CAPF connection failed: ${e.message}`, 'connect');
  // Without END_SESSION the operation did not complete: an LSC stored in this session is not kept and the
  // phone tries again later (CAPF's retryable refusal, docs/capf.md; UNCERTAIN for real phones).
  private readonly onClose = (): void => this.fail('CAPF closed the connection without END_SESSION', 'closed');

  private readonly onSecureConnect = (): void => {
    const peerCert = this.socket.getPeerCertificate(false);
    this.serverCertificateDer = peerCert?.raw ? Buffer.from(peerCert.raw) : undefined;
    if (!this.serverCertificateDer || !this.o.checkServerCertificate!(this.serverCertificateDer)) {
      this.fail('CAPF server certificate is not the CAPF certificate in the trust list', 'server-certificate');
    }
  };

  private readonly onData = (chunk: Buffer): void => {
    this.armTimer();
    let msgs: CapfMessage[];
    try {
      msgs = this.decoder.push(chunk);
    } catch (e) {
      this.fail(`malformed message from CAPF: ${(e as Error).message}`, 'protocol');
      return;
    }
    for (const m of msgs) {
      try {
        const pending = this.handle(m);
        if (pending) pending.catch(this.onHandleError);
      } catch (e) {
        this.onHandleError(e as Error);
      }
    }
  };

  private readonly onHandleError = (e: Error): void => this.fail(e.message, 'protocol');

  private done(r: CapfClientResult): void {
    if (this.settled) return;
    this.settled = true;
    if (this.timer) clearTimeout(this.timer);
    // END_SESSION ends the conversation: close at once, as a phone does (no close_notify exchange to wait for).
    this.socket.destroy();
    this.resolve(r);
  }

  private fail(message: string, kind: CapfClientError['kind']): void {
    if (this.settled) return;
    this.settled = true;
    if (this.timer) clearTimeout(this.timer);
    this.socket.destroy();
    this.reject(new CapfClientError(message, kind, this.log));
  }

  private send(msg: CapfMessage, text: string): void {
    this.log.push(`P>S ${text}`);
    this.socket.write(
      this.o.jabberStyle && msg.command === CapfCommand.AUTH_RESPONSE
        ? encodeMessage(msg, { elementOrder: [7, 13, 1] })
        : encodeMessage(msg),
    );
  }

  /** Handles one message; returns a promise only while a key is being generated (or beforeStoreResponse runs). */
  private handle(m: CapfMessage): Promise<void> | void {
    if (this.settled) return;
    const o = this.o;
    this.log.push(
      `S>P ${capfCommandName(m.command)}${m.elements.reason !== undefined ? ` reason=${m.elements.reason}` : ''}`,
    );
    if (this.sessionId === null) this.sessionId = m.sessionId;
    else if (m.sessionId !== this.sessionId)
      throw new Error(`session id changed from ${this.sessionId} to ${m.sessionId}`);
    const sid = this.sessionId;
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
        this.send(authResponse(sid, fields), `AUTH_RESPONSE (${o.authMode})`);
        return;
      }
      case CapfCommand.KEY_GENERATE_REQUEST: {
        this.lastOp = 'install';
        const keyRequest = keyRequestOf(m);
        this.keyRequest = keyRequest;
        if (o.unsupportedKeyTypes?.includes(keyRequest.type)) {
          this.send(
            keyGenerateResponse(sid, { reason: CapfReason.INVALID_ELEMENT }),
            `KEY_GENERATE_RESPONSE (cannot make ${keyRequest.type})`,
          );
          return;
        }
        if (o.sendRequestInProgress !== false) this.send(requestInProgress(sid), 'REQUEST_IN_PROGRESS');
        return this.generateAndSend(sid, keyRequest);
      }
      case CapfCommand.STORE_CERTIFICATE_REQUEST: {
        const der = m.elements.certificate?.der;
        const newKey = this.newKey;
        if (!der || !newKey || o.failStore) {
          this.storeFailed = true;
          this.send(storeCertificateResponse(sid, CapfReason.INVALID_ELEMENT), 'STORE_CERTIFICATE_RESPONSE (failed)');
          return;
        }
        // The LSC must carry our new public key (its SPKI appears verbatim inside the certificate).
        if (!Buffer.from(der.buffer, der.byteOffset, der.byteLength).includes(spkiOf(newKey))) {
          this.storeFailed = true;
          this.send(
            storeCertificateResponse(sid, CapfReason.INVALID_ELEMENT),
            'STORE_CERTIFICATE_RESPONSE (certificate does not match key)',
          );
          return;
        }
        if (o.dropAfterStoreRequest) {
          this.newLsc = { der: Buffer.from(der), privateKey: newKey };
          this.log.push('-- connection dropped before STORE_CERTIFICATE_RESPONSE');
          return this.done({
            outcome: 'dropped',
            endReason: null,
            sessionId: this.sessionId,
            log: this.log,
            lsc: this.newLsc,
            ...(this.keyRequest ? { keyRequest: this.keyRequest } : {}),
          });
        }
        const ack = () => {
          if (this.settled) return;
          this.newLsc = { der: Buffer.from(der), privateKey: newKey };
          this.send(
            storeCertificateResponse(sid, CapfReason.UPDATE_CERTIFICATE),
            'STORE_CERTIFICATE_RESPONSE (stored)',
          );
        };
        if (o.beforeStoreResponse) return o.beforeStoreResponse().then(ack);
        ack();
        return;
      }
      case CapfCommand.DELETE_CERTIFICATE_REQUEST: {
        this.lastOp = 'delete';
        this.deleted = !!o.lsc;
        this.send(
          deleteCertificateResponse(sid, o.lsc ? CapfReason.UPDATE_CERTIFICATE : CapfReason.INVALID_ELEMENT),
          `DELETE_CERTIFICATE_RESPONSE (${o.lsc ? 'deleted' : 'nothing to delete'})`,
        );
        return;
      }
      case CapfCommand.FETCH_CERTIFICATE_REQUEST: {
        this.lastOp = 'fetch';
        if (o.lsc)
          this.send(
            fetchCertificateResponse(sid, { reason: CapfReason.UPDATE_CERTIFICATE, der: o.lsc.der }),
            'FETCH_CERTIFICATE_RESPONSE (LSC)',
          );
        else
          this.send(
            fetchCertificateResponse(sid, { reason: CapfReason.INVALID_ELEMENT }),
            'FETCH_CERTIFICATE_RESPONSE (no LSC)',
          );
        return;
      }
      case CapfCommand.END_SESSION: {
        const reason = m.elements.reason ?? null;
        const base = {
          endReason: reason,
          sessionId: this.sessionId,
          log: this.log,
          ...(this.serverCertificateDer ? { serverCertificateDer: this.serverCertificateDer } : {}),
          ...(this.keyRequest ? { keyRequest: this.keyRequest } : {}),
        };
        const lastOp = this.lastOp;
        if (reason === CapfReason.UNKNOWN_DEVICE) return this.done({ ...base, outcome: 'unknown-device' });
        if (lastOp === 'install' && this.newLsc) return this.done({ ...base, outcome: 'installed', lsc: this.newLsc });
        if (lastOp === 'install' && this.storeFailed) return this.done({ ...base, outcome: 'store-failed' });
        if (lastOp === 'delete') return this.done({ ...base, outcome: this.deleted ? 'deleted' : 'failed' });
        if (lastOp === 'fetch') return this.done({ ...base, outcome: o.lsc ? 'fetched' : 'failed' });
        if (lastOp === null && (reason === CapfReason.NO_ACTION || reason === CapfReason.UPDATE_CERTIFICATE))
          return this.done({ ...base, outcome: 'no-operation' });
        if (lastOp === null) return this.done({ ...base, outcome: 'rejected' });
        return this.done({ ...base, outcome: 'failed' });
      }
      default:
        throw new Error(`unexpected ${capfCommandName(m.command)} from CAPF`);
    }
  }

  private async generateAndSend(sid: number, keyRequest: KeyRequest): Promise<void> {
    // The phone's own work: CAPF's silence while it lasts is expected (it was told REQUEST_IN_PROGRESS).
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const pair = await (this.o.generateKey ?? defaultGenerate)(keyRequest);
    if (this.settled) return;
    this.armTimer();
    this.newKey = pair.privateKey;
    const spki = spkiOf(pair.publicKey);
    this.send(
      keyGenerateResponse(sid, { publicKey: spki }),
      `KEY_GENERATE_RESPONSE (${keyRequest.type === 'rsa' ? `RSA ${keyRequest.bits}` : `EC ${keyRequest.curve}`})`,
    );
  }
}
