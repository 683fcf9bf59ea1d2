// Owns the emulator's durations: how long a phone takes to generate its key, how a fleet's phones arrive, and
// how a phone retries a CAPF connection that failed. "20s", "500ms", "2m", a range "20s..60s" (uniform).

/** One duration or a range sampled uniformly; `lo === hi` is a fixed time. */
export interface DurationRange {
  loMs: number;
  hiMs: number;
}

const UNIT_MS = { ms: 1, s: 1000, m: 60_000 } as const;
/** Longest duration accepted (a day): anything longer is a typo, not a phone. */
export const MAX_DURATION_MS = 86_400_000;

/** Parses "500ms", "20s", "1.5s", "2m" (a bare number is seconds). Throws an Error naming the text. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m)?$/.exec(text.trim());
  if (!m) throw new Error(`"${text}" is not a duration (examples: 500ms, 20s, 1.5s, 2m)`);
  const v = Number(m[1]) * UNIT_MS[(m[2] ?? 's') as keyof typeof UNIT_MS];
  if (!Number.isFinite(v) || v > MAX_DURATION_MS) throw new Error(`"${text}" is longer than a day`);
  return Math.round(v);
}

/** Parses "20s" (fixed) or "20s..60s" (uniform between the two). */
export function parseDurationRange(text: string): DurationRange {
  const parts = text.split('..');
  if (parts.length > 2) throw new Error(`"${text}" is not a duration or a range LOW..HIGH (e.g. 20s..60s)`);
  const loMs = parseDuration(parts[0]!);
  const hiMs = parts.length === 2 ? parseDuration(parts[1]!) : loMs;
  if (hiMs < loMs) throw new Error(`"${text}": the upper bound is below the lower one`);
  return { loMs, hiMs };
}

/** A value in [loMs, hiMs] from `random` (a number in [0, 1), Math.random by default). */
export function sampleDuration(r: DurationRange, random: () => number = Math.random): number {
  return Math.round(r.loMs + random() * (r.hiMs - r.loMs));
}

export function formatDurationRange(r: DurationRange): string {
  const f = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`);
  return r.loMs === r.hiMs ? f(r.loMs) : `${f(r.loMs)}..${f(r.hiMs)}`;
}

/**
 * How a phone retries a CAPF (or TFTP/HTTP) connection that was refused, reset or timed out: tries after the
 * first, and the wait between them. Cisco documents this only for its CTI clients: "the JTAPI client attempts to
 * obtain the certificate three more times in 30-second intervals" (CUCM Security Guide, CAPF chapter, "CAPF
 * System Interactions" tip). Phone firmware behaviour is not documented (UNCERTAIN); field reports of phones
 * retrying a few times about 30 s apart before "LSC: Connection Failed" match it, so the emulator uses it.
 */
export const CISCO_CAPF_RETRY = { retries: 3, intervalMs: 30_000 } as const;
