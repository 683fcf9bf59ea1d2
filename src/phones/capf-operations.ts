// Owns what happens to a phone when it talks to CAPF: authentication by mode, deadline and lockout,
// key checks, LSC issuing and recording, and the Certificate Operation Status CUCM would show.

import type { Clock } from '../shared/clock.ts';
import { constantTimeEqual } from '../shared/secrets.ts';
import type { AuthenticationRequest, CapfAuthority, Completion, Decision, KeyRequest } from '../capf/ports.ts';
import type { CertificateAuthorityPort, CertificateReader, PhoneStore } from './ports.ts';
import { OperationStatus, type CertOperation, type FailureReason, type Phone } from './model.ts';

export interface CapfOperationsOptions {
  store: PhoneStore;
  ca: CertificateAuthorityPort;
  reader: CertificateReader;
  clock: Clock;
  authFailureLimit: number;
}

const CURVE_OF = { 256: 'P-256', 384: 'P-384', 521: 'P-521' } as const;

/** Key requests in the order they are offered, from the phone's Key Order (capf-protocol.md §6.3, UNCERTAIN for ec-rsa). */
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

function sameKey(a: KeyRequest, b: { type: 'rsa'; bits: number } | { type: 'ec'; curve: string }): boolean {
  return a.type === 'rsa' ? b.type === 'rsa' && b.bits === a.bits : b.type === 'ec' && b.curve === a.curve;
}

function macOf(deviceName: string): string | null {
  const m = /([0-9A-F]{12})$/i.exec(deviceName);
  return m ? m[1]!.toUpperCase() : null;
}

