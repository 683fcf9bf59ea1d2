// Owns the server side of one CAPF conversation as a state machine over a narrow port
// (capf-protocol.md §6). Transport-free: the socket adapter feeds decoded messages and timer expiries.
//
//   start ──AUTH_REQUEST──► auth ──AUTH_RESPONSE──► authority.authenticate
//        end ◄── END_SESSION(0|7|9)                  │
//        keygen ◄── KEY_GENERATE_REQUEST ────────────┤ install   (REQUEST_IN_PROGRESS* re-arms the timer)
//          └─KEY_GENERATE_RESPONSE─► issue ─► store ◄─STORE_CERTIFICATE_REQUEST─► END_SESSION(1)
//        delete ◄── DELETE_CERTIFICATE_REQUEST ──────┤ delete ─► END_SESSION(1)
//        fetch  ◄── FETCH_CERTIFICATE_REQUEST ───────┘ fetch  ─► END_SESSION(0)

import { X509Certificate, type KeyObject } from 'node:crypto';
import { AppError, isStoreUnavailable } from '../shared/errors.ts';
import { isoString, type Clock } from '../shared/clock.ts';
import type {
  CapfAuthority,
  Completion,
  Decision,
  KeyRequest,
  PresentedCertificate,
  SessionLogEntry,
} from './ports.ts';
import {
  authRequest,
  deleteCertificateRequest,
  encodeMessage,
  endSession,
  fetchCertificateRequest,
  keyGenerateRequestEc,
  keyGenerateRequestRsa,
  storeCertificateRequest,
  type CapfMessage,
} from './codec.ts';
import { CapfCommand, CapfHashId, CapfReason, capfCommandName } from './constants.ts';
import { verifyCertificateAuth, verifySudiData } from './signed-data.ts';

export type WireStyle = 'capfd' | 'cucm';

export interface SessionSettings {
  wireStyle: WireStyle;
  responseTimeoutMs: number;
  keyGenerationTimeoutMs: number;
}

export interface SessionTransport {
  /** Writes one whole message with ONE write (§1: split writes stall phones). */
  send(frame: Buffer): void;
  /** Ends the connection after pending writes. */
  close(): void;
  /** (Re)arms the single phase timer; the adapter calls session.onTimeout() when it fires. */
  armTimer(ms: number): void;
  clearTimer(): void;
}

export interface SessionLogger {
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
  error(obj: Record<string, unknown>, msg: string): void;
}

/** The driver's code behind a store failure (SQLITE_FULL, ECONNREFUSED…), for the log line. */
function underlyingCode(e: unknown): string | undefined {
  const d = e instanceof AppError ? e.details?.cause : (e as { code?: unknown } | null)?.code;
  return typeof d === 'string' ? d : undefined;
}

type Phase = 'auth' | 'keygen' | 'store' | 'delete' | 'fetch' | 'done';

type Job =
  | { kind: 'message'; msg: CapfMessage }
  | { kind: 'decode-error'; err: Error }
  | { kind: 'timeout' }
  | { kind: 'close' };

const ACCEPTED_VERSIONS = new Set([2, 3]); // §8: capfc/capfd send 3, Jabber sends 2

export class CapfServerSession {
  private phase: Phase = 'auth';
  private deviceName: string | null = null;
  private operation: string | null = null;
  private authMode: string | null = null;
  private protocolVersion: number | null = null;
  private pendingKeys: KeyRequest[] = [];
  private issuedSerial: string | null = null;
  private outcome: 'success' | 'failure' | 'none' | 'rejected' = 'failure';
  private reason: string | null = null;
  private readonly log: SessionLogEntry[] = [];
  private readonly startedAt: Date;
  /** Events are handled one at a time, in order (a job list and one drain loop: no closure per event). */
  private readonly jobs: Job[] = [];
  private draining: Promise<void> | null = null;
  private recorded = false;

  constructor(
    readonly sessionId: number,
    private readonly peer: string,
    private readonly authority: CapfAuthority,
    private readonly settings: SessionSettings,
    private readonly transport: SessionTransport,
    private readonly clock: Clock,
    private readonly logger: SessionLogger,
  ) {
    this.startedAt = clock.now();
  }

  get finished(): boolean {
    return this.phase === 'done';
  }

