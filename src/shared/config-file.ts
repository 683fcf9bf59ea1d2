// Owns reading a file a configuration option names, with an error that names the option.

import { readFileSync } from 'node:fs';
import { AppError } from './errors.ts';

/** The file's text, or null when the option is unset; unreadable → ERR_CONFIG_INVALID naming `option`. */
export function readConfiguredFile(path: string | null | undefined, option: string): string | null {
  if (!path) return null;
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new AppError('ERR_CONFIG_INVALID', `cannot read ${option} ${path}: ${(e as Error).message}`);
  }
}
