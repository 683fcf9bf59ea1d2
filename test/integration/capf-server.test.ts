// CAPF over real TLS on 127.0.0.1: every operation x auth mode x key type, and each failure path.

import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import net from 'node:net';
import tls from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { startCapfLab, newDeviceName, type CapfLab } from '../helpers/capf-lab.ts';
import {
  runCapfClient,
  createCapfDecoder,
  encodeMessage,
  authResponse,
  CapfCommand,
  type CapfClientOptions,
} from '../../src/capf/index.ts';
import { derToPem, parseCertificate } from '../../src/pki/index.ts';
import type { ScheduleRequest } from '../../src/phones/index.ts';

let lab: CapfLab;
const actor = { name: 'test', source: 'test' };

before(async () => {
  lab = await startCapfLab();
});
after(async () => {
  await lab.close();
});

async function phoneWith(req: ScheduleRequest): Promise<string> {
  const name = newDeviceName();
  const added = await lab.ctx.phones.addPhones([{ deviceName: name, model: 'Cisco 8845' }], actor);
  assert.equal(added[0]!.ok, true);
  const r = await lab.ctx.phones.schedule([name], req, actor);
  assert.equal(r[0]!.ok, true, JSON.stringify(r[0]));
  return name;
}

function client(deviceName: string, o: Partial<CapfClientOptions> = {}) {
  return runCapfClient({
    host: '127.0.0.1',
    port: lab.port,
    deviceName,
    authMode: 'null-string',
    generateKey: (req) =>
      lab.key(req.type === 'rsa' ? { type: 'rsa', bits: req.bits } : { type: 'ec', curve: req.curve }),
    timeoutMs: 20_000,
    ...o,
  });
}

function opensslVerify(der: Buffer): string {
  const ca = join(lab.dir, 'capf-verify.pem');
  const leaf = join(lab.dir, 'lsc-verify.pem');
  writeFileSync(ca, lab.capfPem());
  writeFileSync(leaf, derToPem(der));
  return execFileSync('openssl', ['verify', '-CAfile', ca, leaf]).toString().trim();
}