  private note(dir: SessionLogEntry['dir'], text: string): void {
    this.log.push({ at: isoString(this.clock.now()), dir, text });
  }

  private send(msg: CapfMessage, text: string): void {
    this.transport.send(encodeMessage(msg));
    this.note('S>P', text);
  }

  start(): void {
    const msg =
      this.settings.wireStyle === 'cucm' ? authRequest(this.sessionId) : authRequest(this.sessionId, { authType: 0 });
    this.send(msg, 'AUTH_REQUEST');
    this.transport.armTimer(this.settings.responseTimeoutMs);
  }

  /** Messages are handled one at a time, in order, even though the authority is asynchronous. */
  onMessage(msg: CapfMessage): Promise<void> {
    return this.enqueue({ kind: 'message', msg });
  }

  onDecodeError(err: Error): Promise<void> {
    return this.enqueue({ kind: 'decode-error', err });
  }

  onTimeout(): Promise<void> {
    return this.enqueue({ kind: 'timeout' });
  }

  /** The peer closed or the socket failed. */
  onClose(): Promise<void> {
    return this.enqueue({ kind: 'close' });
  }

  /** Resolves when every queued event, this one included, has been handled. */
  private enqueue(job: Job): Promise<void> {
    this.jobs.push(job);
    this.draining ??= this.drain();
    return this.draining;
  }

  private async drain(): Promise<void> {
    try {
      for (let job = this.jobs.shift(); job !== undefined; job = this.jobs.shift()) {
        try {
          await this.run(job);
        } catch (e) {
          await this.fail('protocol-error', e);
        }
      }
    } finally {
      this.draining = null;
    }
  }

  private async run(job: Job): Promise<void> {
    if (job.kind === 'message') return this.handle(job.msg);
    if (this.phase === 'done') return;
    const phase = this.phase;
    switch (job.kind) {
      case 'decode-error':
        this.note('--', `malformed frame: ${job.err.message}`);
        return this.finishWith(CapfReason.INVALID_ELEMENT, 'failure', `malformed frame: ${job.err.message}`, {
          step: 'protocol-error',
          note: job.err.message,
        });
      case 'timeout':
        this.note('--', `timeout waiting for the phone in phase ${phase}`);
        return this.finishWith(
          CapfReason.INVALID_ELEMENT,
          'failure',
          `phone did not answer in time (${phase})`,
          phase === 'auth' ? null : { step: 'timeout', phase },
        );
      case 'close':
        this.note('--', `connection closed by phone in phase ${phase}`);
        this.phase = 'done';
        this.transport.clearTimer();
        this.reason = `connection lost (${phase})`;
        // Nothing left to tell the phone; a failure to record is logged by record().
        return this.record(phase !== 'auth' && this.deviceName ? { step: 'connection-lost', phase } : null).catch(
          () => undefined,
        );
    }
  }

