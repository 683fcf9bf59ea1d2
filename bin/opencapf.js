#!/usr/bin/env node
// Runs the compiled entry point (dist/, built by `npm run build`, which `npm start` and `npm test` run);
// started by bin/opencapf.cjs, the `opencapf` executable, which sets the process up first.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('opencapf: dist/main.js is missing; build it first with `npm run build` (npm start does).\n');
  process.exit(1);
}
await import(entry.href);
