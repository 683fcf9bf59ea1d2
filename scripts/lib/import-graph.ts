// Owns reading the import graph of src/: every import of every non-test module (relative ones resolved to
// paths under src/, packages kept as 'pkg:<name>'), the names each imports, the folder each module belongs
// to, cycles, and imports that reach into another folder past its index.ts. Used by
// scripts/import-graph.ts (the summary in notes) and test/integration/architecture.test.ts (the rules).

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

export interface ImportEdge {
  from: string; // path relative to src/, e.g. 'capf/session.ts'
  to: string;
  /** `import type …`, `export type … from`, or a type position `import('…').T`: erased at run time. */
  typeOnly: boolean;
  /**
   * Exported names it binds as values ('*' for `export *`, a namespace or a dynamic import); inline `type` names
   * excluded.
   */
  values: string[];
  line: number;
}

export interface ImportGraph {
  files: string[];
  edges: ImportEdge[];
}

const IMPORT_RE = /^\s*(import|export)\s+(type\s+)?(?:([^'";]*?)\sfrom\s+)?['"]([^'"]+)['"]/gm;
/** `import('x')`: a dynamic import (`await import('x')`) loads code; `import('x').T` in a type does not. */
const DYNAMIC_RE = /(await\s+)?\bimport\(\s*['"]([^'"]+)['"]\s*\)(\.)?/g;

/** The value names an import or re-export clause binds ('{ a, type b, c as d }' → a, c; '* as n' → '*'). */
function valuesOf(clause: string | undefined, typeOnly: boolean): string[] {
  if (typeOnly) return [];
  if (!clause) return ['*']; // `import 'x'` (side effects) or `export * from 'x'`
  const out: string[] = [];
  const braces = /\{([^}]*)\}/.exec(clause);
  const outside = clause
    .replace(/\{[^}]*\}/, '')
    .replace(/,/g, ' ')
    .trim();
  if (/\*/.test(outside)) out.push('*');
  else if (outside && outside !== 'type') out.push('default');
  for (const part of braces?.[1]?.split(',') ?? []) {
    const name = part.trim();
    if (name && !name.startsWith('type ')) out.push(name.split(/\s+as\s+/)[0]!.trim());
  }
  return out;
}

function walk(dir: string, out: string[]): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Imports of every module under srcDir (package imports such as 'node:fs' are kept with a 'pkg:' prefix). */
export function readImportGraph(srcDir: string): ImportGraph {
  const root = resolve(srcDir);
  const files = walk(root, [])
    .map((f) => relative(root, f).split(sep).join('/'))
    .sort();
  const edges: ImportEdge[] = [];
  for (const file of files) {
    const text = readFileSync(join(root, file), 'utf8');
    const add = (spec: string, index: number, typeOnly: boolean, values: string[]) => {
      const line = text.slice(0, index).split('\n').length;
      const to = spec.startsWith('.')
        ? relative(root, resolve(root, dirname(file), spec))
            .split(sep)
            .join('/')
        : `pkg:${spec}`;
      edges.push({ from: file, to, typeOnly, values, line });
    };
    for (const m of text.matchAll(IMPORT_RE)) {
      const typeOnly = Boolean(m[2]);
      // `^\s*` may start on a blank line above
      add(m[4]!, m.index + m[0].indexOf(m[1]!), typeOnly, valuesOf(m[3], typeOnly));
    }
    for (const m of text.matchAll(DYNAMIC_RE)) {
      const typeOnly = !m[1] && Boolean(m[3]);
      add(m[2]!, m.index, typeOnly, typeOnly ? [] : ['*']);
    }
  }
  return { files, edges };
}

/** The top-level folder of a module ('capf/session.ts' → 'capf'; 'main.ts' → '.'). */
export function folderOf(file: string): string {
  const i = file.indexOf('/');
  return i < 0 ? '.' : file.slice(0, i);
}

/** Strongly connected components of more than one node (Tarjan): the cycles of a directed graph. */
export function cyclesOf(adj: Map<string, Iterable<string>>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const strong = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of adj.get(v) ?? []) {
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      for (let w = stack.pop()!; ; w = stack.pop()!) {
        on.delete(w);
        comp.push(w);
        if (w === v) break;
      }
      if (comp.length > 1) out.push(comp.sort());
    }
  };
  for (const v of [...adj.keys()].sort()) if (!idx.has(v)) strong(v);
  return out;
}

/** Folder-level cycles (each as the list of folders around it). */
export function folderCycles(g: ImportGraph): string[][] {
  const adj = new Map<string, Set<string>>();
  for (const e of g.edges) {
    if (e.to.startsWith('pkg:')) continue;
    const a = folderOf(e.from);
    const b = folderOf(e.to);
    if (a === b) continue;
    if (!adj.has(a)) adj.set(a, new Set());
    adj.get(a)!.add(b);
  }
  return cyclesOf(adj);
}

/** Module-level cycles inside one folder, through imports that load code (type-only imports excluded). */
export function fileCycles(g: ImportGraph, folder: string): string[][] {
  const inside = (f: string) => folderOf(f) === folder;
  const adj = new Map<string, string[]>();
  for (const e of g.edges)
    if (inside(e.from) && inside(e.to) && !e.typeOnly) (adj.get(e.from) ?? adj.set(e.from, []).get(e.from)!).push(e.to);
  return cyclesOf(adj);
}

/** Imports from one top-level folder into another that name a module other than the folder's index.ts. */
export function bypassingIndex(g: ImportGraph): ImportEdge[] {
  return g.edges.filter((e) => {
    if (e.to.startsWith('pkg:')) return false;
    const a = folderOf(e.from);
    const b = folderOf(e.to);
    return a !== b && b !== '.' && e.to !== `${b}/index.ts`;
  });
}
