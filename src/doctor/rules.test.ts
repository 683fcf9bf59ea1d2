import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diagnose } from './rules.ts';
import { renderReport } from './report.ts';
import type { DoctorFacts, ItlFacts, PhoneFacts } from './facts.ts';
import { DEFAULT_CAPF, STATUS, statusText, type OperationStatusCode, type Phone } from '../phones/model.ts';
import type { CapfSessionRecord } from '../capf/ports.ts';

const NOW = '2026-11-27T12:00:00.000Z';
const CAPF_SHA1 = 'aa'.repeat(20);

function itl(over: Partial<ItlFacts> = {}): ItlFacts {
  return {
    source: 'tftp://127.0.0.1:69/ITLFile.tlv',
    fileName: 'ITLFile.tlv',
    found: true,
    error: null,
    sha1: '11'.repeat(20),
    capfSha1s: [CAPF_SHA1],
    signer: 'CN=opencapf',
    ...over,
  };
}

function phone(over: Partial<Phone> = {}, capf: Partial<Phone['capf']> = {}): Phone {
  const operationStatus: OperationStatusCode = over.operationStatus ?? STATUS.pending('install');
  return {
    deviceName: 'SEP001122334455',
    model: 'Cisco 8845',
    description: '',
    profileName: null,
    capf: { ...DEFAULT_CAPF, operation: 'install', completesBy: '2026-11-28T12:00:00.000Z', ...capf },
    operationStatus,
    status: statusText(operationStatus),
    authFailures: 0,
    lsc: null,
    mic: null,
    lastSessionAt: null,
    configVersion: 1,
    createdAt: NOW,
    updatedAt: NOW,
    ...over,
  };
}

function session(outcome: CapfSessionRecord['outcome'], reason: string): CapfSessionRecord {
  return {
    sessionId: 1,
    deviceName: 'SEP001122334455',
    peer: '127.0.0.1:1',
    startedAt: NOW,
    endedAt: NOW,
    operation: 'install',
    authMode: null,
    outcome,
    reason,
    status: null,
    protocolVersion: 3,
    log: [],
  };
}

function facts(over: Partial<DoctorFacts> = {}, p?: Partial<PhoneFacts>): DoctorFacts {
  return {
    checkedAt: NOW,
    capfCertificate: {
      subjectDn: 'CN=CAPF-1',
      serialHex: '01',
      sha1: CAPF_SHA1,
      notAfter: '2030-01-01T00:00:00.000Z',
      daysLeft: 1130,
    },
    expiryWarningDays: 30,
    capfEnabled: true,
    capfLocal: { host: '127.0.0.1', port: 3804, reachable: true, error: null },
    capfPublic: { host: '127.0.0.1', port: 3804, reachable: true, error: null },
    tvs: { host: '127.0.0.1', port: 2445, reachable: true, error: null },
    capfHost: { name: 'capf.example', address: '127.0.0.1', error: null },
    itls: [itl()],
    authFailureLimit: 5,
    manufacturingCaConfigured: true,
    tls: [],
    identityProblems: [],
    phone: p
      ? {
          deviceName: 'SEP001122334455',
          phone: phone(),
          profileName: null,
          profileAuthMode: null,
          sessions: [session('success', 'ok')],
          perMacItl: null,
          perMacPinned: false,
          itlServed: null,
          ...p,
        }
      : null,
    ...over,
  };
}

const ids = (f: DoctorFacts) => diagnose(f).map((x) => x.id);

test('a healthy cluster and phone have no findings', () => {
  assert.deepEqual(ids(facts({}, {})), []);
});

