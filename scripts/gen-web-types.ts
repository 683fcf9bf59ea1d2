// Writes web/src/api-types.gen.ts: the TypeScript shapes of the REST API, from the OpenAPI document the app
// builds (GET /api/docs of a real node in a temporary data directory), so the web UI never copies an API
// shape by hand. Run: npm run gen:web-types. test/integration/web-types.test.ts fails when the file is stale.
//
// The emitter covers the JSON Schema our routes use: type (one or a list, with 'null'), enum, properties with
// required, items, additionalProperties, anyOf/oneOf and local $ref. Response properties are emitted as
// present: the API's views set every property and its response schemas list no `required`. Descriptions and
// summaries become JSDoc wrapped within 120 columns, and the module goes through Biome's formatter (biome.json),
// so the file on disk is formatted and passes scripts/check-lines.mjs as written.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const WEB_TYPES_PATH = fileURLToPath(new URL('../web/src/api-types.gen.ts', import.meta.url));
export const WEB_TYPES_COMMAND = 'npm run gen:web-types';
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MAX_LINE = 120;

type Json = Record<string, unknown>;
type Mode = 'request' | 'response';

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** The TypeScript type of a JSON schema, indented for nesting at `depth`. */
export function schemaToTs(s: unknown, mode: Mode, refs: Record<string, unknown> = {}, depth = 0): string {
  if (s === true || s === undefined || s === null || typeof s !== 'object') return 'unknown';
  const o = s as Json;
  if (typeof o.$ref === 'string') {
    const name = o.$ref.replace('#/components/schemas/', '');
    return name in refs ? schemaToTs(refs[name], mode, refs, depth) : 'unknown';
  }
  const union = (o.anyOf ?? o.oneOf) as unknown[] | undefined;
  if (union) return unionOf(union.map((x) => schemaToTs(x, mode, refs, depth)));
  if (Array.isArray(o.enum)) return unionOf(o.enum.map((v) => (v === null ? 'null' : JSON.stringify(v))));
  const types = Array.isArray(o.type) ? (o.type as string[]) : typeof o.type === 'string' ? [o.type] : [];
  if (types.length === 0) return o.properties ? objectTs(o, mode, refs, depth) : 'unknown';
  return unionOf(
    types.map((t) => {
      switch (t) {
        case 'string':
          return 'string';
        case 'integer':
        case 'number':
          return 'number';
        case 'boolean':
          return 'boolean';
        case 'null':
          return 'null';
        case 'array':
          return arrayOf(schemaToTs(o.items, mode, refs, depth));
        case 'object':
          return objectTs(o, mode, refs, depth);
        default:
          return 'unknown';
      }
    }),
  );
}

function unionOf(parts: string[]): string {
  const uniq = [...new Set(parts)];
  return uniq.length ? uniq.join(' | ') : 'never';
}

function arrayOf(t: string): string {
  return /^[A-Za-z0-9_]+$/.test(t) || t.startsWith('{') ? `${t}[]` : `(${t})[]`;
}

function objectTs(o: Json, mode: Mode, refs: Record<string, unknown>, depth: number): string {
  const props = (o.properties ?? {}) as Record<string, unknown>;
  const required = new Set((o.required ?? []) as string[]);
  const keys = Object.keys(props);
  const extra = o.additionalProperties;
  if (keys.length === 0) return extra === false ? 'Record<string, never>' : 'Record<string, unknown>';
  const pad = '  '.repeat(depth + 1);
  const lines = keys.map((k) => {
    const optional = mode === 'request' && !required.has(k) ? '?' : '';
    const name = IDENT.test(k) ? k : JSON.stringify(k);
    const p = props[k] as Json;
    const doc = typeof p?.description === 'string' ? `${docComment(p.description, pad)}\n` : '';
    return `${doc}${pad}${name}${optional}: ${schemaToTs(p, mode, refs, depth + 1)};`;
  });
  if (extra && extra !== false) lines.push(`${pad}[key: string]: unknown;`);
  return `{\n${lines.join('\n')}\n${'  '.repeat(depth)}}`;
}

/**
 * A JSDoc comment at indentation `pad`: one line when it fits in MAX_LINE columns, else the words wrapped over
 * ` * ` lines (a single word longer than a line stays whole).
 */
