// CPU time of this process's threads, from Linux's /proc/self/task/*/schedstat (nanoseconds run on a
// core, per thread): the main thread (the event loop) apart from all others (libuv pool, V8's workers).
// Elsewhere than Linux all three are 0 (the per-process totals the benches print are unaffected).

import { readdirSync, readFileSync } from 'node:fs';

export interface ThreadCpu {
  /** ms the event-loop thread ran */
  loopMs: number;
  /** ms every other thread of the process ran */
  otherMs: number;
  /** ms the event-loop thread was ready to run but waited for a core (schedstat's run delay) */
  loopWaitMs: number;
}

export function threadCpu(): ThreadCpu {
  let loopMs = 0;
  let otherMs = 0;
  let loopWaitMs = 0;
  try {
    for (const tid of readdirSync('/proc/self/task')) {
      let fields: string[];
      try {
        fields = readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ');
      } catch {
        continue; // the thread ended between the listing and the read
      }
      const ns = Number(fields[0]);
      if (Number(tid) === process.pid) {
        loopMs += ns / 1e6;
        loopWaitMs += Number(fields[1]) / 1e6;
      } else otherMs += ns / 1e6;
    }
  } catch {
    // not Linux
  }
  return { loopMs, otherMs, loopWaitMs };
}
