// Owns running a background check periodically: once shortly after start, then every interval, never
// keeping the process alive, errors handed to the caller (a timer has nobody else to tell).

export interface Periodic {
  stop(): void;
}

export function startPeriodic(
  run: () => Promise<unknown>,
  intervalMs: number,
  onError: (e: unknown) => void,
  firstDelayMs = 1000,
): Periodic {
  const tick = () => void run().catch(onError);
  const first = setTimeout(tick, firstDelayMs);
  const timer = setInterval(tick, intervalMs);
  first.unref();
  timer.unref();
  return {
    stop() {
      clearTimeout(first);
      clearInterval(timer);
    },
  };
}