export function docComment(text: string, pad = ''): string {
  const safe = text.replace(/\*\//g, '*\\/');
  const one = `${pad}/** ${safe} */`;
  if (one.length <= MAX_LINE) return one;
  const lines: string[] = [];
  let line = `${pad} *`;
  for (const word of safe.split(/\s+/).filter(Boolean)) {
    if (line.length + 1 + word.length > MAX_LINE && line !== `${pad} *`) {
      lines.push(line);
      line = `${pad} *`;
    }
    line += ` ${word}`;
  }
  lines.push(line);
  return [`${pad}/**`, ...lines, `${pad} */`].join('\n');
}

/** GET /api/v1/phones/{deviceName} -> GetPhonesByDeviceName. */
export function operationName(method: string, path: string): string {
  const pascal = (w: string) =>
    w
      .split(/[^A-Za-z0-9]+/)
      .filter(Boolean)
      .map((x) => x[0]!.toUpperCase() + x.slice(1))
      .join('');
  const parts = path
    .replace(/^\/api\/v1/, '')
    .split('/')
    .filter(Boolean)
    .map((seg) => (seg.startsWith('{') ? `By${pascal(seg.slice(1, -1))}` : pascal(seg)));
  return pascal(method.toLowerCase()) + (parts.join('') || 'Root');
}

/** The generated module for an OpenAPI document: per operation, its Query, Body and Response types. */
export function emitWebTypes(doc: Json): string {
  const refs = ((doc.components as Json | undefined)?.schemas ?? {}) as Record<string, unknown>;
  const out = [
    '// GENERATED by scripts/gen-web-types.ts from the OpenAPI document of the API: do not edit.',
    `// Regenerate with: ${WEB_TYPES_COMMAND} (npm test fails while this file is stale).`,
    '/* eslint-disable */',
    '',
  ];
  const paths = (doc.paths ?? {}) as Record<string, Record<string, Json>>;
  for (const path of Object.keys(paths).sort()) {
    if (!path.startsWith('/api/v1/')) continue;
    for (const method of Object.keys(paths[path]!).sort()) {
      const op = paths[path]![method]!;
      const name = operationName(method, path);
      const summary = op.summary ? `: ${String(op.summary)}` : '';
      const head = docComment(`${method.toUpperCase()} ${path}${summary}`);
      const query = ((op.parameters ?? []) as Json[]).filter((p) => p.in === 'query');
      if (query.length) {
        const props = Object.fromEntries(query.map((p) => [p.name as string, p.schema]));
        const required = query.filter((p) => p.required).map((p) => p.name as string);
        const ts = schemaToTs({ type: 'object', properties: props, required }, 'request', refs);
        out.push(head, `export type ${name}Query = ${ts};`, '');
      }
      const jsonOf = (x: unknown) =>
        ((x as Json | undefined)?.content as Json | undefined)?.['application/json'] as Json | undefined;
      const body = jsonOf(op.requestBody);
      if (body?.schema) out.push(head, `export type ${name}Body = ${schemaToTs(body.schema, 'request', refs)};`, '');
      const responses = (op.responses ?? {}) as Record<string, Json>;
      const ok = Object.keys(responses)
        .filter((c) => /^2\d\d$/.test(c))
        .sort()[0];
      const json = ok ? jsonOf(responses[ok]) : undefined;
      if (json?.schema) {
        out.push(head, `export type ${name}Response = ${schemaToTs(json.schema, 'response', refs)};`, '');
      }
    }
  }
  return `${out.join('\n').trimEnd()}\n`;
}

/** The OpenAPI document of the API as a node with every part (provisioning, trust, doctor) serves it. */
export async function buildApiDocument(): Promise<Json> {
  const { loadConfig } = await import('../src/config/index.ts');
  const { createLogger } = await import('../src/shared/logger.ts');
  const { openContext } = await import('../src/app/context.ts');
  const { apiDepsFrom, bindMetrics } = await import('../src/app/listeners/api.ts');
  const { createListenerRegistry } = await import('../src/app/listeners/index.ts');
  const { createApiApp } = await import('../src/api/app.ts');
  const dir = mkdtempSync(join(tmpdir(), 'opencapf-web-types-'));
  try {
    const config = loadConfig({ env: {}, overrides: { dataDir: dir, 'log.level': 'silent' } });
    const ctx = await openContext(config, createLogger('silent'));
    try {
      const running = createListenerRegistry();
      bindMetrics(ctx, running);
      const app = await createApiApp({ ...apiDepsFrom(ctx, { tls: false, running }), webDistDir: false });
      try {
        const r = await app.inject({ method: 'GET', url: '/api/docs' });
        if (r.statusCode !== 200) throw new Error(`GET /api/docs answered ${r.statusCode}`);
        return r.json() as Json;
      } finally {
        await app.close();
      }
    } finally {
      await ctx.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** TypeScript source as Biome's formatter writes it (biome.json at the root), so the file on disk stays formatted. */
export function formatWithBiome(source: string, filePath = WEB_TYPES_PATH): string {
  const biome = join(ROOT, 'node_modules', '.bin', 'biome');
  return execFileSync(biome, ['format', `--stdin-file-path=${filePath}`], {
    cwd: ROOT,
    input: source,
    encoding: 'utf8',
  });
}

export async function generateWebTypes(): Promise<string> {
  return formatWithBiome(emitWebTypes(await buildApiDocument()));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(WEB_TYPES_PATH, await generateWebTypes());
  console.log(`wrote ${WEB_TYPES_PATH}`);
}
