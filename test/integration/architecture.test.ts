// Checks the dependency rules of docs/architecture.md §3 on the import graph of src/: no folder cycle, no
// module cycle inside a folder, pure codecs, domain free of transports and SQL, transports free of store/,
// stores and key stores constructed only by app/. Each rule is also run on a planted graph, so a reader that
// found nothing could not pass.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import {
  cyclesOf,
  fileCycles,
  folderCycles,
  folderOf,
  readImportGraph,
  type ImportEdge,
  type ImportGraph,
} from '../../scripts/lib/import-graph.ts';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

/** Transports: sockets, HTTP, argv, outbound notifications (docs/architecture.md §1). */
const TRANSPORTS = ['capf', 'tvs', 'provisioning', 'api', 'cli', 'notify'];
/**
 * The port module of each transport: what the transport needs from the domain. A domain module may import
 * it, type-only, to implement it (phones' CAPF operations implement capf's authority; revocation answers on
 * the 6970 listener through provisioning's extension hook). Named by path, not through index.ts, which also
 * exports the listener.
 */
const TRANSPORT_PORTS = new Set(['capf/ports.ts', 'tvs/ports.ts', 'provisioning/http-extension.ts']);
/**
 * Domain code (§3 rule 2). doctor/collector.ts is the doctor's probe, an adapter: it fetches the ITL over
 * TFTP and opens TLS to CAPF/TVS the way a phone does; the doctor's rules, facts and report are domain.
 */
const DOMAIN_FOLDERS = [
  'phones',
  'bulk',
  'reports',
  'access',
  'audit',
  'pki',
  'trust',
  'revocation',
  'doctor',
  'migration',
  'monitor',
];
const isDomain = (f: string) => DOMAIN_FOLDERS.includes(folderOf(f)) && f !== 'doctor/collector.ts';
/** Packages a domain module never imports: the web framework and the SQL drivers. */
const DOMAIN_FORBIDDEN_PKGS = new Set(['fastify', 'pg', 'better-sqlite3', 'kysely']);
/** Pure codecs (§3 rule 1): bytes in, objects out. */
const isCodec = (f: string) =>
  /codec\.ts$/.test(f) ||
  [
    'provisioning/tftp/packets.ts',
    'provisioning/tftp/options.ts',
    'provisioning/tftp/netascii.ts',
    'pki/der.ts',
    'revocation/asn1.ts',
  ].includes(f);
/** Besides other codecs, a codec may import shared/ helpers (bytes, errors, enum tables) and `as const` tables. */
const codecMayImport = (to: string) => isCodec(to) || folderOf(to) === 'shared' || /(^|\/)constants\.ts$/.test(to);
const IO_MODULES = new Set(['net', 'tls', 'dgram', 'fs', 'fs/promises', 'http', 'https', 'http2', 'child_process']);
const isIo = (to: string) => to.startsWith('pkg:') && IO_MODULES.has(to.slice(4).replace(/^node:/, ''));
/** The constructors of concrete stores and key stores (§3 rule 4); '*' is a namespace import or re-export. */
const isStoreConstructor = (name: string) =>
  name === '*' || /^open\w*Store$/.test(name) || name.startsWith('createKysely');
const isKeyStoreConstructor = (name: string) => name === '*' || /^create\w*KeyStore$/.test(name);

/**
 * Breaches that exist today in code another helper is restructuring (app-wiring: AppServices and CLI commands
 * onto service slices). Each names the file, the edge and the rule; the lead empties this list after merging.
 * An entry that no longer breaches fails the test, so the list cannot go stale.
 */
const ALLOWED: readonly { from: string; to: string; rule: string; why: string }[] = [];

interface Breach {
  rule: string;
  from: string;
  to: string;
  line: number;
  detail: string;
}

