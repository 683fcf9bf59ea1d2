// Owns the phone side of TVS (tvs-protocol.md §5–§6): one request over TLS, the server certificate checked by the
// caller.

import { createHash } from 'node:crypto';
import * as tls from 'node:tls';
import { AppError } from '../shared/errors.ts';
import { CodecError } from '../shared/errors.ts';
import {
  createTvsDecoder,
  encodeTvsMessage,
  type TvsQueryResponse,
  type TvsMessage,
  type TvsRequest,
  type TvsResponse,
  type TvsVerifyResponse,
} from './codec.ts';
import { TVS_DEFAULT_DEVICE_NAME, TvsStatus } from './constants.ts';

export interface TvsClientOptions {
  host: string;
  port: number;
  /**
   * Decides whether the server's certificate (DER) is the TVS the phone trusts — a phone compares it
   * with its ITL's TVS (role 21) records (§7). Anything but `true`, or a throw, fails the request.
   */
  checkServerCertificate: (certDer: Uint8Array) => boolean;
  /** Whole exchange: connect, handshake, request, response. */
  timeoutMs: number;
  /** `CP-<model>-SEP<mac>`; tvsc's default when omitted. */
  deviceName?: string;
  /** Client-chosen id the server copies (§2); tvsc starts at 1, the 8861 used 1001. */
  requestId?: number;
  tls?: {
    /** The phone's LSC and key, which the 8861 loads into its TLS context (§1; the server need not ask). */
    certPem?: string;
    keyPem?: string;
    minVersion?: tls.SecureVersion;
    maxVersion?: tls.SecureVersion;
    ciphers?: string;
  };
}

export interface TvsVerifyResult {
  trusted: boolean;
  /** Raw STATUS (0 valid, 1 invalid; anything but 0 counts as not trusted). */
  status: number;
  roles: number[];
  /** 0 when not trusted. */
  ttlSeconds: number;
}

export interface TvsQueryAnswer {
  found: boolean;
  status: number;
  certDer?: Uint8Array;
  roles: number[];
  ttlSeconds: number;
}

/** Asks whether `certDer` is trusted, and for which roles (VERIFY_REQUEST -> VERIFY_RESPONSE). */
export async function tvsVerify(options: TvsClientOptions & { certDer: Uint8Array }): Promise<TvsVerifyResult> {
  const request: TvsRequest = {
    command: 'VERIFY_REQUEST',
    requestId: options.requestId ?? 1,
    deviceName: options.deviceName ?? TVS_DEFAULT_DEVICE_NAME,
    certificate: options.certDer,
  };
  const response = (await tvsExchange(options, request)) as TvsVerifyResponse;
  const trusted = response.status === TvsStatus.VALID;
  return {
    trusted,
    status: response.status,
    roles: trusted ? (response.roles ?? []) : [],
    ttlSeconds: trusted ? (response.ttlSeconds ?? 0) : 0,
  };
}

/** Asks for a trusted certificate by subject / issuer / serial (QUERY_REQUEST -> QUERY_RESPONSE, §6). */
export async function tvsQuery(
  options: TvsClientOptions & { subject?: string; issuer?: string; serial?: Uint8Array },
): Promise<TvsQueryAnswer> {
  const request: TvsRequest = {
    command: 'QUERY_REQUEST',
    requestId: options.requestId ?? 1,
    deviceName: options.deviceName ?? TVS_DEFAULT_DEVICE_NAME,
  };
  if (options.subject !== undefined) request.subjectName = options.subject;
  if (options.issuer !== undefined) request.issuerName = options.issuer;
  if (options.serial !== undefined) request.serialNumber = options.serial;
  const response = (await tvsExchange(options, request)) as TvsQueryResponse;
  const found = response.status === TvsStatus.VALID && response.certificate !== undefined;
  const answer: TvsQueryAnswer = {
    found,
    status: response.status,
    roles: found ? (response.roles ?? []) : [],
    ttlSeconds: found ? (response.ttlSeconds ?? 0) : 0,
  };
  if (found) answer.certDer = response.certificate!;
  return answer;
}