  private async handle(msg: CapfMessage): Promise<void> {
    if (this.phase === 'done') return;
    const name = capfCommandName(msg.command);
    if (msg.sessionId !== this.sessionId) {
      this.note('P>S', `${name} with session id ${msg.sessionId}`);
      return this.finishWith(
        CapfReason.INVALID_ELEMENT,
        'failure',
        `mismatched session id ${msg.sessionId}`,
        this.phase === 'auth' ? null : { step: 'protocol-error', note: 'mismatched session id' },
      );
    }
    if (msg.command === CapfCommand.REQUEST_IN_PROGRESS) {
      this.note('P>S', 'REQUEST_IN_PROGRESS');
      if (this.phase === 'keygen') this.transport.armTimer(this.settings.keyGenerationTimeoutMs);
      return; // §6.8: any number, in any phase, is tolerated
    }
    switch (this.phase) {
      case 'auth':
        if (msg.command !== CapfCommand.AUTH_RESPONSE) return this.unexpected(name);
        return this.onAuthResponse(msg);
      case 'keygen':
        if (msg.command !== CapfCommand.KEY_GENERATE_RESPONSE) return this.unexpected(name);
        return this.onKeyGenerateResponse(msg);
      case 'store':
        if (msg.command !== CapfCommand.STORE_CERTIFICATE_RESPONSE) return this.unexpected(name);
        this.note('P>S', `STORE_CERTIFICATE_RESPONSE reason=${msg.elements.reason ?? '-'}`);
        if (msg.elements.reason === CapfReason.UPDATE_CERTIFICATE) {
          return this.finishWith(CapfReason.UPDATE_CERTIFICATE, 'success', null, {
            step: 'stored',
            serialHex: this.issuedSerial!,
          });
        }
        return this.finishWith(
          CapfReason.UPDATE_CERTIFICATE,
          'failure',
          `phone did not store the LSC (reason ${msg.elements.reason ?? 'none'})`,
          { step: 'store-failed', serialHex: this.issuedSerial!, phoneReason: msg.elements.reason ?? null },
        );
      case 'delete':
        if (msg.command !== CapfCommand.DELETE_CERTIFICATE_RESPONSE) return this.unexpected(name);
        this.note('P>S', `DELETE_CERTIFICATE_RESPONSE reason=${msg.elements.reason ?? '-'}`);
        if (msg.elements.reason === CapfReason.UPDATE_CERTIFICATE)
          return this.finishWith(CapfReason.UPDATE_CERTIFICATE, 'success', null, { step: 'deleted' });
        return this.finishWith(
          CapfReason.UPDATE_CERTIFICATE,
          'failure',
          `phone could not delete its LSC (reason ${msg.elements.reason ?? 'none'})`,
          { step: 'delete-failed', phoneReason: msg.elements.reason ?? null },
        );
      case 'fetch': {
        if (msg.command !== CapfCommand.FETCH_CERTIFICATE_RESPONSE) return this.unexpected(name);
        const cert = msg.elements.certificate;
        this.note(
          'P>S',
          'FETCH_CERTIFICATE_RESPONSE ' +
            `reason=${msg.elements.reason ?? '-'}${cert ? ` certificate ${cert.der.length} bytes` : ''}`,
        );
        if (msg.elements.reason === CapfReason.UPDATE_CERTIFICATE && cert) {
          return this.finishWith(CapfReason.NO_ACTION, 'success', null, {
            step: 'fetched',
            certificateDer: Buffer.from(cert.der),
          });
        }
        return this.finishWith(CapfReason.NO_ACTION, 'failure', 'phone has no certificate to fetch', {
          step: 'fetch-failed',
          phoneReason: msg.elements.reason ?? null,
        });
      }
    }
  }

  private unexpected(name: string): Promise<void> {
    this.note('P>S', name);
    return this.finishWith(
      CapfReason.INVALID_ELEMENT,
      'failure',
      `unexpected ${name} in phase ${this.phase}`,
      this.phase === 'auth' ? null : { step: 'protocol-error', note: `unexpected ${name}` },
    );
  }

  private async onAuthResponse(msg: CapfMessage): Promise<void> {
    const e = msg.elements;
    this.protocolVersion = e.version ?? null;
    const password = e.password !== undefined ? ' password=[redacted]' : '';
    const withCert = e.certificate ? ' certificate' : '';
    const sudi = e.sudiData ? ' sudi' : '';
    this.note(
      'P>S',
      `AUTH_RESPONSE device=${e.deviceName ?? '-'} version=${e.version ?? '-'}${password}${withCert}${sudi}`,
    );
    if (!e.deviceName)
      return this.finishWith(CapfReason.INVALID_ELEMENT, 'failure', 'AUTH_RESPONSE without DEVICE_NAME', null);
    this.deviceName = e.deviceName;
    if (e.version !== undefined && !ACCEPTED_VERSIONS.has(e.version)) {
      return this.finishWith(CapfReason.INVALID_ELEMENT, 'failure', `unsupported protocol version ${e.version}`, null);
    }
    let certificate: PresentedCertificate | null = null;
    if (e.certificate) certificate = this.checkPossession(e.deviceName, msg);
    const decision: Decision = await this.authority.authenticate({
      sessionId: this.sessionId,
      peer: this.peer,
      deviceName: e.deviceName,
      protocolVersion: this.protocolVersion,
      password: e.password ?? null,
      certificate,
    });
    this.authMode = decision.authMode ?? null;
    switch (decision.action) {
      case 'end':
        this.outcome = decision.reason === 0 ? 'none' : 'rejected';
        return this.finishWith(decision.reason, this.outcome, decision.note, null);
      case 'install':
        this.operation = 'install';
        this.pendingKeys = [...decision.keyRequests];
        return this.requestKey();
      case 'delete':
        this.operation = 'delete';
        this.phase = 'delete';
        this.send(deleteCertificateRequest(this.sessionId), 'DELETE_CERTIFICATE_REQUEST');
        this.transport.armTimer(this.settings.responseTimeoutMs);
        return;
      case 'fetch':
        this.operation = 'troubleshoot';
        this.phase = 'fetch';
        this.send(fetchCertificateRequest(this.sessionId), 'FETCH_CERTIFICATE_REQUEST');
        this.transport.armTimer(this.settings.responseTimeoutMs);
        return;
    }
  }

