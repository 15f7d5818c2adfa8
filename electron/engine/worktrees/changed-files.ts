import { git } from './git.js';

/** How many files differ from the worktree's last commit, untracked ones included; null when git cannot tell. */
export async function countChangedFiles(worktree: string): Promise<number | null> {
  try {
    const status = await git(worktree, ['status', '--porcelain', '--untracked-files=all']);
    return status.split('\n').filter(Boolean).length;
  } catch {
    return null;
  }
}