const RESPONSE_OF = { VERIFY_REQUEST: 'VERIFY_RESPONSE', QUERY_REQUEST: 'QUERY_RESPONSE' } as const;

/**
 * One request, one response, then the connection is closed. Certificate checking is manual
 * (`rejectUnauthorized: false`) because trust comes from the ITL, not from a CA store; the request
 * is written only after `checkServerCertificate` has returned true.
 */
export function tvsExchange(options: TvsClientOptions, request: TvsRequest): Promise<TvsResponse> {
  const where = `${options.host}:${options.port}`;
  const frame = encodeTvsMessage(request); // encoding errors surface before any network I/O
  return new Promise<TvsResponse>((resolve, reject) => {
    let settled = false;
    const socket = tls.connect({
      host: options.host,
      port: options.port,
      rejectUnauthorized: false,
      ...(options.tls?.certPem ? { cert: options.tls.certPem } : {}),
      ...(options.tls?.keyPem ? { key: options.tls.keyPem } : {}),
      ...(options.tls?.minVersion ? { minVersion: options.tls.minVersion } : {}),
      ...(options.tls?.maxVersion ? { maxVersion: options.tls.maxVersion } : {}),
      ...(options.tls?.ciphers ? { ciphers: options.tls.ciphers } : {}),
    });
    const settle = (error: Error | null, response?: TvsResponse): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) {
        socket.destroy();
        reject(error);
      } else {
        socket.end();
        resolve(response!);
      }
    };
    const timer = setTimeout(
      () =>
        settle(
          new AppError('ERR_INTERNAL', `TVS ${where} did not answer within ${options.timeoutMs} ms`, {
            reason: 'timeout',
            host: options.host,
            port: options.port,
          }),
        ),
      options.timeoutMs,
    );
    socket.once('secureConnect', () => {
      const raw = socket.getPeerCertificate(false)?.raw;
      let trusted = false;
      try {
        trusted = raw !== undefined && raw.length > 0 && options.checkServerCertificate(new Uint8Array(raw)) === true;
      } catch (e) {
        settle(
          new AppError(
            'ERR_PKI_CHAIN',
            `TVS ${where}: server certificate check failed`,
            { host: options.host, port: options.port },
            { cause: e },
          ),
        );
        return;
      }
      if (!trusted) {
        const sha256 = raw ? createHash('sha256').update(raw).digest('hex') : undefined;
        settle(
          new AppError('ERR_PKI_CHAIN', `TVS ${where}: server certificate is not a trusted TVS certificate`, {
            host: options.host,
            port: options.port,
            sha256,
          }),
        );
        return;
      }
      socket.write(frame);
    });
    const decoder = createTvsDecoder();
    socket.on('data', (chunk: Buffer) => {
      let messages: TvsMessage[];
      try {
        messages = decoder.push(chunk);
      } catch (e) {
        settle(e as Error);
        return;
      }
      const response = messages[0];
      if (!response) return;
      if (response.command !== RESPONSE_OF[request.command]) {
        settle(
          new CodecError('ERR_CODEC_BAD_VALUE', `TVS ${where} answered ${request.command} with ${response.command}`),
        );
      } else if (response.requestId !== request.requestId) {
        settle(
          new CodecError(
            'ERR_CODEC_BAD_VALUE',
            `TVS ${where} answered request ${request.requestId} with id ${response.requestId}`,
          ),
        );
      } else {
        settle(null, response as TvsResponse);
      }
    });
    const closed = (): void =>
      settle(
        new AppError('ERR_INTERNAL', `TVS ${where} closed the connection without answering`, {
          reason: 'closed',
          host: options.host,
          port: options.port,
        }),
      );
    socket.on('end', closed);
    socket.on('close', closed);
    socket.on('error', (e: NodeJS.ErrnoException) =>
      settle(
        new AppError(
          'ERR_INTERNAL',
          `TVS ${where}: ${e.message}`,
          { reason: 'connection', code: e.code, host: options.host, port: options.port },
          { cause: e },
        ),
      ),
    );
  });
}