  /** §5.4/§5.5: proof that the phone holds the presented certificate's key (and SUDI when sent). */
  private checkPossession(deviceName: string, msg: CapfMessage): PresentedCertificate {
    const e = msg.elements;
    const der = Buffer.from(e.certificate!.der);
    let publicKey: KeyObject;
    try {
      publicKey = new X509Certificate(der).publicKey;
    } catch {
      this.note('--', 'presented certificate cannot be parsed');
      return { der, possessionProven: false };
    }
    let proven = false;
    if (e.signedData && e.sha2SignedData && e.sha2SignedData.hashId === CapfHashId.SHA512) {
      const r = verifyCertificateAuth(publicKey, deviceName, der, e.signedData, e.sha2SignedData.signature);
      proven = r.ok;
      if (r.ok && (r.sha1.prefixWellFormed === false || r.sha512.prefixWellFormed === false)) {
        this.logger.warn(
          { sessionId: this.sessionId, device: deviceName },
          'RSA signature accepted with a malformed padding prefix (capfd-lenient rule)',
        );
      }
    }
    this.note('--', `certificate proof of possession ${proven ? 'verified' : 'FAILED'}`);
    const out: PresentedCertificate = { der, possessionProven: proven };
    if (e.sudiData) {
      let ok = false;
      try {
        ok = verifySudiData(
          new X509Certificate(Buffer.from(e.sudiData.certDer)).publicKey,
          this.sessionId,
          e.sudiData,
        ).ok;
      } catch {
        ok = false;
      }
      this.note('--', `SUDI data ${ok ? 'verified' : 'FAILED'}`);
      out.sudi = { der: Buffer.from(e.sudiData.certDer), verified: ok };
    }
    return out;
  }

  private requestKey(): Promise<void> {
    const req = this.pendingKeys.shift();
    if (!req) {
      return this.finishWith(
        CapfReason.INVALID_ELEMENT,
        'failure',
        'phone did not generate any of the requested keys',
        { step: 'key-failed', note: 'no key generated' },
      );
    }
    this.phase = 'keygen';
    if (req.type === 'rsa') {
      this.send(
        keyGenerateRequestRsa(this.sessionId, {
          keySizeBits: req.bits,
          sendKeyType: this.settings.wireStyle === 'capfd',
        }),
        `KEY_GENERATE_REQUEST RSA ${req.bits}`,
      );
    } else {
      this.send(keyGenerateRequestEc(this.sessionId, { curve: req.curve }), `KEY_GENERATE_REQUEST EC ${req.curve}`);
    }
    this.transport.armTimer(this.settings.keyGenerationTimeoutMs);
    return Promise.resolve();
  }

  private async onKeyGenerateResponse(msg: CapfMessage): Promise<void> {
    const spki = msg.elements.publicKey;
    this.note(
      'P>S',
      `KEY_GENERATE_RESPONSE ${spki ? `public key ${spki.length} bytes` : `reason=${msg.elements.reason ?? '-'}`}`,
    );
    if (!spki) {
      if (this.pendingKeys.length > 0) {
        this.note('--', 'phone declined the key request; offering the next key type (Key Order fallback)');
        return this.requestKey();
      }
      return this.finishWith(CapfReason.INVALID_ELEMENT, 'failure', 'phone sent no public key', {
        step: 'key-failed',
        note: `reason ${msg.elements.reason ?? 'none'}`,
      });
    }
    const issued = await this.authority.issue({
      sessionId: this.sessionId,
      peer: this.peer,
      deviceName: this.deviceName!,
      publicKeySpki: Buffer.from(spki),
    });
    if (!issued.ok) return this.finishWith(CapfReason.INVALID_ELEMENT, 'failure', issued.note, null);
    this.issuedSerial = issued.serialHex;
    this.note('--', `LSC ${issued.serialHex} issued and recorded`);
    this.phase = 'store';
    this.send(
      storeCertificateRequest(this.sessionId, { der: issued.certDer }),
      `STORE_CERTIFICATE_REQUEST serial ${issued.serialHex}`,
    );
    this.transport.armTimer(this.settings.responseTimeoutMs);
  }

