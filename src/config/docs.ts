// Owns rendering docs/configuration.md from the schema, so the reference cannot drift from the code.

import { CONFIG_SCHEMA, envNameOf, type ConfigKey, type OptionDef } from './schema.ts';

export function renderConfigurationReference(): string {
  const lines = [
    '# Configuration reference',
    '',
    '<!-- Generated from src/config/schema.ts by `npm run docs:config`. Do not edit by hand. -->',
    '',
    'OpenCAPF reads its settings, from lowest to highest precedence, from the built-in defaults, a JSON file',
    '(`--config FILE`, `$OPENCAPF_CONFIG`, or `<dataDir>/opencapf.json` when it exists), environment variables and',
    'command-line flags. Nested or dotted keys are both accepted in the file (`{"capf": {"port": 3804}}` or',
    '`{"capf.port": 3804}`). Unknown keys and unknown `OPENCAPF_*` variables are rejected at start-up.',
    '',
    '| Key | Type | Default | Environment | Flag | Description |',
    '|---|---|---|---|---|---|',
  ];
  for (const key of Object.keys(CONFIG_SCHEMA) as ConfigKey[]) {
    const d: OptionDef = CONFIG_SCHEMA[key];
    const type =
      d.type === 'enum'
        ? `one of ${d.values!.map((v) => `\`${v}\``).join(', ')}`
        : d.type + (d.min !== undefined ? ` (${d.min}..${d.max})` : '');
    const def = d.default === null ? '(none)' : `\`${String(d.default)}\``;
    lines.push(
      `| \`${key}\` | ${type} | ${def} | \`${envNameOf(key)}\` | ` +
        `${d.flag ? `\`${d.flag}\`` : ''} | ${d.doc.replace(/\|/g, '\\|')} |`,
    );
  }
  lines.push(
    '',
    'Besides these keys, `OPENCAPF_CONFIG` names the config file, ' +
      "`OPENCAPF_ADMIN_PASSWORD` sets the first administrator's password on first " +
      'start, and `OPENCAPF_DEBUG=1` prints stack traces of unexpected CLI errors.',
    '',
  );
  return lines.join('\n');
}
