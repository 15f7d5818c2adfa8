// What review tests look at: a repository checkout's exact state, and a task's worktree and branch.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { EventWatcher } from './event-watcher.js';
import type { Sandbox } from './sandbox.js';

function filesUnder(root: string, dir = root, out: Record<string, string> = {}): Record<string, string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (dir === root && entry.name === '.git') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) filesUnder(root, path, out);
    else out[relative(root, path)] = createHash('sha256').update(readFileSync(path)).digest('hex');
  }
  return out;
}

/** HEAD, the index (staged diff and the index file itself), the status, and every file's hash. */
export function checkoutState(sb: Sandbox, dir: string): Record<string, unknown> {
  return {
    head: sb.git(dir, 'rev-parse', 'HEAD'),
    branch: sb.git(dir, 'symbolic-ref', '-q', 'HEAD'),
    staged: sb.git(dir, 'diff', '--cached'),
    status: sb.git(dir, 'status', '--porcelain', '--untracked-files=all', '--ignored'),
    index: createHash('sha256').update(readFileSync(sb.git(dir, 'rev-parse', '--path-format=absolute', '--git-path', 'index').trim())).digest('hex'),
    files: filesUnder(dir),
  };
}

/** Files a task's fake agent edits, and the task filed and finished. Returns its worktree and branch. */
export async function finishedTask(
  sb: Sandbox,
  watch: EventWatcher,
  repo: string,
  id: number,
  steps: string[],
  prompt = `task ${id}: change things\n\nmore detail here`,
): Promise<{ worktree: string; branch: string }> {
  await sb.fakeProfile(`agent-${id}`, steps);
  await sb.json(['add', prompt, '--repo', repo, '--profile', `agent-${id}`]);
  await watch.status(id, 'succeeded');
  await watch.waitFor((e) => e.type === 'task.review' && e.taskId === id && e.review === 'unreviewed', `task ${id} unreviewed`);
  const { runs } = await sb.json(['show', String(id)]);
  return { worktree: runs[0].worktree, branch: runs[0].branch };
}
