// Writes docs/configuration.md from the config schema.
import { writeFileSync } from 'node:fs';
import { renderConfigurationReference } from '../src/config/docs.ts';
writeFileSync(new URL('../docs/configuration.md', import.meta.url), renderConfigurationReference());
console.log('wrote docs/configuration.md');
