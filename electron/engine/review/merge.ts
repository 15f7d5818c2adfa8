// Merging a task's branch into its base without touching any checkout: the result is computed as git objects
// (`git merge-tree --write-tree`), and only a clean result is then put on the base branch (base-branch.ts).
import { randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { MergeStrategy } from '../../../shared/domain.js';
import { runGit } from '../worktrees/git.js';
import { gitLine, identityEnv } from './git-run.js';

export type MergeOutcome = { clean: true; commit: string } | { clean: false; files: string[] };

interface MergeInput {
  repoPath: string;
  strategy: MergeStrategy;
  /** The base branch's commit now, and the task branch's tip. */
  base: string;
  tip: string;
  branch: string;
  message: { subject: string; body: string };
  tmpDir: string;
}

/** The tree merging `tip` into `base` would give, or the files that conflict. Writes objects only. */
export async function mergeTree(repoPath: string, base: string, tip: string): Promise<{ tree: string } | { files: string[] }> {
  const answer = await runGit(repoPath, ['merge-tree', '--write-tree', '--name-only', '--no-messages', base, tip], { okCodes: [1] });
  const [tree, ...files] = answer.stdout.split('\n').filter(Boolean);
  return answer.code === 0 ? { tree: tree! } : { files };
}

export async function computeMerge(input: MergeInput): Promise<MergeOutcome> {
  const { repoPath, base, tip } = input;
  const merged = await mergeTree(repoPath, base, tip);
  if ('files' in merged) return { clean: false, files: merged.files };
  const env = await identityEnv(repoPath);
  const { subject, body } = input.message;
  if (input.strategy === 'squash') {
    return { clean: true, commit: await gitLine(repoPath, ['commit-tree', merged.tree, '-p', base, '-m', subject, '-m', body], { env }) };
  }
  if (input.strategy === 'merge') {
    const title = `Merge ${input.branch}: ${subject}`;
    return { clean: true, commit: await gitLine(repoPath, ['commit-tree', merged.tree, '-p', base, '-p', tip, '-m', title, '-m', body], { env }) };
  }
  return rebase(input, env);
}

/**
 * The branch's commits replayed onto the base, in a detached worktree of Errand's own (the person's checkout and the
 * task's worktree are never used). A branch already on top of the base is taken as it is.
 */
async function rebase(input: MergeInput, env: Record<string, string>): Promise<MergeOutcome> {
  const { repoPath, base, tip } = input;
  const forkPoint = await gitLine(repoPath, ['merge-base', base, tip]);
  if (forkPoint === base) return { clean: true, commit: tip };
  await mkdir(input.tmpDir, { recursive: true, mode: 0o700 });
  const place = join(input.tmpDir, `rebase-${randomUUID()}`);
  await runGit(repoPath, ['worktree', 'add', '--detach', '--', place, tip]);
  try {
    const replay = await runGit(place, ['-c', 'core.hooksPath=/dev/null', 'rebase', '--no-autosquash', base], { env, okCodes: [1, 128] });
    if (replay.code !== 0) {
      const files = (await runGit(place, ['diff', '--name-only', '--diff-filter=U'])).stdout.split('\n').filter(Boolean);
      await runGit(place, ['rebase', '--abort'], { okCodes: [1, 128] });
      return { clean: false, files };
    }
    return { clean: true, commit: await gitLine(place, ['rev-parse', 'HEAD']) };
  } finally {
    await runGit(repoPath, ['worktree', 'remove', '--force', '--', place], { okCodes: [1, 128] });
    await rm(place, { recursive: true, force: true });
  }
}