describe('install', () => {
  for (const [authMode, keyOrder, rsaKeySize, ecKeySize, expectKey] of [
    ['null-string', 'rsa', 2048, null, 'RSA 2048'],
    ['null-string', 'rsa', 1024, null, 'RSA 1024'],
    ['auth-string', 'rsa', 3072, null, 'RSA 3072'],
    ['null-string', 'ec', 2048, 256, 'EC P-256'],
    ['auth-string', 'ec', 2048, 384, 'EC P-384'],
    ['null-string', 'ec', 2048, 521, 'EC P-521'],
  ] as const) {
    test(`${authMode} ${expectKey}: LSC installed, status Upgrade Success, openssl verify OK`, async () => {
      const name = await phoneWith({
        operation: 'install',
        authMode,
        keyOrder,
        rsaKeySize,
        ecKeySize,
        ...(authMode === 'auth-string' ? { authString: '123456' } : {}),
      });
      const r = await client(name, { authMode, authString: '123456' });
      assert.equal(r.outcome, 'installed', r.log.join('\n'));
      const info = parseCertificate(r.lsc!.der);
      assert.equal(info.keyDescription, expectKey);
      assert.equal(info.subject[0]!.value, name);
      assert.match(opensslVerify(r.lsc!.der), /OK$/);
      const p = await lab.ctx.phones.getPhone(name);
      assert.equal(p.status, 'Upgrade Success');
      assert.equal(p.capf.operation, 'none');
      assert.equal(p.lsc?.serialHex, info.serialHex);
      const rec = await lab.ctx.store.phones.getCertificate(info.serialHex);
      assert.equal(rec?.state, 'delivered');
      const sessions = await lab.ctx.store.phones.listSessions(name, 5);
      assert.equal(sessions[0]!.outcome, 'success');
      assert.equal(sessions[0]!.authMode, authMode);
      assert.ok(sessions[0]!.log.some((l) => l.text.startsWith('STORE_CERTIFICATE_REQUEST')));
    });
  }

  test(
    'the stored session records the Authentication Mode it ran under (By Existing Certificate too; ' +
      'none without an operation)',
    async () => {
      const name = await phoneWith({ operation: 'install', authMode: 'existing-mic' });
      const mic = await lab.makeMic(name, { type: 'ec', curve: 'P-256' });
      assert.equal((await client(name, { authMode: 'existing-mic', mic })).outcome, 'installed');
      assert.equal((await lab.ctx.store.phones.listSessions(name, 1))[0]!.authMode, 'existing-mic');
      await client(name);
      const idle = (await lab.ctx.store.phones.listSessions(name, 1))[0]!;
      assert.equal(idle.outcome, 'none');
      assert.equal(idle.authMode, null);
    },
  );

  test('existing certificate (precedence to LSC): upgrade with the current LSC supersedes and revokes it', async () => {
    const name = await phoneWith({ operation: 'install', authMode: 'null-string' });
    const first = await client(name);
    assert.equal(first.outcome, 'installed');
    await lab.ctx.phones.schedule([name], { operation: 'install', authMode: 'existing-lsc' }, actor);
    const second = await client(name, { authMode: 'existing-lsc', lsc: first.lsc! });
    assert.equal(second.outcome, 'installed', second.log.join('\n'));
    const oldSerial = parseCertificate(first.lsc!.der).serialHex;
    assert.equal((await lab.ctx.store.phones.getCertificate(oldSerial))?.state, 'revoked');
    assert.equal((await lab.ctx.store.phones.getCertificate(oldSerial))?.revocationReason, 'superseded');
  });

  test('existing certificate (precedence to MIC) with RSA MIC and SUDI: installed, MIC recorded', async () => {
    const name = await phoneWith({ operation: 'install', authMode: 'existing-mic' });
    const mic = await lab.makeMic(name, { type: 'rsa', bits: 2048 });
    const r = await client(name, { authMode: 'existing-mic', mic, sudi: mic });
    assert.equal(r.outcome, 'installed', r.log.join('\n'));
    const p = await lab.ctx.phones.getPhone(name);
    assert.ok(p.mic, 'MIC seen');
    assert.match(p.mic!.subjectDn, new RegExp(name));
  });

  test('precedence to LSC on a phone with only a MIC falls back to the MIC', async () => {
    const name = await phoneWith({ operation: 'install', authMode: 'existing-lsc' });
    const mic = await lab.makeMic(name);
    const r = await client(name, { authMode: 'existing-lsc', mic });
    assert.equal(r.outcome, 'installed', r.log.join('\n'));
  });

  test('EC preferred, RSA backup: a phone without EC gets RSA', async () => {
    const name = await phoneWith({ operation: 'install', keyOrder: 'ec-rsa', ecKeySize: 256, rsaKeySize: 2048 });
    const r = await client(name, { unsupportedKeyTypes: ['ec'] });
    assert.equal(r.outcome, 'installed', r.log.join('\n'));
    assert.equal(parseCertificate(r.lsc!.der).keyDescription, 'RSA 2048');
  });

  test('CUCM wire style and a Jabber-style client (VERSION 2, no PASSWORD, no REQUEST_IN_PROGRESS)', async () => {
    const cucm = await startCapfLab({ 'capf.wireStyle': 'cucm' });
    try {
      const name = newDeviceName();
      await cucm.ctx.phones.addPhones([{ deviceName: name }], actor);
      await cucm.ctx.phones.schedule([name], { operation: 'install' }, actor);
      const r = await runCapfClient({
        host: '127.0.0.1',
        port: cucm.port,
        deviceName: name,
        authMode: 'null-string',
        version: 2,
        jabberStyle: true,
        sendRequestInProgress: false,
        generateKey: () => cucm.key({ type: 'rsa', bits: 2048 }),
      });
      assert.equal(r.outcome, 'installed', r.log.join('\n'));
    } finally {
      await cucm.close();
    }
  });

  test('the CAPF certificate the client sees is the CA that signed the LSC', async () => {
    const name = await phoneWith({ operation: 'install' });
    const capfDer = new X509Certificate(lab.capfPem()).raw;
    const r = await client(name, { checkServerCertificate: (der) => der.equals(capfDer) });
    assert.equal(r.outcome, 'installed');
    assert.ok(new X509Certificate(r.lsc!.der).verify(new X509Certificate(lab.capfPem()).publicKey));
  });
});

