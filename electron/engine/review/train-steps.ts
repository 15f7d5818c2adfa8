// The git a merge train does besides merging: its order, and rebasing a task's branch in the task's own worktree
// (never the person's checkout).
import { existsSync } from 'node:fs';
import { runGit } from '../worktrees/git.js';
import { gitLine, identityEnv } from './git-run.js';

/**
 * Fewest overlaps first: each pick is the task that shares files with the fewest of those left (then the fewest
 * shared files, then the oldest), so the branches most likely to conflict go last, on top of everything else.
 */
export function trainOrder(files: ReadonlyMap<number, readonly string[]>): number[] {
  const left = new Set(files.keys());
  const order: number[] = [];
  const sets = new Map([...files].map(([id, list]) => [id, new Set(list)]));
  while (left.size > 0) {
    let best: { id: number; tasks: number; shared: number } | null = null;
    for (const id of left) {
      let tasks = 0;
      let shared = 0;
      for (const other of left) {
        if (other === id) continue;
        const common = [...sets.get(id)!].filter((f) => sets.get(other)!.has(f)).length;
        if (common > 0) tasks++;
        shared += common;
      }
      if (!best || tasks < best.tasks || (tasks === best.tasks && (shared < best.shared || (shared === best.shared && id < best.id)))) {
        best = { id, tasks, shared };
      }
    }
    order.push(best!.id);
    left.delete(best!.id);
  }
  return order;
}

/** A rebase a stopped train left under way in a worktree is undone, so the step can start over. */
export async function abortLeftRebase(worktree: string): Promise<void> {
  for (const dir of ['rebase-merge', 'rebase-apply']) {
    const path = await gitLine(worktree, ['rev-parse', '--path-format=absolute', '--git-path', dir]);
    if (existsSync(path)) {
      await runGit(worktree, ['rebase', '--abort'], { okCodes: [1, 128] });
      return;
    }
  }
}

export type RebaseOutcome = { clean: true } | { clean: false; files: string[]; why: string };

/** Replays the worktree's branch onto `onto`; on a conflict the rebase is aborted and the worktree is as it was. */
export async function rebaseWorktree(worktree: string, onto: string): Promise<RebaseOutcome> {
  const env = await identityEnv(worktree);
  const replay = await runGit(worktree, ['-c', 'core.hooksPath=/dev/null', 'rebase', '--no-autosquash', '--no-autostash', onto], { env, okCodes: [1, 128] });
  if (replay.code === 0) return { clean: true };
  const files = (await runGit(worktree, ['diff', '--name-only', '--diff-filter=U'], { okCodes: [1, 128] })).stdout.split('\n').filter(Boolean);
  await abortLeftRebase(worktree);
  const why = (replay.stderr.trim() || replay.stdout.trim()).split('\n')[0] ?? `git rebase exited ${replay.code}`;
  return { clean: false, files, why };
}
