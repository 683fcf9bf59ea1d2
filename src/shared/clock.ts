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

// Date#toISOString goes through V8's C++ date formatting (about 0.5-1 µs); a CAPF enrollment formats about
// 15 timestamps. Within one second only the milliseconds change, so the rest of the text is reused.
let cachedSecond = Number.NaN;
let cachedPrefix = '';
const MAX_FAST_MS = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z: beyond, toISOString uses a 6-digit year

/** The same text as `new Date(ms).toISOString()`, faster for successive times within a second. */
export function isoString(time: Date | number): string {
  const ms = typeof time === 'number' ? time : time.getTime();
  // throws for NaN, like toISOString
  if (!(ms >= 0 && ms <= MAX_FAST_MS) || !Number.isInteger(ms)) return new Date(ms).toISOString();
  const second = Math.floor(ms / 1000);
  if (second !== cachedSecond) {
    cachedPrefix = new Date(second * 1000).toISOString().slice(0, 20); // "YYYY-MM-DDTHH:MM:SS."
    cachedSecond = second;
  }
  const milli = ms - second * 1000;
  return `${cachedPrefix}${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
}