  private async finishWith(
    endReason: number,
    outcome: 'success' | 'failure' | 'none' | 'rejected',
    reason: string | null,
    completion: Completion | null,
  ): Promise<void> {
    if (this.phase === 'done') return;
    this.phase = 'done';
    this.transport.clearTimer();
    this.outcome = outcome;
    this.reason = reason;
    // The outcome is committed before END_SESSION is sent, so what the admin sees never lags the phone,
    // and a phone is never told "done" (END_SESSION 1 after STORE) for an outcome the store does not hold.
    try {
      await this.record(completion && this.deviceName ? completion : null);
    } catch (e) {
      return this.refuse(e, 'the session outcome could not be committed');
    }
    this.send(endSession(this.sessionId, endReason), `END_SESSION reason=${endReason}`);
    this.transport.close();
  }

  private async fail(kind: 'protocol-error', e: unknown): Promise<void> {
    if (this.phase === 'done') return;
    // The store cannot be used (database unreachable, disk full): neither the phone's fault nor a failure
    // to record against it. Refuse in a way the phone retries.
    if (isStoreUnavailable(e)) return this.refuse(e, 'the store is unavailable');
    const message = e instanceof AppError ? e.message : 'internal error';
    if (!(e instanceof AppError))
      this.logger.warn(
        { sessionId: this.sessionId, err: e instanceof Error ? e.message : String(e) },
        'CAPF session failed',
      );
    await this.finishWith(
      CapfReason.INVALID_ELEMENT,
      'failure',
      message,
      this.deviceName && this.phase !== 'auth' ? { step: kind, note: message } : null,
    ).catch(() => undefined);
  }

  /**
   * The retryable refusal (docs/capf.md "What the phone sees"): the connection ends WITHOUT END_SESSION,
   * as capfd's --limit refusal does, so the phone reports a connection failure and tries again later. No
   * outcome is stored against the phone: its operation stays pending. An LSC the phone may already have
   * stored in this session is one it was never told is done (it treats the operation as not completed).
   */
  private refuse(e: unknown, why: string): void {
    const phase = this.phase;
    this.phase = 'done';
    this.transport.clearTimer();
    this.logger.error(
      {
        sessionId: this.sessionId,
        device: this.deviceName,
        peer: this.peer,
        phase,
        code: underlyingCode(e),
        err: e instanceof Error ? e.message : String(e),
      },
      `CAPF session refused without END_SESSION (the phone retries): ${why}`,
    );
    this.authority.release?.(this.sessionId);
    this.transport.close();
  }

  private async record(completion: Completion | null): Promise<void> {
    if (this.recorded) return;
    this.recorded = true;
    const endedAt = this.clock.now();
    const rec = {
      sessionId: this.sessionId,
      deviceName: this.deviceName,
      peer: this.peer,
      startedAt: isoString(this.startedAt),
      endedAt: isoString(endedAt),
      operation: this.operation,
      authMode: this.authMode,
      outcome: this.outcome,
      reason: this.reason,
      status: null,
      protocolVersion: this.protocolVersion,
      log: this.log,
    };
    try {
      await this.authority.finish(rec, completion);
    } catch (e) {
      // The caller decides what the phone sees (finishWith refuses); here only the failure is told, at error.
      this.logger.error(
        {
          sessionId: this.sessionId,
          device: this.deviceName,
          outcome: this.outcome,
          code: underlyingCode(e),
          err: (e as Error).message,
        },
        'could not record the CAPF session outcome',
      );
      throw e;
    }
    this.logger.info(
      {
        sessionId: this.sessionId,
        device: this.deviceName,
        peer: this.peer,
        operation: this.operation,
        outcome: this.outcome,
        reason: this.reason,
        ms: endedAt.getTime() - this.startedAt.getTime(),
      },
      'CAPF session ended',
    );
  }
}
