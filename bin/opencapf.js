#!/usr/bin/env node
// Runs the TypeScript entry point through tsx (a runtime dependency); started by bin/opencapf.cjs, the
// `opencapf` executable, which sets the process up first.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
