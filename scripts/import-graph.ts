// Owns reading the import graph of src/: every relative import of every non-test module, the folder each
// belongs to, folder cycles, and imports that reach into another folder past its index.ts.
// `npx tsx scripts/import-graph.ts` prints a summary (used for the architecture numbers in notes).

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

export interface ImportEdge {
  from: string; // path relative to src/, e.g. 'capf/session.ts'
  to: string;
  typeOnly: boolean;
  line: number;
}

export interface ImportGraph {
  files: string[];
  edges: ImportEdge[];
}

const IMPORT_RE = /^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;

function walk(dir: string, out: string[]): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Relative imports of every module under srcDir (package imports such as 'node:fs' are kept with a 'pkg:' prefix). */
export function readImportGraph(srcDir: string): ImportGraph {
  const root = resolve(srcDir);
  const files = walk(root, []).map((f) => relative(root, f).split(sep).join('/')).sort();
  const edges: ImportEdge[] = [];
  for (const file of files) {
    const text = readFileSync(join(root, file), 'utf8');
    for (const m of text.matchAll(IMPORT_RE)) {
      const spec = m[3]!;
      const line = text.slice(0, m.index).split('\n').length;
      const typeOnly = Boolean(m[2]);
      if (!spec.startsWith('.')) {
        edges.push({ from: file, to: `pkg:${spec}`, typeOnly, line });
        continue;
      }
      const target = relative(root, resolve(root, dirname(file), spec)).split(sep).join('/');
      edges.push({ from: file, to: target, typeOnly, line });
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
function cyclesOf(adj: Map<string, Iterable<string>>): string[][] {
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
  for (const e of g.edges) if (inside(e.from) && inside(e.to) && !e.typeOnly) (adj.get(e.from) ?? adj.set(e.from, []).get(e.from)!).push(e.to);
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

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename ?? '')) {
  const g = readImportGraph('src');
  const lines = (prefix: string) => g.files.filter((f) => f.startsWith(prefix)).reduce((n, f) => n + readFileSync(join('src', f), 'utf8').split('\n').length, 0);
  console.log(`modules ${g.files.length}, relative imports ${g.edges.filter((e) => !e.to.startsWith('pkg:')).length}`);
  console.log(`app/ lines ${lines('app/')}`);
  const cycles = folderCycles(g);
  console.log(`folder cycles: ${cycles.length ? cycles.map((c) => c.join(' ↔ ')).join('; ') : 'none'}`);
  for (const folder of new Set(g.files.map(folderOf))) {
    const c = fileCycles(g, folder);
    if (c.length) console.log(`module cycles in ${folder}/: ${c.map((x) => `${x.length} files`).join(', ')}`);
  }
  const bypass = bypassingIndex(g);
  console.log(`cross-folder imports bypassing index.ts: ${bypass.length}`);
  const largest = g.files.map((f) => [f, readFileSync(join('src', f), 'utf8').split('\n').length] as const).sort((a, b) => b[1] - a[1]).slice(0, 5);
  console.log(`largest: ${largest.map(([f, n]) => `${f} ${n}`).join(', ')}`);
}
