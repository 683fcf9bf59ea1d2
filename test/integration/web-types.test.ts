// web/src/api-types.gen.ts is what scripts/gen-web-types.ts writes from the OpenAPI document the app builds
// today; the emitter turns the schema forms our routes use into the TypeScript they mean.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  WEB_TYPES_COMMAND,
  WEB_TYPES_PATH,
  docComment,
  emitWebTypes,
  generateWebTypes,
  operationName,
  schemaToTs,
} from '../../scripts/gen-web-types.ts';

test('the generated web types are those of the current OpenAPI document', async () => {
  const fresh = await generateWebTypes();
  const onDisk = readFileSync(WEB_TYPES_PATH, 'utf8');
  const why = `web/src/api-types.gen.ts is stale: the API changed since it was generated (run: ${WEB_TYPES_COMMAND})`;
  assert.ok(onDisk === fresh, why);
});

test('schemaToTs: the schema forms of our routes', () => {
  assert.equal(schemaToTs({ type: ['string', 'null'] }, 'response'), 'string | null');
  assert.equal(schemaToTs({ type: 'string', enum: ['a', 'b', null] }, 'response'), '"a" | "b" | null');
  assert.equal(schemaToTs({ anyOf: [{ type: 'null' }, { type: 'integer' }] }, 'response'), 'null | number');
  assert.equal(schemaToTs({ type: 'array', items: { type: 'string' } }, 'response'), 'string[]');
  assert.equal(schemaToTs({ type: 'array', items: { type: ['string', 'null'] } }, 'response'), '(string | null)[]');
  assert.equal(schemaToTs({ type: 'object', additionalProperties: true }, 'response'), 'Record<string, unknown>');
  const o = { type: 'object', properties: { a: { type: 'string' }, b: { type: 'boolean' } }, required: ['a'] };
  assert.equal(schemaToTs(o, 'request'), '{\n  a: string;\n  b?: boolean;\n}');
  assert.equal(schemaToTs(o, 'response'), '{\n  a: string;\n  b: boolean;\n}');
  assert.equal(schemaToTs({ $ref: '#/components/schemas/E' }, 'response', { E: { type: 'integer' } }), 'number');
});

test('operation names and the emitted module', () => {
  assert.equal(operationName('get', '/api/v1/phones/{deviceName}'), 'GetPhonesByDeviceName');
  assert.equal(operationName('post', '/api/v1/auth/login'), 'PostAuthLogin');
  const doc = {
    paths: {
      '/api/v1/things': {
        get: {
          summary: 'Things',
          parameters: [{ name: 'q', in: 'query', required: false, schema: { type: 'string' } }],
          responses: {
            200: {
              content: { 'application/json': { schema: { type: 'object', properties: { n: { type: 'integer' } } } } },
            },
          },
        },
      },
      '/metrics': { get: { responses: { 200: { description: 'OK' } } } },
    },
  };
  const ts = emitWebTypes(doc);
  assert.match(ts, /export type GetThingsQuery = \{\n {2}q\?: string;\n\};/);
  assert.match(ts, /export type GetThingsResponse = \{\n {2}n: number;\n\};/);
  assert.doesNotMatch(ts, /Metrics/);
});

test('doc comments: one line when they fit, else wrapped at word boundaries within 120 columns', () => {
  assert.equal(docComment('short */ text', '  '), '  /** short *\\/ text */');
  const words = Array.from({ length: 40 }, (_, i) => `word${i}`);
  const long = docComment(words.join(' '), '    ');
  const lines = long.split('\n');
  assert.equal(lines[0], '    /**');
  assert.equal(lines.at(-1), '     */');
  assert.ok(lines.every((l) => l.length <= 120));
  assert.deepEqual(
    lines.slice(1, -1).flatMap((l) => l.replace(/^ {4} \* /, '').split(' ')),
    words,
  );
});
