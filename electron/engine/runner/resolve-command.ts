import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { ErrandError } from '../../../shared/protocol/errors.js';

export function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Finds the program a run would start, as exec would: a path as given, a bare name on PATH. */
export function resolveCommand(file: string, cwd: string, pathVar: string | undefined): string {
  if (file.includes('/')) {
    const full = isAbsolute(file) ? file : resolve(cwd, file);
    if (isExecutableFile(full)) return full;
    throw new ErrandError('not_found', `not found: ${file} (no executable file at ${full}). Fix the profile's command.`);
  }
  const dirs = (pathVar ?? '').split(delimiter).filter(Boolean);
  for (const dir of dirs) {
    const candidate = join(dir, file);
    if (isExecutableFile(candidate)) return candidate;
  }
  throw new ErrandError(
    'not_found',
    `not found: ${file} (not on PATH: ${dirs.join(delimiter) || 'empty'}). Install it, or give the full path in the profile.`,
  );
}
