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
