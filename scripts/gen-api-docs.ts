// Regenerates the generated tables of docs/api.md, each between its markers: the error codes from
// ERROR_TABLE, the audit actions from AUDIT_ACTIONS and the phone filters from the query field table.
import { readFileSync, writeFileSync } from 'node:fs';
import { ERROR_TABLE } from '../src/shared/errors.ts';
import { AUDIT_ACTIONS } from '../src/audit/actions.ts';
import { phoneFilterFields, type FilterFieldSpec } from '../src/phones/query-fields.ts';

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
const typeOf = (f: FilterFieldSpec) =>
  f.type === 'enum'
    ? Object.keys(f.values ?? {})
        .map((v) => `\`${v}\``)
        .join(' / ')
    : f.type === 'time'
      ? 'ISO 8601 time'
      : f.type;
const filterRows = phoneFilterFields().map(([name, f]) => {
  const meaning = f.help.replace(/\|/g, '\\|') + (f.secret ? ' (never in a URL)' : '');
  return `| \`${name}\` | \`${f.cli}\` | ${typeOf(f)} | ${meaning} |`;
});
md = replaceBlock(md, 'phone-filters', ['| API | CLI | Value | Meaning |', '|---|---|---|---|', ...filterRows]);
writeFileSync(path, md);
