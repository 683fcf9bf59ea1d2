import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildItl, cucmItlMembers } from './itl.ts';
import { openTrustList } from './trust-list.ts';
import { ROLLBACK_BLANK_ROLES, emptyRecordBytes, isEmptyRecord, isRollbackTrustList } from './rollback.ts';
import { showItl } from './show-itl.ts';
import { FIXTURE_NOW, trustFixtures } from './test-fixtures.ts';

test('an empty TVS record is RECORDLENGTH, DNSNAME (2 NULs), SUBJECTNAME (1 NUL), FUNCTION 21', () => {
  assert.equal(
    emptyRecordBytes('TVS').toString('hex'),
    // 01 0002 0013 | 02 0002 00 00 | 03 0001 00 | 04 0002 0015
    ['010002', '0013', '020002', '0000', '030001', '00', '040002', '0015'].join(''),
  );
});

test('rollback ITL: still signed and verifiable, SAST/CAPF records kept, TVS and TFTP records blank', async () => {
  const f = await trustFixtures();
  const base = {
    members: cucmItlMembers({ itlRecovery: f.itlRecovery.certificate, signer: f.callManager.certificate }),
    signer: f.callManager,
    now: FIXTURE_NOW,
  };
  const normal = openTrustList(buildItl(base));
  assert.equal(isRollbackTrustList(normal), false);
  const sastOnly = cucmItlMembers({ itlRecovery: f.itlRecovery.certificate, signer: f.callManager.certificate }).map(
    (m) => ({ ...m, roles: m.roles.filter((r) => r === 'SAST') }),
  );
  const rollback = openTrustList(buildItl({ ...base, members: sastOnly, emptyRoles: ROLLBACK_BLANK_ROLES }));
  assert.equal(isRollbackTrustList(rollback), true);
  assert.deepEqual(
    rollback.records.map((r) => [r.roleName, isEmptyRecord(r)]),
    [
      ['SAST', false],
      ['SAST', false],
      ['TVS', true],
      ['TFTP', true],
    ],
  );
  assert.equal(rollback.records[2]!.subjectName, '');
  assert.match(showItl(rollback.bytes), /The ITL file was verified successfully/);
});
