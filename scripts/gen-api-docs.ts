// Regenerates the error-code table of docs/api.md from ERROR_TABLE (between the error-codes markers).
import { readFileSync, writeFileSync } from 'node:fs';
import { ERROR_TABLE } from '../src/shared/errors.ts';

const path = new URL('../docs/api.md', import.meta.url);
const md = readFileSync(path, 'utf8');
const begin = md.indexOf('<!-- error-codes:begin');
const end = md.indexOf('<!-- error-codes:end -->');
if (begin < 0 || end < 0) throw new Error('docs/api.md lacks the error-codes markers');
const head = md.slice(begin, md.indexOf('\n', begin) + 1);
const rows = Object.entries(ERROR_TABLE).map(([k, v]) => `| \`${k}\` | ${v.http} | ${v.expose ? v.text : `${v.text} (details never shown to clients)`} |`);
writeFileSync(path, md.slice(0, begin) + head + ['| Code | HTTP | Meaning |', '|---|---|---|', ...rows].join('\n') + '\n' + md.slice(end));
