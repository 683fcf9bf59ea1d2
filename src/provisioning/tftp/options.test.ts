// Tests option negotiation on both ends (RFC 2347/2348/2349/7440).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CodecError } from '../../shared/errors.ts';
import { acceptOack, buildRequestOptions, negotiateReadOptions } from './options.ts';

const limits = { maxBlksize: 1468, maxWindow: 64 };
const neg = (opts: [string, string][], size = 1000) => negotiateReadOptions(new Map(opts), size, limits);

test('no options: RFC 1350 defaults and no OACK', () => {
  const r = neg([]);
  assert.deepEqual(r.negotiated, { blksize: 512, windowsize: 1, timeoutMs: null });
  assert.equal(r.oack.size, 0);
});

test('blksize: granted, clamped to the cap, ignored below 8 or when not a number', () => {
  assert.equal(neg([['blksize', '1024']]).oack.get('blksize'), '1024');
  assert.equal(neg([['blksize', '65464']]).negotiated.blksize, 1468);
  assert.equal(neg([['blksize', '99999999']]).oack.get('blksize'), '1468');
  assert.equal(neg([['blksize', '8']]).negotiated.blksize, 8);
  for (const bad of ['1', '7', '0', '-5', '0x400', ' 512', '', '12345678901']) {
    const r = neg([['blksize', bad]]);
    assert.equal(r.negotiated.blksize, 512, bad);
    assert.equal(r.oack.has('blksize'), false, bad);
  }
});

test('windowsize: 65535 clamped to the cap, 0 ignored', () => {
  assert.equal(neg([['windowsize', '65535']]).oack.get('windowsize'), '64');
  assert.equal(neg([['windowsize', '4']]).negotiated.windowsize, 4);
  assert.equal(neg([['windowsize', '0']]).oack.has('windowsize'), false);
});

test('timeout: 1..255 echoed unchanged, otherwise ignored', () => {
  assert.equal(neg([['timeout', '3']]).negotiated.timeoutMs, 3000);
  assert.equal(neg([['timeout', '3']]).oack.get('timeout'), '3');
  assert.equal(neg([['timeout', '0']]).oack.has('timeout'), false);
  assert.equal(neg([['timeout', '256']]).negotiated.timeoutMs, null);
});

test('tsize: the real size is answered whatever the client claimed', () => {
  assert.equal(neg([['tsize', '0']], 4321).oack.get('tsize'), '4321');
  assert.equal(neg([['tsize', '999999']], 4321).oack.get('tsize'), '4321');
  assert.equal(neg([['tsize', 'lots']], 4321).oack.has('tsize'), false);
});

test('unknown options are ignored; the OACK keeps request order', () => {
  const r = neg([
    ['multicast', ''],
    ['tsize', '0'],
    ['blksize', '1024'],
    ['x-vendor', '1'],
  ]);
  assert.deepEqual([...r.oack.keys()], ['tsize', 'blksize']);
});

test('configured caps are themselves clamped to the RFC ranges', () => {
  const r = negotiateReadOptions(
    new Map([
      ['blksize', '70000'],
      ['windowsize', '70000'],
    ]),
    0,
    { maxBlksize: 1e6, maxWindow: 1e6 },
  );
  assert.deepEqual(r.negotiated, { blksize: 65464, windowsize: 65535, timeoutMs: null });
});

test('client: accepts a lowered blksize and tsize; refuses raised or unrequested options', () => {
  const asked = { blksize: 1024, windowsize: 8, tsize: true };
  assert.deepEqual(
    [...buildRequestOptions(asked)],
    [
      ['blksize', '1024'],
      ['windowsize', '8'],
      ['tsize', '0'],
    ],
  );
  assert.deepEqual(
    acceptOack(
      asked,
      new Map([
        ['blksize', '512'],
        ['tsize', '77'],
      ]),
    ),
    { blksize: 512, windowsize: 1, tsize: 77 },
  );
  const refuse = (o: [string, string][], req: object = asked): void =>
    assert.throws(() => acceptOack(req, new Map(o)), CodecError);
  refuse([['blksize', '2048']]);
  refuse([['windowsize', '9']]);
  refuse([['timeout', '5']]);
  refuse([['timeout', '4']], { timeoutS: 5 });
  refuse([['blksize', 'abc']]);
  refuse([['foo', '1']]);
  refuse([['tsize', '1']], { blksize: 1024 });
});
