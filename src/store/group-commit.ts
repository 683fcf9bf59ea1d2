// Owns group commit: concurrent callers' transactions share one commit, each still atomic and durable when
// its promise resolves; a failing caller does not fail the others.

import { storeUnavailableCode } from './health.ts';

/** Runs fn in one transaction on a store of that transaction. */
export type Transact<S> = (fn: (store: S) => Promise<void>) => Promise<void>;

interface GroupItem<S> {
  fn: (store: S) => Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

class GroupItemFailed extends Error {
  constructor(
    readonly index: number,
    readonly original: unknown,
  ) {
    super('group commit item failed');
  }
}

/**
 * Group commit: work submitted while a commit is being prepared shares it (at most GROUP_MAX items).
 * Under load (many CAPF sessions ending at once) this writes shared pages — indexes, the WAL frame
 * header — once per group instead of once per session. A failing item is taken out and the rest retried.
 * When the submitter says others are in flight, the commit waits up to `delayMs` for their work (the
 * sessions of a boot storm arrive spread out, so without it groups hold about two items); a submitter
 * alone (siblings 0) never waits, and neither does a group that is already full.
 */
const GROUP_MAX = 64;
export function createGroupCommit<S>(transact: Transact<S>, delayMs: number) {
  const queue: GroupItem<S>[] = [];
  let immediate = false;
  let timer: NodeJS.Timeout | null = null;
  const run = async (items: GroupItem<S>[]): Promise<void> => {
    const results: unknown[] = [];
    try {
      await transact(async (tx) => {
        for (let i = 0; i < items.length; i++) {
          try {
            results[i] = await items[i]!.fn(tx);
          } catch (e) {
            throw new GroupItemFailed(i, e);
          }
        }
      });
    } catch (e) {
      // An item's own failure (a constraint, a missing row) takes only that item out; the database becoming
      // unavailable (connection lost, disk full) fails the whole commit, so every caller sharing it sees it.
      if (e instanceof GroupItemFailed && !storeUnavailableCode(e.original)) {
        items[e.index]!.reject(e.original);
        const rest = items.filter((_, i) => i !== e.index);
        if (rest.length) await run(rest);
        return;
      }
      const failure = e instanceof GroupItemFailed ? e.original : e;
      for (const it of items) it.reject(failure);
      return;
    }
    for (const [i, it] of items.entries()) it.resolve(results[i]);
  };
  const flush = () => {
    immediate = false;
    if (timer) clearTimeout(timer);
    timer = null;
    const items = queue.splice(0, GROUP_MAX);
    if (queue.length) schedule(false);
    void run(items);
  };
  const schedule = (wait: boolean) => {
    if (immediate) return;
    if (!wait || queue.length >= GROUP_MAX) {
      immediate = true;
      setImmediate(flush);
    } else {
      timer ??= setTimeout(flush, delayMs);
    }
  };
  return {
    submit<T>(fn: (store: S) => Promise<T>, siblings: number): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
        schedule(delayMs > 0 && siblings > 0);
      });
    },
  };
}
