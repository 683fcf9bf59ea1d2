// Regenerates the generated tables of docs/api.md: the error codes from ERROR_TABLE (between the error-codes
// markers) and the audit actions from AUDIT_ACTIONS (between the audit-actions markers).
import { readFileSync, writeFileSync } from 'node:fs';
import { ERROR_TABLE } from '../src/shared/errors.ts';
import { AUDIT_ACTIONS } from '../src/audit/actions.ts';

const path = new URL('../docs/api.md', import.meta.url);

/** Replaces what lies between `<!-- <name>:begin … -->` and `<!-- <name>:end -->`, keeping the markers. */
function replaceBlock(md: string, name: string, lines: string[]): string {
  const begin = md.indexOf(`<!-- ${name}:begin`);
  const end = md.indexOf(`<!-- ${name}:end -->`);
  if (begin < 0 || end < 0) throw new Error(`docs/api.md lacks the ${name} markers`);
  const head = md.slice(begin, md.indexOf('\n', begin) + 1);
  return md.slice(0, begin) + head + lines.join('\n') + '\n' + md.slice(end);
}

let md = readFileSync(path, 'utf8');
const errorText = (v: { expose: boolean; text: string }) =>
  v.expose ? v.text : `${v.text} (details never shown to clients)`;
const errorRows = Object.entries(ERROR_TABLE).map(([k, v]) => `| \`${k}\` | ${v.http} | ${errorText(v)} |`);
md = replaceBlock(md, 'error-codes', ['| Code | HTTP | Meaning |', '|---|---|---|', ...errorRows]);
const actionRows = Object.entries(AUDIT_ACTIONS).map(([k, v]) => `| \`${k}\` | ${v} |`);
md = replaceBlock(md, 'audit-actions', ['| Action | `actionText` |', '|---|---|', ...actionRows]);
writeFileSync(path, md);