export function createCapfOperations(o: CapfOperationsOptions): CapfAuthority {
  const { store, ca, reader, clock } = o;
  const iso = () => clock.now().toISOString();

  async function setStatus(deviceName: string, status: string, extra: Parameters<PhoneStore['updatePhone']>[1] = {}): Promise<void> {
    await store.updatePhone(deviceName, { ...extra, status }, iso());
  }

  function opOf(phone: Phone): Exclude<CertOperation, 'none'> {
    return phone.capf.operation === 'none' ? 'install' : phone.capf.operation;
  }

  /** Does this certificate name this device? LSC: CN is the device name (or CUCM's CP-<model>-SEP<MAC>); MIC: a subject value holds the MAC. */
  function namesDevice(der: Buffer, deviceName: string, kind: 'lsc' | 'mic'): boolean {
    const facts = reader.read(der);
    if (kind === 'lsc') return facts.commonName === deviceName || facts.commonName.endsWith(`-${deviceName}`);
    const mac = macOf(deviceName);
    if (!mac) return facts.commonName === deviceName;
    return facts.subjectValues.some((v) => v.toUpperCase().replace(/[^0-9A-F]/g, '').includes(mac));
  }

  /** Certificate-mode check: which kind the presented certificate is, and whether it is acceptable. */
  async function checkCertificate(phone: Phone, req: AuthenticationRequest): Promise<{ ok: true; kind: 'lsc' | 'mic' } | { ok: false; note: string }> {
    const cert = req.certificate;
    if (!cert) return { ok: false, note: 'certificate authentication required but no certificate was presented' };
    if (!cert.possessionProven) return { ok: false, note: 'SIGNED_DATA/SHA2_SIGNED_DATA did not verify under the presented certificate' };
    if (cert.sudi && !cert.sudi.verified) return { ok: false, note: 'SUDI_DATA did not verify' };
    let facts;
    try {
      facts = reader.read(cert.der);
    } catch {
      return { ok: false, note: 'presented certificate cannot be parsed' };
    }
    const now = clock.now();
    if (facts.notAfter < now || facts.notBefore.getTime() > now.getTime() + 86_400_000) {
      return { ok: false, note: `presented certificate ${facts.serialHex} is outside its validity` };
    }
    const mode = phone.capf.authMode;
    if (ca.isOurLsc(cert.der)) {
      if (!namesDevice(cert.der, phone.deviceName, 'lsc')) return { ok: false, note: `LSC ${facts.serialHex} belongs to ${facts.commonName}, not ${phone.deviceName}` };
      const rec = await store.getCertificate(facts.serialHex);
      if (rec && (rec.state === 'revoked' || rec.deviceName !== phone.deviceName)) return { ok: false, note: `LSC ${facts.serialHex} is ${rec.state === 'revoked' ? 'revoked' : 'not this phone\'s'}` };
      return { ok: true, kind: 'lsc' };
    }
    if (ca.isTrustedMic(cert.der)) {
      if (!namesDevice(cert.der, phone.deviceName, 'mic')) return { ok: false, note: `MIC ${facts.serialHex} (${facts.subjectDn}) does not name ${phone.deviceName}` };
      // precedence to LSC: a phone that holds an LSC we issued must prove it; only an LSC-less phone may fall back to its MIC.
      if (mode === 'existing-lsc' && phone.lsc) return { ok: false, note: 'By Existing Certificate (precedence to LSC): phone has an LSC on record but presented its MIC' };
      return { ok: true, kind: 'mic' };
    }
    return { ok: false, note: `certificate ${facts.serialHex} (${facts.issuerDn}) chains neither to the CAPF CA nor to a configured manufacturing CA` };
  }

  async function failAuth(phone: Phone, reason: FailureReason, note: string, keepPending: boolean): Promise<Decision> {
    const n = await store.incrementAuthFailures(phone.deviceName, iso());
    const op = opOf(phone);
    if (n >= o.authFailureLimit) {
      await setStatus(phone.deviceName, OperationStatus.failed(op, 'authLocked'));
      return { action: 'end', reason: 7, note: `${note}; locked after ${n} failures` };
    }
    if (!keepPending) await setStatus(phone.deviceName, OperationStatus.failed(op, reason));
    return { action: 'end', reason: 7, note: `${note} (failure ${n} of ${o.authFailureLimit})` };
  }

  return {
    async authenticate(req) {
      const phone = await store.getPhone(req.deviceName);
      if (!phone) return { action: 'end', reason: 9, note: `unknown device ${req.deviceName}` };
      await store.updatePhone(phone.deviceName, { lastSessionAt: iso() }, iso());
      if (phone.capf.operation === 'none') return { action: 'end', reason: 0, note: 'no pending operation' };
      const op = opOf(phone);
      if (phone.status === OperationStatus.failed(op, 'authLocked') || phone.authFailures >= o.authFailureLimit) {
        return { action: 'end', reason: 7, note: 'operation locked after repeated authentication failures; reschedule it' };
      }
      if (phone.capf.completesBy && Date.parse(phone.capf.completesBy) < clock.now().getTime()) {
        await setStatus(phone.deviceName, OperationStatus.failed(op, 'late'));
        return { action: 'end', reason: 7, note: `Operation Completes By ${phone.capf.completesBy} has passed` };
      }
      if (op === 'install' && ca.capfNotAfter() < clock.now()) {
        await setStatus(phone.deviceName, OperationStatus.failed(op, 'capfExpired'));
        return { action: 'end', reason: 7, note: 'the CAPF certificate has expired; regenerate it before installing LSCs' };
      }
      switch (phone.capf.authMode) {
        case 'null-string':
          break;
        case 'auth-string': {
          const expected = phone.capf.authString ?? '';
          if (req.password === null || expected === '' || !constantTimeEqual(req.password, expected)) {
            return failAuth(phone, 'badAuthString', req.password === null ? 'no authentication string sent' : 'wrong authentication string', false);
          }
          break;
        }
        case 'existing-lsc':
        case 'existing-mic': {
          const r = await checkCertificate(phone, req);
          // The seed: a phone whose certificate proof fails stays "Operation Pending" (its session log tells why).
          if (!r.ok) return failAuth(phone, 'certAuth', r.note, true);
          if (r.kind === 'mic' && req.certificate) {
            const f = reader.read(req.certificate.der);
            await store.updatePhone(phone.deviceName, { mic: { serialHex: f.serialHex, subjectDn: f.subjectDn, issuerDn: f.issuerDn, seenAt: iso() } }, iso());
          }
          break;
        }
      }
      if (phone.authFailures > 0) await store.updatePhone(phone.deviceName, { authFailures: 0 }, iso());
      if (op === 'install') {
        const requests = keyRequestsFor(phone);
        return { action: 'install', keyRequests: requests, acceptable: requests };
      }
      return op === 'delete' ? { action: 'delete' } : { action: 'fetch' };
    },

    async issue(ctx) {
      const phone = await store.getPhone(ctx.deviceName);
      if (!phone || phone.capf.operation !== 'install') return { ok: false, note: 'no install operation pending' };
      let key;
      try {
        key = reader.readSpki(ctx.publicKeySpki);
      } catch {
        await setStatus(phone.deviceName, OperationStatus.failed('install', 'keyGeneration'));
        return { ok: false, note: 'PUBLIC_KEY is not a valid SubjectPublicKeyInfo' };
      }
      if (!keyRequestsFor(phone).some((r) => sameKey(r, key))) {
        await setStatus(phone.deviceName, OperationStatus.failed('install', 'weakKey'));
        const got = key.type === 'rsa' ? `RSA ${key.bits}` : `EC ${key.curve}`;
        return { ok: false, note: `phone sent ${got}, which is not the scheduled key (${keyRequestsFor(phone).map((r) => (r.type === 'rsa' ? `RSA ${r.bits}` : `EC ${r.curve}`)).join(' or ')})` };
      }
      const now = clock.now();
      const cert = await ca.issueLsc(phone.deviceName, ctx.publicKeySpki, now);
      // Recorded before it is sent: a crash between signing and the phone's acknowledgement loses nothing.
      await store.transaction(async (tx) => {
        await tx.insertCertificate({
          serialHex: cert.serialHex,
          deviceName: phone.deviceName,
          kind: 'lsc',
          der: cert.der,
          subjectDn: cert.subjectDn,
          issuerDn: cert.issuerDn,
          notBefore: cert.notBefore.toISOString(),
          notAfter: cert.notAfter.toISOString(),
          createdAt: now.toISOString(),
          state: 'issued',
          revokedAt: null,
          revocationReason: null,
          sessionId: ctx.sessionId,
        });
        await tx.appendAudit({ at: now.toISOString(), actor: 'capf', source: ctx.peer, action: 'certificate.issue', target: phone.deviceName, details: { serial: cert.serialHex, sessionId: ctx.sessionId, notAfter: cert.notAfter.toISOString() } });
      });
      return { ok: true, certDer: cert.der, serialHex: cert.serialHex };
    },

    async complete(ctx, c: Completion) {
      const now = iso();
      const phone = await store.getPhone(ctx.deviceName);
      if (!phone) return;
      const op = opOf(phone);
      switch (c.step) {
        case 'stored': {
          const rec = await store.getCertificate(c.serialHex);
          await store.transaction(async (tx) => {
            if (phone.lsc && phone.lsc.serialHex !== c.serialHex) {
              await tx.setCertificateState(phone.lsc.serialHex, 'revoked', { revokedAt: now, revocationReason: 'superseded' });
              await tx.appendAudit({ at: now, actor: 'capf', source: ctx.peer, action: 'certificate.revoke', target: phone.deviceName, details: { serial: phone.lsc.serialHex, reason: 'superseded' } });
            }
            await tx.setCertificateState(c.serialHex, 'delivered');
            await tx.updatePhone(
              phone.deviceName,
              {
                status: OperationStatus.success('install'),
                capf: { operation: 'none' },
                authFailures: 0,
                lsc: rec ? { serialHex: rec.serialHex, issuerDn: rec.issuerDn, notBefore: rec.notBefore, notAfter: rec.notAfter } : null,
              },
              now,
            );
          });
          return;
        }
        case 'store-failed':
          await setStatus(phone.deviceName, OperationStatus.failed('install', 'phoneRejected'));
          return;
        case 'deleted':
          await store.transaction(async (tx) => {
            if (phone.lsc) {
              await tx.setCertificateState(phone.lsc.serialHex, 'revoked', { revokedAt: now, revocationReason: 'cessationOfOperation' });
              await tx.appendAudit({ at: now, actor: 'capf', source: ctx.peer, action: 'certificate.delete', target: phone.deviceName, details: { serial: phone.lsc.serialHex, reason: 'cessationOfOperation' } });
            }
            await tx.updatePhone(phone.deviceName, { status: OperationStatus.success('delete'), capf: { operation: 'none' }, authFailures: 0, lsc: null }, now);
          });
          return;
        case 'delete-failed':
          await setStatus(phone.deviceName, OperationStatus.failed('delete', 'phoneDeleteFailed'));
          return;
        case 'fetched': {
          let facts;
          try {
            facts = reader.read(c.certificateDer);
          } catch {
            await setStatus(phone.deviceName, OperationStatus.failed('troubleshoot', 'protocol'));
            return;
          }
          await store.transaction(async (tx) => {
            const ours = ca.isOurLsc(c.certificateDer);
            await tx.insertCertificate({
              serialHex: facts.serialHex,
              deviceName: phone.deviceName,
              kind: ours ? 'lsc' : 'observed',
              der: c.certificateDer,
              subjectDn: facts.subjectDn,
              issuerDn: facts.issuerDn,
              notBefore: facts.notBefore.toISOString(),
              notAfter: facts.notAfter.toISOString(),
              createdAt: now,
              state: 'observed',
              revokedAt: null,
              revocationReason: null,
              sessionId: ctx.sessionId,
            });
            await tx.updatePhone(phone.deviceName, { status: OperationStatus.success('troubleshoot'), capf: { operation: 'none' }, authFailures: 0 }, now);
          });
          return;
        }
        case 'fetch-failed':
          await setStatus(phone.deviceName, OperationStatus.failed('troubleshoot', 'noCertificate'));
          return;
        case 'key-failed':
          await setStatus(phone.deviceName, OperationStatus.failed('install', 'keyGeneration'));
          return;
        case 'timeout':
          await setStatus(phone.deviceName, OperationStatus.failed(op, 'timeout'));
          return;
        case 'connection-lost':
          await setStatus(phone.deviceName, OperationStatus.failed(op, 'connectionLost'));
          return;
        case 'protocol-error':
          await setStatus(phone.deviceName, OperationStatus.failed(op, 'protocol'));
          return;
      }
    },

    async record(session) {
      await store.insertSession(session);
    },
  };
}