describe('delete, troubleshoot, none, unknown', () => {
  test('delete: Delete Success, LSC revoked, phone LSC cleared', async () => {
    const name = await phoneWith({ operation: 'install' });
    const inst = await client(name);
    await lab.ctx.phones.schedule([name], { operation: 'delete' }, actor);
    const r = await client(name, { lsc: inst.lsc! });
    assert.equal(r.outcome, 'deleted', r.log.join('\n'));
    const p = await lab.ctx.phones.getPhone(name);
    assert.equal(p.status, 'Delete Success');
    assert.equal(p.lsc, null);
    assert.equal(
      (await lab.ctx.store.phones.getCertificate(parseCertificate(inst.lsc!.der).serialHex))?.state,
      'revoked',
    );
  });

  test('delete on a phone with nothing to delete: Delete Failed', async () => {
    const name = await phoneWith({ operation: 'delete' });
    const r = await client(name);
    assert.equal(r.outcome, 'failed');
    assert.match((await lab.ctx.phones.getPhone(name)).status, /^Delete Failed: /);
  });

  test("troubleshoot fetches and records the phone's certificate", async () => {
    const name = await phoneWith({ operation: 'install' });
    const inst = await client(name);
    await lab.ctx.phones.schedule([name], { operation: 'troubleshoot' }, actor);
    const r = await client(name, { lsc: inst.lsc! });
    assert.equal(r.outcome, 'fetched');
    assert.equal(r.endReason, 0);
    assert.equal((await lab.ctx.phones.getPhone(name)).status, 'Troubleshoot Success');
  });

  test('troubleshoot on a phone without LSC: Troubleshoot Failed: No Certificate Found On Phone', async () => {
    const name = await phoneWith({ operation: 'troubleshoot' });
    const r = await client(name);
    assert.equal(r.outcome, 'failed');
    assert.equal((await lab.ctx.phones.getPhone(name)).status, 'Troubleshoot Failed: No Certificate Found On Phone');
  });

  test('no pending operation: END_SESSION reason 0', async () => {
    const name = newDeviceName();
    await lab.ctx.phones.addPhones([{ deviceName: name }], actor);
    const r = await client(name);
    assert.equal(r.outcome, 'no-operation');
    assert.equal(r.endReason, 0);
  });

  test('unknown device: END_SESSION reason 9', async () => {
    const r = await client('SEP0000DEADBEEF');
    assert.equal(r.outcome, 'unknown-device');
    assert.equal(r.endReason, 9);
  });
});