test('CAPF certificate expired / expiring soon', () => {
  assert.ok(
    ids(
      facts({
        capfCertificate: {
          subjectDn: 'CN=CAPF-1',
          serialHex: '01',
          sha1: CAPF_SHA1,
          notAfter: '2026-01-01T00:00:00.000Z',
          daysLeft: -330,
        },
      }),
    ).includes('capf-cert-expired'),
  );
  assert.ok(
    ids(
      facts({
        capfCertificate: {
          subjectDn: 'CN=CAPF-1',
          serialHex: '01',
          sha1: CAPF_SHA1,
          notAfter: '2026-12-10T00:00:00.000Z',
          daysLeft: 12,
        },
      }),
    ).includes('capf-cert-expiring'),
  );
});

test('CAPF not running, deactivated, unreachable from phones; TVS down; host unresolvable', () => {
  assert.ok(
    ids(facts({ capfLocal: { host: '127.0.0.1', port: 3804, reachable: false, error: 'ECONNREFUSED' } })).includes(
      'capf-not-running',
    ),
  );
  assert.ok(ids(facts({ capfEnabled: false })).includes('capf-not-running'));
  assert.ok(
    ids(facts({ capfPublic: { host: '127.255.0.1', port: 3804, reachable: false, error: 'ECONNREFUSED' } })).includes(
      'capf-unreachable-from-phones',
    ),
  );
  assert.ok(
    ids(facts({ tvs: { host: '127.0.0.1', port: 2445, reachable: false, error: 'ECONNREFUSED' } })).includes(
      'tvs-not-running',
    ),
  );
  assert.ok(
    ids(facts({ capfHost: { name: 'PUB11.brianw2.lab', address: null, error: 'NXDOMAIN' } })).includes(
      'capf-host-unresolvable',
    ),
  );
});

test('ITL missing, corrupt, without CAPF, with a different CAPF certificate; per-MAC override', () => {
  assert.ok(ids(facts({ itls: [itl({ found: false })] })).includes('itl-missing'));
  assert.ok(ids(facts({ itls: [itl({ error: 'signature does not verify' })] })).includes('itl-corrupt'));
  assert.ok(ids(facts({ itls: [itl({ capfSha1s: [] })] })).includes('itl-no-capf'));
  assert.ok(ids(facts({ itls: [itl({ capfSha1s: ['bb'.repeat(20)] })] })).includes('itl-capf-mismatch'));
  const pinned = ids(
    facts(
      {},
      {
        perMacItl: itl({ fileName: 'ITLSEP001122334455.tlv', sha1: '22'.repeat(20), capfSha1s: [] }),
        perMacPinned: true,
      },
    ),
  );
  assert.ok(pinned.includes('itl-per-mac-override'));
  assert.ok(pinned.includes('itl-no-capf'));
});

test(
  'deadline past, mode contradicting the profile, precedence to ' +
    'LSC with only a MIC, lockout, repeated failures, never contacted',
  () => {
    assert.ok(
      ids(facts({}, { phone: phone({}, { completesBy: '2026-11-27T10:00:00.000Z' }) })).includes('deadline-past'),
    );
    assert.ok(
      ids(facts({}, { phone: phone({ operationStatus: STATUS.failed('install', 'late') }) })).includes('deadline-past'),
    );
    assert.ok(
      ids(
        facts(
          {},
          {
            phone: phone({ profileName: 'P' }, { authMode: 'null-string' }),
            profileName: 'P',
            profileAuthMode: 'existing-lsc',
          },
        ),
      ).includes('auth-mode-profile-mismatch'),
    );
    assert.ok(
      ids(facts({ manufacturingCaConfigured: false }, { phone: phone({}, { authMode: 'existing-lsc' }) })).includes(
        'lsc-precedence-mic-only',
      ),
    );
    assert.ok(
      ids(facts({}, { phone: phone({}, { authMode: 'existing-lsc' }) })).includes('lsc-precedence-mic-fallback'),
    );
    assert.ok(
      ids(
        facts({}, { phone: phone({ authFailures: 5, operationStatus: STATUS.failed('install', 'authLocked') }) }),
      ).includes('auth-string-locked'),
    );
    const rep = diagnose(
      facts(
        {},
        {
          sessions: [
            session('rejected', 'wrong authentication string'),
            session('rejected', 'wrong authentication string'),
            session('failure', 'timeout'),
          ],
        },
      ),
    );
    const r = rep.find((x) => x.id === 'repeated-failures');
    assert.ok(r);
    assert.ok(r.evidence.some((e) => e === '2 x wrong authentication string'));
    assert.ok(ids(facts({}, { sessions: [] })).includes('not-contacted'));
    assert.ok(ids(facts({}, { phone: null })).includes('phone-unknown'));
  },
);

