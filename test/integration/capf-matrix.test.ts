// Every CAPF operation x authentication mode x key type over real TLS on 127.0.0.1.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { startCapfLab, newDeviceName, type CapfLab } from '../helpers/capf-lab.ts';
import { runCapfClient, type ClientAuthMode, type HeldCertificate } from '../../src/capf/index.ts';
import { parseCertificate, type KeySpec } from '../../src/pki/index.ts';
import type { AuthMode, CertOperation } from '../../src/phones/index.ts';

let lab: CapfLab;
const actor = { name: 'test', source: 'test' };
before(async () => {
  lab = await startCapfLab();
});
after(async () => {
  await lab.close();
});

const KEYS: {
  label: string;
  spec: KeySpec;
  schedule: { keyOrder: 'rsa' | 'ec'; rsaKeySize: number; ecKeySize: number | null };
}[] = [
  {
    label: 'RSA 2048',
    spec: { type: 'rsa', bits: 2048 },
    schedule: { keyOrder: 'rsa', rsaKeySize: 2048, ecKeySize: null },
  },
  {
    label: 'EC P-256',
    spec: { type: 'ec', curve: 'P-256' },
    schedule: { keyOrder: 'ec', rsaKeySize: 2048, ecKeySize: 256 },
  },
];
const MODES: AuthMode[] = ['null-string', 'auth-string', 'existing-lsc', 'existing-mic'];
const OPS: Exclude<CertOperation, 'none'>[] = ['install', 'delete', 'troubleshoot'];
const EXPECTED_STATUS = {
  install: 'Upgrade Success',
  delete: 'Delete Success',
  troubleshoot: 'Troubleshoot Success',
} as const;
const EXPECTED_OUTCOME = { install: 'installed', delete: 'deleted', troubleshoot: 'fetched' } as const;

/** The phone makes exactly the key the server asks for (the schedule decides the type). */
const gen = (req: { type: 'rsa'; bits: number } | { type: 'ec'; curve: 'P-256' | 'P-384' | 'P-521' }) =>
  lab.key(req.type === 'rsa' ? { type: 'rsa', bits: req.bits } : { type: 'ec', curve: req.curve });

for (const op of OPS) {
  for (const mode of MODES) {
    for (const key of KEYS) {
      test(`${op} x ${mode} x ${key.label}`, async () => {
        const name = newDeviceName();
        await lab.ctx.phones.addPhones([{ deviceName: name }], actor);
        const mic = await lab.makeMic(name, key.spec);
        // Every phone first gets an LSC of this key type (needed by delete, troubleshoot and precedence to LSC).
        await lab.ctx.phones.schedule(
          [name],
          { operation: 'install', authMode: 'null-string', ...key.schedule },
          actor,
        );
        const first = await runCapfClient({
          host: '127.0.0.1',
          port: lab.port,
          deviceName: name,
          authMode: 'null-string',
          generateKey: gen,
        });
        assert.equal(first.outcome, 'installed', first.log.join('\n'));
        const lsc: HeldCertificate = first.lsc!;
        const r = await lab.ctx.phones.schedule(
          [name],
          {
            operation: op,
            authMode: mode,
            ...key.schedule,
            ...(mode === 'auth-string' ? { authString: '4815162342' } : {}),
          },
          actor,
        );
        assert.equal(r[0]!.ok, true, JSON.stringify(r[0]));
        const res = await runCapfClient({
          host: '127.0.0.1',
          port: lab.port,
          deviceName: name,
          authMode: mode as ClientAuthMode,
          authString: '4815162342',
          lsc,
          mic,
          generateKey: gen,
          checkServerCertificate: (der) => der.equals(new X509Certificate(lab.capfPem()).raw),
        });
        assert.equal(res.outcome, EXPECTED_OUTCOME[op], res.log.join('\n'));
        const phone = await lab.ctx.phones.getPhone(name);
        assert.equal(phone.status, EXPECTED_STATUS[op]);
        assert.equal(phone.capf.operation, 'none');
        if (op === 'install') {
          const info = parseCertificate(res.lsc!.der);
          assert.equal(info.keyDescription, key.label);
          assert.equal(phone.lsc?.serialHex, info.serialHex);
        }
        if (op === 'delete') assert.equal(phone.lsc, null);
        const session = (await lab.ctx.store.phones.listSessions(name, 1))[0]!;
        assert.equal(session.outcome, 'success');
      });
    }
  }
}
