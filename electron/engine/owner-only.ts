// Everything the engine keeps is for its owner alone (profiles hold secrets; logs hold what agents printed), whatever
// the umask or the mode a directory already had. The umask itself is left alone: agents inherit it for their work.
import { chmodSync, closeSync, existsSync, fchmodSync, lstatSync, mkdirSync, openSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ErrandError } from '../../shared/protocol/errors.js';

export const OWNER_DIR_MODE = 0o700;
export const OWNER_FILE_MODE = 0o600;
const OTHERS_BITS = 0o077;

/** Makes the directory (and any missing parents) with mode 0700; an existing one is set to 0700. */
export function ownerOnlyDir(path: string): void {
  const first = mkdirSync(path, { recursive: true, mode: OWNER_DIR_MODE });
  // mkdir's mode passes through the umask, which may take the owner's own bits too; set it exactly.
  for (let dir = path; ; dir = dirname(dir)) {
    chmodSync(dir, OWNER_DIR_MODE);
    if (first === undefined || dir === first || dirname(dir) === dir) break;
  }
}

/** Creates the file empty with mode 0600 if it is missing; an existing one keeps its bytes and is set to 0600. */
export function ownerOnlyFile(path: string): void {
  const fd = openSync(path, 'a', OWNER_FILE_MODE);
  try {
    fchmodSync(fd, OWNER_FILE_MODE);
  } finally {
    closeSync(fd);
  }
}

/** Writes the whole file, owner-only. */
export function writeOwnerOnly(path: string, data: string): void {
  writeFileSync(path, data, { mode: OWNER_FILE_MODE });
  chmodSync(path, OWNER_FILE_MODE);
}

/**
 * Makes the data directory safe to keep secrets in before anything is written there: one owned by another user is
 * refused; one others can read or write is set to 0700, as is anything in it an older Errand left open (each said so
 * through `log`). Worktrees' own files are not touched: they are the agents' and the person's work.
 */
export function secureDataDir(root: string, log: (line: string) => void): void {
  ownerOnlyDirUnlessForeign(root, log);
  for (const name of readdirSync(root)) {
    const path = join(root, name);
    const stat = lstatSync(path, { throwIfNoEntry: false });
    if (!stat) continue;
    // While the directory was open, another user could have planted a file or a link for the engine to write through.
    if (isForeign(stat.uid)) throw foreign(`${path} in the data directory`, stat.uid);
    if (stat.isSymbolicLink() || (stat.mode & OTHERS_BITS) === 0) continue;
    const mode = stat.isDirectory() ? OWNER_DIR_MODE : OWNER_FILE_MODE;
    chmodSync(path, mode);
    log(`${path} was open to other users (mode ${octal(stat.mode)}); it is now ${octal(mode)}`);
  }
}

function ownerOnlyDirUnlessForeign(root: string, log: (line: string) => void): void {
  if (!existsSync(root)) {
    ownerOnlyDir(root);
    return;
  }
  const stat = statSync(root);
  if (!stat.isDirectory()) {
    throw new ErrandError('unsafe', `The data directory ${root} is not a directory. Move it away, or set ERRAND_HOME to another path.`);
  }
  if (isForeign(stat.uid)) throw foreign(`The data directory ${root}`, stat.uid);
  if ((stat.mode & OTHERS_BITS) !== 0) {
    chmodSync(root, OWNER_DIR_MODE);
    log(`the data directory ${root} was open to other users (mode ${octal(stat.mode)}); it is now ${octal(OWNER_DIR_MODE)}`);
  }
}

function isForeign(uid: number): boolean {
  const own = process.getuid?.();
  return own !== undefined && uid !== own;
}

function foreign(what: string, uid: number): ErrandError {
  return new ErrandError(
    'unsafe',
    `${what} belongs to another user (uid ${uid}), who could read or replace the secrets and logs Errand keeps there, ` +
      'so it was not used. Set ERRAND_HOME to a directory of your own, or remove what is not yours.',
  );
}

function octal(mode: number): string {
  return `0${(mode & 0o777).toString(8)}`;
}
