// Where a bench loads the product from: `dist` is the compiled JavaScript `npm run build` writes to dist/
// (what `opencapf` runs), `tsx` is src/ run through tsx (for comparison). Imports only node builtins, so a
// bench server process can load it without tsx (bench/lib/runtime.ts starts those processes).

import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export type Runtime = 'dist' | 'tsx';

export function parseRuntime(value: string | undefined, option = '--runtime'): Runtime {
  const v = value ?? 'dist';
  if (v !== 'dist' && v !== 'tsx') throw new Error(`${option} takes dist or tsx, not ${JSON.stringify(v)}`);
  return v;
}

/** The file URL of a product module (`capf/client`, …) of the checkout at `root`, for `runtime`. */
export function productUrl(root: string, runtime: Runtime, module: string): string {
  const file = runtime === 'dist' ? join(root, 'dist', `${module}.js`) : join(root, 'src', `${module}.ts`);
  return pathToFileURL(file).href;
}

/**
 * In a bench server process: loads a product module from the checkout and runtime its parent chose
 * (BENCH_ROOT, BENCH_RUNTIME); run by hand (`npx tsx bench/<server>.ts`), this checkout's src/ through tsx.
 */
export function productModule<T>(module: string): Promise<T> {
  const root = process.env.BENCH_ROOT ?? fileURLToPath(new URL('../..', import.meta.url));
  const runtime = parseRuntime(process.env.BENCH_RUNTIME ?? 'tsx', 'BENCH_RUNTIME');
  return import(productUrl(root, runtime, module)) as Promise<T>;
}