/** Every breach of the rules in the graph (folder and module cycles are reported by from = the cycle). */
function breaches(g: ImportGraph): Breach[] {
  const out: Breach[] = [];
  const add = (rule: string, e: ImportEdge, detail: string) =>
    out.push({ rule, from: e.from, to: e.to, line: e.line, detail });
  for (const c of folderCycles(g))
    out.push({ rule: 'no-folder-cycle', from: c.join(' ↔ '), to: '', line: 0, detail: folderCycleEdges(g, c) });
  for (const folder of new Set(g.files.map(folderOf))) {
    for (const c of fileCycles(g, folder))
      out.push({
        rule: 'no-module-cycle',
        from: c.join(' ↔ '),
        to: '',
        line: 0,
        detail: `${c.length} modules in ${folder}/`,
      });
  }
  const valueAdj = new Map<string, string[]>();
  for (const e of g.edges) if (!e.typeOnly) (valueAdj.get(e.from) ?? valueAdj.set(e.from, []).get(e.from)!).push(e.to);
  for (const e of g.edges) {
    const pkg = e.to.startsWith('pkg:') ? e.to.slice(4) : null;
    if (isCodec(e.from)) {
      if (isIo(e.to)) add('codec-no-io', e, `codec imports ${pkg}`);
      else if (!pkg && !codecMayImport(e.to))
        add('codec-no-domain', e, 'a codec imports only other codecs, constants tables and shared/');
      else if (!pkg && !e.typeOnly) {
        const io = reachesIo(valueAdj, e.to);
        if (io) add('codec-no-io', e, `loads ${io.join(' → ')}`);
      }
    }
    if (isDomain(e.from)) {
      if (pkg && DOMAIN_FORBIDDEN_PKGS.has(pkg.split('/')[0]!)) add('domain-no-driver', e, `domain imports ${pkg}`);
      if (!pkg && TRANSPORTS.includes(folderOf(e.to)) && !(TRANSPORT_PORTS.has(e.to) && e.typeOnly)) {
        add(
          'domain-no-transport',
          e,
          TRANSPORT_PORTS.has(e.to)
            ? 'a transport port is imported type-only'
            : `domain imports the ${folderOf(e.to)}/ transport`,
        );
      }
      if (!pkg && folderOf(e.to) === 'store')
        add('domain-no-store', e, 'domain declares ports; store/ implements them');
    }
    if (TRANSPORTS.includes(folderOf(e.from)) && !pkg && folderOf(e.to) === 'store')
      add('transport-no-store', e, 'transports call domain services, never store/');
    const from = folderOf(e.from);
    if (from !== 'app' && from !== 'store' && folderOf(e.to) === 'store' && e.values.some(isStoreConstructor)) {
      add('only-app-constructs-stores', e, `imports ${e.values.filter(isStoreConstructor).join(', ')}`);
    }
    if (from !== 'store' && e.to === 'store/raw.ts')
      add(
        'no-raw-connection',
        e,
        "openStore() hands out ports; the raw connection is for store/'s own checks and tests",
      );
    if (from !== 'app' && from !== 'keys' && folderOf(e.to) === 'keys' && e.values.some(isKeyStoreConstructor)) {
      add('only-app-constructs-stores', e, `imports ${e.values.filter(isKeyStoreConstructor).join(', ')}`);
    }
  }
  return out;
}

/** The first I/O module a module loads through value imports, as the path to it; null if none. */
function reachesIo(adj: Map<string, string[]>, start: string): string[] | null {
  const seen = new Set([start]);
  const queue: string[][] = [[start]];
  while (queue.length) {
    const path = queue.shift()!;
    for (const next of adj.get(path.at(-1)!) ?? []) {
      if (isIo(next)) return [...path, next];
      if (!next.startsWith('pkg:') && !seen.has(next)) {
        seen.add(next);
        queue.push([...path, next]);
      }
    }
  }
  return null;
}

/** The module edges that make up a folder cycle (so a failure says which imports to cut). */
function folderCycleEdges(g: ImportGraph, folders: string[]): string {
  const inCycle = new Set(folders);
  return g.edges
    .filter(
      (e) =>
        !e.to.startsWith('pkg:') &&
        folderOf(e.from) !== folderOf(e.to) &&
        inCycle.has(folderOf(e.from)) &&
        inCycle.has(folderOf(e.to)),
    )
    .map((e) => `${e.from}:${e.line} → ${e.to}`)
    .join('; ');
}

const show = (b: Breach) =>
  `[${b.rule}] ${b.from}${b.line ? `:${b.line}` : ''}${b.to ? ` → ${b.to}` : ''}: ${b.detail}`;
const allowed = (b: Breach) => ALLOWED.some((a) => a.from === b.from && a.to === b.to && a.rule === b.rule);

test('src/ keeps the dependency rules of docs/architecture.md §3', () => {
  const g = readImportGraph(SRC);
  // The reader sees the tree (a broken reader would find no breach and pass).
  assert.ok(g.files.length > 100, `only ${g.files.length} modules read from ${SRC}`);
  assert.ok(
    g.edges.some((e) => e.from === 'capf/server.ts' && e.to === 'pkg:node:tls'),
    'the reader misses package imports',
  );
  assert.ok(
    g.edges.some((e) => e.from === 'app/backup.ts' && e.to === 'store/index.ts' && e.values.includes('openStore')),
    'the reader misses imported names',
  );
  const found = breaches(g);
  const unexpected = found.filter((b) => !allowed(b));
  assert.equal(
    unexpected.length,
    0,
    `dependency rules broken (docs/architecture.md §3):\n${unexpected.map(show).join('\n')}`,
  );
  const stale = ALLOWED.filter((a) => !found.some((b) => a.from === b.from && a.to === b.to && a.rule === b.rule));
  assert.deepEqual(stale, [], 'allow-listed breaches that no longer exist: remove them from ALLOWED');
});

