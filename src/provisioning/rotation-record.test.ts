// The rotation record file is read as hostile input: a record round-trips; anything damaged (not JSON, wrong
// version or phase, a certificate that is not one, several certificates, a SHA-1 that does not match, too
// large) is refused with ERR_CONFLICT naming the file and the cure, never half-used.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../shared/errors.ts';
import {
  createSelfSignedIdentity,
  derToPem,
  generateKeyPair,
  parseCertificate,
  subjectAttributes,
} from '../pki/index.ts';
import { parseRotationRecord, serializeRotationRecord, type RotationRecord } from './rotation-record.ts';

async function cert(cn: string) {
  const keys = await generateKeyPair({ type: 'ec', curve: 'P-256' });
  const c = await createSelfSignedIdentity({
    role: 'tftp',
    subject: subjectAttributes(cn, {}),
    keys,
    validityDays: 30,
    now: new Date(),
  });
  return parseCertificate(c.der);
}

test('a record round-trips; damaged files are refused with the file name and the cure', async () => {
  const next = await cert('next');
  const other = await cert('other');
  const r: RotationRecord = {
    version: 1,
    identity: 'tftp',
    phase: 'staged',
    startedAt: new Date('2026-03-01T10:00:00.000Z'),
    startedBy: 'admin',
    fromSha1: 'a'.repeat(40),
    next,
    endedAt: null,
    endedBy: null,
    forced: false,
  };
  const text = serializeRotationRecord(r);
  const back = parseRotationRecord(text, 'itl-rotation.json');
  assert.equal(back.next.sha1, next.sha1);
  assert.deepEqual({ ...back, next: null }, { ...r, next: null });

  const j = JSON.parse(text) as Record<string, unknown>;
  const variants: [string, string, RegExp][] = [
    ['not JSON', '{"version":1,', /not JSON/],
    ['an array', '[]', /not a JSON object/],
    ['version 2', JSON.stringify({ ...j, version: 2 }), /unsupported version 2/],
    ['another identity', JSON.stringify({ ...j, identity: 'capf' }), /identity "capf"/],
    ['an unknown phase', JSON.stringify({ ...j, phase: 'half-done' }), /phase "half-done"/],
    ['a bad date', JSON.stringify({ ...j, startedAt: 'yesterday' }), /startedAt is not a date/],
    ['a bad SHA-1', JSON.stringify({ ...j, fromSha1: 'xyz' }), /fromSha1/],
    ['no certificate', JSON.stringify({ ...j, nextCertificatePem: 'hello' }), /holds 0 certificates/],
    [
      'two certificates',
      JSON.stringify({ ...j, nextCertificatePem: derToPem(next.der) + derToPem(other.der) }),
      /holds 2 certificates/,
    ],
    [
      'garbage in a PEM',
      JSON.stringify({
        ...j,
        nextCertificatePem: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n',
      }),
      /does not parse/,
    ],
    ['a mismatched SHA-1', JSON.stringify({ ...j, nextCertificatePem: derToPem(other.der) }), /nextSha1 is not/],
    ['a private key', JSON.stringify({ ...j, nextCertificatePem: '-----BEGIN PRIVATE KEY-----\nAA\n' }), /holds 0/],
    ['forced missing', JSON.stringify({ ...j, forced: 'yes' }), /forced/],
    ['too large', ' '.repeat(70_000), /larger than/],
  ];
  for (const [what, body, why] of variants) {
    assert.throws(
      () => parseRotationRecord(body, 'itl-rotation.json'),
      (e: unknown) => {
        assert.ok(e instanceof AppError, what);
        assert.equal(e.code, 'ERR_CONFLICT', what);
        assert.match(e.message, why, what);
        assert.match(e.message, /itl-rotation\.json is damaged/, what);
        assert.match(e.message, /opencapf itl rotate abort/, what);
        return true;
      },
    );
  }
});
