// Owns deriving lookups from `NAME: value` protocol tables, so a table and its reverse can never drift.

/** Derives `value -> name` from a `NAME: value` table. */
export function reverse<const T extends Record<string, number>>(table: T): ReadonlyMap<number, keyof T & string> {
  const out = new Map<number, keyof T & string>();
  for (const [name, value] of Object.entries(table)) out.set(value, name as keyof T & string);
  return out;
}

/** Formats a code for logs: the table name if known, else `UNKNOWN(<n>)`. */
export function nameOr(map: ReadonlyMap<number, string>, value: number): string {
  return map.get(value) ?? `UNKNOWN(${value})`;
}
