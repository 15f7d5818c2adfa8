// What removing a worktree would lose: changes git tracks, and files it does not (untracked or ignored) unless the
// repo's own checkout holds them as they are. An ignored folder the checkout also has (node_modules, .venv, build
// output) counts as regenerable and is not listed file by file: the setup command or a build makes it again.
import { lstat, readFile, readlink, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { gitBounded } from './git.js';

/** Bounds what is read and compared, whatever the agent left in the worktree. */
const MAX_LISTING_BYTES = 512 * 1024;
const MAX_COMPARED_FILE_BYTES = 8 * 1024 * 1024;
const MAX_NAMED_FILES = 10;

export interface Leftovers {
  /** Changed tracked files, and untracked files the repo does not hold as they are. */
  uncommitted: string[];
  /** Ignored files the repo does not hold as they are (an edited .env, a new results.log), and new ignored folders. */
  ignored: string[];
  /** The listing passed MAX_LISTING_BYTES: there is more than was named. */
  truncated: boolean;
}

interface StatusEntry {
  code: string;
  path: string;
}

/** `git status --porcelain -z` entries; a rename or copy carries its source as one more field. */
function parseStatus(stdout: string, truncated: boolean): StatusEntry[] {
  const fields = stdout.split('\0');
  fields.pop(); // after the last NUL: nothing, or a field cut short
  const entries: StatusEntry[] = [];
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i]!;
    const code = field.slice(0, 2);
    entries.push({ code, path: field.slice(3) });
    if (code[0] === 'R' || code[0] === 'C') i++;
  }
  if (truncated) entries.pop();
  return entries;
}

async function status(worktree: string, extra: string[]): Promise<{ entries: StatusEntry[]; truncated: boolean }> {
  const args = ['--literal-pathspecs', 'status', '--porcelain', '-z', '--untracked-files=all', ...extra];
  const { stdout, truncated } = await gitBounded(worktree, args, MAX_LISTING_BYTES);
  return { entries: parseStatus(stdout, truncated), truncated };
}

/** True when the repo's checkout has the same file (same bytes, or the same symlink) at the same place. */
export async function repoHoldsSame(worktree: string, repo: string, rel: string): Promise<boolean> {
  try {
    const [mine, theirs] = await Promise.all([lstat(join(worktree, rel)), lstat(join(repo, rel))]);
    if (mine.isSymbolicLink() && theirs.isSymbolicLink()) {
      return (await readlink(join(worktree, rel))) === (await readlink(join(repo, rel)));
    }
    if (!mine.isFile() || !theirs.isFile() || mine.size !== theirs.size || mine.size > MAX_COMPARED_FILE_BYTES) return false;
    const [a, b] = await Promise.all([readFile(join(worktree, rel)), readFile(join(repo, rel))]);
    return a.equals(b);
  } catch {
    return false;
  }
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isDirectory(), () => false);
}

const overlaps = (a: string, b: string) => a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);

/**
 * Everything in the worktree that exists nowhere else. `copied` are the paths copied in from the repo: an ignored
 * folder that holds one is looked into file by file, so an edited copy is never taken for regenerable.
 */
export async function leftovers(worktree: string, repo: string, copied: readonly string[]): Promise<Leftovers> {
  const found: Leftovers = { uncommitted: [], ignored: [], truncated: false };
  const listing = await status(worktree, ['--ignored=matching']);
  found.truncated = listing.truncated;
  const entries: StatusEntry[] = [];
  for (const entry of listing.entries) {
    const dir = entry.code === '!!' && entry.path.endsWith('/') ? entry.path.slice(0, -1) : null;
    if (dir === null || !copied.some((c) => overlaps(c, dir))) {
      entries.push(entry);
      continue;
    }
    const inside = await status(worktree, ['--ignored=traditional', '--', dir]);
    found.truncated ||= inside.truncated;
    entries.push(...inside.entries.filter((e) => e.code === '!!'));
  }
  for (const { code, path } of entries) {
    if (code !== '??' && code !== '!!') {
      found.uncommitted.push(path);
    } else if (path.endsWith('/')) {
      // An ignored folder the checkout also has is regenerable; any other folder git lists whole is new.
      if (code === '!!' && (await isDirectory(join(repo, path)))) continue;
      (code === '??' ? found.uncommitted : found.ignored).push(path);
    } else if (!(await repoHoldsSame(worktree, repo, path))) {
      (code === '??' ? found.uncommitted : found.ignored).push(path);
    }
  }
  return found;
}

/** "a, b, c and 4 more": at most MAX_NAMED_FILES names. */
export function nameSome(paths: readonly string[], more: boolean): string {
  const named = paths.slice(0, MAX_NAMED_FILES).join(', ');
  const rest = paths.length - MAX_NAMED_FILES;
  if (rest > 0) return `${named} and ${rest}${more ? '+' : ''} more`;
  return more ? `${named} and more` : named;
}
