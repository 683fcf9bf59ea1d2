// Fails when a line of code is longer than 120 characters (the formatter wraps code; this catches the
// strings and comments it leaves alone). Usage: node scripts/check-lines.mjs [--max 120]
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const max = Number(process.argv[process.argv.indexOf('--max') + 1]) || 120;
const tracked = execFileSync(
  'git',
  ['ls-files', '-co', '--exclude-standard', 'src', 'test', 'bench', 'scripts', 'web', 'bin'],
  {
    encoding: 'utf8',
  },
)
  .split('\n')
  .filter((f) => /\.(ts|tsx|mjs|cjs|js)$/.test(f) && !f.includes('/dist/'));
const long = [];
for (const f of tracked) {
  let text;
  try {
    text = readFileSync(f, 'utf8');
  } catch {
    continue; // listed but deleted in the working tree
  }
  text.split('\n').forEach((line, i) => {
    if (line.length > max) long.push(`${f}:${i + 1}: ${line.length} characters`);
  });
}
if (long.length) {
  console.error(`${long.length} line(s) longer than ${max} characters:\n${long.join('\n')}`);
  process.exit(1);
}
console.log(`check-lines: ${tracked.length} files, every line ≤ ${max} characters`);
