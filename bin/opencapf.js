#!/usr/bin/env node
// The `opencapf` executable (package.json "bin"): runs the TypeScript entry point through tsx, a runtime dependency.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