test("every finding names a cause, a remedy and a docs section; the phone's first, errors first in each", () => {
  const all = diagnose(
    facts(
      {
        capfEnabled: false,
        itls: [itl({ capfSha1s: [] })],
        capfCertificate: {
          subjectDn: 'CN=CAPF-1',
          serialHex: '01',
          sha1: CAPF_SHA1,
          notAfter: '2026-12-10T00:00:00.000Z',
          daysLeft: 12,
        },
      },
      { sessions: [] },
    ),
  );
  assert.ok(all.length >= 3);
  for (const f of all) {
    assert.ok(f.cause.length > 10 && f.remedy.length > 10, f.id);
    assert.match(f.docsAnchor, /troubleshooting\.md#/);
  }
  const order = { error: 0, warning: 1, info: 2 };
  const scopes = all.map((f) => f.scope);
  assert.deepEqual(
    scopes,
    [...scopes].sort((a, b) => (a === b ? 0 : a === 'phone' ? -1 : 1)),
    'phone findings first',
  );
  assert.equal(all[0]!.id, 'not-contacted', "the phone's own finding, though only info, before the cluster's errors");
  for (let i = 1; i < all.length; i++)
    if (all[i - 1]!.scope === all[i]!.scope) assert.ok(order[all[i - 1]!.severity] <= order[all[i]!.severity]);
});

test('"Upgrade Failed: Invalid Authentication String": its own finding, before the cluster-wide ones', () => {
  const failed = phone({ authFailures: 1, operationStatus: STATUS.failed('install', 'badAuthString') });
  const all = diagnose(
    facts(
      { tvs: { host: '127.0.0.1', port: 2445, reachable: false, error: 'ECONNREFUSED' } },
      { phone: failed, sessions: [session('rejected', 'wrong authentication string (failure 1 of 5)')] },
    ),
  );
  assert.deepEqual(
    all.map((f) => [f.id, f.scope]),
    [
      ['auth-string-invalid', 'phone'],
      ['tvs-not-running', 'cluster'],
    ],
  );
  assert.equal(all[0]!.adminStatus, 'Upgrade Failed: Invalid Authentication String');
  assert.equal(all[0]!.phoneMessage, 'LSC: Failed');
  // Still pending after a wrong string (the limit not reached): the same case, evidence names the count.
  const pending = phone({ authFailures: 2 });
  const again = diagnose(facts({}, { phone: pending }));
  assert.ok(again.find((f) => f.id === 'auth-string-invalid')?.evidence.some((e) => /^2 wrong/.test(e)));
  // Locked is its own case, not this one.
  const locked = phone({ authFailures: 5, operationStatus: STATUS.failed('install', 'authLocked') });
  assert.ok(!ids(facts({}, { phone: locked })).includes('auth-string-invalid'));
});

test('a phone in "Upgrade Failed": every finding prints its status, never "Operation Pending"', () => {
  const failed = phone(
    { profileName: 'P', operationStatus: STATUS.failed('install', 'badAuthString') },
    { authMode: 'null-string' },
  );
  const report = {
    checkedAt: NOW,
    device: failed.deviceName,
    ok: false,
    findings: [] as ReturnType<typeof diagnose>,
    facts: facts(
      { itls: [itl({ capfSha1s: [] })] },
      { phone: failed, profileName: 'P', profileAuthMode: 'existing-lsc' },
    ),
  };
  report.findings = diagnose(report.facts);
  // The cases whose table says "Operation Pending" (profile mismatch, no CAPF in the ITL) are among them.
  assert.ok(report.findings.some((f) => f.id === 'auth-mode-profile-mismatch'));
  assert.ok(report.findings.some((f) => f.id === 'itl-no-capf'));
  for (const f of report.findings) assert.equal(f.adminStatus, 'Upgrade Failed: Invalid Authentication String', f.id);
  const text = renderReport(report);
  assert.doesNotMatch(text, /Operation Pending/);
  assert.match(text, /status "Upgrade Failed: Invalid Authentication String"/);
  assert.ok(text.indexOf('About SEP001122334455') < text.indexOf('Cluster-wide'), 'the phone section first');
  // Without a phone, a case prints the status it usually shows.
  const cluster = diagnose(facts({ itls: [itl({ capfSha1s: [] })] }));
  assert.equal(cluster.find((f) => f.id === 'itl-no-capf')?.adminStatus, 'Operation Pending');
});

test('ITL File Status: an older ITL served; ours served again and again without a CAPF session', () => {
  const served = (o: Partial<NonNullable<PhoneFacts['itlServed']>>) => ({
    status: 'current' as const,
    sha1: 'a'.repeat(40),
    servedAt: '2026-11-27T09:00:00.000Z',
    servedCount: 3,
    lastCapfSessionAt: null,
    ...o,
  });
  assert.ok(ids(facts({}, { itlServed: served({ status: 'older' }) })).includes('itl-older-served'));
  assert.ok(ids(facts({}, { itlServed: served({}) })).includes('itl-foreign-suspected'));
  // Once is a boot in progress, not a pattern; a phone that reached our CAPF trusts us; nothing pending: no case.
  assert.ok(!ids(facts({}, { itlServed: served({ servedCount: 1 }) })).includes('itl-foreign-suspected'));
  assert.ok(
    !ids(facts({}, { itlServed: served({ lastCapfSessionAt: '2026-11-27T09:00:01.000Z' }) })).includes(
      'itl-foreign-suspected',
    ),
  );
  assert.ok(
    !ids(facts({}, { itlServed: served({}), phone: phone({}, { operation: 'none' }) })).includes(
      'itl-foreign-suspected',
    ),
  );
  assert.ok(!ids(facts({}, { itlServed: served({}) })).includes('itl-older-served'));
});

test('weak TLS policy and identity certificates missing required extensions', () => {
  const policy = (over: Partial<DoctorFacts['tls'][number]>) => ({
    listener: 'capf',
    profile: 'compatible',
    minVersion: 'TLSv1.2',
    maxVersion: 'TLSv1.3',
    ciphers: 'DEFAULT',
    groups: 'auto',
    overridden: [],
    weaknesses: [],
    ...over,
  });
  assert.deepEqual(ids(facts({ tls: [policy({}), policy({ listener: 'api', profile: 'modern' })] })), []);
  const weak = diagnose(
    facts({ tls: [policy({ profile: 'legacy-7900', weaknesses: ['accepts TLSv1', 'security level 0'] })] }),
  );
  assert.deepEqual(
    weak.map((x) => x.id),
    ['tls-policy-weak'],
  );
  assert.deepEqual(weak[0]!.evidence, [
    'capf (profile legacy-7900): accepts TLSv1',
    'capf (profile legacy-7900): security level 0',
  ]);
  const bad = diagnose(
    facts({ identityProblems: [{ name: 'capf', problems: ['X509v3 Key Usage: Certificate Sign (keyCertSign) (…)'] }] }),
  );
  assert.deepEqual(
    bad.map((x) => [x.id, x.severity]),
    [['identity-extension-missing', 'error']],
  );
  assert.match(bad[0]!.evidence[0]!, /^capf: X509v3 Key Usage: Certificate Sign/);
});
