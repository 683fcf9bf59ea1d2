// Owns what happens to a phone when it talks to CAPF: authentication by mode, deadline and lockout,
// key checks, LSC issuing and recording, and the Certificate Operation Status CUCM would show.

import { isoString, type Clock } from '../shared/clock.ts';
import { isStoreUnavailable } from '../shared/errors.ts';
import { constantTimeEqual } from '../shared/secrets.ts';
import type {
  AuthenticationRequest,
  CapfAuthority,
  CapfSessionRecord,
  Completion,
  Decision,
  KeyRequest,
} from '../capf/ports.ts';
import type {
  CertificateAuthorityPort,
  CertificateFacts,
  CertificateReader,
  ManufacturingTrustPort,
  PhoneStore,
} from './ports.ts';
import { micNamesDevice } from './mic-binding.ts';
import { recordAudit, type AuditAction } from '../audit/index.ts';
import { normaliseDeviceName } from './device-name.ts';
import {
  sameStatus,
  STATUS,
  type CertOperation,
  DEFAULT_PROFILE_NAME,
  type FailureReason,
  type MicSummary,
  type OperationStatusCode,
  type Phone,
} from './model.ts';

export interface CapfOperationsOptions {
  store: PhoneStore;
  ca: CertificateAuthorityPort;
  reader: CertificateReader;
  /** The manufacturing CAs MICs are checked against (capf.manufacturingCaFile and the managed entries). */
  manufacturing: ManufacturingTrustPort;
  clock: Clock;
  authFailureLimit: number;
}

const CURVE_OF = { 256: 'P-256', 384: 'P-384', 521: 'P-521' } as const;

/**
 * Key requests in the order they are offered, from the phone's Key Order (capf-protocol.md §6.3, UNCERTAIN for ec-rsa).
 */
export function keyRequestsFor(phone: Phone): KeyRequest[] {
  const rsa: KeyRequest = { type: 'rsa', bits: phone.capf.rsaKeySize };
  const ec: KeyRequest = { type: 'ec', curve: CURVE_OF[phone.capf.ecKeySize ?? 256] };
  switch (phone.capf.keyOrder) {
    case 'rsa':
      return [rsa];
    case 'ec':
      return [ec];
    case 'ec-rsa':
      return [ec, rsa];
  }
}

function sameDevice(stored: string, sent: string): boolean {
  return stored === sent || stored === normaliseDeviceName(sent);
}

function sameKey(a: KeyRequest, b: { type: 'rsa'; bits: number } | { type: 'ec'; curve: string }): boolean {
  return a.type === 'rsa' ? b.type === 'rsa' && b.bits === a.bits : b.type === 'ec' && b.curve === a.curve;
}

/** A certificate-mode check's outcome; `mic` is the MIC to record (possession proven, chained, naming the phone). */
type CertificateCheck =
  | { ok: true; kind: 'lsc'; facts: CertificateFacts }
  | { ok: true; kind: 'mic'; facts: CertificateFacts; mic: MicSummary; expiredAccepted: string | null }
  | { ok: false; note: string; mic?: MicSummary };

/** What the authority remembers between the calls of one session (bounded by concurrent sessions). */
interface SessionState {
  phone: Phone;
  issued?: { serialHex: string; issuerDn: string; notBefore: string; notAfter: string };
}

