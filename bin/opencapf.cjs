#!/usr/bin/env node
// The `opencapf` executable (package.json "bin"). CommonJS on purpose: it runs before anything starts
// libuv's thread pool, so the pool size set here takes effect (bin/runtime-env.cjs); then it hands over
// to the ES module entry, which runs the compiled JavaScript in dist/.
'use strict';
require('./runtime-env.cjs').applyRuntimeEnv(process.env);
import('./opencapf.js').catch((e) => {
  process.stderr.write(`${e?.stack ? e.stack : e}\n`);
  process.exitCode = 1;
});