describe('failure paths', () => {
  test('wrong authentication string: Invalid Authentication String, then locked after the limit', async () => {
    const name = await phoneWith({ operation: 'install', authMode: 'auth-string', authString: '24680' });
    for (let i = 1; i <= 5; i++) {
      const r = await client(name, { authMode: 'auth-string', authString: '11111' });
      assert.equal(r.outcome, 'rejected');
      assert.equal(r.endReason, 7);
      const p = await lab.ctx.phones.getPhone(name);
      assert.equal(
        p.status,
        i < 5
          ? 'Upgrade Failed: Invalid Authentication String'
          : 'Upgrade Failed: Authentication String Locked (too many failures)',
      );
    }
    const right = await client(name, { authMode: 'auth-string', authString: '24680' });
    assert.equal(right.outcome, 'rejected', 'locked operations refuse even the right string');
    await lab.ctx.phones.schedule(
      [name],
      { operation: 'install', authMode: 'auth-string', authString: '24680' },
      actor,
    );
    assert.equal((await client(name, { authMode: 'auth-string', authString: '24680' })).outcome, 'installed');
  });

  test('Operation Completes By in the past: Upgrade Failed: User Initiated Request Late/Timedout', async () => {
    const name = await phoneWith({
      operation: 'install',
      completesBy: new Date(lab.clock.now().getTime() + 3600_000).toISOString(),
    });
    lab.clock.advanceMs(2 * 3600_000);
    try {
      const r = await client(name);
      assert.equal(r.outcome, 'rejected');
      assert.equal(
        (await lab.ctx.phones.getPhone(name)).status,
        'Upgrade Failed: User Initiated Request Late/Timedout',
      );
    } finally {
      lab.clock.advanceMs(-2 * 3600_000);
    }
  });

  test("another phone's LSC never authenticates this one", async () => {
    const victim = await phoneWith({ operation: 'install' });
    const stolen = (await client(victim)).lsc!;
    const attacker = await phoneWith({ operation: 'install', authMode: 'existing-lsc' });
    const r = await client(attacker, { authMode: 'existing-lsc', lsc: stolen });
    assert.equal(r.outcome, 'rejected');
    const s = (await lab.ctx.store.phones.listSessions(attacker, 1))[0]!;
    assert.match(s.reason ?? '', /belongs to .*not/);
    assert.equal((await lab.ctx.phones.getPhone(attacker)).status, 'Operation Pending');
  });

  test('a MIC naming another device, and a MIC from an untrusted manufacturer, are refused', async () => {
    const name = await phoneWith({ operation: 'install', authMode: 'existing-mic' });
    const other = await lab.makeMic(newDeviceName());
    assert.equal((await client(name, { authMode: 'existing-mic', mic: other })).outcome, 'rejected');
    const rogue = await lab.makeUntrustedMic(name);
    assert.equal((await client(name, { authMode: 'existing-mic', mic: rogue })).outcome, 'rejected');
  });

  test('a certificate presented without proof of possession is refused', async () => {
    const name = await phoneWith({ operation: 'install', authMode: 'existing-mic' });
    const mic = await lab.makeMic(name);
    const wrongKey = await lab.makeMic(name);
    const r = await client(name, { authMode: 'existing-mic', mic: { der: mic.der, privateKey: wrongKey.privateKey } });
    assert.equal(r.outcome, 'rejected');
  });

  test('a key weaker than scheduled is refused: Upgrade Failed', async () => {
    const name = await phoneWith({ operation: 'install', rsaKeySize: 2048 });
    const r = await client(name, { generateKey: () => lab.key({ type: 'rsa', bits: 1024 }) });
    assert.equal(r.outcome, 'failed');
    assert.equal(r.endReason, 7);
    assert.equal(
      (await lab.ctx.phones.getPhone(name)).status,
      'Upgrade Failed: Key Does Not Match Requested Key Type/Size',
    );
  });

  test(
    'phone that fails to store: Upgrade Failed: ' +
      'Phone Failed To Store Certificate; certificate stays recorded as issued',
    async () => {
      const name = await phoneWith({ operation: 'install' });
      const r = await client(name, { failStore: true });
      assert.equal(r.outcome, 'store-failed');
      assert.equal((await lab.ctx.phones.getPhone(name)).status, 'Upgrade Failed: Phone Failed To Store Certificate');
      const certs = await lab.ctx.store.phones.listCertificates(name);
      assert.equal(certs[0]?.state, 'issued');
    },
  );

  test('an expired CAPF certificate refuses installs with a message that says so', async () => {
    const name = await phoneWith({
      operation: 'install',
      completesBy: new Date(Date.now() + 7 * 365 * 86400_000).toISOString(),
    });
    lab.clock.advanceMs(6 * 365 * 86400_000);
    try {
      const r = await client(name);
      assert.equal(r.outcome, 'rejected');
      assert.equal((await lab.ctx.phones.getPhone(name)).status, 'Upgrade Failed: CAPF Certificate Expired');
      const s = (await lab.ctx.store.phones.listSessions(name, 1))[0]!;
      assert.match(s.reason ?? '', /CAPF certificate has expired/);
    } finally {
      lab.clock.advanceMs(-6 * 365 * 86400_000);
    }
  });
});

