// Owns distinguished-name handling: building DNs from attributes and rendering them as CUCM does.

export interface NameAttribute {
  type: string; // short name: CN, OU, O, L, ST, C, serialNumber
  value: string;
}

/** Attributes an LSC copies from the CAPF certificate's subject (capf-protocol.md §9). */
export const LSC_INHERITED_ATTRIBUTES = ['O', 'OU', 'L', 'ST', 'C'] as const;

const NEEDS_ESCAPE = /[,+"\\<>;=]|^[ #]| $/;

function escapeRdnValue(v: string): string {
  if (!NEEDS_ESCAPE.test(v)) return v; // device names and most subjects: nothing to escape
  let out = v.replace(/([,+"\\<>;=])/g, '\\$1');
  if (out.startsWith(' ') || out.startsWith('#')) out = `\\${out}`;
  if (out.endsWith(' ')) out = `${out.slice(0, -1)}\\ `;
  return out;
}

/** RFC 4514 string in the given attribute order. */
export function formatDn(attrs: readonly NameAttribute[]): string {
  return attrs.map((a) => `${a.type}=${escapeRdnValue(a.value)}`).join(', ');
}

/** CUCM's `show itl` style: `CN=x;OU=y;O=z`. */
export function formatDnCucm(attrs: readonly NameAttribute[]): string {
  return attrs.map((a) => `${a.type}=${a.value}`).join(';');
}
