// Regenerates the generated tables of docs/api.md: the error codes from ERROR_TABLE and the phone filters
// from the query field table (each between its markers).
import { readFileSync, writeFileSync } from 'node:fs';
import { ERROR_TABLE } from '../src/shared/errors.ts';
import { phoneFilterFields, type FilterFieldSpec } from '../src/phones/query-fields.ts';

const path = new URL('../docs/api.md', import.meta.url);
let md = readFileSync(path, 'utf8');

function replaceBetween(name: string, lines: string[]): void {
  const begin = md.indexOf(`<!-- ${name}:begin`);
  const end = md.indexOf(`<!-- ${name}:end -->`);
  if (begin < 0 || end < 0) throw new Error(`docs/api.md lacks the ${name} markers`);
  const head = md.slice(begin, md.indexOf('\n', begin) + 1);
  md = md.slice(0, begin) + head + lines.join('\n') + '\n' + md.slice(end);
}

const errorRows = Object.entries(ERROR_TABLE).map(([k, v]) => `| \`${k}\` | ${v.http} | ${v.expose ? v.text : `${v.text} (details never shown to clients)`} |`);
replaceBetween('error-codes', ['| Code | HTTP | Meaning |', '|---|---|---|', ...errorRows]);

const typeOf = (f: FilterFieldSpec) =>
  f.type === 'enum' ? Object.keys(f.values ?? {}).map((v) => `\`${v}\``).join(' / ') : f.type === 'time' ? 'ISO 8601 time' : f.type;
const filterRows = phoneFilterFields().map(([name, f]) =>
  `| \`${name}\` | \`${f.cli}\` | ${typeOf(f)} | ${f.help.replace(/\|/g, '\\|')}${f.secret ? ' (never in a URL)' : ''} |`);
replaceBetween('phone-filters', ['| API | CLI | Value | Meaning |', '|---|---|---|---|', ...filterRows]);

writeFileSync(path, md);