/** Opens TLS to the lab, returns the first server message and a way to send raw bytes. */
async function rawSession(port: number) {
  const socket = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false });
  const decoder = createCapfDecoder();
  const received: ReturnType<typeof decoder.push> = [];
  let waiting: (() => void) | null = null;
  socket.on('data', (c) => {
    received.push(...decoder.push(c));
    waiting?.();
  });
  const closed = new Promise<void>((r) => socket.on('close', () => r()));
  const next = async () => {
    while (received.length === 0) await new Promise<void>((r) => (waiting = r));
    return received.shift()!;
  };
  const first = await next();
  return { socket, first, next, closed };
}

describe('hostile frames and resource limits', () => {
  test('a broken frame ends the session with END_SESSION reason 7 and nothing else', async () => {
    for (const garbage of [
      Buffer.from('GET / HTTP/1.1\r\n\r\n'),
      Buffer.from([0x55, 0x02, 0, 0, 0, 1, 0x00, 0x05, 0x0d, 0x00, 0x40, 0x41, 0x42]), // element longer than body
    ]) {
      const s = await rawSession(lab.port);
      s.socket.write(garbage);
      const end = await s.next();
      assert.equal(end.command, CapfCommand.END_SESSION);
      assert.equal(end.elements.reason, 7);
      await s.closed;
    }
  });

  test('a declared body above the maximum is refused before it is buffered', async () => {
    const s = await rawSession(lab.port);
    const header = Buffer.from([0x55, 0x02, 0, 0, 0, 0, 0xff, 0xff]);
    header.writeUInt32BE(s.first.sessionId, 2);
    s.socket.write(header);
    const end = await s.next();
    assert.equal(end.elements.reason, 7);
    await s.closed;
  });

  test('a mismatched session id is refused', async () => {
    const s = await rawSession(lab.port);
    s.socket.write(encodeMessage(authResponse(s.first.sessionId + 1, { deviceName: 'SEP001122334455' })));
    const end = await s.next();
    assert.equal(end.elements.reason, 7);
  });

  test('session ids are server-chosen and differ per connection; unknown tags are skipped', async () => {
    const a = await rawSession(lab.port);
    const b = await rawSession(lab.port);
    assert.notEqual(a.first.sessionId, b.first.sessionId);
    const msg = encodeMessage({
      ...authResponse(a.first.sessionId, { deviceName: 'SEP0000DEADBEEF' }),
      unknownElements: [{ tag: 99, value: Buffer.from([1, 2, 3]) }],
    });
    a.socket.write(msg);
    assert.equal((await a.next()).elements.reason, 9);
    b.socket.destroy();
  });

  test('a client that never finishes its TLS handshake delays nobody', async () => {
    const stall = net.connect(lab.port, '127.0.0.1');
    await new Promise((r) => stall.once('connect', r));
    stall.write(Buffer.from([0x16, 0x03, 0x01])); // the start of a ClientHello, then silence
    const name = await phoneWith({ operation: 'install' });
    assert.equal((await client(name)).outcome, 'installed');
    stall.destroy();
  });

  test('with no queue, connections above the cap are closed without a byte; the cap frees up', async () => {
    const small = await startCapfLab({ 'capf.maxSessions': 2, 'capf.maxQueued': 0 });
    try {
      const idle = [net.connect(small.port, '127.0.0.1'), net.connect(small.port, '127.0.0.1')];
      await Promise.all(idle.map((s) => new Promise((r) => s.once('connect', r))));
      await new Promise((r) => setTimeout(r, 50));
      const third = net.connect(small.port, '127.0.0.1');
      const got: Buffer[] = [];
      third.on('data', (d) => got.push(d));
      await new Promise<void>((r) => third.once('close', () => r()));
      assert.equal(Buffer.concat(got).length, 0);
      assert.ok(small.server.capfServer!.stats().rejectedOverCap >= 1);
      for (const s of idle) s.destroy();
      await new Promise((r) => setTimeout(r, 100));
      const name = newDeviceName();
      await small.ctx.phones.addPhones([{ deviceName: name }], actor);
      await small.ctx.phones.schedule([name], { operation: 'install' }, actor);
      const r = await runCapfClient({
        host: '127.0.0.1',
        port: small.port,
        deviceName: name,
        authMode: 'null-string',
        generateKey: () => small.key({ type: 'rsa', bits: 2048 }),
      });
      assert.equal(r.outcome, 'installed');
    } finally {
      await small.close();
    }
  });

  test('an idle phone is timed out and its operation marked failed', async () => {
    const quick = await startCapfLab({ 'capf.keyGenerationTimeoutMs': 1000 });
    try {
      const name = newDeviceName();
      await quick.ctx.phones.addPhones([{ deviceName: name }], actor);
      await quick.ctx.phones.schedule([name], { operation: 'install' }, actor);
      const r = await runCapfClient({
        host: '127.0.0.1',
        port: quick.port,
        deviceName: name,
        authMode: 'null-string',
        sendRequestInProgress: false,
        generateKey: () => new Promise(() => undefined), // a phone that never finishes generating
      }).catch((e: Error) => e);
      assert.ok(!(r instanceof Error) ? r.endReason === 7 : true);
      let status = '';
      for (let i = 0; i < 50 && !status.startsWith('Upgrade Failed'); i++) {
        await new Promise((res) => setTimeout(res, 100));
        status = (await quick.ctx.phones.getPhone(name)).status;
      }
      assert.equal(status, 'Upgrade Failed: Phone Did Not Respond In Time');
    } finally {
      await quick.close();
    }
  });

  test('stop() drains an in-flight session before closing', async () => {
    const d = await startCapfLab();
    const name = newDeviceName();
    await d.ctx.phones.addPhones([{ deviceName: name }], actor);
    await d.ctx.phones.schedule([name], { operation: 'install' }, actor);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let keyRequested!: () => void;
    const requested = new Promise<void>((r) => (keyRequested = r));
    const run = runCapfClient({
      host: '127.0.0.1',
      port: d.port,
      deviceName: name,
      authMode: 'null-string',
      generateKey: async () => {
        keyRequested();
        await gate;
        return d.key({ type: 'rsa', bits: 2048 });
      },
    });
    await requested;
    const stopping = d.server.capfServer!.stop(10_000);
    release();
    const r = await run;
    await stopping;
    assert.equal(r.outcome, 'installed');
    // Stops the lab's other listeners (TFTP, HTTP, TVS …) too; stopping CAPF again is harmless.
    await d.close();
  });

  test('CAPF log lines carry the session id and never the authentication string', async () => {
    const name = await phoneWith({ operation: 'install', authMode: 'auth-string', authString: '97531864' });
    await client(name, { authMode: 'auth-string', authString: '97531864' });
    const lines = lab.logLines.filter((l) => l.includes('"component":"capf"'));
    assert.ok(lines.length > 0);
    assert.ok(
      lines.every((l) => /"sessionId":\d+/.test(l)),
      'every CAPF line has a session id',
    );
    assert.ok(!lab.logLines.some((l) => l.includes('97531864')));
  });
});