export function createCapfOperations(o: CapfOperationsOptions): CapfAuthority {
  const { store, ca, reader, clock, manufacturing } = o;
  const iso = () => isoString(clock.now());
  const sessions = new Map<number, SessionState>();

  async function setStatus(deviceName: string, operationStatus: OperationStatusCode): Promise<void> {
    await store.patchPhone(deviceName, { operationStatus }, iso());
  }

  function opOf(phone: Phone): Exclude<CertOperation, 'none'> {
    return phone.capf.operation === 'none' ? 'install' : phone.capf.operation;
  }

  /** Does this LSC name this device? CN is the device name (or CUCM's CP-<model>-SEP<MAC>). */
  function lscNamesDevice(facts: CertificateFacts, deviceName: string): boolean {
    return facts.commonName === deviceName || facts.commonName.endsWith(`-${deviceName}`);
  }

  /** The phone's security profile's "accept an expired MIC" policy (a phone without one has the default profile). */
  async function acceptsExpiredMic(phone: Phone): Promise<{ profile: string; accepts: boolean }> {
    const name = phone.profileName ?? DEFAULT_PROFILE_NAME;
    return { profile: name, accepts: (await store.getProfile(name))?.acceptExpiredMic === true };
  }

  /** Certificate-mode check: which kind the presented certificate is, and whether it is acceptable. */
  async function checkCertificate(phone: Phone, req: AuthenticationRequest): Promise<CertificateCheck> {
    const cert = req.certificate;
    if (!cert) return { ok: false, note: 'certificate authentication required but no certificate was presented' };
    if (!cert.possessionProven)
      return { ok: false, note: 'SIGNED_DATA/SHA2_SIGNED_DATA did not verify under the presented certificate' };
    if (cert.sudi && !cert.sudi.verified) return { ok: false, note: 'SUDI_DATA did not verify' };
    let facts: CertificateFacts;
    try {
      facts = reader.read(cert.der);
    } catch {
      return { ok: false, note: 'presented certificate cannot be parsed' };
    }
    const now = clock.now();
    const notYetValid = facts.notBefore.getTime() > now.getTime() + 86_400_000;
    const expired = facts.notAfter < now;
    const outside = { ok: false, note: `presented certificate ${facts.serialHex} is outside its validity` } as const;
    if (ca.isOurLsc(cert.der)) {
      if (expired || notYetValid) return outside;
      if (!lscNamesDevice(facts, phone.deviceName))
        return { ok: false, note: `LSC ${facts.serialHex} belongs to ${facts.commonName}, not ${phone.deviceName}` };
      const rec = await store.getCertificate(facts.serialHex);
      if (rec && (rec.state === 'revoked' || rec.deviceName !== phone.deviceName))
        return {
          ok: false,
          note: `LSC ${facts.serialHex} is ${rec.state === 'revoked' ? 'revoked' : "not this phone's"}`,
        };
      return { ok: true, kind: 'lsc', facts };
    }
    const issuer = await manufacturing.issuerOf(cert.der);
    if (!issuer) {
      if (expired || notYetValid) return outside;
      return {
        ok: false,
        note:
          `certificate ${facts.serialHex} (${facts.issuerDn}) chains ` +
          'neither to the CAPF CA nor to a configured manufacturing CA',
      };
    }
    if (!micNamesDevice(facts, phone.deviceName))
      return { ok: false, note: `MIC ${facts.serialHex} (${facts.subjectDn}) does not name ${phone.deviceName}` };
    const mic: MicSummary = {
      serialHex: facts.serialHex,
      subjectDn: facts.subjectDn,
      issuerDn: facts.issuerDn,
      notAfter: facts.notAfter.toISOString(),
      sha1: facts.sha1,
      seenAt: isoString(now),
    };
    if (notYetValid) return { ...outside, mic };
    // precedence to LSC: a phone that holds an LSC we issued must prove it; only an LSC-less phone may fall back to
    // its MIC.
    if (phone.capf.authMode === 'existing-lsc' && phone.lsc)
      return {
        ok: false,
        mic,
        note: 'By Existing Certificate (precedence to LSC): phone has an LSC on record but presented its MIC',
      };
    // An expired MIC, or a MIC whose manufacturing CA has expired, authenticates only under the profile's policy
    // (docs/capf.md, "Expired MICs"); chain and device binding were checked above either way.
    const lapsed = expired
      ? `MIC ${facts.serialHex} expired on ${facts.notAfter.toISOString()}`
      : issuer.notAfter < now
        ? `the manufacturing CA of MIC ${facts.serialHex} (${issuer.subjectDn}) expired on ` +
          issuer.notAfter.toISOString()
        : null;
    if (lapsed) {
      const policy = await acceptsExpiredMic(phone);
      if (!policy.accepts)
        return {
          ok: false,
          mic,
          note:
            `${lapsed}; security profile "${policy.profile}" does not accept expired MICs ` +
            '(move the phone to an LSC, or see docs/capf.md "Expired MICs")',
        };
      return {
        ok: true,
        kind: 'mic',
        facts,
        mic,
        expiredAccepted: `${lapsed}; accepted by security profile "${policy.profile}"`,
      };
    }
    return { ok: true, kind: 'mic', facts, mic, expiredAccepted: null };
  }

  async function failAuth(phone: Phone, reason: FailureReason, note: string, keepPending: boolean): Promise<Decision> {
    const n = await store.incrementAuthFailures(phone.deviceName, iso());
    const op = opOf(phone);
    if (n >= o.authFailureLimit) {
      await setStatus(phone.deviceName, STATUS.failed(op, 'authLocked'));
      return { action: 'end', reason: 7, note: `${note}; locked after ${n} failures` };
    }
    if (!keepPending) await setStatus(phone.deviceName, STATUS.failed(op, reason));
    return { action: 'end', reason: 7, note: `${note} (failure ${n} of ${o.authFailureLimit})` };
  }

  /** The phone-status part of a session's end, inside the session's transaction. */
  async function applyCompletion(
    tx: PhoneStore,
    st: SessionState,
    s: CapfSessionRecord,
    c: Completion,
    now: string,
  ): Promise<void> {
    const phone = st.phone;
    const op = opOf(phone);
    const endStatus = (operationStatus: OperationStatusCode) =>
      tx.patchPhone(phone.deviceName, { operationStatus, lastSessionAt: now }, now);
    const endAudit = (action: AuditAction, details: Record<string, unknown>) =>
      recordAudit(tx, { at: now, actor: { name: 'capf', source: s.peer }, action, target: phone.deviceName, details });
    switch (c.step) {
      case 'stored': {
        if (phone.lsc && phone.lsc.serialHex !== c.serialHex) {
          await tx.setCertificateState(phone.lsc.serialHex, 'revoked', {
            revokedAt: now,
            revocationReason: 'superseded',
          });
          await endAudit('certificate.revoke', { serial: phone.lsc.serialHex, reason: 'superseded' });
        }
        // LSCs sent to this phone earlier but never acknowledged (connection or server lost after
        // STORE_CERTIFICATE_REQUEST) are superseded now that this one is confirmed (docs/capf.md).
        for (const orphan of await tx.revokeUnacknowledgedLscs(
          { deviceName: phone.deviceName, exceptSerial: c.serialHex },
          now,
          'superseded',
        )) {
          const details = { serial: orphan.serialHex, reason: 'superseded', unacknowledged: true };
          await endAudit('certificate.revoke', details);
        }
        await tx.setCertificateState(c.serialHex, 'delivered');
        const issued = st.issued ?? (await tx.getCertificate(c.serialHex));
        await tx.patchPhone(
          phone.deviceName,
          {
            operationStatus: STATUS.success('install'),
            capf: { operation: 'none' },
            authFailures: 0,
            lsc: issued
              ? {
                  serialHex: issued.serialHex,
                  issuerDn: issued.issuerDn,
                  notBefore: issued.notBefore,
                  notAfter: issued.notAfter,
                }
              : null,
            lastSessionAt: now,
          },
          now,
        );
        return;
      }
      case 'store-failed':
        return void (await endStatus(STATUS.failed('install', 'phoneRejected')));
      case 'deleted':
        if (phone.lsc) {
          await tx.setCertificateState(phone.lsc.serialHex, 'revoked', {
            revokedAt: now,
            revocationReason: 'cessationOfOperation',
          });
          await endAudit('certificate.delete', { serial: phone.lsc.serialHex, reason: 'cessationOfOperation' });
        }
        await tx.patchPhone(
          phone.deviceName,
          {
            operationStatus: STATUS.success('delete'),
            capf: { operation: 'none' },
            authFailures: 0,
            lsc: null,
            lastSessionAt: now,
          },
          now,
        );
        return;
      case 'delete-failed':
        return void (await endStatus(STATUS.failed('delete', 'phoneDeleteFailed')));
      case 'fetched': {
        let facts: CertificateFacts;
        try {
          facts = reader.read(c.certificateDer);
        } catch {
          return void (await endStatus(STATUS.failed('troubleshoot', 'protocol')));
        }
        await tx.insertCertificate({
          serialHex: facts.serialHex,
          deviceName: phone.deviceName,
          kind: ca.isOurLsc(c.certificateDer) ? 'lsc' : 'observed',
          der: c.certificateDer,
          subjectDn: facts.subjectDn,
          issuerDn: facts.issuerDn,
          notBefore: facts.notBefore.toISOString(),
          notAfter: facts.notAfter.toISOString(),
          createdAt: now,
          state: 'observed',
          revokedAt: null,
          revocationReason: null,
          sessionId: s.sessionId,
        });
        await tx.patchPhone(
          phone.deviceName,
          {
            operationStatus: STATUS.success('troubleshoot'),
            capf: { operation: 'none' },
            authFailures: 0,
            lastSessionAt: now,
          },
          now,
        );
        return;
      }
      case 'fetch-failed':
        return void (await endStatus(STATUS.failed('troubleshoot', 'noCertificate')));
      case 'key-failed':
        return void (await endStatus(STATUS.failed('install', 'keyGeneration')));
      case 'timeout':
        return void (await endStatus(STATUS.failed(op, 'timeout')));
      case 'connection-lost':
        return void (await endStatus(STATUS.failed(op, 'connectionLost')));
      case 'protocol-error':
        return void (await endStatus(STATUS.failed(op, 'protocol')));
    }
  }

  /** Did the 'stored' outcome of `serial` commit? Asks the store a few times while it recovers (about 5 s in all). */
  async function landed(serial: string, deviceName: string): Promise<boolean> {
    for (let delay = 250; delay <= 2000; delay *= 2) {
      await new Promise((r) => setTimeout(r, delay));
      try {
        const [cert, phone] = [await store.getCertificate(serial), await store.getPhone(deviceName)];
        return cert?.state === 'delivered' && phone?.lsc?.serialHex === serial;
      } catch (e) {
        if (!isStoreUnavailable(e)) throw e;
      }
    }
    return false;
  }

  /** The decision for a known phone (authenticate() adds the authentication mode it ran under). */
  async function decide(phone: Phone, req: AuthenticationRequest): Promise<Decision> {
    if (phone.capf.operation === 'none') return { action: 'end', reason: 0, note: 'no pending operation' };
    const op = opOf(phone);
    if (
      sameStatus(phone.operationStatus, STATUS.failed(op, 'authLocked')) ||
      phone.authFailures >= o.authFailureLimit
    ) {
      return {
        action: 'end',
        reason: 7,
        note: 'operation locked after repeated authentication failures; reschedule it',
      };
    }
    if (phone.capf.completesBy && Date.parse(phone.capf.completesBy) < clock.now().getTime()) {
      await setStatus(phone.deviceName, STATUS.failed(op, 'late'));
      return { action: 'end', reason: 7, note: `Operation Completes By ${phone.capf.completesBy} has passed` };
    }
    if (op === 'install' && ca.capfNotAfter() < clock.now()) {
      await setStatus(phone.deviceName, STATUS.failed(op, 'capfExpired'));
      return {
        action: 'end',
        reason: 7,
        note: 'the CAPF certificate has expired; regenerate it before installing LSCs',
      };
    }
    switch (phone.capf.authMode) {
      case 'null-string':
        break;
      case 'auth-string': {
        const expected = phone.capf.authString ?? '';
        if (req.password === null || expected === '' || !constantTimeEqual(req.password, expected)) {
          return failAuth(
            phone,
            'badAuthString',
            req.password === null ? 'no authentication string sent' : 'wrong authentication string',
            false,
          );
        }
        break;
      }
      case 'existing-lsc':
      case 'existing-mic': {
        const r = await checkCertificate(phone, req);
        // The MIC is recorded whenever the phone proved it holds one of its own, accepted or not (MIC report).
        if (r.ok && r.kind === 'mic' && r.expiredAccepted) {
          const { mic, expiredAccepted } = r;
          await store.transaction(async (tx) => {
            await tx.patchPhone(phone.deviceName, { mic }, iso());
            await recordAudit(tx, {
              at: iso(),
              actor: { name: 'capf', source: req.peer },
              action: 'capf.expired-mic-accepted',
              target: phone.deviceName,
              details: {
                serial: mic.serialHex,
                issuer: mic.issuerDn,
                notAfter: mic.notAfter,
                sha1: mic.sha1,
                note: expiredAccepted,
              },
            });
          });
        } else if ((r.ok && r.kind === 'mic') || (!r.ok && r.mic)) {
          await store.patchPhone(phone.deviceName, { mic: r.mic! }, iso());
        }
        // The seed: a phone whose certificate proof fails stays "Operation Pending" (its session log tells why).
        if (!r.ok) return failAuth(phone, 'certAuth', r.note, true);
        break;
      }
    }
    if (phone.authFailures > 0) await store.patchPhone(phone.deviceName, { authFailures: 0 }, iso());
    sessions.set(req.sessionId, { phone });
    if (op === 'install') {
      const requests = keyRequestsFor(phone);
      return { action: 'install', keyRequests: requests };
    }
    return op === 'delete' ? { action: 'delete' } : { action: 'fetch' };
  }

  async function lookupNormalised(raw: string): Promise<Phone | null> {
    const n = normaliseDeviceName(raw);
    return n && n !== raw ? store.getPhone(n) : null;
  }

  return {
    async authenticate(req) {
      // Liberal in what we accept: a client may send the name in another case (stored names are upper-case).
      const phone = (await store.getPhone(req.deviceName)) ?? (await lookupNormalised(req.deviceName));
      if (!phone) return { action: 'end', reason: 9, note: `unknown device ${req.deviceName}` };
      const decision = await decide(phone, req);
      // The stored session says which Authentication Mode it ran under (none when nothing was pending).
      return phone.capf.operation === 'none' ? decision : { ...decision, authMode: phone.capf.authMode };
    },

    async issue(ctx) {
      const st = sessions.get(ctx.sessionId);
      const phone = st?.phone;
      if (!st || !phone || phone.capf.operation !== 'install' || !sameDevice(phone.deviceName, ctx.deviceName))
        return { ok: false, note: 'no install operation pending' };
      let key: CertificateFacts['key'];
      try {
        key = reader.readSpki(ctx.publicKeySpki);
      } catch {
        await setStatus(phone.deviceName, STATUS.failed('install', 'keyGeneration'));
        return { ok: false, note: 'PUBLIC_KEY is not a valid SubjectPublicKeyInfo' };
      }
      if (!keyRequestsFor(phone).some((r) => sameKey(r, key))) {
        await setStatus(phone.deviceName, STATUS.failed('install', 'weakKey'));
        const got = key.type === 'rsa' ? `RSA ${key.bits}` : `EC ${key.curve}`;
        return {
          ok: false,
          note: `phone sent ${got}, which is not the scheduled key (${keyRequestsFor(phone)
            .map((r) => (r.type === 'rsa' ? `RSA ${r.bits}` : `EC ${r.curve}`))
            .join(' or ')})`,
        };
      }
      const now = clock.now();
      const cert = await ca.issueLsc(phone.deviceName, ctx.publicKeySpki, now);
      // Not isoString: these seconds are minutes and years away from now, and its cache holds one second.
      const notBefore = cert.notBefore.toISOString();
      const notAfter = cert.notAfter.toISOString();
      const createdAt = isoString(now);
      // Recorded before it is sent: a crash between signing and the phone's acknowledgement loses nothing.
      // Other sessions in flight (not this one) may share the commit.
      await store.groupTransaction(
        async (tx) => {
          await tx.insertCertificate({
            serialHex: cert.serialHex,
            deviceName: phone.deviceName,
            kind: 'lsc',
            der: cert.der,
            subjectDn: cert.subjectDn,
            issuerDn: cert.issuerDn,
            notBefore,
            notAfter,
            createdAt,
            state: 'issued',
            revokedAt: null,
            revocationReason: null,
            sessionId: ctx.sessionId,
          });
          await recordAudit(tx, {
            at: createdAt,
            actor: { name: 'capf', source: ctx.peer },
            action: 'certificate.issue',
            target: phone.deviceName,
            details: { serial: cert.serialHex, sessionId: ctx.sessionId, notAfter },
          });
        },
        { siblings: sessions.size - 1 },
      );
      st.issued = { serialHex: cert.serialHex, issuerDn: cert.issuerDn, notBefore, notAfter };
      return { ok: true, certDer: cert.der, serialHex: cert.serialHex };
    },

    async finish(s, completion) {
      const st = sessions.get(s.sessionId);
      sessions.delete(s.sessionId);
      const now = s.endedAt;
      try {
        await store.groupTransaction(
          async (tx) => {
            if (completion && st) await applyCompletion(tx, st, s, completion, now);
            else if (s.deviceName) {
              // no row for unknown devices: a no-op
              await tx.patchPhone(s.deviceName, { lastSessionAt: now }, now);
            }
            await tx.insertSession(s);
          },
          { siblings: sessions.size },
        );
      } catch (e) {
        // PostgreSQL can lose the connection after COMMIT reached it: the install may have landed although
        // the commit failed here. Refusing then would leave the phone without the LSC the store says it has
        // (and nothing pending to retry), so look before giving up.
        if (
          completion?.step === 'stored' &&
          st &&
          isStoreUnavailable(e) &&
          (await landed(completion.serialHex, st.phone.deviceName))
        )
          return;
        throw e;
      }
    },

    release(sessionId) {
      sessions.delete(sessionId);
    },
  };
}
