// Owns the notion of "now" so that deadlines and validity can be tested without sleeping.

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export function fixedClock(at: Date): Clock & { set(d: Date): void; advanceMs(ms: number): void } {
  let t = at.getTime();
  return {
    now: () => new Date(t),
    set: (d: Date) => {
      t = d.getTime();
    },
    advanceMs: (ms: number) => {
      t += ms;
    },
  };
}

/** Real time plus an adjustable offset: lets tests move "now" past a deadline without sleeping. */
export function adjustableClock(): Clock & { set(d: Date): void; advanceMs(ms: number): void } {
  let offsetMs = 0;
  return {
    now: () => new Date(Date.now() + offsetMs),
    set: (d: Date) => {
      offsetMs = d.getTime() - Date.now();
    },
    advanceMs: (ms: number) => {
      offsetMs += ms;
    },
  };
}
