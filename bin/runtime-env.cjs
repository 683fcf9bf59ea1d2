// Process-level settings that must be in place before Node's libuv thread pool starts, so they cannot
// live in src/ (loading any ES module already starts the pool). Used by bin/opencapf.cjs and bench/.
'use strict';
const os = require('node:os');

/**
 * libuv's thread pool runs the CPU-bound crypto jobs (LSC signatures, key generation) while the main
 * thread runs TLS and the protocol. Its default of 4 threads oversubscribes small machines: on 2 cores
 * bench/capf-ab measured 3-6 % more enrollments/s with 1 pool thread than with 4. So: one core for the
 * event loop, the rest (1..4) for the pool; UV_THREADPOOL_SIZE set by the operator always wins.
 */
function threadpoolSize(cores = os.availableParallelism()) {
  return Math.min(4, Math.max(1, cores - 1));
}

/** Fills in UV_THREADPOOL_SIZE unless already set; returns the environment. */
function applyRuntimeEnv(env = process.env, cores = os.availableParallelism()) {
  if (!env.UV_THREADPOOL_SIZE) env.UV_THREADPOOL_SIZE = String(threadpoolSize(cores));
  return env;
}

module.exports = { threadpoolSize, applyRuntimeEnv };
