// The refusals of signer changes (signer-safety.ts) as pure rules: which regenerations are refused in which
// state, that each message names what the phones would do, that force overrides only the stranding rules, and
// that a staged rotation blocks signer changes even with force.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../shared/errors.ts';
import { checkRegeneration, regenerationRefusals, type SignerFacts } from './signer-safety.ts';

const calm: SignerFacts = {
  signerReason: 'normal',
  tftpReplacedAt: null,
  itlRecoveryReplacedAt: null,
  transitionHours: 72,
  rotationStagedAt: null,
};
const at = new Date('2026-03-01T10:00:00Z');

test('nothing is refused for one signer in a calm state, nor for the other identities', () => {
  for (const names of [['tftp'], ['itlrecovery'], ['capf'], ['tvs'], ['capf', 'tvs'], ['tftp', 'capf']] as const)
    assert.deepEqual(regenerationRefusals(names, calm), [], names.join('+'));
});

test('tftp with itlrecovery is refused in either order, naming Cisco doc 225746 and the hand erase', () => {
  for (const names of [
    ['tftp', 'itlrecovery'],
    ['itlrecovery', 'tftp'],
    ['capf', 'itlrecovery', 'tftp'],
  ] as const) {
    const r = regenerationRefusals(names, calm);
    assert.deepEqual(
      r.map((x) => x.rule),
      ['tftp-with-itlrecovery'],
    );
    assert.match(
      r[0]!.message,
      new RegExp(
        'every phone holds an ITL whose two SAST certificates would both be gone: they would reject the new ' +
          'ITL and every signed config until each ITL is erased by hand \\(Cisco doc 225746\\)',
      ),
    );
  }
});

test('itlrecovery is refused while it signs: localkey mode, and the window after a TFTP change', () => {
  const local = regenerationRefusals(['itlrecovery'], { ...calm, signerReason: 'localkey' });
  assert.deepEqual(
    local.map((r) => r.rule),
    ['itlrecovery-while-signing'],
  );
  assert.match(local[0]!.message, /itl reset localkey is in effect/);
  assert.match(local[0]!.message, /they would reject it and every signed config/);
  assert.match(local[0]!.message, /opencapf itl reset normal/);
  const window = regenerationRefusals(['itlrecovery'], {
    ...calm,
    signerReason: 'tftp-transition',
    tftpReplacedAt: at,
  });
  assert.deepEqual(
    window.map((r) => r.rule),
    ['itlrecovery-while-signing'],
  );
  assert.match(window[0]!.message, /the TFTP certificate changed at 2026-03-01T10:00:00.000Z/);
  assert.match(window[0]!.message, /until 2026-03-04T10:00:00.000Z/);
});

test('tftp is refused while the ITLRecovery change is less than the window old', () => {
  const r = regenerationRefusals(['tftp'], { ...calm, itlRecoveryReplacedAt: at });
  assert.deepEqual(
    r.map((x) => x.rule),
    ['tftp-after-itlrecovery'],
  );
  assert.match(r[0]!.message, /ITLRecovery certificate changed at 2026-03-01T10:00:00.000Z/);
  assert.match(r[0]!.message, /know neither the new ITLRecovery key nor the new TFTP certificate/);
  assert.match(r[0]!.message, /wait until 2026-03-04T10:00:00.000Z/);
});

test('checkRegeneration throws ERR_SIGNER_STRANDS_PHONES unless force, and returns what force overrode', () => {
  assert.throws(
    () => checkRegeneration(['tftp', 'itlrecovery'], calm, false),
    (e: unknown) => e instanceof AppError && e.code === 'ERR_SIGNER_STRANDS_PHONES' && /--force/.test(e.message),
  );
  assert.deepEqual(
    checkRegeneration(['tftp', 'itlrecovery'], calm, true).map((r) => r.rule),
    ['tftp-with-itlrecovery'],
  );
  assert.deepEqual(checkRegeneration(['tftp'], calm, false), []);
});

test('a staged rotation refuses changing either signer, even with force; other identities go ahead', () => {
  const staged = { ...calm, rotationStagedAt: at };
  for (const names of [['tftp'], ['itlrecovery']] as const)
    for (const force of [false, true])
      assert.throws(
        () => checkRegeneration(names, staged, force),
        (e: unknown) =>
          e instanceof AppError && e.code === 'ERR_CONFLICT' && /opencapf itl rotate (finish|abort)/.test(e.message),
      );
  assert.deepEqual(checkRegeneration(['capf'], staged, false), []);
});
