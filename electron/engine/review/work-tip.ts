// A task's work as one commit, made without touching any checkout: its worktree's uncommitted and untracked changes
// (as review shows them) written as a commit object on top of its HEAD, which no ref points at. Merge checks and
// collision checks compare that commit with the base.
import { MAX_REVIEW_DIFF_BYTES } from '../../../shared/protocol/limits.js';
import { gitBounded, runGit } from '../worktrees/git.js';
import { gitLine, identityEnv } from './git-run.js';
import type { ReviewTarget } from './review-service.js';
import { copiedFiles } from './review-service.js';
import { withWorkIndex } from './snapshot.js';

export interface WorkTip {
  /** The work as a commit: the branch's tip, or a commit object made of its worktree's state. */
  commit: string;
  /** The files it changes against its merge base with the base branch (what review would list). */
  files: string[];
}

/** At ~100 bytes a path, the paths of tens of thousands of changed files. */
const MAX_NAMES_BYTES = Math.min(MAX_REVIEW_DIFF_BYTES, 2 * 1024 * 1024);

export async function workTip(target: ReviewTarget, tmpDir: string): Promise<WorkTip> {
  const { repo, place } = target;
  const commit = target.hasWorktree
    ? await withWorkIndex(place.path, repo.path, copiedFiles(repo), tmpDir, async (env) => {
        const [tree, revs] = await Promise.all([gitLine(place.path, ['write-tree'], { env }), gitLine(place.path, ['rev-parse', 'HEAD^{commit}', 'HEAD^{tree}'])]);
        const [head, headTree] = revs.split('\n') as [string, string];
        if (tree === headTree) return head;
        const who = await identityEnv(place.path);
        return gitLine(place.path, ['commit-tree', tree, '-p', head, '-m', `errand: the work of task ${target.task.id}, for a merge check`], { env: who });
      })
    : await gitLine(repo.path, ['rev-parse', '--verify', `refs/heads/${place.branch}^{commit}`]);
  const forkPoint = (await runGit(repo.path, ['merge-base', `refs/heads/${repo.baseBranch}`, commit], { okCodes: [1] })).stdout.trim();
  if (!forkPoint) return { commit, files: [] };
  const names = await gitBounded(repo.path, ['diff', '--no-ext-diff', '--no-renames', '--name-only', '-z', forkPoint, commit], MAX_NAMES_BYTES);
  const files = names.stdout.split('\0').filter(Boolean);
  if (names.truncated) files.pop();
  return { commit, files };
}