test('each rule fails on a planted breach', () => {
  const edge = (from: string, to: string, o: Partial<ImportEdge> = {}): ImportEdge => ({
    from,
    to,
    typeOnly: false,
    values: ['x'],
    line: 1,
    ...o,
  });
  const files = [
    'capf/codec.ts',
    'capf/server.ts',
    'capf/ports.ts',
    'phones/ops.ts',
    'pki/ca.ts',
    'shared/bytes.ts',
    'shared/io.ts',
    'store/index.ts',
    'keys/index.ts',
    'cli/run.ts',
    'app/context.ts',
    'doctor/rules.ts',
    'doctor/collector.ts',
    'api/a.ts',
    'api/b.ts',
    'access/service.ts',
    'audit/record.ts',
    'api/app.ts',
    'store/audit-store.ts',
    'store/raw.ts',
  ];
  const planted: ImportGraph = {
    files,
    edges: [
      edge('phones/ops.ts', 'pki/ca.ts'),
      // a type-only edge still closes a folder cycle
      edge('pki/ca.ts', 'phones/ops.ts', { typeOnly: true, values: [] }),
      edge('api/a.ts', 'api/b.ts'),
      edge('api/b.ts', 'api/a.ts'),
      edge('capf/codec.ts', 'pkg:node:net'),
      edge('capf/codec.ts', 'shared/io.ts'),
      edge('shared/io.ts', 'pkg:node:fs'),
      edge('capf/codec.ts', 'phones/ops.ts'),
      edge('phones/ops.ts', 'pkg:kysely'),
      edge('phones/ops.ts', 'capf/server.ts', { typeOnly: true, values: [] }),
      edge('phones/ops.ts', 'capf/ports.ts'), // a port imported for a value, not only its types
      edge('doctor/rules.ts', 'store/index.ts', { typeOnly: true, values: [] }),
      edge('cli/run.ts', 'store/index.ts', { values: ['openStore'] }),
      edge('doctor/rules.ts', 'keys/index.ts', { values: ['createFileKeyStore'] }),
      edge('access/service.ts', 'api/app.ts'), // access/ and audit/ are domain folders too
      edge('audit/record.ts', 'store/audit-store.ts', { typeOnly: true, values: [] }),
      edge('app/context.ts', 'store/raw.ts', { values: ['rawDatabase'] }), // not even app/ reaches past the ports
      // allowed: a domain module implementing a transport's port, a codec using shared/, app/ building stores,
      // the collector probing
      edge('phones/ops.ts', 'capf/ports.ts', { typeOnly: true, values: [] }),
      edge('capf/codec.ts', 'shared/bytes.ts'),
      edge('app/context.ts', 'store/index.ts', { values: ['openStore'] }),
      edge('app/context.ts', 'keys/index.ts', { values: ['createFileKeyStore'] }),
      edge('doctor/collector.ts', 'capf/server.ts'),
    ],
  };
  const got = breaches(planted).map(show).sort();
  assert.deepEqual(
    got,
    [
      '[codec-no-domain] capf/codec.ts:1 → phones/ops.ts: ' +
        'a codec imports only other codecs, constants tables and shared/',
      '[codec-no-io] capf/codec.ts:1 → pkg:node:net: codec imports node:net',
      '[codec-no-io] capf/codec.ts:1 → shared/io.ts: loads shared/io.ts → pkg:node:fs',
      '[domain-no-driver] phones/ops.ts:1 → pkg:kysely: domain imports kysely',
      '[domain-no-store] audit/record.ts:1 → store/audit-store.ts: domain declares ports; store/ implements them',
      '[domain-no-transport] access/service.ts:1 → api/app.ts: domain imports the api/ transport',
      '[domain-no-store] doctor/rules.ts:1 → store/index.ts: domain declares ports; store/ implements them',
      '[domain-no-transport] phones/ops.ts:1 → capf/ports.ts: a transport port is imported type-only',
      '[domain-no-transport] phones/ops.ts:1 → capf/server.ts: domain imports the capf/ transport',
      '[no-folder-cycle] capf ↔ phones ↔ pki: phones/ops.ts:1 → pki/ca.ts; ' +
        'pki/ca.ts:1 → phones/ops.ts; capf/codec.ts:1 → phones/ops.ts; ' +
        'phones/ops.ts:1 → capf/server.ts; phones/ops.ts:1 → capf/ports.ts; phones/ops.ts:1 → capf/ports.ts',
      '[no-module-cycle] api/a.ts ↔ api/b.ts: 2 modules in api/',
      '[no-raw-connection] app/context.ts:1 → store/raw.ts: openStore() hands out ports; the raw connection is for ' +
        "store/'s own checks and tests",
      '[only-app-constructs-stores] cli/run.ts:1 → store/index.ts: imports openStore',
      '[only-app-constructs-stores] doctor/rules.ts:1 → keys/index.ts: imports createFileKeyStore',
      '[transport-no-store] cli/run.ts:1 → store/index.ts: transports call domain services, never store/',
    ].sort(),
  );
  assert.deepEqual(
    cyclesOf(
      new Map([
        ['a', ['b']],
        ['b', ['a']],
        ['c', ['a']],
      ]),
    ),
    [['a', 'b']],
  );
});
