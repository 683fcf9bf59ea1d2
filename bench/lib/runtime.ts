// Parent side of a bench's runtime choice (bench/lib/product.ts): builds dist/ when it is missing or older
// than src/, and gives the command line of a bench server process. With `dist` that process is plain
// `node` (no tsx loader): the bench server's own TypeScript (bench/<server>.ts, bench/lib/) is transpiled
// file by file into a temporary directory, and it loads the product from dist/. With `tsx` it runs under
// `--import tsx` and loads src/. (A bench process itself runs under tsx; tsx leaves dist/'s .js untouched.)

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import type { Runtime } from './product.ts';

export { parseRuntime, productUrl, type Runtime } from './product.ts';

/** The newest (or oldest) modification time of the files under `dir` that `keep` accepts. */
function mtimes(dir: string, keep: (name: string) => boolean, pick: typeof Math.max, start: number): number {
  let t = start;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && keep(e.name)) t = pick(t, statSync(join(e.parentPath, e.name)).mtimeMs);
  }
  return t;
}

/** Runs `npm run build` in `root` when its dist/ is missing or older than a source file of src/. */
export function ensureBuilt(root: string): void {
  const sources = mtimes(join(root, 'src'), (n) => n.endsWith('.ts') && !n.endsWith('.test.ts'), Math.max, 0);
  const missing = !existsSync(join(root, 'dist', 'main.js'));
  if (!missing && mtimes(join(root, 'dist'), (n) => n.endsWith('.js'), Math.min, Infinity) >= sources) return;
  const why = missing ? 'has no dist/main.js' : 'has a dist/ older than its src/';
  process.stderr.write(`bench: ${resolve(root)} ${why}; building it first with \`npm run build\` (about 30 s)...\n`);
  // The build's output goes to stderr, so what the bench prints on stdout stays the bench's.
  execFileSync('npm', ['run', 'build'], { cwd: root, stdio: ['ignore', process.stderr, process.stderr] });
}

/** Transpiles bench/<script>.ts and bench/lib/*.ts of `root` to plain ES modules in a new directory. */
function transpileBench(root: string, script: string): string {
  const out = mkdtempSync(join(tmpdir(), 'opencapf-bench-js-'));
  mkdirSync(join(out, 'lib'));
  writeFileSync(join(out, 'package.json'), '{ "type": "module" }\n');
  const lib = readdirSync(join(root, 'bench', 'lib')).filter((n) => n.endsWith('.ts'));
  const files = [`${script}.ts`, ...lib.map((n) => `lib/${n}`)];
  for (const file of files) {
    const { outputText } = ts.transpileModule(readFileSync(join(root, 'bench', file), 'utf8'), {
      fileName: file,
      compilerOptions: {
        module: ts.ModuleKind.ESNext,
        target: ts.ScriptTarget.ES2022,
        verbatimModuleSyntax: true,
        rewriteRelativeImportExtensions: true,
      },
    });
    writeFileSync(join(out, file.replace(/\.ts$/, '.js')), outputText);
  }
  return out;
}

export interface BenchServerCommand {
  /** node's arguments: loader (tsx only), script */
  args: string[];
  /** what the server's bench/lib/product.ts reads */
  env: { BENCH_ROOT: string; BENCH_RUNTIME: Runtime };
}

/**
 * How to start bench/<script>.ts of the checkout at `root` on `runtime` (dist/ built first if stale). The
 * transpiled server of `dist` is removed when this process exits.
 */
export function benchServerCommand(root: string, runtime: Runtime, script: string): BenchServerCommand {
  const env = { BENCH_ROOT: root, BENCH_RUNTIME: runtime };
  if (runtime === 'tsx') return { args: ['--import', 'tsx', join(root, 'bench', `${script}.ts`)], env };
  ensureBuilt(root);
  const out = transpileBench(root, script);
  process.once('exit', () => rmSync(out, { recursive: true, force: true }));
  return { args: [join(out, `${script}.js`)], env };
}
