// Putting a merge result on the base branch: through the person's checkout when the base is checked out (only when
// it is clean, and only as a fast-forward), else by a compare-and-swap of the branch ref.
import { ErrandError } from '../../../shared/protocol/errors.js';
import { nameSome } from '../worktrees/unsaved-work.js';
import { runGit } from '../worktrees/git.js';
import { gitLine } from './git-run.js';

/** The folder where `branch` is checked out (the repo's own checkout or another worktree), or null. */
export async function checkoutOf(repoPath: string, branch: string): Promise<string | null> {
  const listing = (await runGit(repoPath, ['worktree', 'list', '--porcelain', '-z'])).stdout;
  let path: string | null = null;
  for (const field of listing.split('\0')) {
    if (field.startsWith('worktree ')) path = field.slice('worktree '.length);
    else if (field === `branch refs/heads/${branch}`) return path;
  }
  return null;
}

/** Refuses, touching nothing, when the checkout has changes git tracks (staged or not) or an operation under way. */
export async function requireClean(checkout: string, branch: string): Promise<void> {
  const status = (await runGit(checkout, ['status', '--porcelain', '-z', '--untracked-files=no'])).stdout;
  const changed = status.split('\0').filter(Boolean).map((entry) => entry.slice(3));
  if (changed.length > 0) {
    throw new ErrandError(
      'conflict',
      `${branch} is checked out in ${checkout}, which has uncommitted changes (${nameSome(changed, false)}), so nothing ` +
        'was merged or changed. Commit or stash them there, then approve again.',
    );
  }
}

/** Moves the base branch from `old` to `next` (a descendant of it); refuses if it moved meanwhile. */
export async function advanceBase(repoPath: string, branch: string, old: string, next: string): Promise<void> {
  const checkout = await checkoutOf(repoPath, branch);
  if (checkout === null) {
    const swap = await runGit(repoPath, ['update-ref', '-m', 'errand: approve', `refs/heads/${branch}`, next, old], { okCodes: [1, 128] });
    if (swap.code !== 0) throw moved(branch);
    return;
  }
  await requireClean(checkout, branch);
  if ((await gitLine(checkout, ['rev-parse', 'HEAD'])) !== old) throw moved(branch);
  const ff = await runGit(checkout, ['merge', '--ff-only', '--no-edit', '-q', next], { okCodes: [1, 128] });
  if (ff.code !== 0) {
    throw new ErrandError(
      'conflict',
      `git would not move ${checkout} to the merge (${ff.stderr.trim().split('\n')[0]}), so nothing was changed there. ` +
        'Move or remove the files it names, then approve again.',
    );
  }
}

const moved = (branch: string) =>
  new ErrandError('conflict', `${branch} moved while the merge was being made, so nothing was changed. Approve again.`);
