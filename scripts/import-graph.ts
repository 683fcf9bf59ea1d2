// Prints a summary of the import graph of src/ (modules, folder and module cycles, imports that bypass a
// folder's index.ts, the largest files): `npx tsx scripts/import-graph.ts`. The rules are checked by
// test/integration/architecture.test.ts over the same reader (scripts/lib/import-graph.ts).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bypassingIndex, fileCycles, folderCycles, folderOf, readImportGraph } from './lib/import-graph.ts';

const g = readImportGraph('src');
const lines = (prefix: string) =>
  g.files
    .filter((f) => f.startsWith(prefix))
    .reduce((n, f) => n + readFileSync(join('src', f), 'utf8').split('\n').length, 0);
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
const largest = g.files
  .map((f) => [f, readFileSync(join('src', f), 'utf8').split('\n').length] as const)
  .sort((a, b) => b[1] - a[1])
  .slice(0, 5);
console.log(`largest: ${largest.map(([f, n]) => `${f} ${n}`).join(', ')}`);
